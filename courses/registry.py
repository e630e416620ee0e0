"""The seams through which higher apps (quizzes, certificates) take part in a
course without `courses` importing them.

- Step providers: each adds steps to an enrollment's path (a post-test, an
  evaluation, a certificate). Steps marked `required` gate completion.
- Publish checks: each adds reasons a course may not be published yet.

Completion itself is announced by the one `courses.signals.course_completed` signal.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import CoursePage, Enrollment


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    required: bool = True
    available: bool = True
    detail: str = ""
    url: str = ""
    action_label: str = ""
    history: tuple[str, ...] = field(default_factory=tuple)
    # A JSON endpoint the dashboard polls while the step is in progress (e.g. a
    # certificate being rendered); empty for steps that change only on a new page.
    status_url: str = ""


class StepProvider(Protocol):
    key: str
    order: int

    def steps_for(self, *, enrollments: "list[Enrollment]") -> "dict[int, list[Step]]":
        """Steps per enrollment id, computed for all enrollments in a constant number of queries."""


_step_providers: list[StepProvider] = []
_publish_checks: list[Callable[["CoursePage"], Iterable[str]]] = []


def register_step_provider(provider: StepProvider) -> None:
    if all(p.key != provider.key for p in _step_providers):
        _step_providers.append(provider)
        _step_providers.sort(key=lambda p: p.order)


def step_providers() -> list[StepProvider]:
    return list(_step_providers)


def register_publish_check(check: Callable[["CoursePage"], Iterable[str]]) -> None:
    if check not in _publish_checks:
        _publish_checks.append(check)


def publish_checks() -> list[Callable[["CoursePage"], Iterable[str]]]:
    return list(_publish_checks)
