"""Reads. Each selector runs a constant number of queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState

from cms.models import ProviderSettings

from .models import (
    Accreditor,
    CourseCredit,
    CourseInstructor,
    CoursePage,
    CreditCategory,
    CreditMethod,
    DeliveryFormat,
    Enrollment,
    Instructor,
    JournalEntry,
    LessonPage,
    LessonProgress,
    credit_hours_by_accreditor,
)
from .registry import Step, publish_check_problems, step_providers
from .wordcount import (
    hours_from_reading_and_media,
    hours_from_words,
    stream_media_minutes,
    stream_word_count,
    text_word_count,
)

# --- Authoring checks ----------------------------------------------------------------------


@dataclass
class CreditCheck:
    words_by_category: dict[str, int]
    allowed_hours_by_category: dict[str, Decimal]
    credited: list[tuple[str, str, Decimal]]  # (accreditor short name, category label, hours)
    media_minutes_by_category: dict[str, int] = field(default_factory=dict)
    #: Hours the media-minutes rule allows (reading time plus running time).
    media_hours_by_category: dict[str, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: Not blocking: the estimated time and the credit disagree (both show on the catalog card).
    warnings: list[str] = field(default_factory=list)

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
    estimated_minutes: int | None = None,
) -> CreditCheck:
    """Compare the hours credited with what the course's method allows: the
    word-count rule, or reading time plus media running time (media minutes).
    A pilot test is checked by its evidence only. Whatever the method, each
    accreditor's hours must fit its credit increment and minimum; and the
    estimated time should agree with the credit (a warning)."""
    words: dict[str, int] = defaultdict(int)
    media: dict[str, int] = defaultdict(int)
    if course.pk:
        for lesson in lesson_list(course=course, live_only=False).only("credit_category", "body"):
            words[lesson.credit_category] += stream_word_count(lesson.body.raw_data)
            media[lesson.credit_category] += stream_media_minutes(lesson.body.raw_data)
    words_per_hour = words_per_hour or course.words_per_credit_hour
    allowed = {cat: hours_from_words(n, words_per_hour=words_per_hour) for cat, n in words.items()}
    media_allowed = {
        cat: hours_from_reading_and_media(words[cat], media[cat], words_per_hour=words_per_hour)
        for cat in words
    }
    credits = (
        credits if credits is not None else list(course.credits.all().select_related("accreditor"))
    )
    method = method or course.credit_method
    labels = dict(CreditCategory.choices)
    check = CreditCheck(
        words_by_category=dict(words),
        allowed_hours_by_category=allowed,
        media_minutes_by_category={cat: m for cat, m in media.items() if m},
        media_hours_by_category=media_allowed,
        credited=[
            (c.accreditor.short_name, labels.get(c.category, c.category), c.hours) for c in credits
        ],
    )
    # The limit each method sets, per category, and how the message explains it.
    rules = {
        CreditMethod.WORD_COUNT: (allowed, "the word-count rule", lambda category: ""),
        CreditMethod.MEDIA_MINUTES: (
            media_allowed,
            "reading plus media time",
            lambda category: f" and {media.get(category, 0)} media minutes",
        ),
    }
    if method in rules:
        limits, rule, more = rules[method]
        for credit in credits:
            limit = limits.get(credit.category, Decimal("0"))
            if credit.hours > limit:
                check.problems.append(
                    f"{credit.accreditor.short_name} {labels.get(credit.category, credit.category)} credit "
                    f"({credit.hours} h) exceeds {rule} ({limit} h for "
                    f"{words.get(credit.category, 0):,} words at {words_per_hour:,} words per hour"
                    f"{more(credit.category)})"
                )
    check.problems.extend(credit_rule_problems(credits=credits))
    minutes = course.estimated_minutes if estimated_minutes is None else estimated_minutes
    totals = credit_hours_by_accreditor(credits=credits)
    if totals and minutes is not None:
        check.warnings.extend(time_credit_disagreement(minutes=minutes, totals=totals))
    return check


def credit_rule_problems(*, credits: list[CourseCredit]) -> list[str]:
    """Each accreditor's hours against its credit increment and minimum (whatever the
    method that set them): NASW credits half hours, at least one hour per course."""
    by_accreditor: dict[int, tuple[Accreditor, dict[str, Decimal]]] = {}
    for credit in credits:
        accreditor, hours = by_accreditor.setdefault(credit.accreditor.pk, (credit.accreditor, {}))
        hours[credit.category] = hours.get(credit.category, Decimal("0")) + credit.hours
    problems = []
    for accreditor, hours in sorted(by_accreditor.values(), key=lambda a: a[0].short_name):
        problems.extend(accreditor.credit_problems(hours_by_category=hours))
    return problems


def time_credit_disagreement(*, minutes: int, totals: dict[int, Decimal]) -> list[str]:
    """The catalog card and the course page show the credit and the estimated time side
    by side: they agree when the credit is the time rounded down to the quarter hour,
    i.e. the time is at least the credit and less than a quarter hour more."""
    largest = max(totals.values())
    low, high = int(largest * 60), int(largest * 60) + 15
    if low <= minutes < high:
        return []
    return [
        f"Estimated time ({minutes} min) and credit ({largest} h) disagree: a course credited "
        f"{largest} h should take {low}–{high - 1} minutes. Correct the time or the credit."
    ]


def course_publish_problems(
    *, course: CoursePage, form=None, for_submission: bool = False
) -> list[str]:
    """Every CE-required item still missing. Empty means the course may publish.

    With `form` (the admin editor), fields and inline rows are read from the
    submitted form, since they are not on the instance yet. `for_submission`
    (sending the course for approval) accepts lessons that are still drafts:
    they go through approval too; publishing needs at least one published lesson.
    The registered checks are told which it is (`for_publish=not for_submission`).
    """
    problems: list[str] = []
    if form is not None:
        objectives = [row["text"] for row in _formset_rows(form, "objectives") if row.get("text")]
        instructors = [
            row["instructor"]
            for row in _formset_rows(form, "course_instructors")
            if row.get("instructor")
        ]
        credits = [
            CourseCredit(accreditor=row["accreditor"], category=row["category"], hours=row["hours"])
            for row in _formset_rows(form, "credits")
            if row.get("accreditor") and row.get("hours") is not None
        ]
        data = form.cleaned_data
        fields = {
            # A field that failed validation counts as missing, whatever the instance holds.
            name: data[name]
            if name in data
            else ""
            if name in form.errors
            else getattr(course, name)
            for name in _REQUIRED_TEXT
        }
        method = data.get("credit_method", course.credit_method)
        evidence = data.get("credit_evidence", course.credit_evidence)
        words_per_hour = data.get("words_per_credit_hour") or course.words_per_credit_hour
        estimated_minutes = data.get("estimated_minutes", course.estimated_minutes)
    else:
        objectives = [o.text for o in course.objectives.all()]
        instructors = [ci.instructor for ci in course.course_instructors.all()]
        credits = list(course.credits.all().select_related("accreditor"))
        fields = {name: getattr(course, name) for name in _REQUIRED_TEXT}
        method, evidence = course.credit_method, course.credit_evidence
        words_per_hour = course.words_per_credit_hour
        estimated_minutes = course.estimated_minutes
    delivery_format = fields["delivery_format"]

    for name, label in _REQUIRED_TEXT.items():
        if not _has_text(fields.get(name)):
            problems.append(f"{label} is missing")
    objectives = [text for text in objectives if text.strip()]
    if len(objectives) < 3:
        problems.append(
            f"Learning objectives: at least 3 are required (the course has {len(objectives)})"
        )
    if not instructors:
        problems.append("Instructors: at least one instructor is required")
    for instructor in instructors:
        if not instructor.credentials.strip():
            problems.append(f"Instructor {instructor.name} has no credentials")
        if not instructor.disclosure.strip():
            problems.append(f"Instructor {instructor.name} has no conflict-of-interest disclosure")
    real_instructors = [i for i in instructors if not i.is_sample]
    ethics_credit = any(c.category == CreditCategory.ETHICS for c in credits)
    # A sample course (fictional instructors only) is flagged by course_warnings instead.
    if ethics_credit and real_instructors and not any(i.license.strip() for i in instructors):
        problems.append(
            "Ethics credit: no instructor has a professional license on record (ASWB ACE expects "
            "ethics content developed or presented by a licensed social worker; state boards "
            "ask the same of their licensees)"
        )
    if not credits:
        problems.append("Credit hours: at least one accreditor and its hours are required")
    today = timezone.localdate()
    for accreditor in {c.accreditor.pk: c.accreditor for c in credits}.values():
        if delivery_format not in (accreditor.delivery_formats or []):
            problems.append(
                f"{accreditor.short_name} has not approved the delivery format "
                f"“{dict(DeliveryFormat.choices).get(delivery_format, delivery_format)}”"
            )
        if accreditor.approval_end < today:
            problems.append(
                f"{accreditor.short_name} approval period ended on {accreditor.approval_end:%Y-%m-%d}"
            )
        elif accreditor.approval_start > today:
            # Offering credit before the approval begins is advertising an approval
            # the provider does not hold yet.
            problems.append(
                f"{accreditor.short_name} approval period starts on "
                f"{accreditor.approval_start:%Y-%m-%d}: its credit cannot be offered before then"
            )
    if method != CreditMethod.WORD_COUNT and not _has_text(evidence):
        problems.append("Evidence for the credit-hour method is missing")

    lessons = (
        list(lesson_list(course=course, live_only=False).only("id", "live")) if course.pk else []
    )
    if not lessons:
        problems.append("Lessons: the course has no lessons")
    elif not for_submission and not any(lesson.live for lesson in lessons):
        problems.append("Lessons: none is published yet (publish or approve its lessons first)")
    if lessons:
        check = course_credit_check(
            course=course,
            credits=credits,
            method=method,
            words_per_hour=words_per_hour,
            estimated_minutes=estimated_minutes,
        )
        problems.extend(check.problems)
    else:
        # Without lessons there is no word count, but the accreditors' increments still apply.
        problems.extend(credit_rule_problems(credits=credits))

    provider = ProviderSettings.load()
    policies = [
        ("refund policy", provider.refund_policy_page_id),
        ("grievance policy", provider.grievance_policy_page_id),
        ("accommodation-request page", provider.accommodation_page_id),
    ]
    live = set(
        Page.objects.live()
        .filter(pk__in=[page_id for _, page_id in policies if page_id])
        .values_list("pk", flat=True)
    )
    for label, page_id in policies:
        if page_id is None:
            problems.append(f"The site has no {label} (Settings → Provider settings)")
        elif page_id not in live:
            # The course page would show no link to it: participants must be able to read it.
            problems.append(f"The site's {label} is not published")
    problems.extend(publish_check_problems(course, for_publish=not for_submission))
    return problems


@dataclass(frozen=True)
class PendingChild:
    """A page under a course (a lesson, the post-test) that is not live yet, or whose
    changes are in moderation."""

    page_id: int
    title: str
    kind: str
    status: str
    live: bool
    edit_url: str


def course_children_pending(*, course: CoursePage) -> list[PendingChild]:
    """The course's child pages still to be reviewed, in tree order (two queries).

    A child is listed when it is not live, or when a workflow is running on it. Its
    status says which: awaiting approval, changes requested, or a draft nobody has
    submitted yet."""
    if not course.pk:
        return []
    children = list(
        Page.objects.child_of(course)
        .order_by("path")
        .only("id", "title", "draft_title", "live", "content_type")
    )
    workflow_status = dict(
        WorkflowState.objects.active()
        .filter(
            base_content_type_id=course.get_base_content_type().pk,
            object_id__in=[str(child.pk) for child in children],
        )
        .values_list("object_id", "status")
    )
    pending = []
    for child in children:
        status = workflow_status.get(str(child.pk))
        if child.live and status is None:
            continue
        if status == WorkflowState.STATUS_IN_PROGRESS:
            label = "changes awaiting approval" if child.live else "awaiting approval"
        elif status == WorkflowState.STATUS_NEEDS_CHANGES:
            label = "changes requested"
        else:
            label = "draft, not submitted for approval"
        pending.append(
            PendingChild(
                page_id=child.pk,
                title=child.draft_title or child.title,
                kind=str(child.specific_class._meta.verbose_name),
                status=f"live; {label}" if child.live else label,
                live=child.live,
                edit_url=reverse("wagtailadmin_pages:edit", args=(child.pk,)),
            )
        )
    return pending


_REQUIRED_TEXT = {
    "title": "Title",
    "summary": "Summary",
    "outline": "Outline",
    "target_audience": "Target audience",
    "limitations": "Limitations and risks",
    "level": "Level",
    "delivery_format": "Delivery format",
}


def _has_text(value) -> bool:
    """Rich text counts as empty when it holds only markup."""
    return bool(text_word_count(str(value or "")))


def _formset_rows(form, name: str) -> list[dict]:
    """The submitted rows of an inline formset that cleaned, without deleted ones."""
    formset = form.formsets.get(name)
    if formset is None:
        return []
    formset.is_valid()  # cleans every row, if the form has not yet
    rows = []
    for sub in formset.forms:
        data = getattr(sub, "cleaned_data", None) or {}
        if data and not data.get("DELETE"):
            rows.append(data)
    return rows


def accreditor_warnings(*, course: CoursePage | None = None) -> list[str]:
    """What an administrator must fix in the accreditor records before credit is offered:
    placeholder provider numbers and approval periods that end soon. Not publishing
    problems (the demo content publishes with placeholders), but shown wherever staff look."""
    if course is None:
        accreditors = list(Accreditor.objects.all())
    else:
        accreditors = list(
            {
                c.accreditor.pk: c.accreditor
                for c in course.credits.all().select_related("accreditor")
            }.values()
        )
    today = timezone.localdate()
    warnings = []
    for accreditor in sorted(accreditors, key=lambda a: a.short_name):
        if accreditor.has_placeholder_number:
            warnings.append(
                f"{accreditor.short_name}: the provider number is still the placeholder "
                f"“{accreditor.provider_number}”. Enter the number the accreditor issued before "
                "offering credit under it."
            )
        days_left = (accreditor.approval_end - today).days
        if 0 <= days_left <= 60:
            warnings.append(
                f"{accreditor.short_name}: the approval period ends on "
                f"{accreditor.approval_end:%Y-%m-%d} ({days_left} days)."
            )
    return warnings


# What an accreditor needs from a real author, said wherever a sample instructor appears.
REAL_AUTHOR_NEEDS = (
    "credentials and a CV; a conflict-of-interest and commercial-support disclosure; for ethics "
    "credit, a professional license (ASWB ACE: a licensed social worker); APA: a doctoral "
    "psychologist involved in planning; NASW: a social worker with a social work degree in "
    "planning and evaluation; NBCC: an assessment author with an advanced degree"
)


def course_warnings(*, course: CoursePage) -> list[str]:
    """Everything staff should fix before credit is really offered that does not block
    publishing: the accreditor records, fictional sample instructors, and an estimated
    time that disagrees with the credit."""
    warnings = accreditor_warnings(course=course)
    for ci in course.course_instructors.all().select_related("instructor"):
        if ci.instructor.is_sample:
            warnings.append(
                f"{ci.instructor.name} is a fictional sample instructor: the course page says it "
                f"is a sample course. Before offering credit, name a real author with "
                f"{REAL_AUTHOR_NEEDS}."
            )
    if course.pk:
        warnings.extend(course_credit_check(course=course).warnings)
    return warnings


# --- Catalog ---------------------------------------------------------------------------------


def catalog_courses(
    *,
    index,
    profession: str = "",
    topic: str = "",
    max_hours: Decimal | None = None,
    query: str = "",
) -> list[CoursePage]:
    """Published courses of the catalog, filtered in SQL; a constant number of queries."""
    courses = CoursePage.objects.live().public().descendant_of(index)
    if profession:
        # Accreditors are few: pick those serving the profession here (portable across
        # databases), then filter courses by them in SQL.
        serving = [
            a.pk
            for a in Accreditor.objects.only("pk", "professions")
            if profession in a.professions
        ]
        courses = courses.filter(credits__accreditor_id__in=serving)
    if topic:
        courses = courses.filter(topics__slug=topic)
    if max_hours is not None:
        # A course's hours are its largest total under any one accreditor.
        too_long = (
            CourseCredit.objects.values("page_id", "accreditor_id")
            .annotate(total=Sum("hours"))
            .filter(total__gt=max_hours)
            .values("page_id")
        )
        courses = courses.exclude(pk__in=too_long)
    if query:
        lesson_paths = [
            lesson.path[: -CoursePage.steplen]
            for lesson in LessonPage.objects.live().public().descendant_of(index).search(query)
        ]
        course_hits = [c.pk for c in CoursePage.objects.live().descendant_of(index).search(query)]
        courses = courses.filter(Q(pk__in=course_hits) | Q(path__in=lesson_paths))
    return list(
        CoursePage.objects.filter(pk__in=courses.values("pk"))
        .select_related("hero_image")
        .prefetch_related(
            Prefetch(
                "credits",
                queryset=CourseCredit.objects.select_related("accreditor").order_by(
                    "accreditor__short_name", "category"
                ),
            ),
            "topics",
        )
        .order_by("path")
    )


def catalog_topics(*, index) -> list:
    from taggit.models import Tag

    return list(
        Tag.objects.filter(courses_coursetopic_items__content_object__path__startswith=index.path)
        .distinct()
        .order_by("name")
    )


# --- Learning --------------------------------------------------------------------------------

_LESSON_LINK_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "live")


def enrollment_get(*, user, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).select_related("completion").first()


@dataclass
class OutlineItem:
    lesson: LessonPage
    done: bool
    current: bool = False


def course_outline(
    *, course: CoursePage, enrollment: Enrollment | None, current: LessonPage | None = None
) -> list[OutlineItem]:
    """The published lessons in order, with check marks for the enrollment (two queries)."""
    lessons = list(lesson_list(course=course).only(*_LESSON_LINK_FIELDS))
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
    return _resume(
        [(item.lesson, item.done) for item in outline],
        last_lesson_id=enrollment.last_lesson_id if enrollment else None,
    )


def _resume(lessons: list[tuple[LessonPage, bool]], *, last_lesson_id: int | None):
    for lesson, done in lessons:
        if lesson.pk == last_lesson_id and not done:
            return lesson
    for lesson, done in lessons:
        if not done:
            return lesson
    return None


def course_instructors(*, course: CoursePage) -> list[Instructor]:
    return [
        ci.instructor
        for ci in CourseInstructor.objects.filter(page=course)
        .select_related("instructor", "instructor__photo", "instructor__cv")
        .order_by("sort_order")
    ]


def course_credits(*, course: CoursePage) -> list[CourseCredit]:
    return list(
        CourseCredit.objects.filter(page=course)
        .select_related("accreditor")
        .order_by("accreditor__short_name", "category")
    )


def course_statements(*, credits: list[CourseCredit], provider_name: str) -> list[tuple[str, str]]:
    """Each accreditor's approval statement, with the hours the course earns under it."""
    totals: dict[int, Decimal] = {}
    accreditors: dict[int, Accreditor] = {}
    for credit in credits:
        accreditors[credit.accreditor_id] = credit.accreditor
        totals[credit.accreditor_id] = totals.get(credit.accreditor_id, Decimal("0")) + credit.hours
    return [
        (
            accreditor.name,
            accreditor.render_statement(provider=provider_name, credits=totals[pk]),
        )
        for pk, accreditor in accreditors.items()
    ]


