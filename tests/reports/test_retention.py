"""Retention: inside RECORD_RETENTION_YEARS no path deletes a CE record
(PostgreSQL's trigger, reports migration 0002/0003); after it the weekly task
(and `manage.py records_pseudonymise`) removes the records' personal data,
keeps their aggregates and says what it did in the audit log. The purge runs
on a clock moved forward (time-machine)."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.services import user_delete_self
from audit.models import AuditAction, AuditEvent
from certificates.models import Certificate, CertificateEvent
from courses.models import CourseCompletion, Enrollment, LessonProgress
from courses.services import enrollment_create
from quizzes.models import Attempt, Attestation, Evaluation, EvaluationRating
from reports.models import PseudonymisedEnrollment
from reports.retention import records_past_retention_list, records_pseudonymise
from tests.factories import (
    AccreditorFactory,
    clinician,
    course_build,
    course_completed_by,
    lesson_done,
    lessons_of,
)

pytestmark = pytest.mark.django_db

YEARS = 7  # cms/settings/base.py's default, which the test database's connections carry


def completed(full_name="Dana O'Neil, PhD", number="007001"):
    apa = AccreditorFactory()
    user = clinician(full_name=full_name)
    user.licenses.update(license_number=number)
    enrollment, completion = course_completed_by(user=user, accreditors=[apa])
    Evaluation.objects.filter(enrollment=enrollment).update(
        comments="Dana here, call me on 555-0100", bias_details="none"
    )
    return enrollment, completion


def backdate(enrollment, *, years: int):
    """Every record of the enrollment `years` (and a day) in the past; UPDATE is allowed."""
    then = timezone.now() - timedelta(days=365 * years + years // 4 + 2)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=then, last_activity_at=then)
    LessonProgress.objects.filter(enrollment=enrollment).update(first_viewed_at=then)
    Attempt.objects.filter(enrollment=enrollment).update(started_at=then, submitted_at=then)
    Evaluation.objects.filter(enrollment=enrollment).update(submitted_at=then)
    Attestation.objects.filter(enrollment=enrollment).update(attested_at=then)
    CourseCompletion.objects.filter(enrollment=enrollment).update(completed_at=then)
    Certificate.objects.filter(enrollment=enrollment).update(issued_at=then)
    CertificateEvent.objects.filter(certificate__enrollment=enrollment).update(created_at=then)


def refused(delete) -> str:
    """Run `delete` in a savepoint; return the database's refusal."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        delete()
    return str(caught.value)


# --- Inside the window: nobody deletes --------------------------------------------------


def test_the_connection_carries_the_window():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('practicum.record_retention_years')")
        assert cursor.fetchone()[0] == str(YEARS)


def test_every_record_refuses_an_instance_delete_inside_the_window():
    enrollment, _ = completed()
    certificate = Certificate.objects.get(enrollment=enrollment)
    records = [
        CertificateEvent.objects.filter(certificate=certificate).first(),
        EvaluationRating.objects.filter(evaluation__enrollment=enrollment).first(),
        LessonProgress.objects.filter(enrollment=enrollment).first(),
        Attempt.objects.filter(enrollment=enrollment).first(),
    ]
    for record in records:
        assert record is not None
        message = refused(record.delete)
        assert "Record retention" in message and record._meta.db_table in message
    assert CertificateEvent.objects.filter(pk=records[0].pk).exists()


def test_querysets_and_raw_sql_are_refused_as_well():
    enrollment, completion = completed()
    certificate = Certificate.objects.get(enrollment=enrollment)
    for model in (CertificateEvent,):
        refused(lambda m=model: m.objects.filter(certificate=certificate).delete())
    refused(lambda: Evaluation.objects.get(enrollment=enrollment).ratings.all().delete())
    refused(lambda: Attestation.objects.get(enrollment=enrollment).accreditors.clear())

    def raw(table, pk):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (our names)

    for table, pk in [
        ("certificates_certificate", certificate.pk),
        ("courses_coursecompletion", completion.pk),
        ("quizzes_evaluation", Evaluation.objects.get(enrollment=enrollment).pk),
        ("quizzes_attestation", Attestation.objects.get(enrollment=enrollment).pk),
        ("courses_enrollment", enrollment.pk),
    ]:
        assert table in refused(lambda t=table, p=pk: raw(t, p))
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_cascades_are_refused():
    """An enrollment with only lesson progress: Django would cascade to the progress."""
    course = course_build()
    enrollment = enrollment_create(user=clinician(), course=course)
    lesson_done(user=enrollment.user, lesson=lessons_of(course)[0])
    assert "courses_lessonprogress" in refused(enrollment.delete)
    evaluation_enrollment, _ = completed(full_name="Sam")
    CertificateEvent.objects.all()  # untouched
    assert "quizzes_evaluationrating" in refused(
        Evaluation.objects.get(enrollment=evaluation_enrollment).delete
    )
    assert LessonProgress.objects.filter(enrollment=enrollment).exists()


def test_closing_an_account_keeps_its_records():
    enrollment, _ = completed()
    assert user_delete_self(user=enrollment.user) is False
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    assert CourseCompletion.objects.filter(enrollment=enrollment).exists()


def test_after_the_window_the_database_lets_records_go():
    course = course_build()
    enrollment = enrollment_create(user=clinician(), course=course)
    lesson_done(user=enrollment.user, lesson=lessons_of(course)[0])
    backdate(enrollment, years=YEARS + 1)
    enrollment.delete()
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()


