"""The audit log: one append-only row per administrative action (docs/audit.md).

Nothing here points at another table. Who acted is kept as their id and the
label they had then (their email), so deleting or renaming a person changes no
row; what was acted on is kept as a type, an id and a label, so a row outlives
the object. PostgreSQL refuses UPDATE and DELETE on the table (a trigger made
by django-pgtrigger, in the migration); on SQLite, where `make run` may run,
the model and its queryset refuse them too, which only guards Django's paths.
"""

from __future__ import annotations

import pgtrigger
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    # Certificates (certificates.services)
    CERTIFICATE_ISSUE = "certificate.issue", "Certificate issued"
    CERTIFICATE_HOLD = "certificate.hold", "Certificate held"
    CERTIFICATE_ISSUE_MANUAL = "certificate.issue_manual", "Certificate issued manually"
    CERTIFICATE_RELEASE = "certificate.release", "Held certificate issued anyway"
    CERTIFICATE_REISSUE = "certificate.reissue", "Certificate reissued"
    CERTIFICATE_REVOKE = "certificate.revoke", "Certificate revoked"
    CERTIFICATE_RESTORE = "certificate.restore", "Certificate restored"
    CERTIFICATE_DELIVERY_RETRY = "certificate.delivery_retry", "Certificate delivery retried"
    BULK_JOB_CREATE = "bulk_job.create", "Bulk job started"
    # The CE credit model (Wagtail snippets and the course editor)
    ACCREDITOR_CREATE = "accreditor.create", "Accreditor added"
    ACCREDITOR_EDIT = "accreditor.edit", "Accreditor changed"
    ACCREDITOR_DELETE = "accreditor.delete", "Accreditor deleted"
    CREDIT_EDIT = "course.credit_edit", "Course credit changed"
    # The course approval workflow
    COURSE_SUBMIT = "course.submit", "Course sent for approval"
    COURSE_APPROVE = "course.approve", "Course approved"
    COURSE_REJECT = "course.reject", "Course changes requested"
    COURSE_DUPLICATE = "course.duplicate", "Course duplicated as a template"
    # People, groups and permissions
    GROUP_CREATE = "group.create", "Group added"
    GROUP_EDIT = "group.edit", "Group or its permissions changed"
    GROUP_DELETE = "group.delete", "Group deleted"
    USER_ROLES_EDIT = "user.roles_edit", "Person's groups or status changed"
    USER_DEACTIVATE = "user.deactivate", "Account deactivated"
    USER_DELETE = "user.delete", "Account deleted"
    MFA_RESET = "user.mfa_reset", "Two-factor authentication reset"
    # Personal data leaving the site
    EXPORT = "export", "Personal data exported"
    REPORT_MARK_REPORTED = "report.mark_reported", "Upload to the accreditor confirmed"
    # Retention (reports.retention): personal data removed after the window
    RECORDS_PSEUDONYMISE = "records.pseudonymise", "Records past retention pseudonymised"
    # Later features (issue 14): audit packets and requests
    AUDIT_PACKET_BUILD = "audit_packet.build", "Audit packet built"
    AUDIT_PACKET_DOWNLOAD = "audit_packet.download", "Audit packet downloaded"
    REQUEST_STATUS_CHANGE = "request.status_change", "Request status changed"
    # Learner support (support.services)
    REQUEST_CREATE = "request.create", "Support request sent"
    REQUEST_EDIT = "request.edit", "Support request assigned, noted or answered"
    # Per-learner overrides (courses.overrides)
    OVERRIDE_GRANT = "override.grant", "Learner override granted"
    OVERRIDE_END = "override.end", "Learner override ended"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("The audit log is append-only: rows are never changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("The audit log is append-only: rows are never deleted.")

    # Django's bulk paths that rewrite rows
    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("The audit log is append-only: rows are never changed.")


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="Empty when the system acted."
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The actor's email when they acted."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)  # "app_label.model"
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Nobody adds, changes or deletes rows through a form: only viewing is granted.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_created"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'}: {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("The audit log is append-only: rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("The audit log is append-only: rows are never deleted.")

    @property
    def actor_display(self) -> str:
        return self.actor_label or "System"

    @property
    def object_display(self) -> str:
        return self.object_label or (f"{self.object_type} {self.object_id}".strip())
