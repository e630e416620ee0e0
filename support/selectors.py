"""Reading learner support requests (docs/support.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from courses.models import CoursePage, LearnerOverride
from courses.selectors import override_list

from .models import CLOSED_STATUSES, SupportAttachment, SupportRequest


def user_may_manage_requests(*, user) -> bool:
    """Administrators (the group holds support.manage_supportrequest) and superusers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("support.manage_supportrequest"))
    )


def requests_of(*, user) -> QuerySet[SupportRequest]:
    return (
        SupportRequest.objects.filter(user=user)
        .select_related("course")
        .prefetch_related("attachments")
    )


def request_for_owner(*, user, request_id: int) -> SupportRequest | None:
    return requests_of(user=user).filter(pk=request_id).first()


def attachment_for(*, user, attachment_id: int) -> SupportAttachment | None:
    """The attachment if `user` sent it or manages requests; None otherwise."""
    attachments = SupportAttachment.objects.select_related("request")
    if not user_may_manage_requests(user=user):
        attachments = attachments.filter(request__user=user)
    return attachments.filter(pk=attachment_id).first()


def overdue_before():
    return timezone.now() - timedelta(days=settings.SUPPORT_OVERDUE_DAYS)


def request_is_overdue(*, request: SupportRequest) -> bool:
    return request.is_open and request.created_at < overdue_before()


def inbox(*, status: str = "", overdue: bool = False) -> QuerySet[SupportRequest]:
    requests = SupportRequest.objects.select_related("user", "course", "assignee")
    if status:
        requests = requests.filter(status=status)
    if overdue:
        requests = requests.exclude(status__in=CLOSED_STATUSES).filter(
            created_at__lt=overdue_before()
        )
    return requests


def inbox_counts() -> dict[str, int]:
    open_requests = SupportRequest.objects.exclude(status__in=CLOSED_STATUSES)
    return {
        "open": open_requests.count(),
        "overdue": open_requests.filter(created_at__lt=overdue_before()).count(),
    }


def course_choices() -> list[tuple[int, str]]:
    return list(CoursePage.objects.live().public().order_by("title").values_list("pk", "title"))


def request_overrides(*, request: SupportRequest) -> list[LearnerOverride]:
    """Overrides granted from this request, and the clinician's others for its course."""
    overrides = override_list(user_id=request.user_id)
    if request.course_id:
        overrides = overrides.filter(course_id=request.course_id) | overrides.filter(
            support_request_id=request.pk
        )
    else:
        overrides = overrides.filter(support_request_id=request.pk)
    return list(overrides)