def journal_entries(*, user, lesson: LessonPage) -> dict[str, str]:
    """The user's own reflections on this lesson, by prompt id. Nobody else's, ever."""
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
    resume: LessonPage | None = None

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
    """Progress and every step for many enrollments at once: two queries, plus a
    constant number per registered step provider. Enrollments need `course` loaded."""
    if not enrollments:
        return []
    course_paths = {e.course.path: e.course_id for e in enrollments}
    course_depth = {e.course.depth for e in enrollments}
    lessons_by_course: dict[int, list[LessonPage]] = defaultdict(list)
    lessons = (
        LessonPage.objects.live()
        .filter(depth__in=[d + 1 for d in course_depth])
        .filter(_children_of_paths(course_paths))
        .order_by("path")
        .only(*_LESSON_LINK_FIELDS)
    )
    for lesson in lessons:
        course_id = course_paths.get(lesson.path[: -CoursePage.steplen])
        if course_id is not None:
            lessons_by_course[course_id].append(lesson)
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
        course_lessons = lessons_by_course.get(enrollment.course_id, [])
        done_ids = done[enrollment.pk]
        done_count = sum(1 for lesson in course_lessons if lesson.pk in done_ids)
        resume = _resume(
            [(lesson, lesson.pk in done_ids) for lesson in course_lessons],
            last_lesson_id=enrollment.last_lesson_id,
        )
        all_done = bool(course_lessons) and done_count == len(course_lessons)
        lessons_step = Step(
            key="lessons",
            label="Lessons",
            done=all_done,
            detail=f"{done_count} of {len(course_lessons)} lessons complete",
            url=resume.url if resume is not None else enrollment.course.url,
            action_label=(
                f"Resume: {resume.title}"
                if resume is not None and done_count
                else f"Start: {resume.title}"
                if resume is not None
                else "Review the course"
            ),
        )
        steps = [lessons_step, *provided[enrollment.pk]]
        summaries.append(
            EnrollmentSummary(
                enrollment=enrollment,
                lessons_total=len(course_lessons),
                lessons_done=done_count,
                steps=steps,
                completed=_completed(enrollment),
                resume=resume,
            )
        )
    return summaries


