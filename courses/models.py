import logging
import math
import string
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PagePermissionTester
from wagtail.search import index

from accounts.models import Profession
from accounts.validators import validate_printable_line, validate_printable_text

from .blocks import LessonStreamBlock, ReferenceBlock
from .panels import CreditCheckPanel, LessonWordCountPanel, PublishChecklistPanel

logger = logging.getLogger(__name__)


class CreditCategory(models.TextChoices):
    GENERAL = "general", "General"
    ETHICS = "ethics", "Ethics"
    CULTURAL_DIVERSITY = "cultural_diversity", "Cultural diversity"
    SUPERVISION = "supervision", "Clinical supervision"


class DeliveryFormat(models.TextChoices):
    SELF_PACED_READING = "self_paced_reading", "Self-paced online, reading-based"
    SELF_PACED_MULTIMEDIA = "self_paced_multimedia", "Self-paced online, multimedia"
    LIVE_WEBINAR = "live_webinar", "Live interactive webinar"


class CreditMethod(models.TextChoices):
    WORD_COUNT = "word_count", "Word count"
    MEDIA_MINUTES = "media_minutes", "Media minutes"
    PILOT_TEST = "pilot_test", "Pilot test"


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class RuleKind(models.TextChoices):
    """Whether an accreditor's post-test rules bind (NASW) or only advise (APA's FAQ:
    "there are no specific requirements, we recommend 6-8 questions")."""

    REQUIREMENT = "requirement", "Requirement"
    RECOMMENDATION = "recommendation", "Recommendation"


CREDIT_INCREMENTS = [
    (Decimal("0.25"), "Quarter hours"),
    (Decimal("0.50"), "Half hours"),
    (Decimal("1.00"), "Whole hours"),
]


