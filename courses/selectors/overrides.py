"""Reads of per-learner overrides (courses.models.overrides)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Enrollment, LearnerOverride
from ..registry import BatchStatement, batch_read
from .batch import batch_enrollment_column, batch_today, instances


def user_may_grant_overrides(*, user) -> bool:
    """Administrators (the group holds courses.add_learneroverride) and superusers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("courses.add_learneroverride"))
    )


def _in_force():
    return LearnerOverride.objects.filter(
        ended_at__isnull=True, expires_on__gte=timezone.localdate()
    )


def override_in_force(*, user_id: int, course_id: int) -> LearnerOverride | None:
    return _in_force().filter(user_id=user_id, course_id=course_id).first()


def overrides_in_force(*, enrollments: list[Enrollment]) -> dict[int, LearnerOverride]:
    """The override in force for each enrollment that has one: one query (once
    per page for all its step providers: courses.registry.batch_read)."""
    if not enrollments:
        return {}
    return batch_read("overrides_in_force", enrollments, lambda: _overrides(enrollments))


def _overrides(enrollments: list[Enrollment]) -> dict[int, LearnerOverride]:
    return _by_enrollment(
        _in_force().filter(
            user_id__in={e.user_id for e in enrollments},
            course_id__in={e.course_id for e in enrollments},
        ),
        enrollments,
    )


def _by_enrollment(overrides, enrollments: list[Enrollment]) -> dict[int, LearnerOverride]:
    found = {(o.user_id, o.course_id): o for o in overrides}
    return {
        e.pk: found[(e.user_id, e.course_id)]
        for e in enrollments
        if (e.user_id, e.course_id) in found
    }


_OVERRIDE_FIELDS = [f.attname for f in LearnerOverride._meta.concrete_fields]

# overrides_in_force as a part of the step providers' one statement (courses.selectors.batch).
OVERRIDES_IN_FORCE = BatchStatement(
    name="overrides_in_force",
    query=lambda: LearnerOverride.objects.filter(
        ended_at__isnull=True,
        expires_on__gte=batch_today(),
        user_id__in=batch_enrollment_column("user_id"),
        course_id__in=batch_enrollment_column("course_id"),
    ).values_list(*_OVERRIDE_FIELDS),
    parse=lambda rows, enrollments: _by_enrollment(
        instances(LearnerOverride, _OVERRIDE_FIELDS, rows), enrollments
    ),
)


def override_list(*, user_id: int | None = None, course_id: int | None = None) -> QuerySet:
    overrides = LearnerOverride.objects.select_related("user", "course", "granted_by", "ended_by")
    if user_id is not None:
        overrides = overrides.filter(user_id=user_id)
    if course_id is not None:
        overrides = overrides.filter(course_id=course_id)
    return overrides
