"""The dashboard's course cards, each rendered from plain data and kept in this
process by that data (issue 19).

A card's HTML depends on nothing but its `DashboardCard`: the template sees the
card alone (no request, no model instance), so two cards with equal data are the
same HTML, and a dashboard seen again with nothing changed (the clinician back on
it, a reload) renders its cards from memory. A card whose course moved on (a
lesson done, a post-test passed, a certificate ready) has other data, so it is
rendered afresh: nothing is invalidated, nothing can be stale. Kept by
cms.site_cache.memo, so off where the site cache is off (tests, unless they turn
it on), and off with DEBUG (templates edited while the server runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from cms import site_cache
from courses.registry import Step

from .course_preview import learner_url

register = template.Library()

TEMPLATE = "courses/_dashboard_card.html"
MEMO_KIND = "dashboard-card"
#: Cards kept per process (a card is 2 to 3 kB of HTML).
MEMO_ENTRIES = 2048


@dataclass(frozen=True)
class DashboardCard:
    """Everything a course card prints; its progress part reads like an
    EnrollmentSummary (components/progress.html)."""

    enrollment_id: int
    course_title: str
    course_url: str
    lessons_total: int
    lessons_done: int
    lesson_percent: int
    steps: tuple[Step, ...]
    next_step: Step | None
    completed: bool
    completed_on: date | None

    @property
    def certificate_steps(self) -> tuple[Step, ...]:
        """The steps the dashboard keeps current while the site prepares them."""
        return tuple(s for s in self.steps if s.status_url)


def card_from_summary(context, summary) -> DashboardCard:
    enrollment = summary.enrollment
    completion = getattr(enrollment, "completion", None) if summary.completed else None
    return DashboardCard(
        enrollment_id=enrollment.pk,
        course_title=enrollment.course.title,
        course_url=learner_url(context, enrollment.course),
        lessons_total=summary.lessons_total,
        lessons_done=summary.lessons_done,
        lesson_percent=summary.lesson_percent,
        steps=tuple(summary.steps),
        next_step=summary.next_step,
        completed=summary.completed,
        completed_on=timezone.localdate(completion.completed_at) if completion else None,
    )


def card_html(card: DashboardCard) -> SafeString:
    """The card's HTML, from this process's memory when an equal card was rendered
    (cms.site_cache.memo, MEMO_ENTRIES of this kind)."""
    if settings.DEBUG:  # templates edited while the server runs
        return _render(card)
    key = (translation.get_language(), card)
    try:
        hash(key)
    except TypeError:  # a step holding a list or a dict: not kept, only rendered
        return _render(card)
    return site_cache.memo(MEMO_KIND, key, lambda: _render(card), entries=MEMO_ENTRIES)


def _render(card: DashboardCard) -> SafeString:
    return mark_safe(render_to_string(TEMPLATE, {"card": card}))  # noqa: S308 (a template's output)


@register.simple_tag(takes_context=True)
def dashboard_card(context, summary) -> SafeString:
    """``{% dashboard_card summary %}``: one course card of the dashboard."""
    return card_html(card_from_summary(context, summary))