# --- The CE credit model -------------------------------------------------------------------

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
    requires_minimum_time = models.BooleanField(
        default=False,
        help_text="Require recorded active time before completion (off for mental-health boards).",
    )
    minimum_time_percent = models.PositiveSmallIntegerField(
        default=80,
        validators=[MaxValueValidator(100)],
        help_text="When required: active time as a share of the course's estimated minutes.",
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
            [FieldPanel("requires_minimum_time"), FieldPanel("minimum_time_percent")],
            heading="Time on task",
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
                problems.append(
                    f"{self.short_name} {labels.get(category, category)} credit ({hours} h) is not "
                    f"in {self.get_credit_increment_display().lower()}: {self.short_name} credits "
                    f"multiples of {increment} h"
                )
        total = sum(hours_by_category.values(), Decimal("0"))
        if hours_by_category and total < self.credit_minimum:
            problems.append(
                f"{self.short_name} credit totals {total} h, under {self.short_name}'s minimum "
                f"of {self.credit_minimum} h per course"
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


# --- Pages ---------------------------------------------------------------------------------


class CourseIndexPage(Page):
    """The catalog (/courses/)."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    template = "pages/course_index_page.html"
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        from .views import catalog_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_context(request=request, index=self))
        return context


class CourseTopic(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="topic_items"
    )


# POST keys of the page editor's buttons that would publish a course or send it for approval.
_PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-restart-workflow")


class CoursePageForm(WagtailAdminPageForm):
    """Refuses publishing, submitting for approval, or approving from the editor while a
    CE-required item is missing; each missing item is its own error message.

    Submitting (or restarting the workflow) runs the submission check, which accepts
    lessons and a post-test still in draft or awaiting approval; publishing, and an
    approval that publishes, run the full check, which needs them live."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The title is printed on certificates: no invisible characters.
        self.fields["title"].validators.append(validate_printable_line)

    def is_valid(self):
        # After every formset is cleaned, so that the check sees the submitted inline rows;
        # also when the form has other errors, so that every missing item is named at once.
        valid = super().is_valid()
        # Deferred validation means the editor only saves a draft: drafts may be incomplete.
        if self._publishing() and not self.is_deferred_validation:
            from .selectors import course_publish_problems

            problems = course_publish_problems(
                course=self.instance, form=self, for_submission=not self._publishes()
            )
            for problem in problems:
                self.add_error(None, problem)
            valid = valid and not problems
        return valid

    def _publishing(self) -> bool:
        return any(key in self.data for key in _PUBLISHING_ACTIONS) or self._approving()

    def _approving(self) -> bool:
        return "action-workflow-action" in self.data and str(
            self.data.get("workflow-action-name", "")
        ).startswith("approve")

    def _publishes(self) -> bool:
        if "action-publish" in self.data:
            return True
        return self._approving() and self._approval_finishes_workflow()

    def _approval_finishes_workflow(self) -> bool:
        """Approving the task under review publishes when no later task is left."""
        state = self.instance.current_workflow_state
        if state is None or state.current_task_state is None:
            return True
        later = (
            state.workflow.tasks.filter(active=True)
            .exclude(pk=state.current_task_state.task_id)
            .exclude(task_states__in=state.successful_task_states)
        )
        return not later.exists()


class CoursePublishRefused(Exception):
    """Raised by CoursePage.publish; courses.middleware turns it into admin messages."""

    def __init__(self, *, page_id: int, problems: list[str]):
        self.page_id = page_id
        self.problems = problems
        super().__init__("This course cannot be published: " + "; ".join(problems) + ".")


class CoursePagePermissionTester(PagePermissionTester):
    """Wagtail's add permission on the catalog reaches every course in it. Pages go
    under a course — created, copied or moved there — only for those who may edit
    the course: its owner (an instructor) and the administrators."""

    def can_add_subpage(self):
        return super().can_add_subpage() and self.can_edit()


class CoursePage(Page):
    summary = models.TextField(help_text="One to three sentences for the catalog.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outline = RichTextField(
        features=["bold", "italic", "ol", "ul"], help_text="The syllabus, one item per line."
    )
    target_audience = models.TextField()
    limitations = RichTextField(
        "limitations and risks",
        blank=True,
        features=["bold", "italic", "ul", "link"],
        help_text="What the course does not cover or establish, and the risks of applying it. "
        "Required before publishing.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.INTERMEDIATE)
    delivery_format = models.CharField(
        max_length=40, choices=DeliveryFormat.choices, default=DeliveryFormat.SELF_PACED_READING
    )
    estimated_minutes = models.PositiveIntegerField(default=60)
    credit_method = models.CharField(
        "how the credit hours were set",
        max_length=20,
        choices=CreditMethod.choices,
        default=CreditMethod.WORD_COUNT,
    )
    credit_evidence = models.TextField(
        blank=True, help_text="For media minutes or a pilot test: what was measured, by whom, when."
    )
    words_per_credit_hour = models.PositiveIntegerField(
        default=10_000,
        validators=[MinValueValidator(1000)],
        help_text="The word-count rule: words of lesson text per credit hour.",
    )
    references = StreamField([("reference", ReferenceBlock())], blank=True, use_json_field=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), help_text="US dollars. 0 for free."
    )
    topics = ClusterTaggableManager(through=CourseTopic, blank=True)

    template = "pages/course_page.html"
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage", "quizzes.PostTestPage"]
    base_form_class = CoursePageForm

    content_panels = [
        PublishChecklistPanel(heading="Before this course can be published"),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        InlinePanel("objectives", heading="Learning objectives", label="Objective", min_num=3),
        FieldPanel("outline"),
        FieldPanel("target_audience"),
        FieldPanel("limitations"),
        FieldRowPanel(
            [FieldPanel("level"), FieldPanel("delivery_format"), FieldPanel("estimated_minutes")]
        ),
        InlinePanel("course_instructors", heading="Instructors", label="Instructor", min_num=1),
        FieldPanel("references"),
        MultiFieldPanel([FieldPanel("price"), FieldPanel("topics")], heading="Cost and catalog"),
    ]
    credit_panels = [
        CreditCheckPanel(heading="Word count and credit check"),
        InlinePanel(
            "credits", heading="Credit hours by accreditor and category", label="Credit", min_num=1
        ),
        FieldPanel("credit_method"),
        FieldPanel("words_per_credit_hour"),
        FieldPanel("credit_evidence"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Course"),
            ObjectList(credit_panels, heading="CE credit"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("outline"),
        index.SearchField("target_audience"),
        index.RelatedFields("objectives", [index.SearchField("text")]),
        index.FilterField("level"),
    ]

    def permissions_for_user(self, user):
        return CoursePagePermissionTester(user, self)

    def publish(self, revision, *args, **kwargs):
        # Every publish path (editor, workflow approval, bulk action, schedule) ends here.
        from .selectors import course_publish_problems

        problems = course_publish_problems(course=revision.as_object())
        if problems:
            if kwargs.get("log_action") == "wagtail.publish.scheduled":
                # `publish_scheduled` must go on with other pages: unschedule and say why.
                logger.error(
                    "Scheduled publishing of course %s refused: %s", self.pk, "; ".join(problems)
                )
                type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
                return None
            raise CoursePublishRefused(page_id=self.pk, problems=problems)
        return super().publish(revision, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import course_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_page_context(request=request, page=self))
        return context

    def hours_by_accreditor(self) -> dict[int, Decimal]:
        """Credit hours per accreditor id, summed over categories."""
        return credit_hours_by_accreditor(credits=self.credits.all())

    @cached_property
    def total_credit_hours(self) -> Decimal:
        """The hours a participant can earn (the largest total under any one accreditor)."""
        return credit_total_hours(credits=self.credits.all())


def credit_hours_by_accreditor(*, credits) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for credit in credits:
        totals[credit.accreditor_id] = totals.get(credit.accreditor_id, Decimal("0")) + credit.hours
    return totals


def credit_total_hours(*, credits) -> Decimal:
    return max(credit_hours_by_accreditor(credits=credits).values(), default=Decimal("0"))


class LearningObjective(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(
        max_length=400,
        help_text='Measurable: begin with a verb such as "Describe", "Identify", "Apply".',
    )

    panels = [FieldPanel("text")]

    def __str__(self):
        return self.text


class CourseInstructor(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="course_instructors")
    instructor = models.ForeignKey(Instructor, on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("instructor")]


class CourseCredit(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="credits")
    accreditor = models.ForeignKey(Accreditor, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(
        max_length=30, choices=CreditCategory.choices, default=CreditCategory.GENERAL
    )
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    approval_number = models.CharField(
        "approval (course) number",
        max_length=80,
        blank=True,
        validators=[validate_printable_line],
        help_text=(
            "The number this accreditor gave the course (e.g. its CE Broker course number), "
            "which the accreditor report sends. One per accreditor: where its rows give "
            "several, the first is used."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("accreditor"), FieldPanel("category"), FieldPanel("hours")]),
        FieldPanel("approval_number"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint("page", "accreditor", "category", name="courses_credit_unique"),
        ]

    def __str__(self):
        return f"{self.accreditor.short_name} {self.get_category_display()} {self.hours}"


class LessonPage(Page):
    credit_category = models.CharField(
        max_length=30,
        choices=CreditCategory.choices,
        default=CreditCategory.GENERAL,
        help_text="The credit category this lesson's words count toward.",
    )
    body = StreamField(LessonStreamBlock(), use_json_field=True)

    template = "pages/lesson_page.html"
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        LessonWordCountPanel(heading="Word count"),
        FieldPanel("credit_category"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    def serve(self, request, *args, **kwargs):
        from .views import lesson_page_serve

        return lesson_page_serve(
            request=request, page=self, parent_serve=lambda r: super(LessonPage, self).serve(r)
        )

    def get_context(self, request, *args, **kwargs):
        from .views import lesson_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_page_context(request=request, page=self))
        return context

    @property
    def word_count(self) -> int:
        from .wordcount import stream_word_count

        return stream_word_count(self.body.raw_data)


# --- Learning records ----------------------------------------------------------------------


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNENROLLED = "unenrolled", "Unenrolled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    unenrolled_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("user", "course", name="courses_enrollment_unique")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} in {self.course_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.PROTECT, related_name="+")
    first_viewed_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    active_seconds = models.PositiveIntegerField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("enrollment", "lesson", name="courses_progress_unique")
        ]

    def __str__(self):
        return f"Lesson {self.lesson_id} for enrollment {self.enrollment_id}"


class JournalEntry(models.Model):
    """A clinician's private reflection. Only its author ever reads it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    prompt_id = models.CharField(max_length=64, help_text="The reflection block's id.")
    text = models.TextField(max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "lesson", "prompt_id", name="courses_journal_unique")
        ]
        verbose_name_plural = "journal entries"

    def __str__(self):
        return f"Journal entry {self.pk}"


class CourseCompletion(models.Model):
    """A frozen record: what was completed, against which revision, when."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="completion"
    )
    completed_at = models.DateTimeField()
    course_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(
        help_text="Course facts at completion: title, credits, format, instructors."
    )
    active_seconds = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Completion of {self.snapshot.get('title')} by enrollment {self.enrollment_id}"
