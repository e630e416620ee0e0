"""The CE credit model: accreditors, instructors, and how credit hours add up."""

import math
import string
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField

from accounts.models import Profession
from accounts.validators import validate_printable_line, validate_printable_text

from .choices import CREDIT_INCREMENTS, CreditCategory, DeliveryFormat, RuleKind, SeatTimePolicy

# What seed_demo writes where a real provider number belongs (see courses.seed).
PLACEHOLDER_PROVIDER_NUMBERS = frozenset({"REPLACE-ME"})
STATEMENT_PLACEHOLDERS = ("provider", "number", "start", "end", "credits")


def statement_template_problem(template: str) -> str:
    """Why an approval-statement template cannot be rendered, or "" when it can."""
    try:
        names = [
            name for _, name, spec, conv in string.Formatter().parse(template) if name is not None
        ]
    except ValueError:
        return "Unbalanced braces: write placeholders as {provider}, {number}, {start}, {end}, {credits}."
    unknown = sorted({n for n in names if n not in STATEMENT_PLACEHOLDERS})
    if unknown:
        return (
            "Unknown placeholder "
            + ", ".join("{" + n + "}" for n in unknown)
            + ". Use only "
            + ", ".join("{" + n + "}" for n in STATEMENT_PLACEHOLDERS)
            + "."
        )
    return ""


