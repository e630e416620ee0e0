"""Idle-aware reading time: the server credits no more than the wall-clock time
between the beats it receives, and nothing across a gap (the reader was away).

Time passing between beats is simulated by moving the recorded previous beat
back in the database, which is exactly what the server compares against."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services
from courses.models import LessonProgress
from courses.services import enrollment_create
from tests.courses import heartbeat_probe
from tests.courses.conftest import client_for
from tests.factories import lessons_of
from tests.sqlite import sqlite_module_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

# PostgreSQL takes a beat in one statement; other databases (SQLite, `make run`'s
# default) in the ORM's few. Every rule below holds for both.
ONE_STATEMENT, WITH_THE_ORM = "one statement", "with the ORM"


@pytest.fixture(params=[ONE_STATEMENT, WITH_THE_ORM])
def reader(request, course, clinician, monkeypatch):
    if request.param == WITH_THE_ORM:
        monkeypatch.setattr(services, "_beat_in_one_statement", services._beat_with_the_orm)
    enrollment_create(user=clinician, course=course)
    client = client_for(clinician)
    lesson = lessons_of(course)[0]
    assert client.get(lesson.url).status_code == 200
    return client, lesson


def _beat(client, lesson, seconds):
    return client.post(
        "/learn/heartbeat/",
        {"lesson": lesson.pk, "seconds": seconds},
        headers={"accept": "application/json"},
    )


def _seconds_ago(lesson, seconds):
    LessonProgress.objects.filter(lesson=lesson).update(
        last_heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


def _beat_after(client, lesson, seconds, *, claimed):
    """The answer to a beat `seconds` after the previous one, claiming `claimed` seconds."""
    _seconds_ago(lesson, seconds)
    return _beat(client, lesson, claimed).json()


def _reading(course, clinician):
    """The clinician's client, enrolled, with the first lesson opened (its first beat)."""
    enrollment_create(user=clinician, course=course)
    client = client_for(clinician)
    lesson = lessons_of(course)[0]
    _beat(client, lesson, 0)
    return client, lesson


def _active(lesson) -> int:
    return LessonProgress.objects.get(lesson=lesson).active_seconds


def test_first_beat_sets_a_baseline_and_credits_nothing(reader):
    client, lesson = reader
    response = _beat(client, lesson, 30)
    assert response.json() == {"credited": 0}
    assert _active(lesson) == 0
    assert LessonProgress.objects.get(lesson=lesson).last_heartbeat_at is not None


