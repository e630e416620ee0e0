from decimal import Decimal

from django.contrib import messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.blocks.base import BlockField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.models import Accreditor, CoursePage, Enrollment
from courses.selectors import course_objectives, enrollment_get

from .blocks import QuestionStreamBlock, question_stream_block
from .grading import question_freeze
from .panels import PostTestCheckPanel

DEFAULT_PASS_MARK = Decimal("75")
DEFAULT_ATTEMPTS = 3


class ReviewPolicy(models.TextChoices):
    SCORE = "score", "Score only"
    WRONG = "wrong", "Score and which questions were answered wrongly"
    FULL = "full", "Full review: correct answers and rationales"


class PostTestPageForm(WagtailAdminPageForm):
    """Questions choose their objective among the course's (by name; the keys are
    stored), and the draw size is checked against the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        course = self._course()
        field = self.fields.get("questions")
        if course is not None and field is not None:
            objectives = course_objectives(course=course)
            self.fields["questions"] = BlockField(
                block=question_stream_block(
                    objectives=[
                        (str(o.key), f"{number}. {o.text}")
                        for number, o in enumerate(objectives, start=1)
                    ]
                ),
                required=field.required,
                label=field.label,
                help_text=field.help_text,
            )

    def clean(self):
        cleaned = super().clean()
        questions = cleaned.get("questions")
        draw = cleaned.get("draw_count")
        if questions is not None and draw and draw > len(questions):
            self.add_error(
                "draw_count",
                f"Cannot draw {draw} questions from a pool of {len(questions)}.",
            )
        return cleaned

    def _course(self):
        parent = getattr(self, "parent_page", None)
        if parent is None and self.instance.pk:
            parent = self.instance.get_parent()
        if parent is None:
            return None
        parent = parent.specific
        return parent if isinstance(parent, CoursePage) else None


class PostTestPage(Page):
    """A course's post-test: the question pool and its rules. A child of the
    course, so it shares the course's preview, revisions and moderation."""

    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="Instructions shown before a participant starts.",
    )
    questions = StreamField(QuestionStreamBlock(), use_json_field=True)
    draw_count = models.PositiveSmallIntegerField(
        "questions per attempt",
        default=0,
        help_text="Draw this many questions at random for each attempt. 0: all of them.",
    )
    shuffle_questions = models.BooleanField(
        default=True, help_text="Present the drawn questions in a random order."
    )
    shuffle_choices = models.BooleanField(
        default=True, help_text="Present the choices of each question in a random order."
    )
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent. Blank: the strictest pass mark of the course's accreditors.",
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Blank: the fewest attempts any of the course's accreditors allows.",
    )
    wait_minutes = models.PositiveIntegerField(
        "wait between attempts (minutes)",
        default=0,
        validators=[MaxValueValidator(60 * 24 * 30)],
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        "time limit (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Blank: no time limit.",
    )
    review_after_attempt = models.CharField(
        "review after each attempt",
        max_length=10,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.WRONG,
    )
    full_review_after_pass = models.BooleanField(
        "full review after passing",
        default=True,
        help_text="Once passed, show correct answers and rationales.",
    )

    template = "quizzes/post_test_page.html"
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    base_form_class = PostTestPageForm
    preview_modes = [("", "Participant view"), ("answer_key", "Answer key")]

    content_panels = [
        *Page.content_panels,
        PostTestCheckPanel(heading="Post-test check against the accreditors' rules"),
        FieldPanel("intro"),
        FieldPanel("questions"),
    ]
    rules_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("draw_count"), FieldPanel("pass_mark")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
            ],
            heading="Questions and pass mark",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("attempts_allowed"),
                        FieldPanel("wait_minutes"),
                        FieldPanel("time_limit_minutes"),
                    ]
                ),
            ],
            heading="Attempts and time",
        ),
        MultiFieldPanel(
            [FieldPanel("review_after_attempt"), FieldPanel("full_review_after_pass")],
            heading="Review policy",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Questions"),
            ObjectList(rules_panels, heading="Rules"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    class Meta:
        verbose_name = "post-test"

    def serve(self, request, *args, **kwargs):
        """The post-test's start page: for the clinicians enrolled in its course."""
        from . import selectors, services  # they import this module

        course = self.get_parent().specific
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={self.url}")
        enrollment = enrollment_get(user=request.user, course=course)
        if enrollment is None or not enrollment.is_active:
            messages.info(request, "Enroll in the course to take its post-test.")
            return redirect(course.url)
        services.attempts_expire_overdue(enrollment=enrollment)
        context = self.get_context(request)
        context.update(
            {
                "course": course,
                "enrollment": enrollment,
                "status": selectors.post_test_status(enrollment=enrollment, post_test=self),
                "questions_per_attempt": self.questions_per_attempt(),
            }
        )
        return TemplateResponse(request, self.get_template(request), context)

    def serve_preview(self, request, mode_name):
        """The editor's preview: the participant's view of the whole pool (not
        submittable), or the answer key with rationales."""
        course = self.get_parent().specific if self.pk else None
        objectives = {
            str(o.key): f"{number}: {o.text}"
            for number, o in enumerate(
                course_objectives(course=course) if isinstance(course, CoursePage) else [],
                start=1,
            )
        }
        questions = []
        for number, block in enumerate(self.questions, start=1):
            try:
                frozen = question_freeze(block)
            except (KeyError, TypeError):
                continue
            frozen["number"] = number
            frozen["multiple"] = frozen["kind"] == "multiple"
            frozen["objective_label"] = objectives.get(frozen["objective"], "none chosen")
            questions.append(frozen)
        return TemplateResponse(
            request,
            "quizzes/post_test_preview.html",
            {
                "page": self,
                "course": course,
                "questions": questions,
                "answer_key": mode_name == "answer_key",
            },
        )

    def course(self) -> CoursePage:
        return self.get_parent().specific

    def accreditors(self, course: CoursePage | None = None) -> list[Accreditor]:
        course = course or self.course()
        ids = {credit.accreditor_id for credit in course.credits.all()}
        return list(Accreditor.objects.filter(pk__in=ids).order_by("short_name"))

    def effective_pass_mark(self, course: CoursePage | None = None) -> Decimal:
        if self.pass_mark is not None:
            return self.pass_mark
        marks = [a.pass_mark for a in self.accreditors(course)]
        return max(marks, default=DEFAULT_PASS_MARK)

    def effective_attempts_allowed(self, course: CoursePage | None = None) -> int:
        if self.attempts_allowed:
            return self.attempts_allowed
        allowed = [a.attempts_allowed for a in self.accreditors(course)]
        return min(allowed, default=DEFAULT_ATTEMPTS)

    def questions_per_attempt(self) -> int:
        pool = len(self.questions)
        return min(self.draw_count, pool) if self.draw_count else pool


class Attempt(models.Model):
    """One try at a post-test. Created on start with its draw frozen in
    `questions` (stems, choices in display order, key and rationales), so that
    later edits of the post-test never change how it is graded."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Time ran out"

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="post_test_attempts"
    )
    post_test = models.ForeignKey(
        PostTestPage, null=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    questions = models.JSONField(help_text="The frozen draw, with the answer key.")
    pass_mark = models.DecimalField(max_digits=5, decimal_places=2)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(
        default=dict, blank=True, help_text="Question id → choice ids, as submitted and graded."
    )
    draft = models.JSONField(
        default=dict,
        blank=True,
        help_text="Question id → choice ids chosen so far, saved as they are chosen while the "
        "attempt is open. Never graded: the submit sends every answer.",
    )
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True, help_text="Question id → credit 0..1.")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(default=False)
    # The per-learner override in force when it started (extra attempts, a longer
    # time limit or none, the wait waived), recorded on the attempt it applied to.
    override = models.ForeignKey(
        "courses.LearnerOverride",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    override_extra = models.BooleanField(
        "one of the override's extra attempts",
        default=False,
        help_text="Started beyond the attempts the post-test allows, under `override`.",
    )

    class Meta:
        ordering = ["enrollment", "number"]
        constraints = [
            models.UniqueConstraint("enrollment", "number", name="quizzes_attempt_number_unique"),
            models.UniqueConstraint(
                "enrollment",
                condition=Q(status="in_progress"),
                name="quizzes_attempt_one_open",
            ),
        ]

    def __str__(self):
        return f"Attempt {self.number} of enrollment {self.enrollment_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class RatingScale(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEUTRAL = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class HoursAccuracy(models.TextChoices):
    ACCURATE = "accurate", "About right"
    LONGER = "longer", "It took noticeably longer"
    SHORTER = "shorter", "It took noticeably less time"


class Evaluation(models.Model):
    """A participant's evaluation of a course, one per enrollment."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="evaluation"
    )
    submitted_at = models.DateTimeField()
    relevance = models.PositiveSmallIntegerField(
        "relevant to my practice", choices=RatingScale.choices
    )
    content_quality = models.PositiveSmallIntegerField(
        "content quality", choices=RatingScale.choices
    )
    hours_accurate = models.CharField("stated hours", max_length=10, choices=HoursAccuracy.choices)
    bias_noticed = models.BooleanField("commercial bias or conflict of interest noticed")
    bias_details = models.TextField(blank=True, max_length=2000)
    comments = models.TextField(blank=True, max_length=5000)

    def __str__(self):
        return f"Evaluation of enrollment {self.enrollment_id}"


class EvaluationRating(models.Model):
    """One rated statement of an evaluation: an objective was met, or an
    instructor was effective. `label` keeps the text the participant rated."""

    class Kind(models.TextChoices):
        OBJECTIVE = "objective", "Learning objective"
        INSTRUCTOR = "instructor", "Instructor"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(
        help_text="Objective number, or the instructor's order on the course (1-based)."
    )
    label = models.CharField(max_length=400)
    rating = models.PositiveSmallIntegerField(choices=RatingScale.choices)

    class Meta:
        ordering = ["evaluation", "kind", "position"]
        constraints = [
            models.UniqueConstraint("evaluation", "kind", "position", name="quizzes_rating_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.position}: {self.rating}"


ATTESTATION_STATEMENT = (
    "I completed this course myself: I read the lessons, took the post-test without help "
    "from anyone else and completed the evaluation."
)


class Attestation(models.Model):
    """“I completed this course myself”, dated, with the credit the clinician
    claims: the accreditors chosen here are those a certificate is issued
    under (none: a certificate of attendance)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="attestation"
    )
    statement = models.TextField(default=ATTESTATION_STATEMENT)
    attested_at = models.DateTimeField()
    accreditors = models.ManyToManyField(
        Accreditor, blank=True, related_name="claimed_in_attestations"
    )

    def __str__(self):
        return f"Attestation of enrollment {self.enrollment_id}"
