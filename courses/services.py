"""Writes: enrollment, progress, heartbeats, the private journal and the one
completion rule."""

import logging
from datetime import timedelta
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.models import Page

from cms.prepared import PreparedStatement
from cms.refusals import Refusal

from .completion import completion_due, completion_override
from .models import (
    Accreditor,
    CourseCompletion,
    CourseCredit,
    CoursePage,
    Enrollment,
    JournalEntry,
    LearnerOverride,
    LessonPage,
    LessonProgress,
)
from .seat_time import REQUIRED_SECONDS_SQL
from .selectors import (
    EnrollmentSummary,
    enrollment_active_seconds,
    enrollment_summaries,
    time_requirements,
)
from .signals import course_completed

logger = logging.getLogger(__name__)

# A heartbeat credits at most this much time: the client beats every 30 s while
# the tab is visible and the clinician has been active in the last 5 minutes.
HEARTBEAT_INTERVAL = timedelta(seconds=30)
HEARTBEAT_MAX_CREDIT = timedelta(seconds=60)
JOURNAL_MAX_CHARS = 20_000


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enroll in one click (the price is informational for now); re-enrolling
    reactivates the old enrollment with its progress."""
    if not course.live:
        raise Refusal("This course is not open for enrollment.")
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
        raise Refusal("You already left this course.")
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
        raise Refusal("Enroll in the course first.")
    return enrollment


def lesson_visit(*, enrollment: Enrollment, lesson: LessonPage, beat_at=None) -> None:
    """Remember where the clinician is (for "Resume") and open the lesson's
    progress row; ``beat_at``: the first heartbeat's time, the baseline of the next.
    Called by the lesson's first heartbeat and by "Mark lesson complete" on a
    lesson whose page was served (never by the page's GET)."""
    now = timezone.now()
    progress, created = LessonProgress.objects.get_or_create(
        enrollment=enrollment, lesson=lesson, defaults={"last_heartbeat_at": beat_at}
    )
    if not created and beat_at is not None:
        LessonProgress.objects.filter(pk=progress.pk, last_heartbeat_at__isnull=True).update(
            last_heartbeat_at=beat_at
        )
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)


def lesson_mark_complete(*, user, lesson: LessonPage, page_served: bool = False) -> LessonProgress:
    """Mark a lesson the clinician has opened as complete; one never opened cannot
    be completed. Opened: its first heartbeat opened the progress row, or
    ``page_served`` (the form carried the proof the page was served to this
    clinician: courses.views, for a browser without script)."""
    enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
    if page_served:
        lesson_visit(enrollment=enrollment, lesson=lesson)
    with transaction.atomic():
        progress = (
            LessonProgress.objects.select_for_update()
            .filter(enrollment=enrollment, lesson=lesson)
            .first()
        )
        if progress is None:
            raise Refusal(f"Open “{lesson.title}” and read it before marking it complete.")
        if progress.completed_at is None:
            progress.completed_at = timezone.now()
            progress.save(update_fields=["completed_at"])
        completion_evaluate(enrollment_id=enrollment.pk)
    return progress


# The enrollment's "Resume" lesson and last activity are written by a beat only
# when the lesson changed or the last write is older than this.
ACTIVITY_RESOLUTION = timedelta(minutes=5)

