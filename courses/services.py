"""Writes: enrollment, progress, heartbeats, the private journal and the one
completion rule."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import (
    CourseCompletion,
    CoursePage,
    Enrollment,
    JournalEntry,
    LessonPage,
    LessonProgress,
)
from .signals import course_completed

logger = logging.getLogger(__name__)

# A heartbeat credits at most this much time: the client beats every 30 s while
# the tab is visible and the clinician has been active in the last 5 minutes.
HEARTBEAT_INTERVAL = timedelta(seconds=30)
HEARTBEAT_MAX_CREDIT = timedelta(seconds=60)


class LearningError(Exception):
    """A refused action, with a message for the clinician."""


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    if not course.live:
        raise LearningError("This course is not open for enrollment.")
    with transaction.atomic():
        enrollment, created = Enrollment.objects.select_for_update().get_or_create(
            user=user, course=course
        )
        if not created and enrollment.status != Enrollment.Status.ACTIVE:
            enrollment.status = Enrollment.Status.ACTIVE
            enrollment.unenrolled_at = None
            enrollment.save(update_fields=["status", "unenrolled_at"])
    return enrollment


def enrollment_unenroll(*, enrollment: Enrollment) -> Enrollment:
    """Leave a course. Progress, attempts and completions are kept."""
    enrollment.status = Enrollment.Status.UNENROLLED
    enrollment.unenrolled_at = timezone.now()
    enrollment.save(update_fields=["status", "unenrolled_at"])
    return enrollment


def _active_enrollment_for_lesson(*, user, lesson: LessonPage) -> Enrollment:
    course = lesson.get_parent()
    enrollment = Enrollment.objects.filter(
        user=user, course_id=course.pk, status=Enrollment.Status.ACTIVE
    ).first()
    if enrollment is None:
        raise LearningError("Enroll in the course first.")
    return enrollment


def lesson_visit(*, enrollment: Enrollment, lesson: LessonPage) -> LessonProgress:
    now = timezone.now()
    progress, _ = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
    return progress


def lesson_mark_complete(*, user, lesson: LessonPage) -> LessonProgress:
    enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
    with transaction.atomic():
        progress, _ = LessonProgress.objects.select_for_update().get_or_create(
            enrollment=enrollment, lesson=lesson
        )
        if progress.completed_at is None:
            progress.completed_at = timezone.now()
            progress.save(update_fields=["completed_at"])
        completion_evaluate(enrollment_id=enrollment.pk)
    return progress


def heartbeat_record(*, user, lesson: LessonPage, claimed_seconds: int) -> int:
    """Credit active reading time. The server, not the client, decides: never
    more than the wall-clock time since the previous heartbeat, never more than
    HEARTBEAT_MAX_CREDIT at once, and nothing for the first beat of a session.
    Returns the seconds credited."""
    enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
    now = timezone.now()
    progress, _ = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    credit = 0
    if progress.last_heartbeat_at is not None:
        elapsed = now - progress.last_heartbeat_at
        if elapsed <= HEARTBEAT_MAX_CREDIT:
            credit = max(0, min(int(claimed_seconds), int(elapsed.total_seconds())))
    # One conditional UPDATE: a concurrent beat with the same baseline credits nothing.
    updated = LessonProgress.objects.filter(
        pk=progress.pk, last_heartbeat_at=progress.last_heartbeat_at
    ).update(active_seconds=F("active_seconds") + credit, last_heartbeat_at=now)
    return credit if updated else 0


def journal_save(*, user, lesson: LessonPage, prompt_id: str, text: str) -> JournalEntry:
    prompt_ids = {block.id for block in lesson.body if block.block_type == "reflection_prompt"}
    if prompt_id not in prompt_ids:
        raise LearningError("That reflection prompt is not part of this lesson.")
    _active_enrollment_for_lesson(user=user, lesson=lesson)
    entry, _ = JournalEntry.objects.update_or_create(
        user=user, lesson=lesson, prompt_id=prompt_id, defaults={"text": text}
    )
    return entry


def completion_evaluate(*, enrollment_id: int) -> CourseCompletion | None:
    """The one completion rule. Call it after any requirement may have been met.

    Completes the enrollment when every lesson is done and every required step
    registered by higher apps (post-test, evaluation and attestation, …) is done,
    plus the minimum active time where an accreditor of the course asks for it.
    Sends `course_completed` inside the same transaction.
    """
    from .selectors import enrollment_summaries

    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment_id)
        )
        existing = CourseCompletion.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        summary = enrollment_summaries(enrollments=[enrollment])[0]
        if summary.lessons_total == 0 or not all(s.done for s in summary.steps if s.required):
            return None
        course = enrollment.course
        active_seconds = sum(
            LessonProgress.objects.filter(enrollment=enrollment).values_list(
                "active_seconds", flat=True
            )
        )
        if not _minimum_time_met(course=course, active_seconds=active_seconds):
            return None
        try:
            with transaction.atomic():
                completion = CourseCompletion.objects.create(
                    enrollment=enrollment,
                    completed_at=timezone.now(),
                    course_revision_id=course.live_revision_id,
                    snapshot=course_snapshot(course=course),
                    active_seconds=active_seconds,
                )
        except IntegrityError:
            return CourseCompletion.objects.get(enrollment=enrollment)
        logger.info("Course %s completed by enrollment %s", course.pk, enrollment.pk)
        course_completed.send(sender=CourseCompletion, completion=completion)
        return completion


def _minimum_time_met(*, course: CoursePage, active_seconds: int) -> bool:
    strict = [
        c.accreditor
        for c in course.credits.select_related("accreditor")
        if c.accreditor.requires_minimum_time
    ]
    if not strict:
        return True
    needed = max(a.minimum_time_percent for a in strict) / 100 * course.estimated_minutes * 60
    return active_seconds >= needed


def course_snapshot(*, course: CoursePage) -> dict:
    """The facts of a course that a completion keeps, whatever later edits do."""
    credits = course.credits.select_related("accreditor").order_by(
        "accreditor__short_name", "category"
    )
    return {
        "course_id": course.pk,
        "title": course.title,
        "revision_id": course.live_revision_id,
        "delivery_format": course.get_delivery_format_display(),
        "level": course.get_level_display(),
        "estimated_minutes": course.estimated_minutes,
        "credits": [
            {
                "accreditor_id": c.accreditor_id,
                "accreditor": c.accreditor.short_name,
                "category": c.category,
                "category_label": c.get_category_display(),
                "hours": str(c.hours),
            }
            for c in credits
        ],
        "instructors": [
            {"name": ci.instructor.name, "credentials": ci.instructor.credentials}
            for ci in course.course_instructors.select_related("instructor")
        ],
        "objectives": [o.text for o in course.objectives.all()],
    }
