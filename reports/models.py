"""Uploads to an accreditor (CE Broker style), as an Administrator confirms
them: which certificates were reported, when, by whom, under which reference.
A certificate is reported once (docs/reports.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccreditorUpload(models.Model):
    accreditor = models.ForeignKey("courses.Accreditor", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="The accreditor's receipt or batch number for the upload, if it gave one.",
    )
    filters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self):
        return f"Upload to {self.accreditor} confirmed {self.confirmed_at:%Y-%m-%d}"


class AccreditorUploadItem(models.Model):
    upload = models.ForeignKey(AccreditorUpload, on_delete=models.PROTECT, related_name="items")
    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="accreditor_upload"
    )

    def __str__(self):
        return f"Certificate {self.certificate_id} in upload {self.upload_id}"