# One statement (no transaction round trips): find the reader's progress row for
# the lesson, lock every progress row of that enrollment in id order (two lessons
# open in two tabs share one clock), decide the credit as heartbeat_record says,
# add it, and move the enrollment's Resume lesson on if it changed. It also
# returns the enrollment's active time before this beat and the active time its
# course requires (courses.seat_time), so the caller knows, without another
# query, whether this beat met the minimum.
_BEAT_SQL = """
WITH target AS (
    SELECT p.enrollment_id, e.course_id, e.user_id
    FROM {progress} p
    JOIN {enrollment} e ON e.id = p.enrollment_id
    JOIN {page} lesson_page ON lesson_page.id = p.lesson_id
    JOIN {page} course_page ON course_page.id = e.course_id
    WHERE p.lesson_id = %(lesson)s AND e.user_id = %(user)s AND e.status = %(active)s
      AND lesson_page.live AND course_page.live
),
beats AS (
    SELECT id, lesson_id, last_heartbeat_at, active_seconds FROM {progress}
    WHERE enrollment_id = (SELECT enrollment_id FROM target)
    ORDER BY id
    FOR UPDATE
),
latest AS (SELECT max(last_heartbeat_at) AS at FROM beats),
credit AS (
    SELECT b.id, CASE
        WHEN b.last_heartbeat_at IS NULL THEN 0
        WHEN %(now)s < b.last_heartbeat_at OR %(now)s < (SELECT at FROM latest) THEN 0
        WHEN %(now)s - b.last_heartbeat_at > %(max_credit)s THEN 0
        ELSE GREATEST(0, LEAST(
            %(claimed)s,
            floor(extract(epoch FROM %(now)s - b.last_heartbeat_at))::integer,
            floor(extract(epoch FROM %(now)s - (SELECT at FROM latest)))::integer
        ))
    END AS seconds
    FROM beats b WHERE b.lesson_id = %(lesson)s
),
required AS ({required}),
touched AS (
    UPDATE {enrollment} SET last_lesson_id = %(lesson)s, last_activity_at = %(now)s
    WHERE id = (SELECT enrollment_id FROM target)
      AND (last_lesson_id IS DISTINCT FROM %(lesson)s OR last_activity_at IS NULL
           OR last_activity_at < %(now)s - %(resolution)s)
    RETURNING id
)
UPDATE {progress} p
SET active_seconds = p.active_seconds + credit.seconds, last_heartbeat_at = %(now)s
FROM credit WHERE p.id = credit.id
RETURNING credit.seconds, (SELECT enrollment_id FROM target),
    (SELECT COALESCE(sum(active_seconds), 0) FROM beats),
    COALESCE((SELECT seconds FROM required), 0)
"""


def heartbeat_record(*, user, lesson_id: int, claimed_seconds: int) -> int:
    """Credit active reading time; returns the seconds credited.

    The client beats only while the tab is visible and the reader touched the page
    in the last five minutes, and claims the seconds since its previous beat; it
    sends a first beat (0 s) when the lesson opens. The server decides what
    counts: never more than the wall-clock time since the previous beat it
    recorded for this lesson, nor since the latest beat of any lesson of the
    course (two lessons open in two tabs share one clock), nothing when the gap
    exceeds HEARTBEAT_MAX_CREDIT (the reader was away), and nothing for a
    lesson's first beat. The enrollment's progress rows are locked while
    deciding, so concurrent beats never credit the same seconds twice.

    The beats also keep the visit bookkeeping that the lesson page's GET no
    longer writes: the first beat of a lesson opens its progress row, and a beat
    of another lesson than the last one moves "Resume" to it (lesson_visit).
    Once the row exists a beat is one SQL statement on PostgreSQL (the ORM's
    equivalent elsewhere: SQLite, `make run`'s embedded default). The beat that
    brings the enrollment's active time up to the minimum its course requires
    (if any) evaluates completion: a clinician who did everything else first
    completes then."""
    beat = _beat_in_one_statement if connection.vendor == "postgresql" else _beat_with_the_orm
    row = beat(user=user, lesson_id=lesson_id, claimed=int(claimed_seconds), now=timezone.now())
    if row is not None:
        credited, enrollment_id, before, required = row
        if before < required <= before + credited:
            # This beat met the minimum active time: the one requirement that
            # changes without the clinician doing anything else.
            completion_evaluate(enrollment_id=enrollment_id)
        return credited
    # The lesson's first beat (or one not allowed): the slow path says why.
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        raise Refusal("There is no such lesson.")
    enrollment = _active_enrollment_for_lesson(user=user, lesson=lesson)
    lesson_visit(enrollment=enrollment, lesson=lesson, beat_at=timezone.now())
    return 0


# A beat commits asynchronously (PostgreSQL's synchronous_commit off, for this
# statement's own transaction only): it does not wait for the WAL flush, the
# largest share of a beat's time on a busy server. A database crash may forget
# the beats of its last fraction of a second; each forgotten beat is as if it
# never arrived, so at most its 30 s claim is not credited, and nothing is ever
# credited twice or left half-written. Completion (completion_evaluate) and a
# lesson's first beat commit as every other write does.
_ASYNCHRONOUS_COMMIT = "SET LOCAL synchronous_commit TO off; "