# --- After the window: personal data goes, aggregates stay -------------------------------------


def test_the_purge_on_a_moved_clock_replaces_names_and_license_numbers(
    django_capture_on_commit_callbacks,
):
    enrollment, completion = completed()
    recent, _ = completed(full_name="Riley Chen", number="0099")
    certificate = Certificate.objects.get(enrollment=enrollment)
    certificate.pdf.save("c.pdf", ContentFile(b"%PDF-1.7 Dana"), save=True)
    pdf_name = certificate.pdf.name
    storage = certificate.pdf.storage
    hours, score = certificate.total_hours, Attempt.objects.get(enrollment=enrollment).score
    ratings = list(
        EvaluationRating.objects.filter(evaluation__enrollment=enrollment).values_list(
            "rating", flat=True
        )
    )

    # Nothing is past the window today.
    assert records_pseudonymise()["enrollments"] == 0

    later = timezone.now() + timedelta(days=365 * YEARS + 3)
    with time_machine.travel(later, tick=False):
        listed = records_past_retention_list()
        assert {line.enrollment_id for line in listed} == {enrollment.pk, recent.pk}
        with django_capture_on_commit_callbacks(execute=True):
            summary = records_pseudonymise()
    assert summary["enrollments"] == 2 and summary["certificates"] == 2

    certificate.refresh_from_db()
    assert certificate.participant_name == f"Former participant {enrollment.user_id}"
    assert certificate.license_numbers == ""
    assert "Dana" not in str(certificate.snapshot) and "007001" not in str(certificate.snapshot)
    assert certificate.snapshot["licenses"][0]["profession"]  # kept for aggregates
    assert certificate.snapshot["licenses"][0]["region"]
    assert certificate.total_hours == hours and certificate.pdf.name == ""
    assert not storage.exists(pdf_name)
    evaluation = Evaluation.objects.get(enrollment=enrollment)
    assert evaluation.comments == "" and evaluation.bias_details == ""
    assert sorted(ratings) == sorted(
        EvaluationRating.objects.filter(evaluation=evaluation).values_list("rating", flat=True)
    )
    assert Attempt.objects.get(enrollment=enrollment).score == score
    assert CourseCompletion.objects.get(pk=completion.pk).snapshot["pseudonymised"] is True

    (row,) = AuditEvent.objects.filter(action=AuditAction.RECORDS_PSEUDONYMISE)
    assert row.actor_id is None
    assert row.data["enrollments"] == 2
    assert sorted(row.data["enrollment_ids"]) == sorted([enrollment.pk, recent.pk])
    assert "Dana" not in str(row.data)

    # A second run finds nothing more to do.
    with time_machine.travel(later, tick=False):
        assert records_pseudonymise()["enrollments"] == 0
    assert AuditEvent.objects.filter(action=AuditAction.RECORDS_PSEUDONYMISE).count() == 1


def test_the_purge_leaves_records_inside_the_window_alone():
    old, _ = completed()
    new, _ = completed(full_name="Riley Chen")
    backdate(old, years=YEARS + 1)
    summary = records_pseudonymise()
    assert summary["enrollment_ids"] == [old.pk]
    assert Certificate.objects.get(enrollment=new).participant_name == "Riley Chen"
    assert not PseudonymisedEnrollment.objects.filter(enrollment=new).exists()


def test_activity_inside_the_window_keeps_old_records():
    """The window runs from the latest record: a certificate reissued last year
    keeps an enrollment from 2015 whole."""
    enrollment, _ = completed()
    backdate(enrollment, years=YEARS + 1)
    Certificate.objects.filter(enrollment=enrollment).update(revoked_at=timezone.now())
    assert records_pseudonymise()["enrollments"] == 0


def test_a_closed_account_loses_the_name_it_kept_for_its_records():
    enrollment, _ = completed()
    user = enrollment.user
    user_delete_self(user=user)
    backdate(enrollment, years=YEARS + 1)
    records_pseudonymise()
    user.refresh_from_db()
    assert user.full_name == f"Former participant {user.pk}"
    assert not user.licenses.exists()


def test_an_open_account_keeps_its_name():
    enrollment, _ = completed()
    backdate(enrollment, years=YEARS + 1)
    records_pseudonymise()
    enrollment.user.refresh_from_db()
    assert enrollment.user.full_name == "Dana O'Neil, PhD"


def test_the_dry_run_lists_and_changes_nothing():
    enrollment, _ = completed()
    out = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=365 * YEARS + 3), tick=False):
        call_command("records_pseudonymise", "--dry-run", stdout=out)
    assert f"enrollment {enrollment.pk} " in out.getvalue()
    assert "1 enrollment(s) past retention; nothing changed." in out.getvalue()
    assert Certificate.objects.get(enrollment=enrollment).participant_name == "Dana O'Neil, PhD"
    assert not PseudonymisedEnrollment.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RECORDS_PSEUDONYMISE).exists()


def test_the_command_pseudonymises():
    enrollment, _ = completed()
    backdate(enrollment, years=YEARS + 1)
    out = io.StringIO()
    call_command("records_pseudonymise", stdout=out)
    assert "1 enrollment(s) pseudonymised (1 certificate(s), 0 closed account(s))." in (
        out.getvalue()
    )


def test_the_weekly_task_is_scheduled():
    from django.conf import settings

    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "reports.records_pseudonymise"
    ]
    assert entry["schedule"] == 7 * 24 * 3600.0
