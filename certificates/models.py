"""Certificate records: a frozen snapshot taken at issue, its PDF, its audit trail.

A certificate is issued once per enrollment and accreditor (or once as a
certificate of attendance, without an accreditor). A reissue creates a new
row and marks the old one REISSUED; the one-per-enrollment-and-accreditor
constraints ignore reissued rows, so the chain of reissues is kept whole.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cms.storage import private_storage


class Certificate(models.Model):
    class Kind(models.TextChoices):
        ACCREDITED = "accredited", "Certificate of completion"
        ATTENDANCE = "attendance", "Certificate of attendance"

    class Status(models.TextChoices):
        HELD = "held", "Held for review"
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"
        REISSUED = "reissued", "Reissued"

    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="certificates"
    )
    accreditor = models.ForeignKey(
        "courses.Accreditor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text="Empty for a certificate of attendance.",
    )
    completion = models.ForeignKey(
        "courses.CourseCompletion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text="Empty only for a certificate issued manually without a recorded completion.",
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The certificate this one reissues.",
    )

    # The frozen snapshot: everything printed, as it was at issue.
    snapshot = models.JSONField()
    # Copies of snapshot facts, for searching, filtering and the CSV export.
    participant_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=255)
    license_numbers = models.CharField(max_length=500, blank=True)
    completion_date = models.DateField(db_index=True)
    total_hours = models.DecimalField(max_digits=6, decimal_places=2)
    template_version = models.PositiveSmallIntegerField()
    course_revision_id = models.PositiveBigIntegerField(null=True, blank=True)

    issued_at = models.DateTimeField(db_index=True)
    hold_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    clinician_reason = models.TextField(
        blank=True,
        help_text="What the administrator chose to tell the clinician about the latest "
        "revocation, reissue or restoration (emailed to them, shown on their dashboard); "
        "the internal reason stays in the audit history.",
    )

    # The certificate's bit in a Bitstring Status List (certificates/credentials/
    # status_list.py): fixed at issue, drawn at random so neighbouring bits say
    # nothing about one another; its Open Badge names it in `credentialStatus`.
    status_list = models.PositiveIntegerField(default=1)
    status_list_index = models.PositiveIntegerField()

    # Delivery, done by the worker after the issuing transaction commits, in two
    # stages that each commit: render and store the PDF (then it is downloadable
    # and verifiable), then email it. Each stage counts its attempts; its error is
    # set when it cannot succeed or the sweep gives up (docs/certificates.md).
    pdf = models.FileField(storage=private_storage, upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(blank=True)
    email_queued_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)
    email_error = models.TextField(blank=True)
    # The latest error a retry may cure (mail server down, database gone), either
    # stage; cleared when the stage succeeds. Shown to Administrators meanwhile.
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        permissions = [
            (
                "manage_certificates",
                "Can issue manually, reissue, revoke and restore certificates",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                "enrollment",
                "accreditor",
                condition=Q(accreditor__isnull=False) & ~Q(status="reissued"),
                name="certificates_one_per_enrollment_accreditor",
            ),
            models.UniqueConstraint(
                "enrollment",
                condition=Q(accreditor__isnull=True) & ~Q(status="reissued"),
                name="certificates_one_attendance_per_enrollment",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_list_index"],
                name="certificates_one_status_list_bit",
            ),
        ]
        indexes = [
            models.Index(
                fields=["queued_at"],
                condition=Q(status="valid")
                & (Q(rendered_at__isnull=True) | Q(emailed_at__isnull=True)),
                name="certificates_undelivered",
            ),
            # The status list's set bits (status_list.set_bits): the few certificates
            # that are no longer valid, without reading the whole list's rows.
            models.Index(
                fields=["status_list", "status_list_index"],
                condition=~Q(status="valid"),
                name="certificates_status_bits_set",
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.participant_name}"

    @property
    def is_accredited(self) -> bool:
        return self.kind == self.Kind.ACCREDITED

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf) and self.rendered_at is not None

    @property
    def email_status(self) -> str:
        """emailed / pending / failed (the sweep gave up, or the email cannot be
        sent) / "" (no PDF yet, so no email either)."""
        if self.emailed_at is not None:
            return "emailed"
        if self.rendered_at is None:
            return ""
        return "failed" if self.email_error else "pending"


class CertificateEvent(models.Model):
    """One line of a certificate's audit history."""

    class Action(models.TextChoices):
        ISSUED = "issued", "Issued"
        HELD = "held", "Held"
        ISSUED_MANUALLY = "issued_manually", "Issued manually"
        RENDERED = "rendered", "PDF rendered"
        EMAILED = "emailed", "Emailed"
        RENDER_FAILED = "render_failed", "Rendering failed"
        EMAIL_FAILED = "email_failed", "Email failed"
        DELIVERY_RETRIED = "delivery_retried", "Delivery retried"
        REISSUED = "reissued", "Reissued"
        REVOKED = "revoked", "Revoked"
        RESTORED = "restored", "Restored"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system acted.",
    )
    data = models.JSONField(default=dict, blank=True)
    clinician_reason = models.TextField(
        blank=True, help_text="The reason shared with the clinician (revoke, reissue, restore)."
    )
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clinician was emailed about this change."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return (
            f"{self.get_action_display()} {self.certificate_id} at {self.created_at:%Y-%m-%d %H:%M}"
        )


class BulkJob(models.Model):
    """A bulk reissue run by a Celery task. Items not yet done are what is left,
    so a job interrupted by a worker restart resumes where it stopped."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    kind = models.CharField(max_length=20, default="reissue")
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filters = models.JSONField(default=dict, blank=True, help_text="The listing filters used.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Bulk {self.kind} #{self.pk} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


class BulkJobItem(models.Model):
    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("job", "certificate", name="certificates_bulk_item_unique")
        ]
        indexes = [
            models.Index(
                fields=["job", "id"],
                condition=Q(processed_at__isnull=True),
                name="certificates_bulk_pending",
            )
        ]

    def __str__(self):
        return f"Item {self.certificate_id} of job {self.job_id}"
