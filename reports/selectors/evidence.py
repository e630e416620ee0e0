"""The course evidence packet: the approved course version, its credit basis,
instructors, post-test rules, and the period's counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from wagtail.models import TaskState

from certificates.models import Certificate
from cms.models import ProviderSettings
from courses.models import (
    Accreditor,
    CourseCompletion,
    CourseCredit,
    CourseInstructor,
    CoursePage,
    CreditCategory,
    Enrollment,
    LearningObjective,
    LessonPage,
)
from courses.wordcount import hours_from_words, stream_word_count
from quizzes.models import Evaluation, PostTestPage

from .common import Period


@dataclass
class PostTestFacts:
    page: PostTestPage
    question_count: int
    per_attempt: int
    pass_mark: Decimal
    attempts_allowed: int


@dataclass
class CourseEvidence:
    course: CoursePage
    period: Period
    provider: ProviderSettings
    approval: TaskState | None
    objectives: list[str]
    credits: list[CourseCredit]
    accreditors: list[Accreditor]
    words_by_category: list[tuple[str, int, Decimal]]  # (category label, words, hours allowed)
    instructors: list
    post_test: PostTestFacts | None
    evaluations_in_period: int
    evaluation_url: str
    enrollments_in_period: int
    completions_in_period: int
    certificates_by_status: list[tuple[str, int]]
    certificates_by_accreditor: list[tuple[str, int]]
    retention_years: int

    @property
    def total_words(self) -> int:
        return sum(words for _, words, _ in self.words_by_category)

    @property
    def keep_until(self) -> date:
        """Records of this period are kept at least until this day."""
        end = self.period.end
        try:
            return end.replace(year=end.year + self.retention_years)
        except ValueError:  # 29 February
            return end.replace(year=end.year + self.retention_years, day=28)


def course_evidence(*, course: CoursePage, period: Period) -> CourseEvidence:
    """Everything an auditor asks about one course, as approved (the live
    version), with the period's counts: about twenty queries, whatever the number
    of participants."""
    course = CoursePage.objects.select_related("live_revision", "live_revision__user").get(
        pk=course.pk
    )
    approval = (
        TaskState.objects.filter(
            revision_id=course.live_revision_id, status=TaskState.STATUS_APPROVED
        )
        .select_related("finished_by", "task")
        .order_by("-finished_at")
        .first()
        if course.live_revision_id
        else None
    )
    credits = list(
        CourseCredit.objects.filter(page=course)
        .select_related("accreditor")
        .order_by("accreditor__short_name", "category")
    )
    accreditors = list({c.accreditor_id: c.accreditor for c in credits}.values())
    words: dict[str, int] = defaultdict(int)
    for lesson in LessonPage.objects.child_of(course).live().only("credit_category", "body"):
        words[lesson.credit_category] += stream_word_count(lesson.body.raw_data)
    labels = dict(CreditCategory.choices)
    words_by_category = [
        (
            labels.get(category, category),
            count,
            hours_from_words(count, words_per_hour=course.words_per_credit_hour),
        )
        for category, count in sorted(words.items())
    ]
    post_test_page = PostTestPage.objects.child_of(course).live().first()
    post_test = None
    if post_test_page is not None:
        post_test = PostTestFacts(
            page=post_test_page,
            question_count=len(post_test_page.questions.raw_data),
            per_attempt=post_test_page.questions_per_attempt(),
            pass_mark=post_test_page.effective_pass_mark(course),
            attempts_allowed=post_test_page.effective_attempts_allowed(course),
        )
    in_period = Certificate.objects.filter(
        course=course, completion_date__gte=period.start, completion_date__lte=period.end
    )
    by_status = dict(
        in_period.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    by_accreditor = (
        in_period.filter(status=Certificate.Status.VALID)
        .order_by("accreditor__short_name")
        .values("accreditor__short_name")
        .annotate(n=Count("pk"))
        .values_list("accreditor__short_name", "n")
    )
    return CourseEvidence(
        course=course,
        period=period,
        provider=ProviderSettings.load(),
        approval=approval,
        objectives=list(
            LearningObjective.objects.filter(page=course)
            .order_by("sort_order")
            .values_list("text", flat=True)
        ),
        credits=credits,
        accreditors=accreditors,
        words_by_category=words_by_category,
        instructors=[
            ci.instructor
            for ci in CourseInstructor.objects.filter(page=course)
            .select_related("instructor", "instructor__cv")
            .order_by("sort_order")
        ],
        post_test=post_test,
        evaluations_in_period=Evaluation.objects.filter(
            enrollment__course=course,
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        ).count(),
        evaluation_url=reverse("quizzes_admin:course", args=[course.pk]),
        enrollments_in_period=Enrollment.objects.filter(
            course=course, enrolled_at__gte=period.since, enrolled_at__lt=period.until
        ).count(),
        completions_in_period=CourseCompletion.objects.filter(
            enrollment__course=course,
            completed_at__gte=period.since,
            completed_at__lt=period.until,
        ).count(),
        certificates_by_status=[
            (label, by_status.get(value, 0)) for value, label in Certificate.Status.choices
        ],
        certificates_by_accreditor=[(name or "Attendance", n) for name, n in by_accreditor],
        retention_years=settings.RECORD_RETENTION_YEARS,
    )
