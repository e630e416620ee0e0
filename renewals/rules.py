"""The arithmetic of a renewal: which cycle a day falls in, which credits a board
counts, and what is still missing. Plain Python on plain values: no database,
so every rule is tested directly (tests/renewals/test_rules.py).

- A cycle runs from its start to its deadline, both days included. When the
  deadline has passed, the next cycle starts the day after it and ends
  `months` later (a rolled-over cycle).
- A credit counts in the cycle that holds its completion date, under a board
  that accepts its approving body. A certificate of attendance is no credit.
- One course completed once counts once: when its certificates under two
  accepted bodies both fall in the cycle, the one with more hours counts.
- A home-study limit caps the self-paced hours counted. The hours that do count
  go first to the categories whose minimum is not met yet.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 March + 1 → 30 April)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Cycle:
    start: date
    deadline: date
    rolled_over: bool = False

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.deadline


def cycle_current(*, start: date, deadline: date, months: int, today: date) -> Cycle:
    """The cycle `today` falls in: the given one, or the one it rolled over to."""
    cycle = Cycle(start=start, deadline=deadline)
    while today > cycle.deadline:
        following = cycle.deadline + timedelta(days=1)
        cycle = Cycle(
            start=following, deadline=add_months(cycle.deadline, months), rolled_over=True
        )
    return cycle


def accreditor_key(name: str) -> str:
    """Names compared without case, spaces or punctuation ("ASWB-ACE" is "aswb ace")."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


@dataclass(frozen=True)
class Requirement:
    total_hours: Decimal
    minimums: dict[str, Decimal]
    home_study_cap: Decimal | None
    accepted: tuple[str, ...]
    cycle_months: int
    board: str = ""

    def accepts(self, names: tuple[str, ...]) -> bool:
        keys = {accreditor_key(a) for a in self.accepted}
        return any(accreditor_key(n) in keys for n in names if n)


@dataclass(frozen=True)
class Credit:
    """A certificate, Practicum's or an uploaded one, as the rules see it."""

    key: str  # "certificate:12" or "upload:3"
    source: str  # "practicum" or "upload"
    title: str
    completed_on: date
    hours_by_category: dict[str, Decimal]
    accreditor: str  # as printed ("APA"); "" for a certificate of attendance
    accreditor_names: tuple[str, ...]  # every name it may be accepted under
    home_study: bool
    provider: str = ""
    number: str = ""
    verify_url: str = ""
    # Certificates of one completed course share a group: it counts once.
    group: str = ""

    @property
    def hours(self) -> Decimal:
        return sum(self.hours_by_category.values(), ZERO)


class Reason:
    """Why a credit in the cycle does not count (states, not words: see LABELS)."""

    COUNTED = "counted"
    NOT_ACCEPTED = "not_accepted"
    ATTENDANCE = "attendance"
    SAME_COURSE = "same_course"


@dataclass(frozen=True)
class CreditLine:
    credit: Credit
    reason: str

    @property
    def counted(self) -> bool:
        return self.reason == Reason.COUNTED


@dataclass(frozen=True)
class Progress:
    key: str  # "total" or a category
    label: str
    required: Decimal
    counted: Decimal

    @property
    def needed(self) -> Decimal:
        return max(ZERO, self.required - self.counted)

    @property
    def met(self) -> bool:
        return self.counted >= self.required

    @property
    def shown(self) -> Decimal:
        """What the progress bar shows: never more than required."""
        return min(self.counted, self.required)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return int(self.shown * 100 / self.required)


@dataclass
class Standing:
    cycle: Cycle
    today: date
    progress: list[Progress]
    lines: list[CreditLine]
    home_study_completed: Decimal = ZERO
    home_study_counted: Decimal = ZERO
    home_study_cap: Decimal | None = None
    needs: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Progress:
        return self.progress[0]

    @property
    def met(self) -> bool:
        return all(p.met for p in self.progress)

    @property
    def days_left(self) -> int:
        return (self.cycle.deadline - self.today).days

    @property
    def hours_needed(self) -> Decimal:
        """The hours still to earn: the total's shortfall, or the categories'
        when they add up to more (their hours count toward the total too)."""
        categories = sum((p.needed for p in self.progress[1:]), ZERO)
        return max(self.total.needed, categories)

    @property
    def category_needs(self) -> list[Progress]:
        return [p for p in self.progress[1:] if not p.met]

    @property
    def home_study_full(self) -> bool:
        return self.home_study_cap is not None and self.home_study_counted >= self.home_study_cap