def _long_date(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


class AccreditorForm(WagtailAdminModelForm):
    professions = forms.MultipleChoiceField(
        choices=Profession.choices, widget=forms.CheckboxSelectMultiple
    )
    delivery_formats = forms.MultipleChoiceField(
        choices=DeliveryFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Approved delivery formats",
    )


class Accreditor(models.Model):
    """A body that approves us as a CE provider (APA, ASWB ACE, NBCC, a state board)."""

    # Names, numbers and the statement are printed on certificates (accounts.validators).
    name = models.CharField(max_length=200, validators=[validate_printable_line])
    short_name = models.CharField(max_length=40, unique=True, validators=[validate_printable_line])
    professions = models.JSONField(
        default=list, help_text="Professions whose licensing boards accept this credit."
    )
    provider_number = models.CharField(max_length=80, validators=[validate_printable_line])
    approval_start = models.DateField()
    approval_end = models.DateField()
    statement_template = models.TextField(
        help_text="Placeholders: {provider}, {number}, {start}, {end}, {credits}.",
        validators=[validate_printable_text],
    )
    delivery_formats = models.JSONField(default=list)
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("75"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent.",
    )
    questions_per_hour = models.PositiveSmallIntegerField(
        default=6, help_text="Minimum post-test questions per credit hour (APA suggests 6–8)."
    )
    questions_first_hour = models.PositiveSmallIntegerField(
        default=0, help_text="Minimum questions for the first hour (NASW: 10). 0 for none."
    )
    questions_per_additional_hour = models.PositiveSmallIntegerField(
        default=0, help_text="Minimum questions per further hour (NASW: 5)."
    )
    max_true_false_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(100)],
        help_text="Largest true/false share of a post-test (100 for no limit).",
    )
    post_test_rule_kind = models.CharField(
        "the question rules above are",
        max_length=20,
        choices=RuleKind.choices,
        default=RuleKind.REQUIREMENT,
        help_text="A recommendation is shown to authors as advice, a requirement as a shortfall.",
    )
    credit_increment = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        choices=CREDIT_INCREMENTS,
        default=Decimal("0.25"),
        help_text="Credit is offered in multiples of this, per category (NASW: half hours).",
    )
    credit_minimum = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text="The smallest total a course may offer under this accreditor (NASW: 1 hour).",
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )
    seat_time_policy = models.CharField(
        "seat time",
        max_length=10,
        choices=SeatTimePolicy.choices,
        default=SeatTimePolicy.FLAG,
        help_text=(
            "What happens when a participant's recorded active time is below the share "
            "below of the hours credited under this accreditor. No mental-health accreditor "
            "found requires seat time: flag keeps it as evidence for an audit."
        ),
    )
    minimum_time_percent = models.PositiveSmallIntegerField(
        "stated share of the credited hours (%)",
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Active time as a share of the hours credited under this accreditor.",
    )

    base_form_class = AccreditorForm
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldPanel("professions"),
        MultiFieldPanel(
            [
                FieldPanel("provider_number"),
                FieldRowPanel([FieldPanel("approval_start"), FieldPanel("approval_end")]),
            ],
            heading="Approval",
        ),
        FieldPanel("statement_template"),
        FieldPanel("delivery_formats"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("attempts_allowed"),
                FieldRowPanel(
                    [
                        FieldPanel("questions_per_hour"),
                        FieldPanel("questions_first_hour"),
                        FieldPanel("questions_per_additional_hour"),
                    ]
                ),
                FieldPanel("max_true_false_percent"),
                FieldPanel("post_test_rule_kind"),
            ],
            heading="Post-test rules",
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("credit_increment"), FieldPanel("credit_minimum")])],
            heading="Credit hours",
        ),
        MultiFieldPanel(
            [FieldPanel("seat_time_policy"), FieldPanel("minimum_time_percent")],
            heading="Seat time (active time as evidence)",
        ),
    ]

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return f"{self.short_name} — {self.name}"

    def clean(self):
        errors = {}
        if self.approval_start and self.approval_end and self.approval_end < self.approval_start:
            errors["approval_end"] = "The approval period must end after it starts."
        problem = statement_template_problem(self.statement_template or "")
        if problem:
            errors["statement_template"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def has_placeholder_number(self) -> bool:
        """Seeded accreditors carry a placeholder until an administrator enters the real number."""
        return self.provider_number.strip().upper() in PLACEHOLDER_PROVIDER_NUMBERS

    def is_approved_on(self, day) -> bool:
        return self.approval_start <= day <= self.approval_end

    def render_statement(self, *, provider: str, credits: Decimal | str) -> str:
        return self.statement_template.format(
            provider=provider,
            number=self.provider_number,
            start=_long_date(self.approval_start),
            end=_long_date(self.approval_end),
            credits=credits,
        )

    @property
    def enforces_seat_time(self) -> bool:
        return self.seat_time_policy == SeatTimePolicy.ENFORCE

    @property
    def post_test_rules_required(self) -> bool:
        return self.post_test_rule_kind == RuleKind.REQUIREMENT

    def minimum_questions(self, hours: Decimal) -> int:
        """The smallest post-test this accreditor accepts (or recommends) for a course
        of `hours`. The banded rule counts every further hour or part of one: NASW asks
        10 for the first hour and 5 more for each further hour or half hour, so 1.5 h
        and 2 h need 15, 2.5 h needs 20."""
        per_hour = math.ceil(float(hours) * self.questions_per_hour)
        banded = 0
        if self.questions_first_hour:
            further = max(0, math.ceil(hours - 1))
            banded = self.questions_first_hour + further * self.questions_per_additional_hour
        return max(per_hour, banded)

    def credit_problems(self, *, hours_by_category: dict[str, Decimal]) -> list[str]:
        """Why the hours a course offers under this accreditor do not fit its credit
        rules: a category not in its increment, or a total under its minimum."""
        problems = []
        labels = dict(CreditCategory.choices)
        increment = Decimal(self.credit_increment)
        for category, hours in hours_by_category.items():
            if hours % increment:
                below = (hours // increment) * increment
                fits = [f"{h:.2f} h" for h in (below, below + increment) if h > 0]
                problems.append(
                    f"{self.short_name} {labels.get(category, category)} credit ({hours} h) is not "
                    f"in {self.get_credit_increment_display().lower()}: {self.short_name} credits "
                    f"multiples of {increment} h. To satisfy it: offer {' or '.join(fits)} "
                    "(more hours need more lesson text, or another way of setting them)"
                )
        total = sum(hours_by_category.values(), Decimal("0"))
        if hours_by_category and total < self.credit_minimum:
            problems.append(
                f"{self.short_name} credit totals {total} h, under {self.short_name}'s minimum "
                f"of {self.credit_minimum} h per course. To satisfy it: offer at least "
                f"{self.credit_minimum} h under {self.short_name} in all (which needs the lesson "
                f"text or other evidence for them), or remove {self.short_name}'s credit rows"
            )
        return problems


class Instructor(models.Model):
    # Name, credentials and license are printed on certificates and course pages.
    name = models.CharField(max_length=200, validators=[validate_printable_line])
    credentials = models.CharField(
        max_length=200,
        help_text='e.g. "PhD, licensed psychologist"',
        validators=[validate_printable_line],
    )
    bio = RichTextField(features=["bold", "italic", "link"])
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cv = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="CV",
    )
    disclosure = models.TextField(
        "conflict-of-interest and commercial-support disclosure",
        help_text='Required. Write "No relevant financial or non-financial relationships" when none.',
    )
    license = models.CharField(
        "professional license",
        max_length=200,
        blank=True,
        help_text='Type, number and jurisdiction, e.g. "LCSW 12345 (MD)". Needed for ethics '
        "credit: ASWB ACE expects ethics content developed or presented by a licensed social worker.",
        validators=[validate_printable_line],
    )
    is_sample = models.BooleanField(
        "fictional sample instructor",
        default=False,
        help_text="Demo content only: the course page then says it is a sample course.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff account of this instructor, if any.",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("credentials")]),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("cv"),
        FieldPanel("disclosure"),
        FieldPanel("license"),
        FieldPanel("is_sample"),
        FieldPanel("user"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}"


def credit_hours_by_accreditor(*, credits) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for credit in credits:
        totals[credit.accreditor_id] = totals.get(credit.accreditor_id, Decimal("0")) + credit.hours
    return totals


def credit_total_hours(*, credits) -> Decimal:
    return max(credit_hours_by_accreditor(credits=credits).values(), default=Decimal("0"))


def credit_minutes_range(*, hours: Decimal) -> tuple[int, int]:
    """The estimated minutes that agree with `hours` of credit: the credit is the time
    rounded down to the quarter hour, so at least hours * 60 and under a quarter hour
    more. Returns (lowest, first too high)."""
    low = int(hours * 60)
    return low, low + 15


def credit_minutes_shown(*, estimated_minutes: int, hours: Decimal) -> int:
    """The time shown beside the credit (catalog card, course page): the author's
    estimate when it agrees with the credit, else the credit's own time, so that a
    card never says "2 CE hours · 45 min"."""
    if not hours:
        return estimated_minutes
    low, high = credit_minutes_range(hours=hours)
    return estimated_minutes if low <= estimated_minutes < high else low