def _children_of_paths(paths) -> Q:
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return query


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


def enrollment_active_seconds(*, enrollment: Enrollment) -> int:
    return (
        LessonProgress.objects.filter(enrollment=enrollment).aggregate(total=Sum("active_seconds"))[
            "total"
        ]
        or 0
    )


# --- Records that need a file (cms.media's seam) -------------------------------------------


def instructor_cv_holds(obj) -> list[str]:
    """An instructor's CV is kept while the instructor teaches a live course, and
    for RECORD_RETENTION_YEARS after the last completion of a course they teach."""
    from datetime import timedelta

    from django.conf import settings
    from wagtail.documents import get_document_model

    if not isinstance(obj, get_document_model()) or obj.pk is None:
        return []
    years = settings.RECORD_RETENTION_YEARS
    since = timezone.now() - timedelta(days=round(365.25 * years))
    reasons = []
    for instructor in Instructor.objects.filter(cv=obj).order_by("name"):
        courses = CoursePage.objects.filter(course_instructors__instructor=instructor)
        if courses.filter(live=True).exists():
            reasons.append(f"it is the CV of {instructor.name}, who teaches a live course")
        elif courses.filter(enrollments__completion__completed_at__gte=since).exists():
            reasons.append(
                f"it is the CV of {instructor.name}, whose course completions are kept "
                f"{years} years"
            )
    return reasons
