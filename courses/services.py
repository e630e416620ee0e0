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
JOURNAL_MAX_CHARS = 20_000


class LearningError(Exception):
    """A refused action, with a message for the clinician."""


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enroll in one click (the price is informational for now); re-enrolling
    reactivates the old enrollment with its progress."""
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
    """Leave a course. Progress, journal, attempts and completions are kept."""
    updated = Enrollment.objects.filter(pk=enrollment.pk, status=Enrollment.Status.ACTIVE).update(
        status=Enrollment.Status.UNENROLLED, unenrolled_at=timezone.now()
    )
    if not updated:
        raise LearningError("You already left this course.")
    enrollment.refresh_from_db(fields=["status", "unenrolled_at"])
    return enrollment


def _active_enrollment_for_lesson(*, user, lesson: LessonPage) -> Enrollment:
    enrollment = (
        Enrollment.objects.filter(
            user=user,
            status=Enrollment.Status.ACTIVE,
            course__path=lesson.path[: -CoursePage.steplen],
            course__live=True,
        )
        .only("id", "course_id", "user_id", "status")
        .first()
    )
    if enrollment is None:
        raise LearningError("Enroll in the course first.")
    return enrollment


def lesson_visit(*, enrollment: Enrollment, lesson: LessonPage) -> None:
    """Remember where the clinician is (for "Resume") and open the lesson's progress row."""
    now = timezone.now()
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)


def lesson_mark_complete(*, user, lesson: LessonPage) -> LessonProgress:
    """Mark a lesson the clinician has opened as complete (its page opens the
    progress row: lesson_visit); one never opened cannot be completed."""
    enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
    with transaction.atomic():
        progress = (
            LessonProgress.objects.select_for_update()
            .filter(enrollment=enrollment, lesson=lesson)
            .first()
        )
        if progress is None:
            raise LearningError(f"Open “{lesson.title}” and read it before marking it complete.")
        if progress.completed_at is None:
            progress.completed_at = timezone.now()
            progress.save(update_fields=["completed_at"])
        completion_evaluate(enrollment_id=enrollment.pk)
    return progress


def heartbeat_record(*, user, lesson_id: int, claimed_seconds: int) -> int:
    """Credit active reading time; returns the seconds credited.

    The client beats only while the tab is visible and the reader touched the page
    in the last five minutes, and claims the seconds since its previous beat. The
    server decides what counts: never more than the wall-clock time since the
    previous beat it recorded for this lesson, nor since the latest beat of any
    lesson of the course (two lessons open in two tabs share one clock), nothing
    when the gap exceeds HEARTBEAT_MAX_CREDIT (the reader was away), and nothing
    for a lesson's first beat. The enrollment's progress rows are locked while
    deciding, so concurrent beats never credit the same seconds twice."""
    progress = (
        LessonProgress.objects.filter(
            lesson_id=lesson_id,
            lesson__live=True,
            enrollment__user=user,
            enrollment__status=Enrollment.Status.ACTIVE,
            enrollment__course__live=True,
        )
        .only("id", "enrollment_id")
        .first()
    )
    if progress is None:
        # Not opened through the lesson page yet (or not allowed): the slow path says why.
        lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
        if lesson is None:
            raise LearningError("There is no such lesson.")
        enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
        progress, _ = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    with transaction.atomic():
        beats = dict(
            LessonProgress.objects.select_for_update()
            .filter(enrollment_id=progress.enrollment_id)
            .order_by("pk")  # one locking order for every concurrent beat
            .values_list("id", "last_heartbeat_at")
        )
        now = timezone.now()
        own = beats.get(progress.pk)
        credit = 0
        if own is not None:
            latest = max(beat for beat in beats.values() if beat is not None)
            elapsed = (now - own).total_seconds()
            since_any = (now - latest).total_seconds()
            if 0 <= elapsed <= HEARTBEAT_MAX_CREDIT.total_seconds() and since_any >= 0:
                credit = max(0, min(int(claimed_seconds), int(elapsed), int(since_any)))
        LessonProgress.objects.filter(pk=progress.pk).update(
            active_seconds=F("active_seconds") + credit, last_heartbeat_at=now
        )
    return credit


def journal_save(*, user, lesson: LessonPage, prompt_id: str, text: str) -> JournalEntry:
    """Save the clinician's private reflection for one prompt of a lesson."""
    if len(text) > JOURNAL_MAX_CHARS:
        raise LearningError(f"A reflection can hold up to {JOURNAL_MAX_CHARS:,} characters.")
    if "\x00" in text:  # PostgreSQL cannot store it; no keyboard types it
        raise LearningError("The reflection contains a null character; please remove it.")
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
    from .selectors import enrollment_active_seconds, enrollment_summaries

    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment_id)
        )
        existing = CourseCompletion.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        if enrollment.status != Enrollment.Status.ACTIVE:
            return None
        summary = enrollment_summaries(enrollments=[enrollment])[0]
        if summary.lessons_total == 0 or not all(s.done for s in summary.steps if s.required):
            return None
        course = enrollment.course
        active_seconds = enrollment_active_seconds(enrollment=enrollment)
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
        "delivery_format_code": course.delivery_format,
        "level": course.get_level_display(),
        "estimated_minutes": course.estimated_minutes,
        "credits": [
            {
                "accreditor_id": c.accreditor_id,
                "accreditor": c.accreditor.short_name,
                "accreditor_name": c.accreditor.name,
                "provider_number": c.accreditor.provider_number,
                "category": c.category,
                "category_label": c.get_category_display(),
                "hours": str(c.hours),
                "approval_number": c.approval_number,
            }
            for c in credits
        ],
        "instructors": [
            {"name": ci.instructor.name, "credentials": ci.instructor.credentials}
            for ci in course.course_instructors.select_related("instructor").order_by("sort_order")
        ],
        "objectives": [o.text for o in course.objectives.order_by("sort_order")],
    }