def _beat_in_one_statement(*, user, lesson_id: int, claimed: int, now):
    """(credited, enrollment id, active seconds before, seconds required), or None
    when the reader has no open progress row for a live lesson of an active
    enrollment. The statement and its SET share one implicit transaction (one
    simple query, no BEGIN/COMMIT round trips); heartbeat_record is never called
    inside a transaction of its caller's."""
    values = {
        "lesson": lesson_id,
        "user": user.pk,
        "active": Enrollment.Status.ACTIVE,
        "now": now,
        "claimed": claimed,
        "max_credit": HEARTBEAT_MAX_CREDIT,
        "resolution": ACTIVITY_RESOLUTION,
        "today": timezone.localdate(),
    }
    with connection.cursor() as cursor:
        _beat_statement().execute(cursor, values, before=_ASYNCHRONOUS_COMMIT)
        cursor.nextset()  # past the SET's empty result, to the beat's row
        row = cursor.fetchone()
    return None if row is None else tuple(int(value) for value in row)


@lru_cache(maxsize=1)
def _beat_statement() -> PreparedStatement:
    """The beat's statement, prepared once per database session and then
    executed by name (cms.prepared): PostgreSQL plans it once instead of on every
    beat (planning took 0.43 ms of the statement's 0.61 ms in the database:
    EXPLAIN ANALYZE, 2026-12-07)."""
    tables = {
        "progress": LessonProgress._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "page": Page._meta.db_table,
        "credit": CourseCredit._meta.db_table,
        "accreditor": Accreditor._meta.db_table,
        "course": CoursePage._meta.db_table,
        "override": LearnerOverride._meta.db_table,
    }
    return PreparedStatement(
        _BEAT_SQL.format(required=REQUIRED_SECONDS_SQL.format(**tables), **tables),
        name="practicum_heartbeat",
        types={
            "lesson": "integer",
            "user": "bigint",
            "active": "text",
            "now": "timestamptz",
            "claimed": "integer",
            "max_credit": "interval",
            "resolution": "interval",
            "today": "date",
        },
    )


def _beat_with_the_orm(*, user, lesson_id: int, claimed: int, now):
    """What _BEAT_SQL does, with the ORM (a few statements in one transaction):
    the same answer, for a database without PostgreSQL's SQL. Rows are locked in
    id order where the database can (SQLite has one writer at a time anyway)."""
    target = (
        LessonProgress.objects.filter(
            lesson_id=lesson_id,
            lesson__live=True,
            enrollment__user=user,
            enrollment__status=Enrollment.Status.ACTIVE,
            enrollment__course__live=True,
        )
        .values_list("enrollment_id", flat=True)
        .first()
    )
    if target is None:
        return None
    with transaction.atomic():
        beats = list(
            LessonProgress.objects.select_for_update()
            .filter(enrollment_id=target)
            .order_by("pk")
            .values_list("pk", "lesson_id", "last_heartbeat_at", "active_seconds")
        )
        own = next(beat for beat in beats if beat[1] == lesson_id)
        latest = max((beat[2] for beat in beats if beat[2] is not None), default=None)
        credited = _beat_credit(previous=own[2], latest=latest, claimed=claimed, now=now)
        LessonProgress.objects.filter(pk=own[0]).update(
            active_seconds=F("active_seconds") + credited, last_heartbeat_at=now
        )
        Enrollment.objects.filter(pk=target).filter(
            ~Q(last_lesson_id=lesson_id)  # NULL included
            | Q(last_activity_at__isnull=True)
            | Q(last_activity_at__lt=now - ACTIVITY_RESOLUTION)
        ).update(last_lesson_id=lesson_id, last_activity_at=now)
    enrollment = Enrollment.objects.select_related("course").get(pk=target)
    requirement = time_requirements(enrollments=[enrollment]).get(target)
    required = requirement.required_seconds if requirement is not None else 0
    return credited, target, sum(beat[3] for beat in beats), required


