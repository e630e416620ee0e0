"""License renewal tracking: the boards' requirements (templates Administrators
keep), each clinician's requirement per license, the certificates they earned
elsewhere, the reminders sent, their calendar feed and their renewal packets.

Hours are counted by renewals.rules from these rows and from the certificates
app's issued certificates; nothing here is written by a lower app.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin

from accounts.models import ClinicianLicense, Profession
from cms.storage import private_storage, random_file_name
from courses.models import CreditCategory

#: Hours above this are a typing mistake, not a requirement or a course.
MAX_HOURS = Decimal("200")
REMINDER_THRESHOLDS = (90, 30, 7)

#: The categories a board can set a minimum in: Practicum's credit categories
#: (its certificates map onto them one to one) and the ones boards ask for that
#: Practicum does not credit yet.
CATEGORY_CHOICES = [
    *CreditCategory.choices,
    ("suicide_prevention", "Suicide prevention"),
]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)

hours_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS)]


def upload_path(instance, filename: str) -> str:
    return random_file_name(f"renewals/uploads/{instance.user_id}", instance.content_type)


def packet_path(instance, filename: str) -> str:
    return random_file_name(f"renewals/packets/{instance.user_id}", "application/pdf")


class RequirementTemplate(RevisionMixin, ClusterableModel):
    """One board's continuing-education rule for one profession, kept by
    Administrators (a snippet with revisions). Clinicians pick one for a license;
    their cards follow its current numbers."""

    board = models.CharField(max_length=200, help_text="e.g. California Board of Psychology")
    region = models.CharField("state or province", max_length=64, help_text="e.g. CA")
    profession = models.CharField(max_length=32, choices=Profession.choices)
    credential = models.CharField(
        max_length=80, blank=True, help_text="The license it applies to, e.g. LCSW (optional)."
    )
    cycle_months = models.PositiveSmallIntegerField(
        "renewal cycle (months)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    total_hours = models.DecimalField(
        "total hours per cycle",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(MAX_HOURS)],
    )
    home_study_cap = models.DecimalField(
        "home-study limit (hours)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=hours_validators,
        help_text="The most self-paced (home-study) hours the board counts per cycle. "
        "Empty for no limit.",
    )
    accepted_accreditors = models.TextField(
        help_text="One per line: the approving bodies whose credit the board accepts, by "
        "short or full name as certificates print them (e.g. APA, ASWB ACE, NBCC)."
    )
    source_url = models.URLField("source", max_length=500, help_text="Where the rule is stated.")
    source_checked_on = models.DateField("source read on")
    is_example = models.BooleanField(
        "example — verify with the board",
        default=True,
        help_text="Shown to clinicians until an Administrator has checked the numbers "
        "against the board's current rules.",
    )
    notes = models.TextField(
        blank=True,
        help_text="What the numbers leave out (one-time courses, live hours, carry-over), "
        "shown to clinicians with the template.",
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="requirementtemplate")

    panels = [
        FieldRowPanel([FieldPanel("board"), FieldPanel("region")]),
        FieldRowPanel([FieldPanel("profession"), FieldPanel("credential")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("cycle_months"),
                        FieldPanel("total_hours"),
                        FieldPanel("home_study_cap"),
                    ]
                ),
                InlinePanel("minimums", heading="Minimums by category", label="Minimum"),
                FieldPanel("accepted_accreditors"),
            ],
            heading="Requirement",
        ),
        MultiFieldPanel(
            [
                FieldPanel("source_url"),
                FieldPanel("source_checked_on"),
                FieldPanel("is_example"),
                FieldPanel("notes"),
            ],
            heading="Source",
        ),
    ]

    class Meta:
        ordering = ["region", "board", "profession", "credential"]
        constraints = [
            models.UniqueConstraint(
                "board", "region", "profession", "credential", name="renewals_template_unique"
            )
        ]

    def __str__(self):
        who = self.credential or self.get_profession_display()
        return f"{self.board} ({self.region}) — {who}"

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        cap, total = self.home_study_cap, self.total_hours
        if cap is not None and total is not None and cap > total:
            raise ValidationError(
                {"home_study_cap": "The home-study limit cannot exceed the total hours."}
            )
        if not accepted_lines(self.accepted_accreditors or ""):
            raise ValidationError(
                {"accepted_accreditors": "Name at least one body whose credit the board accepts."}
            )


class RequirementTemplateMinimum(Orderable):
    template = ParentalKey(RequirementTemplate, on_delete=models.CASCADE, related_name="minimums")
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(MAX_HOURS)],
    )

    panels = [FieldRowPanel([FieldPanel("category"), FieldPanel("hours")])]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint("template", "category", name="renewals_template_minimum_unique")
        ]

    def __str__(self):
        return f"{CATEGORY_LABELS.get(self.category, self.category)}: {self.hours} h"


def accepted_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class LicenseRequirement(models.Model):
    """What one license needs for its renewal, and the cycle the clinician gave.

    With a template the numbers are the template's (kept current by the
    Administrators); without one they are the clinician's own, in the fields
    below. The cycle rolls over by itself (renewals.rules.cycle_current)."""

    license = models.OneToOneField(
        ClinicianLicense, on_delete=models.CASCADE, related_name="renewal_requirement"
    )
    template = models.ForeignKey(
        RequirementTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="license_requirements",
    )
    cycle_start = models.DateField()
    deadline = models.DateField()
    # The clinician's own numbers (used when there is no template).
    cycle_months = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    total_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=hours_validators
    )
    minimums = models.JSONField(default=dict, blank=True, help_text="{category: hours}")
    home_study_cap = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=hours_validators
    )
    accepted_accreditors = models.TextField(blank=True)

    reminders_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("cycle_start")),
                name="renewals_deadline_after_cycle_start",
            )
        ]

    def __str__(self):
        return f"Renewal of license {self.license_id} due {self.deadline}"


class OutsideCertificate(models.Model):
    """A certificate earned from another provider, uploaded by its clinician.
    Only its owner sees it (and staff holding the permission below)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outside_certificates"
    )
    title = models.CharField("course title", max_length=255)
    provider = models.CharField(max_length=200)
    accreditor = models.CharField(
        "approved by", max_length=120, help_text="The approving body the certificate names."
    )
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(MAX_HOURS)],
    )
    completed_on = models.DateField("completion date")
    home_study = models.BooleanField(
        "self-paced (home study)",
        default=True,
        help_text="Untick for a live course (in person or an interactive webinar).",
    )
    certificate_number = models.CharField(max_length=80, blank=True)

    file = models.FileField(storage=private_storage, upload_to=upload_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        permissions = [
            (
                "view_outside_certificate_files",
                "Can open certificates that clinicians uploaded",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.completed_on})"


class ReminderSent(models.Model):
    """One reminder email per license, cycle and threshold. The row is written,
    in the transaction that sends the email, before it is sent: a second run
    waits on the unique key and then skips."""

    license = models.ForeignKey(
        ClinicianLicense, on_delete=models.CASCADE, related_name="renewal_reminders"
    )
    deadline = models.DateField(help_text="The cycle's deadline: one cycle, one set.")
    threshold = models.PositiveSmallIntegerField(help_text="Days before the deadline.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "license", "deadline", "threshold", name="renewals_one_reminder_per_threshold"
            )
        ]

    def __str__(self):
        return f"{self.threshold}-day reminder for license {self.license_id} ({self.deadline})"


class CalendarFeed(models.Model):
    """The unguessable address of a clinician's .ics feed; resetting replaces it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="renewal_calendar"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Calendar feed of user {self.user_id}"


class RenewalPacket(models.Model):
    """A PDF for a board audit, built by a Celery task (renewals.packet_build)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="renewal_packets"
    )
    license = models.ForeignKey(
        ClinicianLicense, on_delete=models.CASCADE, related_name="renewal_packets"
    )
    cycle_start = models.DateField()
    deadline = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=200, blank=True)
    pdf = models.FileField(storage=private_storage, upload_to=packet_path, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Renewal packet {self.pk} for license {self.license_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