def test_a_beat_credits_the_time_since_the_previous_one(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    assert _beat_after(client, lesson, 30, claimed=30) == {"credited": 30}
    assert _beat_after(client, lesson, 31, claimed=30) == {"credited": 30}
    assert _active(lesson) == 60


def test_a_forged_claim_is_capped_at_wall_clock_time(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    assert _beat_after(client, lesson, 20, claimed=3600) == {"credited": 20}
    assert _active(lesson) == 20


def test_rapid_fire_beats_credit_nothing_extra(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    credited = [_beat(client, lesson, 30).json()["credited"] for _ in range(10)]
    assert sum(credited) <= 1
    assert _active(lesson) <= 1


def test_time_away_is_not_credited(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    # A tab in the background, or five minutes idle:
    assert _beat_after(client, lesson, 10 * 60, claimed=600) == {"credited": 0}
    assert _beat_after(client, lesson, 30, claimed=30) == {"credited": 30}, (
        "a fresh baseline after a gap"
    )
    assert _active(lesson) == 30


def test_a_clock_ahead_of_the_server_credits_nothing(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    LessonProgress.objects.filter(lesson=lesson).update(
        last_heartbeat_at=timezone.now() + timedelta(seconds=45)
    )
    assert _beat(client, lesson, 30).json() == {"credited": 0}


def test_two_lessons_open_at_once_share_one_clock(reader, course):
    """Two tabs (or a script) beating for two lessons earn the wall-clock time once."""
    client, lesson = reader
    other = lessons_of(course)[1]
    assert client.get(other.url).status_code == 200
    _beat(client, lesson, 0)
    _beat(client, other, 0)
    # Both previous beats 30 s ago; each tab now claims its 30 s.
    LessonProgress.objects.filter(lesson__in=[lesson, other]).update(
        last_heartbeat_at=timezone.now() - timedelta(seconds=30)
    )
    first = _beat(client, lesson, 30).json()["credited"]
    second = _beat(client, other, 30).json()["credited"]
    assert first == 30
    assert second <= 1  # the same 30 seconds, already credited to the first lesson
    assert _active(lesson) + _active(other) <= 31


@pytest.mark.parametrize("reader", [ONE_STATEMENT], indirect=True)
def test_a_heartbeat_is_one_small_write_and_no_page(reader):
    client, lesson = reader
    _beat(client, lesson, 0)
    _seconds_ago(lesson, 30)
    with CaptureQueriesContext(connection) as queries:
        response = _beat(client, lesson, 30)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"credited": 30}
    statements = [
        q["sql"].strip()
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"].upper()  # the test's own transaction around ours
    ]
    # session, user, and one statement: the beat's, prepared earlier on this
    # database session (find, lock, credit, update), executed by name.
    assert len(statements) <= 3, statements
    assert "EXECUTE practicum_heartbeat(" in statements[-1], statements
    assert not [s for s in statements[:-1] if "UPDATE" in s.upper() or "INSERT" in s.upper()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s", ["practicum_heartbeat"]
        )
        [(prepared,)] = cursor.fetchall()
    assert "UPDATE" in prepared.upper() and "FOR UPDATE" in prepared.upper()
    # It does not wait for the WAL flush (courses.services._ASYNCHRONOUS_COMMIT)...
    assert statements[-1].startswith("SET LOCAL synchronous_commit TO off;"), statements
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)  # (the test's transaction is still open)


@pytest.mark.django_db(transaction=True)
def test_the_beat_is_prepared_once_per_database_session_and_again_on_a_new_one(course, clinician):
    client, lesson = _reading(course, clinician)
    credited = []
    for session in ("the first", "a new one"):
        with CaptureQueriesContext(connection) as queries:
            for _ in range(2):
                _seconds_ago(lesson, 30)
                credited.append(_beat(client, lesson, 30).json()["credited"])
        prepares = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("PREPARE")]
        # The first database session prepared it at the lesson's first beat.
        assert len(prepares) == (0 if session == "the first" else 1), (session, prepares)
        connection.close()  # the next request opens a new session
    assert credited == [30, 30, 30, 30]
    assert _active(lesson) == 120


@pytest.mark.django_db(transaction=True)
def test_after_a_beat_the_connection_commits_synchronously_again(course, clinician):
    client, lesson = _reading(course, clinician)
    _seconds_ago(lesson, 30)
    # The session's own setting, whatever the server's default: `make test`'s
    # private PostgreSQL runs with synchronous_commit off for speed.
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    try:
        assert _beat(client, lesson, 30).json() == {"credited": 30}
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def test_on_sqlite_a_reader_is_credited_as_on_postgresql(tmp_path):
    """SQLite has no FOR UPDATE and no interval arithmetic: its beats take the ORM's
    way, with the same answers and the same records as PostgreSQL's statement."""
    postgresql = heartbeat_probe.probe()
    sqlite = sqlite_module_answers("tests.courses.heartbeat_probe", tmp_path)
    assert (postgresql["vendor"], sqlite["vendor"]) == ("postgresql", "sqlite")
    expected = [0, 30, 0, 0, 30]
    assert [a["credited"] for a in postgresql["answers"]] == expected, postgresql
    assert sqlite["answers"] == postgresql["answers"]
    assert sqlite["active"] == postgresql["active"] == [30, 30]
    assert sqlite["resume_is_second"] and postgresql["resume_is_second"]


def test_the_lesson_page_writes_nothing_its_first_beat_opens_the_lesson(course, clinician):
    enrollment = enrollment_create(user=clinician, course=course)
    client = client_for(clinician)
    first, second = lessons_of(course)[:2]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(second.url).status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]  # fmt: skip
    assert writes == []
    assert not LessonProgress.objects.filter(lesson=second).exists()

    assert _beat(client, second, 0).json() == {"credited": 0}
    progress = LessonProgress.objects.get(lesson=second)
    assert progress.last_heartbeat_at is not None and progress.active_seconds == 0
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == second.pk
    # Another lesson's beat moves "Resume" to it; a beat of the same lesson writes
    # the enrollment only every few minutes.
    _beat(client, first, 0)
    _seconds_ago(first, 30)
    _seconds_ago(second, 30)  # the two lessons share one clock
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == first.pk
    seen = enrollment.last_activity_at
    assert _beat(client, first, 30).json() == {"credited": 30}
    enrollment.refresh_from_db()
    assert enrollment.last_activity_at == seen


def test_not_enrolled_beats_are_refused_and_record_nothing(course, other_clinician):
    lesson = lessons_of(course)[0]
    response = _beat(client_for(other_clinician), lesson, 30)
    assert response.status_code == 400
    assert response.json() == {"error": "Enroll in the course first."}
    assert not LessonProgress.objects.exists()


def test_beats_after_leaving_the_course_are_not_credited(reader, course, clinician):
    from courses.models import Enrollment
    from courses.services import enrollment_unenroll

    client, lesson = reader
    _beat(client, lesson, 0)
    enrollment_unenroll(enrollment=Enrollment.objects.get(user=clinician, course=course))
    _seconds_ago(lesson, 30)
    assert _beat(client, lesson, 30).status_code == 400
    assert _active(lesson) == 0
