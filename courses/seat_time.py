"""Seat time: recorded active time as evidence, in one place.

Each accreditor states a share of the hours it credits (`minimum_time_percent`
of the course's credit rows under it, summed over categories) and a policy
(`seat_time_policy`):

- *off*: active time is recorded, nothing more;
- *flag* (the default): a completion whose active time is below the share is
  flagged for an auditor (roster, accreditor report, audit packet, course
  report); it completes as usual;
- *enforce*: the course does not complete until the time is reached (the
  minimum-time gate: a required step, courses.selectors.learning). Where
  several accreditors of a course enforce, the strictest counts. An
  Administrator may lower it for one clinician
  (courses.models.LearnerOverride.minimum_active_minutes).

The enforced rule has two forms that must agree: `required_seconds` (Python,
for the completion rule, the steps and the pages) and `REQUIRED_SECONDS_SQL`
(the heartbeat's one statement, which must know whether a beat crossed the
requirement without another round trip). `tests/courses/test_no_dead_ends.py`
holds them equal. Both round up to the whole second in exact decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .models.choices import SeatTimePolicy

if TYPE_CHECKING:
    from .models import LearnerOverride

# The seconds of active time required of the enrollment of (SELECT user_id,
# course_id FROM target): the strictest enforcing accreditor's share of the
# hours it credits the course, lowered by the clinician's override in force (a
# current one whose expiry day is not before %(today)s). No row when no
# accreditor enforces (an override never adds a requirement). Used inside
# courses.services._BEAT_SQL.
REQUIRED_SECONDS_SQL = """
    SELECT LEAST(standard.seconds, (
        SELECT o.minimum_active_minutes * 60 FROM {override} o
        WHERE o.user_id = (SELECT user_id FROM target)
          AND o.course_id = (SELECT course_id FROM target)
          AND o.ended_at IS NULL AND o.expires_on >= %(today)s
    )) AS seconds
    FROM (
        SELECT max(ceil(a.minimum_time_percent * h.hours * 36))::integer AS seconds
        FROM (
            SELECT accreditor_id, sum(hours) AS hours FROM {credit}
            WHERE page_id = (SELECT course_id FROM target) GROUP BY accreditor_id
        ) h
        JOIN {accreditor} a ON a.id = h.accreditor_id
        WHERE a.seat_time_policy = 'enforce'
        HAVING count(*) > 0
    ) standard
"""


def share_seconds(*, percent: int, hours: Decimal) -> int:
    """`percent` of `hours`, in whole seconds rounded up (exact decimals)."""
    return math.ceil(Decimal(percent) * Decimal(hours) * 36)


def required_seconds(
    *, enforcing: Iterable[tuple[int, Decimal]], lowered_minutes: int | None = None
) -> int:
    """Seconds of active time a course requires: the strictest of its enforcing
    accreditors' (percent, credited hours), 0 when none enforces;
    `lowered_minutes`, an override's lower minimum, where one is in force."""
    standard = max((share_seconds(percent=p, hours=h) for p, h in enforcing), default=0)
    if not standard or lowered_minutes is None:
        return standard
    return min(standard, lowered_minutes * 60)


def minutes_up(seconds: int) -> int:
    """Whole minutes, rounded up: "1 more minute" while any second is missing."""
    return math.ceil(max(0, seconds) / 60)


@dataclass(frozen=True)
class TimeRequirement:
    """The active time a course asks of one enrollment, and what it has."""

    required_seconds: int  # what this clinician must reach (an override may lower it)
    active_seconds: int
    accreditors: tuple[str, ...]  # short names of the accreditors that ask
    standard_seconds: int = 0  # what the accreditors ask of everyone
    override: LearnerOverride | None = None  # the override in force that lowered it

    @property
    def lowered(self) -> bool:
        return self.override is not None and self.required_seconds < self.standard_seconds

    @property
    def met_only_by_override(self) -> bool:
        """Met, but under the accreditors' own minimum: the override let it through."""
        return self.met and self.lowered and self.active_seconds < self.standard_seconds

    @property
    def met(self) -> bool:
        return self.active_seconds >= self.required_seconds

    @property
    def required_minutes(self) -> int:
        return minutes_up(self.required_seconds)

    @property
    def standard_minutes(self) -> int:
        return minutes_up(self.standard_seconds)

    @property
    def active_minutes(self) -> int:
        return self.active_seconds // 60

    @property
    def remaining_minutes(self) -> int:
        return minutes_up(self.required_seconds - self.active_seconds)

    @property
    def asked_by(self) -> str:
        return " and ".join(self.accreditors)


@dataclass(frozen=True)
class SeatTimeFlag:
    """A completion below an accreditor's stated share of the hours it credits."""

    accreditor: str  # short name
    percent: int
    credited_minutes: int
    required_minutes: int
    active_minutes: int
    policy: str

    def __str__(self) -> str:
        return (
            f"{self.accreditor}: {self.active_minutes} min active, under {self.percent} % of "
            f"{self.credited_minutes} min credited ({self.required_minutes} min)"
        )


def seat_time_flags(
    *, active_seconds: int, credits: list[dict], policies: dict[int, tuple[str, str, int]]
) -> list[SeatTimeFlag]:
    """The flags of one completion: `credits` as frozen in its snapshot (each
    with accreditor_id and hours), `policies` {accreditor id: (short name,
    policy, percent)} as the accreditors state them now. An accreditor whose
    policy is off never flags; enforce flags too (a lowered minimum let it through)."""
    hours: dict[int, Decimal] = {}
    for credit in credits or []:
        key = credit.get("accreditor_id")
        hours[key] = hours.get(key, Decimal(0)) + Decimal(str(credit.get("hours") or "0"))
    flags = []
    for accreditor_id, credited in hours.items():
        if accreditor_id not in policies:
            continue
        name, policy, percent = policies[accreditor_id]
        if policy == SeatTimePolicy.OFF or not credited:
            continue
        required = share_seconds(percent=percent, hours=credited)
        if active_seconds < required:
            flags.append(
                SeatTimeFlag(
                    accreditor=name,
                    percent=percent,
                    credited_minutes=round(credited * 60),
                    required_minutes=minutes_up(required),
                    active_minutes=active_seconds // 60,
                    policy=policy,
                )
            )
    return sorted(flags, key=lambda f: f.accreditor)
