"""Frozen roster facts: a completion keeps the participant as certified (name,
email, licenses, claimed accreditors); the roster and its exports read them,
so later changes of the profile do not reach an audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ClinicianLicense
from courses.models import CourseCompletion
from reports.selectors import Period, roster_csv
from tests.factories import AccreditorFactory, LicenseFactory, clinician, course_completed_by

pytestmark = pytest.mark.django_db


def roster(course):
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=30), end=today)
    return list(roster_csv(course=course, period=period, basis="completed"))


def test_the_completion_freezes_the_participant_as_certified():
    apa = AccreditorFactory(short_name="APA")
    user = clinician(full_name="Dana Whitfield", email="dana@example.org")
    user.licenses.update(license_number="007001", region="CA")
    _, completion = course_completed_by(user=user, accreditors=[apa])
    completion = CourseCompletion.objects.get(pk=completion.pk)
    assert completion.participant == {
        "name": "Dana Whitfield",
        "email": "dana@example.org",
        "licenses": [{"profession": "Psychologist", "number": "007001", "region": "CA"}],
        "professions": {"psychologist": "Psychologist"},
        "accreditors": ["APA"],
    }


def test_the_roster_is_unchanged_after_the_clinician_deletes_a_license_and_changes_name():
    apa = AccreditorFactory(short_name="APA")
    user = clinician(full_name="Dana Whitfield", email="dana@example.org")
    user.licenses.update(license_number="007001", region="CA")
    LicenseFactory(user=user, profession="social_worker", license_number="LCSW 1", region="NY")
    enrollment, _ = course_completed_by(user=user, accreditors=[apa])
    before = roster(enrollment.course)
    assert before[1][0] == "Dana Whitfield" and "007001" in before[1][2]

    ClinicianLicense.objects.filter(user=user, license_number="007001").delete()
    user.full_name, user.email = "Dana Roe", "dana.roe@example.org"
    user.save()
    LicenseFactory(user=user, profession="counselor", license_number="NEW 9", region="OR")

    assert roster(enrollment.course) == before


def test_the_accreditor_roster_reads_the_licenses_held_at_completion():
    """Neither participant claimed APA credit (an attendance certificate each): the
    roster for APA lists the psychologist as licensed at completion, after the
    license is deleted, and not the counselor who became a psychologist later."""
    apa = AccreditorFactory(short_name="APA", professions=["psychologist"])
    kept = clinician(full_name="Ann Kept", email="ann@example.org")
    later = clinician(full_name="Bo Later", email="bo@example.org", professions=("counselor",))
    enrollment, _ = course_completed_by(user=kept, accreditors=[])
    course_completed_by(user=later, course=enrollment.course, accreditors=[])

    kept.licenses.all().delete()
    LicenseFactory(user=later, profession="psychologist", license_number="PSY 2", region="CA")

    today = timezone.localdate()
    period = Period(start=today - timedelta(days=30), end=today)
    lines = list(
        roster_csv(course=enrollment.course, period=period, basis="completed", accreditor=apa)
    )
    assert [line[0] for line in lines[1:]] == ["Ann Kept"]


def test_an_accreditor_roster_lists_a_participant_in_progress_by_their_licenses_today():
    from courses.services import enrollment_create

    apa = AccreditorFactory(short_name="APA", professions=["psychologist"])
    course = course_completed_by(user=clinician(email="done@example.org"), accreditors=[])[0].course
    enrollment_create(user=clinician(full_name="Cy Reading", email="cy@example.org"), course=course)
    enrollment_create(
        user=clinician(full_name="Di Other", email="di@example.org", professions=("mft",)),
        course=course,
    )
    today = timezone.localdate()
    period = Period(start=today - timedelta(days=30), end=today)
    names = [line[0] for line in roster_csv(course=course, period=period, accreditor=apa)][1:]
    assert "Cy Reading" in names and "Di Other" not in names


def test_the_professions_migration_reads_the_frozen_license_labels():
    import importlib

    from django.apps import apps

    fill = importlib.import_module("reports.migrations.0006_freeze_completion_professions").fill
    user = clinician(full_name="Dana Whitfield", professions=("psychologist", "mft"))
    _, completion = course_completed_by(user=user, accreditors=[])
    facts = {k: v for k, v in completion.participant.items() if k != "professions"}
    facts["licenses"].append({"profession": "Drama therapist", "number": "D1", "region": "NY"})
    CourseCompletion.objects.filter(pk=completion.pk).update(participant=facts)
    user.licenses.all().delete()
    fill(apps, None)
    assert CourseCompletion.objects.get(pk=completion.pk).participant["professions"] == {
        "psychologist": "Psychologist",
        "mft": "Marriage & family therapist",
        "Drama therapist": "Drama therapist",
    }


def test_the_data_migration_fills_existing_completions_from_the_certificate_snapshot():
    import importlib

    from django.apps import apps

    fill = importlib.import_module("reports.migrations.0005_fill_completion_participants").fill
    apa = AccreditorFactory(short_name="APA")
    user = clinician(full_name="Dana Whitfield")
    user.licenses.update(license_number="007001", region="CA")
    _, completion = course_completed_by(user=user, accreditors=[apa])
    CourseCompletion.objects.filter(pk=completion.pk).update(participant={})
    # Since the certificate: a new name and no license; the snapshot is the best data.
    user.licenses.all().delete()
    type(user).objects.filter(pk=user.pk).update(full_name="Dana Roe")
    fill(apps, None)
    facts = CourseCompletion.objects.get(pk=completion.pk).participant
    assert facts["name"] == "Dana Whitfield"
    assert facts["licenses"] == [{"profession": "Psychologist", "number": "007001", "region": "CA"}]
    assert facts["accreditors"] == ["APA"] and facts["email"] == user.email
