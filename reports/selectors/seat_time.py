"""Seat time as evidence (courses.seat_time) as the reports show it: each
completion's active time, frozen at completion, against each accreditor's
stated share of the hours the completion credits under it (frozen in its
snapshot), by the accreditor's policy as it stands now."""

from __future__ import annotations

from dataclasses import dataclass

from courses.models import Accreditor, CourseCompletion, SeatTimePolicy
from courses.seat_time import SeatTimeFlag, seat_time_flags

Policies = dict[int, tuple[str, str, int]]


def accreditor_policies() -> Policies:
    """{accreditor id: (short name, policy, percent)}: one query (a short table)."""
    return {
        pk: (short_name, policy, percent)
        for pk, short_name, policy, percent in Accreditor.objects.values_list(
            "pk", "short_name", "seat_time_policy", "minimum_time_percent"
        )
    }


def _claimed(credits, claimed) -> list:
    """The credit rows of the accreditors the participant claimed (frozen with the
    completion: reports.receivers); all of them for a completion frozen before
    claims were (no list)."""
    if claimed is None:
        return list(credits or [])
    return [c for c in credits or [] if c.get("accreditor") in set(claimed)]


def completion_flags(
    *, active_seconds: int | None, credits, policies: Policies, claimed=None
) -> list[SeatTimeFlag]:
    """The flags of a completion under the accreditors it claimed credit from
    (none for a participant who has not completed, or claimed none)."""
    credits = _claimed(credits, claimed)
    if active_seconds is None or not credits:
        return []
    return seat_time_flags(active_seconds=active_seconds, credits=credits, policies=policies)


def flags_text(flags: list[SeatTimeFlag]) -> str:
    """The roster's CSV cell: "" when nothing is flagged."""
    return "; ".join(f"Below the stated share: {flag}" for flag in flags)


@dataclass(frozen=True)
class SeatTimeCount:
    """How many of a period's completions one accreditor's share flags."""

    accreditor: str
    policy: str
    policy_label: str
    percent: int
    flagged: int
    completions: int


def seat_time_counts(*, completions: list[tuple], policies: Policies) -> list[SeatTimeCount]:
    """Per accreditor claimed by any of `completions` ((active seconds, snapshot
    credits, claimed short names or None) each): its policy, and how many it flags."""
    labels = dict(SeatTimePolicy.choices)
    flagged: dict[str, int] = {}
    credited: dict[str, int] = {}
    for active_seconds, all_credits, claimed in completions:
        credits = _claimed(all_credits, claimed)
        names = {
            policies[c["accreditor_id"]][0] for c in credits if c.get("accreditor_id") in policies
        }
        for name in names:
            credited[name] = credited.get(name, 0) + 1
        for flag in completion_flags(
            active_seconds=active_seconds, credits=credits, policies=policies
        ):
            flagged[flag.accreditor] = flagged.get(flag.accreditor, 0) + 1
    by_name = {name: (policy, percent) for name, policy, percent in policies.values()}
    return [
        SeatTimeCount(
            accreditor=name,
            policy=by_name[name][0],
            policy_label=labels.get(by_name[name][0], by_name[name][0]).split(":")[0],
            percent=by_name[name][1],
            flagged=flagged.get(name, 0),
            completions=credited[name],
        )
        for name in sorted(credited)
    ]


def course_seat_time(*, course, period) -> list[SeatTimeCount]:
    """The seat-time counts of a course's completions in a period: two queries."""
    completions = CourseCompletion.objects.filter(
        enrollment__course=course, completed_at__gte=period.since, completed_at__lt=period.until
    ).values_list("active_seconds", "snapshot__credits", "participant__accreditors")
    return seat_time_counts(completions=list(completions), policies=accreditor_policies())
