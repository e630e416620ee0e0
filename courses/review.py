"""One review round for a course and the pages under it (docs/courses.md).

An instructor sends the course to the "CE course approval" workflow; its lessons
and post-test that are not live (or have changes not live) go with it. An
Administrator then decides once, for all of them:

- submitting (or resubmitting) the course starts the workflow on each such page,
  or resumes it where changes had been requested (`course_review_submit_pages`,
  from the `task_submitted` signal);
- approving the course approves those pages first, which publishes them, then
  publishes the course (`workflow_finish`, Wagtail's `WAGTAIL_FINISH_WORKFLOW_ACTION`
  through `courses.workflow_actions`): the publishing check still runs on the
  course, and a refusal rolls every approval back;
- requesting changes on the course sends its pages back too (`workflow_rejected`),
  so the instructor may edit them again.

Only the course's own events send email (one to the reviewers, one back to the
instructor): the pages' are kept quiet (`cms.workflow_mail.notifications_quiet`).
"""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, TaskState, WorkflowState

from cms.refusals import Refusal
from cms.workflow_mail import notifications_quiet

from .models import CoursePage


def _course(page) -> CoursePage | None:
    specific = getattr(page, "specific", page)
    return specific if isinstance(specific, CoursePage) else None


def course_pages_to_review(*, course: CoursePage) -> list[Page]:
    """The pages under the course (lessons, the post-test) that are not live, have
    changes that are not live, or are in the workflow, in tree order."""
    children = list(Page.objects.child_of(course).order_by("path").specific())
    in_workflow = set(
        WorkflowState.objects.active()
        .filter(
            base_content_type_id=course.get_base_content_type().pk,
            object_id__in=[str(child.pk) for child in children],
        )
        .values_list("object_id", flat=True)
    )
    return [
        child
        for child in children
        if not child.live or child.has_unpublished_changes or str(child.pk) in in_workflow
    ]


@transaction.atomic
def course_review_submit_pages(*, course: CoursePage, user) -> list[Page]:
    """Send the course's pages still to be reviewed into the course's workflow: start
    it on a page outside any workflow, resume it where changes were requested. Pages
    already awaiting approval stay as they are. Returns the pages now under review."""
    submitted = []
    with notifications_quiet():
        for page in course_pages_to_review(course=course):
            state = page.current_workflow_state
            if state is None:
                workflow = page.get_workflow()
                if workflow is None:
                    continue
                if page.get_latest_revision() is None:
                    page.save_revision(user=user)
                workflow.start(page, user)
            elif state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(user=user)
            submitted.append(page)
    return submitted


def _open_task_states(*, course: CoursePage) -> list[TaskState]:
    states = []
    for page in course_pages_to_review(course=course):
        state = page.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            task_state = state.current_task_state
            if task_state is not None and task_state.status == TaskState.STATUS_IN_PROGRESS:
                states.append(task_state.specific)
    return states


@transaction.atomic
def course_review_approve_pages(*, course: CoursePage, user, comment: str = "") -> int:
    """Approve every page under the course awaiting approval (each is published when
    its workflow finishes). Returns how many were approved."""
    states = _open_task_states(course=course)
    with notifications_quiet():
        for task_state in states:
            task_state.task.specific.on_action(task_state, user, "approve", comment=comment)
    return len(states)


@transaction.atomic
def course_review_reject_pages(*, course: CoursePage, user, comment: str = "") -> int:
    """Send every page under the course awaiting approval back for changes."""
    states = _open_task_states(course=course)
    with notifications_quiet():
        for task_state in states:
            task_state.task.specific.on_action(task_state, user, "reject", comment=comment)
    return len(states)


# --- Wagtail's workflow: the signals and the finish action ---------------------------------


def on_task_submitted(sender, instance, user=None, **kwargs) -> None:
    """A course's task started (submitted, resubmitted): its pages come with it."""
    course = _course(instance.workflow_state.content_object)
    if course is not None:
        course_review_submit_pages(course=course, user=user)


def on_workflow_rejected(sender, instance, user=None, **kwargs) -> None:
    """Changes requested on a course: its pages go back to the instructor too."""
    course = _course(instance.content_object)
    if course is not None:
        comment = instance.current_task_state.comment if instance.current_task_state else ""
        course_review_reject_pages(course=course, user=user, comment=comment)


def workflow_finish(workflow_state: WorkflowState, user=None) -> None:
    """The workflow's last task was approved: publish. A course publishes the pages
    under it first (approving their own workflows), so that its publishing check,
    which needs them live, passes; a refusal rolls back all of it."""
    course = _course(workflow_state.content_object)
    if course is not None:
        comment = (
            workflow_state.current_task_state.comment if workflow_state.current_task_state else ""
        )
        course_review_approve_pages(course=course, user=user, comment=comment)
    workflow_state.content_object.get_latest_revision().publish(user=user)


# --- The decision, from the course review screen (courses.review_views) ---------------------


class ReviewRefused(Refusal):
    """The person may not decide on this course now; the message says why (a
    `Refusal`, cms.refusals, with the kind of refusal it is)."""


@transaction.atomic
def course_review_decide(*, course_id: int, user, approve: bool, comment: str = "") -> CoursePage:
    """Approve the course (publishing it and the pages reviewed with it) or request
    changes on it (sending them back), as one decision. Raises ReviewRefused when the
    course is not awaiting this person's review or changes are asked without a
    comment, and courses.publishing.CoursePublishRefused when publishing is refused (then
    nothing changes)."""
    course = CoursePage.objects.filter(pk=course_id).first()
    state = course.current_workflow_state if course else None
    task_state = state.current_task_state if state else None
    if (
        state is None
        or state.status != WorkflowState.STATUS_IN_PROGRESS
        or task_state is None
        or task_state.status != TaskState.STATUS_IN_PROGRESS
    ):
        raise ReviewRefused("This course is not awaiting review.", kind=Refusal.Kind.CONFLICT)
    task = task_state.task.specific
    action = "approve" if approve else "reject"
    if action not in {name for name, _label, _modal in task.get_actions(course, user)}:
        raise ReviewRefused(
            "Only the course's reviewers may approve it or request changes.",
            kind=Refusal.Kind.NOT_ALLOWED,
        )
    comment = comment.strip()
    if not approve and not comment:
        raise ReviewRefused("Say what should change: the instructor reads it in the email.")
    task.on_action(task_state.specific, user, action, comment=comment)
    return CoursePage.objects.get(pk=course.pk)
