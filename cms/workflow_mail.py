"""Wagtail's workflow emails, with a way to keep them quiet for pages that go
through review with another page.

Wagtail mails the reviewers when a page is submitted and the submitter when it
is approved or sent back, one email per page. A course and the lessons and
post-test under it are reviewed as one (`courses.review`): only the course's
own events should mail anyone. Code that moves the pages under it through the
workflow does so inside `notifications_quiet()`, and the notifiers below, which
stand in for Wagtail's own, send nothing while it lasts.

`connect()` runs in `cms.apps.CmsConfig.ready()`, before `wagtail.admin`'s
`ready()` connects Wagtail's notifiers: ours take the same `dispatch_uid`s, so
Wagtail's later `connect` calls are no-ops (Django keeps the first receiver
for a key).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import (
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

_quiet: ContextVar[bool] = ContextVar("workflow_notifications_quiet", default=False)


@contextmanager
def notifications_quiet() -> Iterator[None]:
    """No workflow email is sent for what happens inside this block."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notifications_are_quiet() -> bool:
    return _quiet.get()


def _quietable(notifier):
    def notify(sender=None, instance=None, **kwargs):
        if _quiet.get():
            return True
        return notifier(sender=sender, instance=instance, **kwargs)

    return notify


_receivers: list = []  # signals hold receivers weakly: keep ours alive


def connect() -> None:
    # The dispatch_uids are those of wagtail.admin.signal_handlers.register_signal_handlers.
    for signal, sender, notifier, uid in (
        (
            task_submitted,
            TaskState,
            GroupApprovalTaskStateSubmissionEmailNotifier(),
            "group_approval_task_submitted_email_notification",
        ),
        (
            workflow_submitted,
            WorkflowState,
            WorkflowStateSubmissionEmailNotifier(),
            "workflow_state_submitted_email_notification",
        ),
        (
            workflow_rejected,
            WorkflowState,
            WorkflowStateRejectionEmailNotifier(),
            "workflow_state_rejected_email_notification",
        ),
        (
            workflow_approved,
            WorkflowState,
            WorkflowStateApprovalEmailNotifier(),
            "workflow_state_approved_email_notification",
        ),
    ):
        receiver = _quietable(notifier)
        _receivers.append(receiver)
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(receiver, sender=sender, dispatch_uid=uid)
