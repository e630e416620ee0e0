"""The seams through which higher apps (quizzes, certificates) take part in a
course without `courses` importing them.

- Step providers: each adds steps to an enrollment's path (a post-test, an
  evaluation, a certificate). Steps marked `required` gate completion.
- Publish checks: each adds reasons a course may not be published yet (or, with
  `for_publish=False`, not yet sent for approval).
- Course figures: each adds a column to the instructor's "My courses" (quizzes: the
  post-test's pass rate).

Completion itself is announced by the one `courses.signals.course_completed` signal.
"""

import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import CoursePage, Enrollment


class StepState(StrEnum):
    """Where a step stands. Code, templates (`step.state == "preparing"`) and scripts
    (the `data-step-state` attribute) decide on this, never on a step's words."""

    LOCKED = "locked"  # not open yet: an earlier step comes first
    OPEN = "open"  # the clinician can do it now
    PREPARING = "preparing"  # nothing left for the clinician: the site is preparing it
    DONE = "done"


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
    # How many records the step stands for (e.g. certificates), for words in the
    # singular or the plural.
    count: int = 1
    # Follows `done` and `available` unless the provider says otherwise (PREPARING).
    state: StepState | None = None

    def __post_init__(self) -> None:
        if self.state is None:
            if self.done:
                state = StepState.DONE
            else:
                state = StepState.OPEN if self.available else StepState.LOCKED
            object.__setattr__(self, "state", state)


class StepProvider(Protocol):
    key: str
    order: int

    def steps_for(self, *, enrollments: "list[Enrollment]") -> "dict[int, list[Step]]":
        """Steps per enrollment id, computed for all enrollments in a constant number of queries.
        Asked only for one enrollment or more (enrollment_summaries answers none itself)."""


_step_providers: list[StepProvider] = []
# `check(course)` or `check(course, *, for_publish=True)`; see `register_publish_check`.
PublishCheck = Callable[..., Iterable[str]]

_publish_checks: list[PublishCheck] = []


def _register_in_order(registered: list, item) -> None:
    """Add `item` unless one with its `key` is registered already; keep them in `order`."""
    if all(other.key != item.key for other in registered):
        registered.append(item)
        registered.sort(key=lambda other: other.order)


def register_step_provider(provider: StepProvider) -> None:
    _register_in_order(_step_providers, provider)


def step_providers() -> list[StepProvider]:
    return list(_step_providers)


# What the step providers of one page read in common, kept while they run.
_batch: ContextVar[dict | None] = ContextVar("courses_step_batch", default=None)


@contextmanager
def step_batch() -> Iterator[None]:
    """While the step providers of one page run (`enrollment_summaries`), a read
    several of them make (lesson progress, attempts, credit rows, overrides) goes
    to the database once: each asks through `batch_read`."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_read(name: str, enrollments: "list[Enrollment]", read: Callable[[], object]):
    """`read()` for these enrollments, made once inside `step_batch` (the same name
    and enrollments get the same result; treat it as read-only) and every time
    outside one."""
    memo = _batch.get()
    if memo is None:
        return read()
    key = (name, frozenset(e.pk for e in enrollments))
    if key not in memo:
        memo[key] = read()
    return memo[key]


@dataclass(frozen=True)
class BatchStatement:
    """A `batch_read` that can also be made as one part of a single statement:
    on PostgreSQL the reads of one page's step providers go to the database
    together (`courses.selectors.batch`), instead of a query each.

    `query()` gives the read as a values_list QuerySet over the page's
    enrollments: it names them through `batch_enrollment_ids()` (or
    `batch_enrollment_column("user_id")`, `batch_today()`), never by value, so its
    SQL is made once per process. `parse(rows, enrollments)` turns its rows (lists
    of JSON values in the order of the values_list) into what `read()` returns;
    `courses.selectors.batch.instances` makes model instances of them.
    """

    name: str
    query: "Callable[[], QuerySet]"
    parse: "Callable[[list[list], list[Enrollment]], object]"


_batch_statements: dict[str, BatchStatement] = {}


def register_batch_statement(statement: BatchStatement) -> None:
    _batch_statements.setdefault(statement.name, statement)


def batch_statements() -> list[BatchStatement]:
    return list(_batch_statements.values())


def batch_fill(name: str, enrollments: "list[Enrollment]", value: object) -> None:
    """What `batch_read(name, enrollments, …)` answers for the rest of this
    `step_batch` (read together with others beforehand)."""
    memo = _batch.get()
    if memo is not None:
        memo[(name, frozenset(e.pk for e in enrollments))] = value


def register_publish_check(check: PublishCheck) -> None:
    """Add a check: `check(course)` returns the reasons the course may not be published.

    A check that also takes a `for_publish` keyword is told which it is: `True` when
    the course is being published (directly, by a workflow approval, on schedule),
    `False` when it is only being sent for approval, where what it needs may itself
    still be a draft or awaiting approval (as lessons may). A check without that
    keyword applies its rule to both.
    """
    if check not in _publish_checks:
        _publish_checks.append(check)


def publish_checks() -> list[PublishCheck]:
    return list(_publish_checks)


def publish_check_problems(course: "CoursePage", *, for_publish: bool = True) -> list[str]:
    """The reasons every registered check gives, in registration order."""
    problems: list[str] = []
    for check in _publish_checks:
        if _takes_for_publish(check):
            problems.extend(check(course, for_publish=for_publish))
        else:
            problems.extend(check(course))
    return problems


def _takes_for_publish(check: PublishCheck) -> bool:
    try:
        parameters = inspect.signature(check).parameters.values()
    except (TypeError, ValueError):  # a callable without an introspectable signature
        return False
    return any(
        p.kind is p.VAR_KEYWORD
        or (p.name == "for_publish" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        for p in parameters
    )


class CourseFigure(Protocol):
    """A figure per course on "My courses" (courses.selectors.instructing)."""

    key: str
    label: str  # the column's heading, e.g. "Pass rate"
    order: int

    def figures_for(self, *, course_ids: "list[int]") -> "dict[int, str]":
        """The figure of each course, as shown; computed for all the courses in a
        constant number of queries. A course left out shows "—"."""


_course_figures: list[CourseFigure] = []


def register_course_figure(figure: CourseFigure) -> None:
    _register_in_order(_course_figures, figure)


def course_figures() -> list[CourseFigure]:
    return list(_course_figures)
