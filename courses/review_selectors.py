"""What the course review screen and the review queue show (courses.review_views).

The queue groups the pages awaiting a reviewer under their course; the review
screen shows, for the course and each page reviewed with it, what changed since
it was last published (Wagtail's own field comparisons) and the publishing check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from .models import CoursePage
from .publishing import course_publish_problems
from .review import course_pages_to_review

_STATUS = {
    WorkflowState.STATUS_IN_PROGRESS: "awaiting approval",
    WorkflowState.STATUS_NEEDS_CHANGES: "changes requested",
}


@dataclass
class QueuedPage:
    page_id: int
    title: str
    kind: str
    edit_url: str


@dataclass
class QueueEntry:
    """A course and its pages awaiting review (or a page outside any course)."""

    title: str
    review_url: str
    submitted_by: str
    submitted_at: object
    is_course: bool
    pages: list[QueuedPage] = field(default_factory=list)


def _kind(page) -> str:
    return str(page.specific_class._meta.verbose_name)


def course_review_queue(*, user) -> list[QueueEntry]:
    """The task states this person may decide on, a course's pages under the course,
    newest first. A page whose course is not itself awaiting review is its own entry,
    linked to its editor."""
    states = (
        TaskState.objects.reviewable_by(user)
        .select_related("workflow_state", "workflow_state__requested_by")
        .order_by("-started_at")
    )
    page_ids = [int(s.workflow_state.object_id) for s in states]
    pages = {p.pk: p for p in Page.objects.filter(pk__in=page_ids).specific()}
    parents = {
        p.pk: p.get_parent().specific
        for p in pages.values()
        if not isinstance(p, CoursePage) and p.depth > 1
    }
    entries: dict[int, QueueEntry] = {}
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if page is None:
            continue
        course = page if isinstance(page, CoursePage) else parents.get(page.pk)
        grouped = isinstance(course, CoursePage) and (
            course is page or str(course.pk) in {s.workflow_state.object_id for s in states}
        )
        key = course.pk if grouped else page.pk
        if key not in entries:
            owner = course if grouped else page
            requester = state.workflow_state.requested_by
            entries[key] = QueueEntry(
                title=owner.draft_title or owner.title,
                review_url=(
                    reverse("courses_review:course", args=(owner.pk,))
                    if grouped
                    else reverse("wagtailadmin_pages:edit", args=(owner.pk,))
                ),
                submitted_by=requester.get_full_name() or requester.email if requester else "",
                submitted_at=state.workflow_state.created_at,
                is_course=grouped,
            )
        if not (grouped and page is course):
            entries[key].pages.append(
                QueuedPage(
                    page_id=page.pk,
                    title=page.draft_title or page.title,
                    kind=_kind(page),
                    edit_url=reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                )
            )
    return list(entries.values())


@dataclass
class ReviewedPage:
    page_id: int
    title: str
    kind: str
    status: str
    is_new: bool
    edit_url: str
    preview_url: str
    changes: list  # Wagtail comparisons (label, htmldiff) that changed


def _changes(page, request) -> tuple[bool, list]:
    latest = page.get_latest_revision()
    if latest is None:
        return page.live_revision is None, []
    after = latest.as_object()
    if page.live_revision is not None:
        before = page.live_revision.as_object()
        is_new = False
    else:
        before = type(page)(title="", slug=page.slug)
        is_new = True
    comparisons = (
        page.get_edit_handler()
        .get_bound_panel(instance=page, request=request, form=None)
        .get_comparison()
    )
    changed = []
    for comparison_class in comparisons:
        comparison = comparison_class(before, after)
        if comparison.has_changed():
            changed.append(comparison)
    return is_new, changed


def _reviewed_page(page, request) -> ReviewedPage:
    state = page.current_workflow_state
    if state is not None:
        status = _STATUS.get(state.status, state.status)
    else:
        status = "live" if page.live and not page.has_unpublished_changes else "draft"
    is_new, changes = _changes(page, request)
    return ReviewedPage(
        page_id=page.pk,
        title=page.draft_title or page.title,
        kind=_kind(page),
        status=status,
        is_new=is_new,
        edit_url=reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        preview_url=reverse(
            "wagtailadmin_pages:workflow_preview", args=(page.pk, state.current_task_state_id)
        )
        if state is not None and state.current_task_state_id
        else reverse("wagtailadmin_pages:view_draft", args=(page.pk,)),
        changes=changes,
    )


@dataclass
class CourseReview:
    course: CoursePage
    awaiting: bool
    submitted_by: str
    submitted_at: object
    pages: list[ReviewedPage]
    problems: list[str]


def course_review_get(*, course: CoursePage, request) -> CourseReview:
    """The course and the pages reviewed with it, each with its changes, and what the
    publishing check finds in the version under review (the pages under it count as
    published, as approving publishes them first)."""
    state = course.current_workflow_state
    latest = course.get_latest_revision()
    draft = latest.as_object() if latest is not None else course
    requester = state.requested_by if state else None
    return CourseReview(
        course=course,
        awaiting=bool(
            state is not None
            and state.status == WorkflowState.STATUS_IN_PROGRESS
            and state.current_task_state is not None
        ),
        submitted_by=(requester.get_full_name() or requester.email) if requester else "",
        submitted_at=state.created_at if state else None,
        pages=[
            _reviewed_page(page, request)
            for page in [course, *course_pages_to_review(course=course)]
        ],
        problems=course_publish_problems(course=draft, for_submission=True),
    )
