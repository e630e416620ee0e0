"""Per-learner overrides as the reports show them (roster, its CSV and XLSX, the
audit packet): what was granted, by whom, why, until when, and which attempts
and completion it applied to. One query for any number of participants."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from courses.models import CourseCompletion, LearnerOverride
from quizzes.models import Attempt


@dataclass(frozen=True)
class OverrideLine:
    override_id: int
    user_id: int
    grants: str
    granted_on: str
    granted_by: str
    reason: str
    expires_on: str
    ended_on: str
    support_request_id: int | None
    attempts: str  # "3 (extra), 4"
    completion: bool  # the completion needed its lowered minimum active time

    def __str__(self) -> str:
        applied = []
        if self.attempts:
            applied.append(f"attempts {self.attempts}")
        if self.completion:
            applied.append("the completion (lowered minimum active time)")
        return (
            f"{self.grants} — granted {self.granted_on}"
            + (f" by {self.granted_by}" if self.granted_by else "")
            + f", until {self.expires_on}"
            + (f", ended {self.ended_on}" if self.ended_on else "")
            + (f"; applied to {', '.join(applied)}" if applied else "; not applied")
            + f"; reason: {self.reason}"
        )


def _day(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}" if value else ""


def override_lines(*, user_ids, course_ids) -> dict[tuple[int, int], list[OverrideLine]]:
    """Overrides of these clinicians in these courses, oldest first, keyed by
    (user id, course id): three queries (the overrides, their attempts, the
    completions they let through)."""
    by_key: dict[tuple[int, int], list[OverrideLine]] = defaultdict(list)
    overrides = (
        LearnerOverride.objects.filter(user_id__in=set(user_ids), course_id__in=set(course_ids))
        .select_related("granted_by")
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=Attempt.objects.only("pk", "number", "override_id", "override_extra"),
            )
        )
        .order_by("granted_at", "pk")
    )
    overrides = list(overrides)
    completed = set(
        CourseCompletion.objects.filter(override__in=overrides).values_list(
            "override_id", flat=True
        )
    )
    for override in overrides:
        by_key[(override.user_id, override.course_id)].append(
            OverrideLine(
                override_id=override.pk,
                user_id=override.user_id,
                grants="; ".join(override.grants()),
                granted_on=_day(override.granted_at),
                granted_by=override.granted_by.email if override.granted_by else "",
                reason=override.reason,
                expires_on=f"{override.expires_on:%Y-%m-%d}",
                ended_on=_day(override.ended_at),
                support_request_id=override.support_request_id,
                attempts=", ".join(
                    f"{a.number}{' (extra)' if a.override_extra else ''}"
                    for a in sorted(override.attempts.all(), key=lambda a: a.number)
                ),
                completion=override.pk in completed,
            )
        )
    return by_key


#: The audit packet's overrides/overrides.csv.
OVERRIDE_COLUMNS = [
    "Participant (name on certificates)",
    "Email",
    "Granted",
    "Granted on",
    "Granted by",
    "Reason",
    "Expires on",
    "Ended on",
    "Support request",
    "Applied to attempts",
    "Applied to the completion",
]


def overrides_csv(*, course, period) -> list[list]:
    """The header, then one line per override of the participants who completed
    the course in the period (the packet's roster), by participant."""
    participants = {
        user_id: (frozen or {}, email)
        for user_id, frozen, email in CourseCompletion.objects.filter(
            enrollment__course=course,
            completed_at__gte=period.since,
            completed_at__lt=period.until,
        ).values_list("enrollment__user_id", "participant", "enrollment__user__email")
    }
    lines = [OVERRIDE_COLUMNS]
    by_key = override_lines(user_ids=participants, course_ids=[course.pk])
    for (user_id, _), overrides in sorted(
        by_key.items(), key=lambda item: participants[item[0][0]][0].get("name", "").lower()
    ):
        frozen, email = participants[user_id]
        for line in overrides:
            lines.append(
                [
                    frozen.get("name", ""),
                    frozen.get("email") or email,
                    line.grants,
                    line.granted_on,
                    line.granted_by,
                    line.reason,
                    line.expires_on,
                    line.ended_on,
                    line.support_request_id or "",
                    line.attempts,
                    "yes" if line.completion else "no",
                ]
            )
    return lines
