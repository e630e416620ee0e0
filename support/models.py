"""Learner support (docs/support.md): a clinician's request for an accommodation
or a grievance, its attachments, and what the CE administrator did with it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cms.storage import private_storage, random_file_name


def attachment_path(instance, filename: str) -> str:
    """A name that tells nothing: the clinician's file name is kept in the row."""
    return random_file_name("support", instance.content_type)


class RequestKind(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    GRIEVANCE = "grievance", "Grievance"


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    DECLINED = "declined", "Declined"


#: Statuses after which a request is no longer waiting on the administrator.
CLOSED_STATUSES = (RequestStatus.RESOLVED, RequestStatus.DECLINED)


class SupportRequest(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_requests"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    details = models.TextField(help_text="Accommodation: what is needed. Grievance: what happened.")
    outcome_sought = models.TextField(blank=True, help_text="Grievance: the outcome sought.")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests_assigned",
    )
    internal_notes = models.TextField(blank=True, help_text="Seen by staff only.")
    response = models.TextField(blank=True, help_text="Shown to the clinician and emailed.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_supportrequest", "Can answer learner support requests")]

    def __str__(self):
        return f"{self.get_kind_display()} request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class SupportAttachment(models.Model):
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name
