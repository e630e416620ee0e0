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
