"""No dead ends with the minimum active time (issue 15): completion is evaluated
again when a heartbeat meets the minimum, the time still needed is said in
words wherever the steps are shown, and a page never shows every step done
without a completion. The full walk to a certificate, with the post-test,
evaluation and a real worker, is tests/certificates/test_requirement_walk.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services
from courses.models import (
    Accreditor,
    CourseCompletion,
    CourseCredit,
    CoursePage,
    LearnerOverride,
    LessonProgress,
)
from courses.seat_time import REQUIRED_SECONDS_SQL, required_seconds
from courses.services import enrollment_create
from tests.courses.conftest import StandInSteps, client_for
from tests.factories import (
    AccreditorFactory,
    course_build,
    lesson_done,
    lessons_of,
    page_words,
    reading_time_reach,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict():
    return AccreditorFactory(
        short_name="BOARD", seat_time_policy="enforce", minimum_time_percent=80
    )


@pytest.fixture
def timed_course(isolated_registry, strict):
    # 80 % of the 0.5 hours BOARD credits: 24 minutes (1,440 s) of active reading.
    return course_build(lessons=2, estimated_minutes=30, accreditors=[strict])


@pytest.mark.parametrize(
    ("percents", "hours", "ethics", "lowered"),
    [
        ([80], "0.5", None, None),
        ([50, 75], "0.75", None, None),
        ([33], "0.5", "0.25", None),  # the accreditor's hours summed over its categories
        ([100, 1], "1", None, None),
        ([], "0.5", None, None),
        ([80], "0.5", None, 10),
        ([80], "0.5", None, 0),
        ([], "0.5", None, 10),  # an override never adds a requirement
    ],
)
def test_the_heartbeat_and_the_completion_rule_require_the_same_time(
    isolated_registry, clinician, percents, hours, ethics, lowered
):
    """The rule's two forms (Python, and SQL inside the heartbeat) agree: the
    strictest enforcing accreditor's share of the hours it credits, and a lowered
    minimum (a per-learner override in force)."""
    accreditors = [
        AccreditorFactory(short_name=f"A{i}", seat_time_policy="enforce", minimum_time_percent=p)
        for i, p in enumerate(percents)
    ] + [AccreditorFactory(short_name="FLAGS", minimum_time_percent=100)]
    course = course_build(
        lessons=1,
        words_per_lesson=10_000,
        hours=hours,
        estimated_minutes=int(Decimal(hours) * 60),
        accreditors=accreditors,
    )
    credited = Decimal(hours)
    if ethics:  # a second category under the first accreditor, as published
        CourseCredit.objects.create(
            page=course, accreditor=accreditors[0], category="ethics", hours=Decimal(ethics)
        )
        credited += Decimal(ethics)
    shares = [(p, credited if i == 0 else Decimal(hours)) for i, p in enumerate(percents)]
    if lowered is not None:
        LearnerOverride.objects.create(
            user=clinician,
            course=course,
            minimum_active_minutes=lowered,
            reason="Test.",
            expires_on=timezone.localdate(),
        )
        # One ended earlier counts for nothing.
        LearnerOverride.objects.create(
            user=clinician,
            course=course,
            minimum_active_minutes=0,
            reason="Old.",
            expires_on=timezone.localdate() + timedelta(days=9),
            ended_at=timezone.now(),
        )
    tables = {
        "credit": "courses_coursecredit",
        "accreditor": Accreditor._meta.db_table,
        "course": CoursePage._meta.db_table,
        "override": LearnerOverride._meta.db_table,
    }
    sql = "WITH target AS ({}), required AS ({}) {}".format(
        "SELECT %(course)s AS course_id, %(user)s AS user_id",
        REQUIRED_SECONDS_SQL.format(**tables),
        "SELECT COALESCE((SELECT seconds FROM required), 0)",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"course": course.pk, "user": clinician.pk, "today": timezone.localdate()}
        )
        in_sql = cursor.fetchone()[0]
    assert in_sql == required_seconds(enforcing=shares, lowered_minutes=lowered)


@pytest.fixture
def lessons_read(isolated_registry, timed_course, clinician):
    """Every lesson of the timed course marked complete, with a stand-in attestation
    step not done yet; returns (attestation, enrollment, client)."""
    attestation = StandInSteps("attestation", order=30, label="Attestation")
    isolated_registry.register_step_provider(attestation)
    enrollment = enrollment_create(user=clinician, course=timed_course)
    for lesson in lessons_of(timed_course):
        lesson_done(user=clinician, lesson=lesson)
    return attestation, enrollment, client_for(clinician)


@pytest.mark.parametrize("with_the_orm", [False, True], ids=["one statement", "with the ORM"])
def test_a_clinician_who_did_everything_else_completes_when_a_beat_meets_the_minimum(
    lessons_read, timed_course, clinician, with_the_orm, monkeypatch
):
    if with_the_orm:  # the beat's way on SQLite (courses.services._beat_with_the_orm)
        monkeypatch.setattr(services, "_beat_in_one_statement", services._beat_with_the_orm)
    attestation, enrollment, client = lessons_read
    attestation.done.add(enrollment.pk)  # attested before the time was met
    lesson = lessons_of(timed_course)[1]

    reading_time_reach(client=client, user=clinician, lesson=lesson, total_seconds=1439)
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()

    response = reading_time_reach(client=client, user=clinician, lesson=lesson, total_seconds=1440)
    assert response.json() == {"credited": 30}
    completion = CourseCompletion.objects.get(enrollment=enrollment)
    assert completion.active_seconds == 1440


def test_a_beat_that_meets_the_minimum_before_other_steps_completes_nothing_yet(
    lessons_read, timed_course, clinician
):
    _, enrollment, client = lessons_read
    reading_time_reach(
        client=client, user=clinician, lesson=lessons_of(timed_course)[0], total_seconds=1500
    )
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()


def test_the_last_lesson_marked_complete_after_the_time_was_met_completes_the_course(
    timed_course, clinician
):
    enrollment = enrollment_create(user=clinician, course=timed_course)
    first, last = lessons_of(timed_course)
    lesson_done(user=clinician, lesson=first)
    reading_time_reach(
        client=client_for(clinician), user=clinician, lesson=first, total_seconds=1500
    )
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    lesson_done(user=clinician, lesson=last)
    assert CourseCompletion.objects.filter(enrollment=enrollment).exists()


def test_a_beat_of_a_course_that_requires_time_stays_one_statement(timed_course, clinician):
    enrollment_create(user=clinician, course=timed_course)
    client = client_for(clinician)
    lesson = lessons_of(timed_course)[0]
    reading_time_reach(client=client, user=clinician, lesson=lesson, total_seconds=600)
    from tests.courses.test_heartbeats import _beat, _seconds_ago

    _seconds_ago(lesson, 30)
    with CaptureQueriesContext(connection) as queries:
        assert _beat(client, lesson, 30).json() == {"credited": 30}
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 3, statements


def test_the_dashboard_and_course_page_say_how_much_reading_time_is_left(timed_course, clinician):
    enrollment = enrollment_create(user=clinician, course=timed_course)
    for lesson in lessons_of(timed_course):
        lesson_done(user=clinician, lesson=lesson)
    LessonProgress.objects.filter(enrollment=enrollment).update(active_seconds=360)  # 12 min
    client = client_for(clinician)

    for url in ("/dashboard/", timed_course.url):
        text = page_words(client.get(url))
        assert (
            "To do: Active reading time — 12 more minutes of active reading in this course" in text
        )
        assert "BOARD credit needs at least 24 minutes; 12 recorded so far" in text
    dashboard = page_words(client.get("/dashboard/"))
    assert "Next step: Read on: Lesson 1" in dashboard


def test_the_course_page_tells_a_visitor_the_time_requirement_before_enrolling(timed_course):
    from django.test import Client

    text = page_words(Client().get(timed_course.url))
    assert (
        "Active reading time At least 24 minutes before the certificate (BOARD asks for it)" in text
    )


def test_a_course_without_a_time_requirement_shows_no_time_step(isolated_registry, clinician):
    course = course_build(lessons=2, accreditors=[AccreditorFactory()])
    enrollment_create(user=clinician, course=course)
    html = client_for(clinician).get("/dashboard/").content.decode()
    assert 'data-step="time"' not in html
    assert "Active reading time" not in page_words(client_for(clinician).get(course.url))


def test_a_dashboard_never_shows_every_step_done_without_a_completion(
    timed_course, strict, clinician
):
    """The accreditor stops asking for time after the clinician did everything
    else: nothing the clinician does changes, so the page settles it."""
    enrollment = enrollment_create(user=clinician, course=timed_course)
    for lesson in lessons_of(timed_course):
        lesson_done(user=clinician, lesson=lesson)
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    Accreditor.objects.filter(pk=strict.pk).update(seat_time_policy="flag")

    html = client_for(clinician).get("/dashboard/").content.decode()
    assert CourseCompletion.objects.filter(enrollment=enrollment).exists()
    assert "You completed this course on" in html
