"""Deleting people. An Administrator's delete of a clinician whose CE records
keep the account explains why and offers deactivation, and deletes nothing
(it used to fail with a 500 on the records' PROTECT). A clinician deletes
their own account from the profile: the sign-in and the personal data the
records do not need go, every CE record stays, and the certificate still
verifies."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import ClinicianLicense, User
from certificates.models import Certificate
from courses.models import CourseCompletion, Enrollment, JournalEntry, LessonProgress
from quizzes.models import Attempt, Attestation, Evaluation
from tests.courses.conftest import client_for
from tests.factories import (
    DEFAULT_PASSWORD,
    LicenseFactory,
    UserFactory,
    certificate_issued,
    client_reauthenticated,
    lessons_of,
    staff_user,
)

pytestmark = pytest.mark.django_db

RECORDS = (
    Enrollment,
    LessonProgress,
    Attempt,
    Evaluation,
    Attestation,
    CourseCompletion,
    Certificate,
)


def _records(user) -> dict[str, list]:
    """Every CE record of `user`, as rows, for comparing before and after."""
    return {
        "enrollments": list(Enrollment.objects.filter(user=user).values()),
        **{
            model.__name__: list(model.objects.filter(enrollment__user=user).values())
            for model in RECORDS[1:]
        },
    }


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    """A clinician's certificate, from a real completion (rendering not run)."""
    with django_capture_on_commit_callbacks(execute=False):
        return certificate_issued()


@pytest.fixture
def administrator_client(db):
    client = client_for(staff_user(group="Administrators"))
    client_reauthenticated(client)
    return client


# --- The Administrator's delete ------------------------------------------------------------


def test_the_admin_delete_of_a_clinician_with_records_explains_offers_deactivation_and_deletes_nothing(
    certificate, administrator_client
):
    clinician = certificate.user
    before = _records(clinician)
    assert all(before.values()), "the clinician has every kind of record"

    page = administrator_client.get(reverse("wagtailusers_users:delete", args=(clinician.pk,)))
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot be deleted" in text and "kept for\n    7 years" in text
    assert "1 certificate" in text and "1 enrollment" in text
    assert "Deactivate the account" in text

    response = administrator_client.post(reverse("wagtailusers_users:delete", args=(clinician.pk,)))
    assert response.status_code == 409
    assert "Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=clinician.pk, is_active=True).exists()
    assert _records(clinician) == before

    response = administrator_client.post(f"/admin/people/{clinician.pk}/deactivate/")
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert not clinician.is_active
    assert _records(clinician) == before


def test_the_admin_deletes_a_clinician_without_records(administrator_client):
    clinician = UserFactory()
    LicenseFactory(user=clinician)
    response = administrator_client.post(reverse("wagtailusers_users:delete", args=(clinician.pk,)))
    assert response.status_code == 302
    assert not User.objects.filter(pk=clinician.pk).exists()


def test_only_administrators_deactivate_accounts(certificate):
    instructor = client_for(staff_user(group="Instructors"))
    client_reauthenticated(instructor)
    response = instructor.post(f"/admin/people/{certificate.user_id}/deactivate/")
    assert response.status_code in (302, 403)
    assert User.objects.get(pk=certificate.user_id).is_active


# --- The clinician's own deletion ----------------------------------------------------------


def test_a_clinicians_own_deletion_keeps_every_ce_record_and_the_certificate_still_verifies(
    certificate,
):
    clinician = certificate.user
    name = clinician.full_name
    printed = clinician.licenses.get()  # the psychologist license the certificate printed
    unprinted = LicenseFactory(user=clinician, profession="social_worker", license_number="SW 1")
    Authenticator.objects.create(
        user=clinician, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    JournalEntry.objects.create(
        user=clinician,
        lesson=lessons_of(certificate.course)[0],
        prompt_id="p1",
        text="A private reflection.",
    )
    records, snapshot = _records(clinician), certificate.snapshot
    other_device = client_for(clinician)
    client = Client()
    client.force_login(clinician)

    page = client.get("/profile/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "7 years" in text and "can still verify it" in text
    assert "1 certificate" in text

    response = client.post("/profile/delete/", {"password": "not my password"})
    assert response.status_code == 400
    assert User.objects.get(pk=clinician.pk).is_active

    response = client.post("/profile/delete/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"

    kept = User.objects.get(pk=clinician.pk)
    assert kept.email == f"deleted-{kept.pk}@deleted.invalid"
    assert not kept.has_usable_password() and not kept.is_active
    assert kept.full_name == name
    assert not EmailAddress.objects.filter(user=kept).exists()
    assert not Authenticator.objects.filter(user=kept).exists()
    assert not JournalEntry.objects.filter(user=kept).exists()
    assert list(ClinicianLicense.objects.filter(user=kept)) == [printed]
    assert not ClinicianLicense.objects.filter(pk=unprinted.pk).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(kept.pk)
    ]
    assert other_device.get("/profile/").status_code == 302  # signed out there too

    assert _records(kept) == records
    certificate.refresh_from_db()
    assert certificate.snapshot == snapshot
    verify = Client().get(f"/verify/{certificate.number}/")
    assert verify.status_code == 200
    assert name in verify.content.decode() and "Valid" in verify.content.decode()


def test_a_clinician_without_records_is_deleted_entirely():
    clinician = UserFactory()
    LicenseFactory(user=clinician)
    client = client_for(clinician)
    assert (
        "you have no continuing-education records"
        in client.get("/profile/delete/").content.decode()
    )
    client.post("/profile/delete/", {"password": DEFAULT_PASSWORD})
    assert not User.objects.filter(pk=clinician.pk).exists()
    assert not ClinicianLicense.objects.filter(user_id=clinician.pk).exists()


def test_staff_close_their_accounts_through_an_administrator():
    instructor = staff_user(group="Instructors")
    client = client_for(instructor)
    assert "closed by an Administrator" in client.get("/profile/delete/").content.decode()
    client.post("/profile/delete/", {"password": DEFAULT_PASSWORD})
    instructor.refresh_from_db()
    assert instructor.is_active and instructor.has_usable_password()


def test_the_profile_links_to_deleting_the_account():
    assert "/profile/delete/" in client_for(UserFactory()).get("/profile/").content.decode()