def standing_compute(
    *,
    requirement: Requirement,
    credits: list[Credit],
    cycle: Cycle,
    today: date,
    labels: dict[str, str],
) -> Standing:
    in_cycle = sorted(
        (c for c in credits if cycle.holds(c.completed_on)),
        key=lambda c: (c.completed_on, c.key),
    )
    reasons: dict[str, str] = {}
    for credit in in_cycle:
        if not credit.accreditor:
            reasons[credit.key] = Reason.ATTENDANCE
        elif not requirement.accepts(credit.accreditor_names):
            reasons[credit.key] = Reason.NOT_ACCEPTED
        else:
            reasons[credit.key] = Reason.COUNTED
    # One course, one count: of a group's accepted certificates the largest counts.
    groups: dict[str, list[Credit]] = {}
    for credit in in_cycle:
        if credit.group and reasons[credit.key] == Reason.COUNTED:
            groups.setdefault(credit.group, []).append(credit)
    for members in groups.values():
        best = max(members, key=lambda c: (c.hours, c.accreditor))
        for credit in members:
            if credit is not best:
                reasons[credit.key] = Reason.SAME_COURSE

    counted = [c for c in in_cycle if reasons[c.key] == Reason.COUNTED]
    live: dict[str, Decimal] = {}
    home: dict[str, Decimal] = {}
    for credit in counted:
        target = home if credit.home_study else live
        for category, hours in credit.hours_by_category.items():
            target[category] = target.get(category, ZERO) + hours

    home_completed = sum(home.values(), ZERO)
    cap = requirement.home_study_cap
    budget = home_completed if cap is None else min(home_completed, cap)
    home_counted = budget
    # Home-study hours that count go first where a minimum still lacks hours.
    allocated: dict[str, Decimal] = {}
    for category, minimum in requirement.minimums.items():
        lacking = max(ZERO, minimum - live.get(category, ZERO))
        take = min(lacking, home.get(category, ZERO), budget)
        allocated[category] = take
        budget -= take
    for category, hours in home.items():
        take = min(hours - allocated.get(category, ZERO), budget)
        allocated[category] = allocated.get(category, ZERO) + take
        budget -= take

    total = sum(live.values(), ZERO) + home_counted
    progress = [Progress("total", "Total", requirement.total_hours, total)]
    for category, minimum in requirement.minimums.items():
        progress.append(
            Progress(
                category,
                labels.get(category, category),
                minimum,
                live.get(category, ZERO) + allocated.get(category, ZERO),
            )
        )
    standing = Standing(
        cycle=cycle,
        today=today,
        progress=progress,
        lines=[CreditLine(c, reasons[c.key]) for c in in_cycle],
        home_study_completed=home_completed,
        home_study_counted=home_counted,
        home_study_cap=cap,
    )
    standing.needs = {p.key: p.needed for p in progress if not p.met}
    return standing


def hours_text(hours: Decimal) -> str:
    """``Decimal("1.50")`` → ``"1.5"``, ``Decimal("2.00")`` → ``"2"``."""
    text = f"{hours.quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _hours_phrase(hours: Decimal, what: str = "", *, more: bool = False) -> str:
    unit = "hour" if hours == 1 else "hours"
    words = [hours_text(hours), "more" if more else "", what, unit]
    return " ".join(w for w in words if w)


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def standing_sentence(standing: Standing) -> str:
    """The card's plain sentence: "You need 2 more ethics hours by March 31, 2027." """
    by = long_date(standing.cycle.deadline)
    if standing.met:
        return f"You have met this requirement for the cycle ending {by}."
    categories = standing.category_needs
    needed = standing.hours_needed
    categories_sum = sum((p.needed for p in categories), ZERO)
    if categories and needed == categories_sum:
        parts = [_hours_phrase(p.needed, p.label.lower(), more=True) for p in categories]
        sentence = f"You need {_join(parts)} by {by}."
    elif categories:
        parts = [_hours_phrase(p.needed, p.label.lower()) for p in categories]
        sentence = f"You need {_hours_phrase(needed, more=True)} by {by}, including {_join(parts)}."
    else:
        sentence = f"You need {_hours_phrase(needed, more=True)} by {by}."
    if standing.home_study_full:
        sentence += (
            f" They must be live: the board counts at most "
            f"{_hours_phrase(standing.home_study_cap)} of home study, and you have reached it."
        )
    return sentence


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def reminder_threshold(*, days_left: int, thresholds=(90, 30, 7)) -> int | None:
    """The threshold a reminder is due for: the nearest one at or above the days
    left (20 days left → the 30-day reminder), None before the first or after
    the deadline."""
    due = [t for t in thresholds if 0 <= days_left <= t]
    return min(due) if due else None
