"""Reads. Each selector runs a constant number of queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from cms.models import ProviderSettings

from .models import (
    CourseCredit,
    CourseInstructor,
    CoursePage,
    CreditCategory,
    CreditMethod,
    Enrollment,
    JournalEntry,
    LessonPage,
    LessonProgress,
)
from .registry import Step, publish_checks, step_providers
from .wordcount import hours_from_words, stream_word_count

# --- Authoring checks ----------------------------------------------------------------------


@dataclass
class CreditCheck:
    words_by_category: dict[str, int]
    allowed_hours_by_category: dict[str, Decimal]
    credited: list[tuple[str, str, Decimal]]  # (accreditor short name, category label, hours)
    problems: list[str] = field(default_factory=list)

    @property
    def total_words(self) -> int:
        return sum(self.words_by_category.values())


def lesson_list(*, course: CoursePage, live_only: bool = True) -> QuerySet[LessonPage]:
    qs = LessonPage.objects.child_of(course).order_by("path")
    return qs.live() if live_only else qs


def course_credit_check(
    *,
    course: CoursePage,
    credits: list[CourseCredit] | None = None,
    method: str | None = None,
    words_per_hour: int | None = None,
) -> CreditCheck:
    """Compare the hours credited with what the word-count rule allows."""
    words: dict[str, int] = defaultdict(int)
    if course.pk:
        for lesson in lesson_list(course=course, live_only=False).only("credit_category", "body"):
            words[lesson.credit_category] += stream_word_count(lesson.body.raw_data)
    words_per_hour = words_per_hour or course.words_per_credit_hour
    allowed = {cat: hours_from_words(n, words_per_hour=words_per_hour) for cat, n in words.items()}
    credits = (
        credits if credits is not None else list(course.credits.all().select_related("accreditor"))
    )
    method = method or course.credit_method
    labels = dict(CreditCategory.choices)
    check = CreditCheck(
        words_by_category=dict(words),
        allowed_hours_by_category=allowed,
        credited=[
            (c.accreditor.short_name, labels.get(c.category, c.category), c.hours) for c in credits
        ],
    )
    if method == CreditMethod.WORD_COUNT:
        for credit in credits:
            limit = allowed.get(credit.category, Decimal("0"))
            if credit.hours > limit:
                check.problems.append(
                    f"{credit.accreditor.short_name} {labels.get(credit.category, credit.category)} credit "
                    f"({credit.hours} h) exceeds the word-count rule ({limit} h for "
                    f"{words.get(credit.category, 0):,} words at {words_per_hour:,} words per hour)"
                )
    return check


def course_publish_problems(*, course: CoursePage, form=None) -> list[str]:
    """Every CE-required item still missing. Empty means the course may publish.

    With `form` (the admin editor), inline rows are read from the submitted
    formsets, since they are not on the instance yet.
    """
    problems: list[str] = []
    if form is not None:
        objectives = _formset_rows(form, "objectives")
        instructor_rows = _formset_rows(form, "course_instructors")
        instructors = [row["instructor"] for row in instructor_rows if row.get("instructor")]
        credits = [
            CourseCredit(accreditor=row["accreditor"], category=row["category"], hours=row["hours"])
            for row in _formset_rows(form, "credits")
            if row.get("accreditor") and row.get("hours") is not None
        ]
        data = form.cleaned_data
        fields = {name: data.get(name, getattr(course, name)) for name in _REQUIRED_TEXT}
        method = data.get("credit_method", course.credit_method)
        evidence = data.get("credit_evidence", course.credit_evidence)
        delivery_format = data.get("delivery_format", course.delivery_format)
        words_per_hour = data.get("words_per_credit_hour") or course.words_per_credit_hour
    else:
        objectives = [o for o in course.objectives.all() if o.text.strip()]
        instructors = [ci.instructor for ci in course.course_instructors.all()]
        credits = list(course.credits.all())
        fields = {name: getattr(course, name) for name in _REQUIRED_TEXT}
        method, evidence = course.credit_method, course.credit_evidence
        delivery_format = course.delivery_format
        words_per_hour = course.words_per_credit_hour

    for name, label in _REQUIRED_TEXT.items():
        if not str(fields.get(name) or "").strip() or str(fields.get(name)).strip() == "<p></p>":
            problems.append(f"{label} is missing")
    if len(objectives) < 3:
        problems.append(f"at least 3 learning objectives are required (has {len(objectives)})")
    if not instructors:
        problems.append("at least one instructor is required")
    for instructor in instructors:
        if not instructor.credentials.strip():
            problems.append(f"instructor {instructor.name} has no credentials")
        if not instructor.disclosure.strip():
            problems.append(f"instructor {instructor.name} has no conflict-of-interest disclosure")
    if not credits:
        problems.append("credit hours for at least one accreditor are required")
    for credit in credits:
        if delivery_format not in (credit.accreditor.delivery_formats or []):
            problems.append(
                f"{credit.accreditor.short_name} has not approved the delivery format "
                f"“{dict(_delivery_labels()).get(delivery_format, delivery_format)}”"
            )
    if method != CreditMethod.WORD_COUNT and not str(evidence or "").strip():
        problems.append("evidence for the credit-hour method is missing")
    if course.pk:
        if not lesson_list(course=course, live_only=False).exists():
            problems.append("the course has no lessons")
        check = course_credit_check(
            course=course, credits=credits, method=method, words_per_hour=words_per_hour
        )
        problems.extend(check.problems)
    else:
        problems.append("the course has no lessons")
    provider = ProviderSettings.load()
    for label, attr in (
        ("refund policy", "refund_policy_page"),
        ("grievance policy", "grievance_policy_page"),
        ("accommodation-request page", "accommodation_page"),
    ):
        if getattr(provider, f"{attr}_id") is None:
            problems.append(f"the site has no {label} (Settings → Provider settings)")
    for check_fn in publish_checks():
        problems.extend(check_fn(course))
    return problems


_REQUIRED_TEXT = {
    "title": "Title",
    "summary": "Summary",
    "outline": "Outline",
    "target_audience": "Target audience",
    "level": "Level",
    "delivery_format": "Delivery format",
}


def _delivery_labels():
    from .models import DeliveryFormat

    return DeliveryFormat.choices


def _formset_rows(form, name: str) -> list[dict]:
    formset = form.formsets.get(name)
    if formset is None:
        return []
    rows = []
    for sub in formset.forms:
        data = getattr(sub, "cleaned_data", None)
        if data and not data.get("DELETE"):
            rows.append(data)
    return rows


# --- Catalog ---------------------------------------------------------------------------------


def catalog_courses(
    *,
    index,
    profession: str = "",
    topic: str = "",
    max_hours: Decimal | None = None,
    query: str = "",
) -> list[CoursePage]:
    courses = (
        CoursePage.objects.live()
        .public()
        .descendant_of(index)
        .prefetch_related("credits__accreditor", "topics", "course_instructors__instructor")
        .select_related("hero_image")
        .order_by("path")
    )
    if topic:
        courses = courses.filter(topics__slug=topic)
    if query:
        lesson_hits = LessonPage.objects.live().descendant_of(index).search(query)
        course_paths = {p.path[: -CoursePage.steplen] for p in lesson_hits}
        course_ids = {c.pk for c in CoursePage.objects.live().descendant_of(index).search(query)}
        course_ids |= set(
            CoursePage.objects.filter(path__in=course_paths).values_list("pk", flat=True)
        )
        courses = courses.filter(pk__in=course_ids)
    result = []
    for course in courses.distinct():
        if profession and not any(
            profession in (c.accreditor.professions or []) for c in course.credits.all()
        ):
            continue
        if max_hours is not None and course.total_credit_hours > max_hours:
            continue
        result.append(course)
    return result


def catalog_topics(*, index) -> list:
    from taggit.models import Tag

    return list(
        Tag.objects.filter(courses_coursetopic_items__content_object__path__startswith=index.path)
        .distinct()
        .order_by("name")
    )


# --- Learning --------------------------------------------------------------------------------


def enrollment_get(*, user, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


@dataclass
class OutlineItem:
    lesson: LessonPage
    done: bool
    current: bool = False


def course_outline(
    *, course: CoursePage, enrollment: Enrollment | None, current: LessonPage | None = None
):
    lessons = list(
        lesson_list(course=course).only("id", "title", "slug", "url_path", "path", "depth")
    )
    done_ids: set[int] = set()
    if enrollment is not None:
        done_ids = set(
            LessonProgress.objects.filter(
                enrollment=enrollment, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
    return [
        OutlineItem(
            lesson=lesson,
            done=lesson.pk in done_ids,
            current=current is not None and lesson.pk == current.pk,
        )
        for lesson in lessons
    ]


def resume_lesson(
    *, outline: list[OutlineItem], enrollment: Enrollment | None
) -> LessonPage | None:
    """Where to pick up: the last lesson visited if unfinished, else the first unfinished one."""
    if not outline:
        return None
    if enrollment and enrollment.last_lesson_id:
        for item in outline:
            if item.lesson.pk == enrollment.last_lesson_id and not item.done:
                return item.lesson
    for item in outline:
        if not item.done:
            return item.lesson
    return None


def course_instructors(*, course: CoursePage) -> list:
    return [
        ci.instructor
        for ci in CourseInstructor.objects.filter(page=course).select_related(
            "instructor", "instructor__photo", "instructor__cv"
        )
    ]


def journal_entries(*, user, lesson: LessonPage) -> dict[str, str]:
    if not user.is_authenticated:
        return {}
    return dict(
        JournalEntry.objects.filter(user=user, lesson=lesson).values_list("prompt_id", "text")
    )


@dataclass
class EnrollmentSummary:
    enrollment: Enrollment
    lessons_total: int
    lessons_done: int
    steps: list[Step]
    completed: bool

    @property
    def lesson_percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0

    @property
    def next_step(self) -> Step | None:
        for step in self.steps:
            if not step.done and step.available:
                return step
        return None

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done)


def enrollment_summaries(*, enrollments: list[Enrollment]) -> list[EnrollmentSummary]:
    """Progress and every step for many enrollments at once (constant queries)."""
    if not enrollments:
        return []
    course_paths = {e.course.path: e.course_id for e in enrollments}
    lesson_to_course: dict[int, int] = {}
    lessons_by_course: dict[int, list[int]] = defaultdict(list)
    for lesson_id, path in (
        LessonPage.objects.live()
        .filter(path__regex=r"^(" + "|".join(course_paths) + r")[0-9A-Z]{4}$")
        .order_by("path")
        .values_list("id", "path")
    ):
        course_id = course_paths[path[: -CoursePage.steplen]]
        lesson_to_course[lesson_id] = course_id
        lessons_by_course[course_id].append(lesson_id)
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, lesson_id in LessonProgress.objects.filter(
        enrollment__in=enrollments, completed_at__isnull=False
    ).values_list("enrollment_id", "lesson_id"):
        done[enrollment_id].add(lesson_id)

    provided: dict[int, list[Step]] = defaultdict(list)
    for provider in step_providers():
        for enrollment_id, steps in provider.steps_for(enrollments=enrollments).items():
            provided[enrollment_id].extend(steps)

    summaries = []
    for enrollment in enrollments:
        lesson_ids = lessons_by_course.get(enrollment.course_id, [])
        done_count = len(done[enrollment.pk] & set(lesson_ids))
        lessons_step = Step(
            key="lessons",
            label="Lessons",
            done=bool(lesson_ids) and done_count == len(lesson_ids),
            detail=f"{done_count} of {len(lesson_ids)} lessons complete",
            url=enrollment.course.url,
            action_label="Resume" if done_count else "Start the course",
        )
        steps = [lessons_step, *provided[enrollment.pk]]
        summaries.append(
            EnrollmentSummary(
                enrollment=enrollment,
                lessons_total=len(lesson_ids),
                lessons_done=done_count,
                steps=steps,
                completed=_completed(enrollment),
            )
        )
    return summaries


def _completed(enrollment: Enrollment) -> bool:
    try:
        return enrollment.completion is not None
    except Enrollment.completion.RelatedObjectDoesNotExist:
        return False


def dashboard_enrollments(*, user) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(user=user)
        .select_related("course", "completion")
        .order_by("status", "-last_activity_at", "-enrolled_at")
    )
