"""Uploads to an accreditor (CE Broker style), as an Administrator confirms
them: which certificates were reported, when, by whom, under which reference.
A certificate is reported once (docs/reports.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cms.storage import private_storage


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


class PseudonymisedEnrollment(models.Model):
    """An enrollment whose records lost their personal data after the
    retention window (reports.retention): names and license numbers replaced,
    free text cleared, aggregates kept. One row each, so the weekly run does
    each enrollment once."""

    enrollment = models.OneToOneField(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="pseudonymised"
    )
    pseudonymised_at = models.DateTimeField(default=timezone.now)
    last_record_at = models.DateTimeField(
        help_text="The latest date of its records, from which the window was counted."
    )

    def __str__(self):
        return f"Enrollment {self.enrollment_id} pseudonymised {self.pseudonymised_at:%Y-%m-%d}"


class AuditPacket(models.Model):
    """One audit packet of a course and a period, built by the worker
    (reports.packet): each part is stored as it is made and listed in `parts`,
    so a build interrupted (a worker killed) resumes where it stopped."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    parts = models.JSONField(default=dict, blank=True, help_text="Part path → SHA-256.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=private_storage, upload_to="audit-packets/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Audit packet {self.pk}: course {self.course_id}, {self.start} to {self.end}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0
