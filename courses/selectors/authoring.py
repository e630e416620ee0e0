"""What authors and staff are told about a course: the credit check and the warnings."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from ..models import (
    Accreditor,
    CourseCredit,
    CoursePage,
    CreditCategory,
    CreditMethod,
    credit_hours_by_accreditor,
    credit_minutes_range,
)
from ..wordcount import (
    hours_from_reading_and_media,
    hours_from_words,
    stream_media_minutes,
    stream_word_count,
)
from .drafts import latest_versions
from .learning import lesson_list

# --- Authoring checks ----------------------------------------------------------------------

#: The other ways to set a course's hours, and the evidence each needs: said in every
#: message where the hours cannot be met as they are.
METHOD_EVIDENCE = {
    CreditMethod.MEDIA_MINUTES: (
        "media minutes (reading time plus the running time of the video blocks; evidence: "
        "each video's running time and where it was read)"
    ),
    CreditMethod.PILOT_TEST: (
        "a pilot test (people of the intended audience take the course; evidence: how many, "
        "who, when, and the median time they needed, which the hours may not exceed)"
    ),
}


def other_methods(method: str) -> str:
    """The other methods and their evidence ("set the hours by … or by …"), but `method`."""
    others = [text for key, text in METHOD_EVIDENCE.items() if key != method]
    return "set the hours by " + " or by ".join(others)


@dataclass(frozen=True)
class LessonWords:
    """One lesson as the credit check counts it (its latest version, drafts included)."""

    title: str
    category: str
    words: int
    media_minutes: int


@dataclass
class CreditCheck:
    words_by_category: dict[str, int]
    allowed_hours_by_category: dict[str, Decimal]
    credited: list[tuple[str, str, Decimal]]  # (accreditor short name, category label, hours)
    media_minutes_by_category: dict[str, int] = field(default_factory=dict)
    #: Hours the media-minutes rule allows (reading time plus running time).
    media_hours_by_category: dict[str, Decimal] = field(default_factory=dict)
    #: The lessons in order, with the category their words count toward.
    lessons: list[LessonWords] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Not blocking: the estimated time and the credit disagree (both show on the catalog card).
    warnings: list[str] = field(default_factory=list)

    @property
    def total_words(self) -> int:
        return sum(self.words_by_category.values())

    def lessons_by_category(self) -> list[tuple[str, list[LessonWords]]]:
        """(category label, its lessons) for each category that has lessons."""
        labels = dict(CreditCategory.choices)
        grouped: dict[str, list[LessonWords]] = {}
        for lesson in self.lessons:
            grouped.setdefault(lesson.category, []).append(lesson)
        return [(labels.get(cat, cat), lessons) for cat, lessons in grouped.items()]


def lesson_versions(*, course: CoursePage) -> list:
    """The course's lessons in order, each as its latest revision has it: an author's
    drafts count (one review round publishes them with the course). Two queries."""
    return latest_versions(list(lesson_list(course=course, live_only=False)))


def course_credit_check(
    *,
    course: CoursePage,
    credits: list[CourseCredit] | None = None,
    method: str | None = None,
    words_per_hour: int | None = None,
    estimated_minutes: int | None = None,
    lessons: list | None = None,
) -> CreditCheck:
    """Compare the hours credited with what the course's method allows: the
    word-count rule, or reading time plus media running time (media minutes).
    A pilot test is checked by its evidence only. Whatever the method, each
    accreditor's hours must fit its credit increment and minimum; and the
    estimated time should agree with the credit (a warning). Each problem says
    what would satisfy it. `lessons` (from `lesson_versions`) saves reading them
    again."""
    words: dict[str, int] = defaultdict(int)
    media: dict[str, int] = defaultdict(int)
    counted = []
    if lessons is None:
        lessons = lesson_versions(course=course) if course.pk else []
    for lesson in lessons:
        raw = lesson.body.raw_data
        counted.append(
            LessonWords(
                title=lesson.title,
                category=lesson.credit_category,
                words=stream_word_count(raw),
                media_minutes=stream_media_minutes(raw),
            )
        )
        words[lesson.credit_category] += counted[-1].words
        media[lesson.credit_category] += counted[-1].media_minutes
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
        lessons=counted,
    )
    for credit in credits:
        if method == CreditMethod.WORD_COUNT:
            limit = allowed.get(credit.category, Decimal("0"))
            if credit.hours > limit:
                check.problems.append(
                    _word_count_problem(credit, check, limit=limit, words_per_hour=words_per_hour)
                )
        elif method == CreditMethod.MEDIA_MINUTES:
            limit = media_allowed.get(credit.category, Decimal("0"))
            if credit.hours > limit:
                check.problems.append(
                    _media_minutes_problem(
                        credit, check, limit=limit, words_per_hour=words_per_hour
                    )
                )
    check.problems.extend(credit_rule_problems(credits=credits))
    minutes = course.estimated_minutes if estimated_minutes is None else estimated_minutes
    totals = credit_hours_by_accreditor(credits=credits)
    if totals and minutes is not None:
        check.warnings.extend(time_credit_disagreement(minutes=minutes, totals=totals))
    return check


def words_needed(hours: Decimal, words_per_hour: int) -> int:
    """The words of lesson text the word-count rule needs for `hours`."""
    return math.ceil(hours * words_per_hour)


def _row(credit: CourseCredit) -> tuple[str, str]:
    """The credit row's name ("APA General") and its category's label."""
    label = dict(CreditCategory.choices).get(credit.category, credit.category)
    return f"{credit.accreditor.short_name} {label}", label


def _lessons_counted(check: CreditCheck, category: str, label: str, *, minutes: bool) -> str:
    """Which lessons count toward the row, and that the others do not."""
    mine = [lesson for lesson in check.lessons if lesson.category == category]
    if mine:
        counted = ", ".join(
            f"“{lesson.title}” {lesson.words:,}"
            + (f" + {lesson.media_minutes} min" if minutes else "")
            for lesson in mine
        )
        text = f" ({counted})"
    else:
        text = (
            f" (no lesson counts toward {label}: each lesson's credit category says which row "
            "its words count toward)"
        )
    others = sorted({lesson.category for lesson in check.lessons if lesson.category != category})
    if others:
        names = dict(CreditCategory.choices)
        text += (
            ". Words of "
            + " and ".join(
                f"{names.get(other, other)} lessons ({check.words_by_category.get(other, 0):,})"
                for other in others
            )
            + f" count toward their own rows, not toward {label}"
        )
    return text


def _lower(credit: CourseCredit, limit: Decimal) -> str:
    """Lower the hours to the most the rule allows, in the accreditor's increment."""
    increment = Decimal(credit.accreditor.credit_increment)
    fitting = (limit // increment) * increment if increment else limit
    if fitting >= Decimal("0.25"):
        return f"lower the hours to {fitting:.2f} h"
    return "remove this row"


def _word_count_problem(
    credit: CourseCredit, check: CreditCheck, *, limit: Decimal, words_per_hour: int
) -> str:
    row, label = _row(credit)
    have = check.words_by_category.get(credit.category, 0)
    needed = words_needed(credit.hours, words_per_hour)
    lessons = _lessons_counted(check, credit.category, label, minutes=False)
    return (
        f"{row} credit ({credit.hours} h) exceeds the word-count rule: {needed:,} words needed "
        f"for {credit.hours} h at {words_per_hour:,} words per hour; this course has {have:,} "
        f"in {label} lessons{lessons}, which allow {limit} h. To satisfy it: add "
        f"{needed - have:,} words to {label} lessons, {_lower(credit, limit)}, or "
        f"{other_methods(CreditMethod.WORD_COUNT)}"
    )


def _media_minutes_problem(
    credit: CourseCredit, check: CreditCheck, *, limit: Decimal, words_per_hour: int
) -> str:
    row, label = _row(credit)
    words = check.words_by_category.get(credit.category, 0)
    media = sum(
        lesson.media_minutes for lesson in check.lessons if lesson.category == credit.category
    )
    reading = Decimal(words) * 60 / Decimal(words_per_hour)
    needed = credit.hours * 60
    gap = max(1, math.ceil(needed - reading - media))
    lessons = _lessons_counted(check, credit.category, label, minutes=True)
    return (
        f"{row} credit ({credit.hours} h) exceeds reading plus media time: {needed:.0f} minutes "
        f"needed for {credit.hours} h; {label} lessons give {int(reading + media)} "
        f"({int(reading)} of reading for {words:,} words at {words_per_hour:,} words per hour, "
        f"plus {media} media minutes){lessons}, which allow {limit} h. To satisfy it: add "
        f"{gap} minutes of video (each video block's minutes) or "
        f"{math.ceil(gap * words_per_hour / 60):,} words to {label} lessons, "
        f"{_lower(credit, limit)}, or {other_methods(CreditMethod.MEDIA_MINUTES)}"
    )


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
    low, high = credit_minutes_range(hours=largest)
    if low <= minutes < high:
        return []
    return [
        f"Estimated time ({minutes} min) and credit ({largest} h) disagree: a course credited "
        f"{largest} h should take {low}–{high - 1} minutes. Correct the time or the credit."
    ]


def accreditor_warnings(
    *, course: CoursePage | None = None, credits: list[CourseCredit] | None = None
) -> list[str]:
    """What an administrator must fix in the accreditor records before credit is offered:
    placeholder provider numbers and approval periods that end soon. Not publishing
    problems (the demo content publishes with placeholders), but shown wherever staff look."""
    if course is None and credits is None:
        accreditors = list(Accreditor.objects.all())
    else:
        if credits is None:
            credits = list(course.credits.all().select_related("accreditor"))
        accreditors = list({c.accreditor.pk: c.accreditor for c in credits}.values())
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


def course_warnings(
    *,
    course: CoursePage,
    check: CreditCheck | None = None,
    credits: list[CourseCredit] | None = None,
    instructors: list | None = None,
) -> list[str]:
    """Everything staff should fix before credit is really offered that does not block
    publishing: the accreditor records, fictional sample instructors, and an estimated
    time that disagrees with the credit. `check`, `credits` (with their accreditors)
    and `instructors`, when the caller has read them, are not read again."""
    warnings = accreditor_warnings(course=course, credits=credits)
    if instructors is None:
        instructors = [
            ci.instructor for ci in course.course_instructors.all().select_related("instructor")
        ]
    for instructor in instructors:
        if instructor.is_sample:
            warnings.append(
                f"{instructor.name} is a fictional sample instructor: the course page says it "
                f"is a sample course. Before offering credit, name a real author with "
                f"{REAL_AUTHOR_NEEDS}."
            )
    if course.pk:
        warnings.extend((check or course_credit_check(course=course)).warnings)
    return warnings


# --- Learning objectives ------------------------------------------------------------------


def course_objectives(*, course: CoursePage, draft: bool = True) -> list:
    """The course's learning objectives in their order, each with its stable `key`.
    `draft`: as the latest revision has them (what the course editor shows, an
    objective added in a draft included), else as published (the saved rows)."""
    if not course.pk:
        return []
    if draft and course.latest_revision_id:
        objectives = course.get_latest_revision_as_object().objectives.all()
        # As PostgreSQL orders them: sort_order, unset last.
        return sorted(objectives, key=lambda o: (o.sort_order is None, o.sort_order or 0))
    return list(course.objectives.order_by("sort_order", "pk"))
