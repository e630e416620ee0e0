"""The completion rule, pure: when an enrollment completes, and which override a
completion records (docs/ce-rules.md).

`courses.services.completion_evaluate` (under a lock, after any requirement may have
been met) and `completions_settle` (a page that finds every step done) read the
enrollment's summary and ask `completion_due`; neither decides on its own. The steps
come from the lessons, the steps higher apps register (post-test, evaluation and
attestation, ...) and the minimum active time (`courses.seat_time.TimeRequirement`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import LearnerOverride
    from .seat_time import TimeRequirement
    from .selectors import EnrollmentSummary


def completion_due(summary: EnrollmentSummary) -> bool:
    """An enrollment completes when it is active and not completed yet, its course has
    lessons, and every required step is done (an optional step never holds it back)."""
    return (
        not summary.completed
        and summary.enrollment.is_active
        and summary.lessons_total > 0
        and all(step.done for step in summary.steps if step.required)
    )


def completion_override(time: TimeRequirement | None) -> LearnerOverride | None:
    """The override a completion records: the one in force only where its lower
    minimum is what let the course complete (the time met, but under the accreditors'
    own minimum). None where the standard minimum was met, or no time is asked."""
    if time is not None and time.met_only_by_override:
        return time.override
    return None
