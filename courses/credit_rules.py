"""The credit rules, pure: what a course's lessons allow it to credit, and whether the
hours fit each accreditor's increment and minimum (docs/ce-rules.md).

`credit_check` decides from plain facts: the lessons already counted (`LessonWords`)
and the credit rows with their accreditors. It reads nothing, so its tests state the
rules without a database and `make mutation` tests them. The course's facts are read
by `courses.selectors.course_credit_check`, which the publish gate, the editor's
panels and the warnings call.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .models.choices import CreditCategory, CreditMethod
from .models.credit import credit_hours_by_accreditor, credit_minutes_range
from .wordcount import hours_from_reading_and_media, hours_from_words

if TYPE_CHECKING:
    from .models import Accreditor, CourseCredit

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


def credit_check(
    *,
    lessons: list[LessonWords],
    credits: list[CourseCredit],
    method: str,
    words_per_hour: int,
    estimated_minutes: int | None,
) -> CreditCheck:
    """Compare the hours credited with what the course's method allows: the
    word-count rule, or reading time plus media running time (media minutes).
    A pilot test is checked by its evidence only. Whatever the method, each
    accreditor's hours must fit its credit increment and minimum; and the
    estimated time should agree with the credit (a warning). Each problem says
    what would satisfy it. `lessons` are counted already, `credits` carry their
    accreditors: nothing is read."""
    words: dict[str, int] = defaultdict(int)
    media: dict[str, int] = defaultdict(int)
    for lesson in lessons:
        words[lesson.category] += lesson.words
        media[lesson.category] += lesson.media_minutes
    allowed = {cat: hours_from_words(n, words_per_hour=words_per_hour) for cat, n in words.items()}
    media_allowed = {
        cat: hours_from_reading_and_media(words[cat], media[cat], words_per_hour=words_per_hour)
        for cat in words
    }
    labels = dict(CreditCategory.choices)
    check = CreditCheck(
        words_by_category=dict(words),
        allowed_hours_by_category=allowed,
        media_minutes_by_category={cat: m for cat, m in media.items() if m},
        media_hours_by_category=media_allowed,
        credited=[
            (c.accreditor.short_name, labels.get(c.category, c.category), c.hours) for c in credits
        ],
        lessons=list(lessons),
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
    totals = credit_hours_by_accreditor(credits=credits)
    if totals and estimated_minutes is not None:
        check.warnings.extend(time_credit_disagreement(minutes=estimated_minutes, totals=totals))
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
                f"{names.get(other, other)} lessons ({check.words_by_category[other]:,})"
                for other in others
            )
            + f" count toward their own rows, not toward {label}"
        )
    return text


def _lower(credit: CourseCredit, limit: Decimal) -> str:
    """Lower the hours to the most the rule allows, in the accreditor's increment (a
    quarter, half or whole hour: CREDIT_INCREMENTS)."""
    increment = Decimal(credit.accreditor.credit_increment)
    fitting = (limit // increment) * increment
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