def _beat_credit(*, previous, latest, claimed: int, now) -> int:
    """The seconds a beat earns (heartbeat_record's rule): none for a lesson's
    first beat, for a clock behind a recorded beat, or across a gap longer than
    HEARTBEAT_MAX_CREDIT; else the claim, capped by the wall-clock time since
    this lesson's previous beat and since the latest beat of any lesson."""
    if previous is None or now < previous or now < latest:
        return 0
    if now - previous > HEARTBEAT_MAX_CREDIT:
        return 0
    since_own = int((now - previous).total_seconds())
    since_any = int((now - latest).total_seconds())
    return max(0, min(claimed, since_own, since_any))


def journal_save(*, user, lesson: LessonPage, prompt_id: str, text: str) -> JournalEntry:
    """Save the clinician's private reflection for one prompt of a lesson."""
    if len(text) > JOURNAL_MAX_CHARS:
        raise Refusal(f"A reflection can hold up to {JOURNAL_MAX_CHARS:,} characters.")
    if "\x00" in text:  # PostgreSQL cannot store it; no keyboard types it
        raise Refusal("The reflection contains a null character; please remove it.")
    prompt_ids = {block.id for block in lesson.body if block.block_type == "reflection_prompt"}
    if prompt_id not in prompt_ids:
        raise Refusal("That reflection prompt is not part of this lesson.")
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

    Called after every change that may meet a requirement: a lesson marked
    complete, a passed attempt, the evaluation and the attestation, a heartbeat
    that crosses the minimum active time (heartbeat_record), and a page that
    finds every step done without a completion (completions_settle).
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment_id)
        )
        existing = CourseCompletion.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        if not enrollment.is_active:  # it cannot complete: no need to read its steps
            return None
        # The steps include the minimum active time where an accreditor asks for it.
        if not completion_due(enrollment_summaries(enrollments=[enrollment])[0]):
            return None
        course = enrollment.course
        active_seconds = enrollment_active_seconds(enrollment=enrollment)
        time = time_requirements(enrollments=[enrollment]).get(enrollment.pk)
        try:
            with transaction.atomic():
                completion = CourseCompletion.objects.create(
                    enrollment=enrollment,
                    completed_at=timezone.now(),
                    course_revision_id=course.live_revision_id,
                    snapshot=course_snapshot(course=course),
                    active_seconds=active_seconds,
                    participant=participant_facts(user=enrollment.user),
                    override=completion_override(time),
                )
        except IntegrityError:
            return CourseCompletion.objects.get(enrollment=enrollment)
        logger.info("Course %s completed by enrollment %s", course.pk, enrollment.pk)
        course_completed.send(sender=CourseCompletion, completion=completion)
        return completion


def completions_settle(*, summaries: list[EnrollmentSummary]) -> bool:
    """Complete the enrollments a page is about to show with every required step
    done but no completion: a requirement that changed without an event of the
    clinician's (an accreditor no longer asking for time, credit hours lowered).
    Returns whether any completed, so the page reads its summaries again. Costs
    nothing when none is in that state."""
    settled = False
    for summary in summaries:
        if completion_due(summary):
            settled |= completion_evaluate(enrollment_id=summary.enrollment.pk) is not None
    return settled


def participant_facts(*, user) -> dict:
    """What a roster must show of the participant years later, as it is now: the
    name as certified, email and licenses, and the professions those licenses are
    in by code (a keyed object, so a roster can filter on them in SQL on every
    database: reports.selectors.roster_queryset). Higher apps add the claimed
    accreditors in the same transaction (reports.receivers)."""
    licenses = list(user.licenses.order_by("profession", "region", "license_number"))
    return {
        "name": user.full_name or user.email,
        "email": user.email,
        "licenses": [
            {
                "profession": lic.get_profession_display(),
                "number": lic.license_number,
                "region": lic.region,
            }
            for lic in licenses
        ],
        "professions": {lic.profession: lic.get_profession_display() for lic in licenses},
        "accreditors": [],
    }


def course_snapshot(*, course: CoursePage) -> dict:
    """The facts of a course that a completion keeps, whatever later edits do."""
    credits = course.credits.select_related("accreditor").order_by(
        "accreditor__short_name", "category"
    )
    return {
        "course_id": course.pk,
        "title": course.title,
        # Where the course page was: an Open Badge's criteria point at it.
        "url": course.url or "",
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
