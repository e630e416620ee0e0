"""The dashboard's step providers read the clinician's records in one statement on
PostgreSQL (courses.selectors.batch): the same answers as their own ORM reads,
to the exact decimal, date and JSON field, and one query instead of a query each."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate
from certificates.selectors import certificates_by_enrollment
from certificates.services.admin_actions import certificate_revoke
from courses.overrides import override_grant
from courses.registry import batch_read, batch_statements, step_batch
from courses.selectors import batch, dashboard_enrollments, enrollment_summaries
from courses.selectors.overrides import overrides_in_force
from courses.services import enrollment_create
from quizzes.providers import _attempts_by_enrollment
from quizzes.services import attempt_start
from tests import factories as make
from tests.queries import queries_read
from tests.quizzes.test_attempts import submit, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(administrator):
    """A clinician with a course begun, one with a failed attempt and an override
    in force under an accreditor enforcing reading time, one completed under two
    accreditors with one certificate revoked, and one completed for attendance."""
    apa = make.AccreditorFactory(short_name="APA")
    aswb = make.AccreditorFactory(
        short_name="ASWB", name="Association of Social Work Boards", professions=["social_worker"]
    )
    board = make.AccreditorFactory(short_name="BOARD", seat_time_policy="enforce")
    user = make.clinician(professions=("psychologist", "social_worker"))

    begun = enrollment_create(user=user, course=make.course_build(title="Begun", accreditors=[apa]))
    make.lesson_done(user=user, lesson=make.lessons_of(begun.course)[0])

    course = make.course_build(title="Retaking", accreditors=[board])
    make.posttest_build(course=course)
    retaking = enrollment_create(user=user, course=course)
    make.lessons_complete(enrollment=retaking)
    attempt = attempt_start(enrollment=retaking)
    submit(attempt, wrong_answers(attempt))
    override_grant(
        actor=administrator,
        user=user,
        course=course,
        reason="Accommodation.",
        expires_on=timezone.localdate() + timedelta(days=10),
        extra_attempts=1,
        minimum_active_minutes=5,
    )
    attempt_start(enrollment=retaking)  # in progress

    claimed = make.course_build(title="Claimed", accreditors=[apa, aswb])
    make.course_completed_by(user=user, course=claimed, accreditors=[apa, aswb])
    revoked = Certificate.objects.filter(user=user, accreditor=aswb).get()
    certificate_revoke(
        certificate=revoked, actor=administrator, reason="Error.", clinician_reason="Wrong hours"
    )
    make.course_completed_by(user=user, course=make.course_build(title="Attended"), accreditors=[])
    return user


def _loaded(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in deferred
    }


def _one_statement(monkeypatch, on: bool) -> None:
    monkeypatch.setattr(batch, "one_statement_possible", lambda: on)


def test_every_read_made_in_the_statement_is_the_read_the_orm_makes(records, monkeypatch):
    enrollments = dashboard_enrollments(user=records)
    by_orm = {
        "attempts": _attempts_by_enrollment(enrollments),
        "overrides": overrides_in_force(enrollments=enrollments),
        "certificates": certificates_by_enrollment(enrollment_ids=[e.pk for e in enrollments]),
    }

    def not_again():
        raise AssertionError("read again: the statement did not fill it")

    _one_statement(monkeypatch, True)
    with step_batch(), CaptureQueriesContext(connection) as captured:
        assert batch.batch_prefetch(enrollments)
        filled = {s.name: batch_read(s.name, enrollments, not_again) for s in batch_statements()}
    assert len(captured) == 1

    attempts = filled["quizzes.attempts"]
    assert sum(map(len, attempts.values())) == 4  # two in "Retaking", one in each completed
    for pk, expected in by_orm["attempts"].items():
        assert [_loaded(a) for a in attempts[pk]] == [_loaded(a) for a in expected]
    overrides = filled["overrides_in_force"]
    assert len(overrides) == 1
    assert {pk: _loaded(o) for pk, o in overrides.items()} == {
        pk: _loaded(o) for pk, o in by_orm["overrides"].items()
    }
    certificates = filled["certificates.current"]
    assert sum(map(len, certificates.values())) == 3
    for pk, expected in by_orm["certificates"].items():
        assert [_loaded(c) for c in certificates[pk]] == [_loaded(c) for c in expected]
    # To the letter: a decimal keeps its places, JSON its floats and nesting.
    certificate = certificates[next(iter(by_orm["certificates"]))][0]
    assert str(certificate.total_hours) == str(
        Certificate.objects.get(pk=certificate.pk).total_hours
    )
    assert certificate.snapshot == Certificate.objects.get(pk=certificate.pk).snapshot


def test_the_dashboard_shows_the_same_steps_either_way_in_fewer_queries(records, monkeypatch):
    def summaries(one_statement: bool):
        _one_statement(monkeypatch, one_statement)
        enrollments = dashboard_enrollments(user=records)
        with CaptureQueriesContext(connection) as captured:
            read = enrollment_summaries(enrollments=enrollments)
        steps = [(s.enrollment.pk, s.lessons_done, s.completed, s.steps) for s in read]
        return steps, [q["sql"] for q in captured.captured_queries]

    by_orm, orm_sql = summaries(False)
    in_one, sql = summaries(True)
    assert in_one == by_orm
    post_tests = [step for *_, each in in_one for step in each if step.key == "post_test"]
    assert any("Attempt 2 of 4 in progress" in step.detail for step in post_tests)
    assert any(step.key == "time" for *_, each in in_one for step in each)
    # The records: one statement for all of them, where the ORM makes one each;
    # it is prepared on the database session's first dashboard (cms.prepared),
    # then executed by name.
    records_read = ("quizzes_attempt", "courses_learneroverride", "certificates_certificate")
    statement, _ = batch._statement(tuple(s.name for s in batch_statements()))
    statements = [q for q in sql if q.startswith(f"EXECUTE {statement.name}(")]
    assert len(statements) == 1
    prepares = [q for q in sql if q.startswith("PREPARE ")]
    assert all("batch_enrollments" in q for q in prepares) and len(prepares) <= 1
    others = [q for q in sql if q not in statements and q not in prepares]
    assert [q for q in others if any(f'FROM "{t}"' in q for t in records_read)] == []
    assert len(sql) < len(orm_sql)


def test_no_enrollments_send_no_statement(monkeypatch):
    _one_statement(monkeypatch, True)
    with step_batch(), CaptureQueriesContext(connection) as captured:
        assert not batch.batch_prefetch([])
    assert len(captured) == 0


def test_the_dashboards_enrollments_read_in_one_statement_are_the_orms(records, settings):
    settings.SITE_CACHE_SECONDS = 0
    by_orm = dashboard_enrollments(user=records)
    settings.SITE_CACHE_SECONDS = 300  # the production path: one statement, courses kept
    with CaptureQueriesContext(connection) as captured:
        read = dashboard_enrollments(user=records)
    assert any("LEFT JOIN courses_coursecompletion c" in q for q in queries_read(captured))
    assert [_loaded(e) for e in read] == [_loaded(e) for e in by_orm]
    assert [e.course.title for e in read] == [e.course.title for e in by_orm]
    completed = [e for e in read if hasattr(e, "completion")]
    assert len(completed) == 2
    for enrollment in completed:
        expected = next(e for e in by_orm if e.pk == enrollment.pk).completion
        assert enrollment.completion.completed_at == expected.completed_at
        # Only the date was read; the rest comes when asked for.
        assert "snapshot" in enrollment.completion.get_deferred_fields()
        assert enrollment.completion.snapshot == expected.snapshot
