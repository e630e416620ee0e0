"""Issuing: what a completion earns, frozen, once per enrollment and accreditor."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates import rendering, services
from certificates.models import Certificate, CertificateEvent
from cms.refusals import Refusal
from courses.services import enrollment_create
from tests.factories import (
    AccreditorFactory,
    LicenseFactory,
    aswb_accreditor,
    clinician,
    completion_record,
    course_build,
)

pytestmark = pytest.mark.django_db


def issue(completion, accreditors, capture):
    with capture(execute=False) as callbacks, transaction.atomic():
        certificates = services.certificates_issue(completion=completion, accreditors=accreditors)
    return certificates, callbacks


def test_a_completion_under_a_claimed_accreditor_issues_one_frozen_certificate(
    enrollment, apa, psychologist, django_capture_on_commit_callbacks
):
    LicenseFactory(user=psychologist, profession="social_worker", license_number="LCSW 777")
    completion = completion_record(enrollment=enrollment)

    (certificate,), callbacks = issue(completion, [apa], django_capture_on_commit_callbacks)

    assert certificate.status == Certificate.Status.VALID
    assert certificate.kind == Certificate.Kind.ACCREDITED
    assert certificate.accreditor == apa
    assert certificate.completion == completion
    assert len(callbacks) == 1  # rendering is enqueued only once the transaction commits
    snap = certificate.snapshot
    assert snap["number"] == certificate.number
    assert snap["participant_name"] == "Dana Whitfield"
    # Only the licenses of the professions the accreditor serves.
    assert snap["licenses"] == [
        {
            "profession": "Psychologist",
            "number": psychologist.licenses.get(profession="psychologist").license_number,
            "region": "CA",
        }
    ]
    assert snap["course_title"] == "Understanding stuck treatments"
    assert snap["credits"] == [{"category": "General", "hours": "0.50"}]
    assert snap["total_hours"] == "0.50"
    assert snap["accreditor"]["short_name"] == "APA"
    assert snap["accreditor"]["provider_number"] == "APA-1234"
    assert snap["statement"].startswith(
        "Practicum Continuing Education is approved by the American Psychological Association"
    )
    assert snap["delivery_format"] == "Self-paced online, reading-based"
    assert snap["instructors"][0]["credentials"] == "PhD, licensed psychologist"
    assert snap["provider"]["name"] == "Practicum Continuing Education"
    assert snap["ce_administrator"]["name"] == "Jordan Avery, PsyD"
    assert snap["completion_date"] == timezone.localdate(completion.completed_at).isoformat()
    assert snap["course_revision"] == completion.course_revision_id
    assert snap["template_version"] == rendering.CERTIFICATE_TEMPLATE_VERSION
    assert snap["verify_url"] == f"http://testserver/verify/{certificate.number}/"
    assert certificate.total_hours == Decimal("0.50")
    assert list(certificate.events.values_list("action", flat=True)) == ["issued"]


def test_no_claimed_accreditor_gives_a_certificate_of_attendance_without_a_statement(
    enrollment, django_capture_on_commit_callbacks
):
    completion = completion_record(enrollment=enrollment)
    (certificate,), _ = issue(completion, [], django_capture_on_commit_callbacks)
    assert certificate.kind == Certificate.Kind.ATTENDANCE
    assert certificate.accreditor is None
    assert certificate.snapshot["statement"] == ""
    assert certificate.snapshot["accreditor"] is None
    assert certificate.snapshot["credits"] == [{"category": "General", "hours": "0.50"}]


def test_each_claimed_accreditor_gets_its_own_certificate_with_its_own_hours(
    apa, django_capture_on_commit_callbacks
):
    aswb = aswb_accreditor()
    course = course_build(accreditors=[apa, aswb], hours="0.5")
    user = clinician(professions=("psychologist", "social_worker"))
    enrollment = enrollment_create(user=user, course=course)
    completion = completion_record(enrollment=enrollment)
    certificates, callbacks = issue(completion, [apa, aswb], django_capture_on_commit_callbacks)
    assert [c.accreditor.short_name for c in certificates] == ["APA", "ASWB"]
    assert len({c.number for c in certificates}) == 2
    assert len(callbacks) == 2
    aswb_cert = certificates[1]
    assert aswb_cert.snapshot["licenses"][0]["profession"] == "Social worker"
    assert "receive 0.5 continuing education credits" in aswb_cert.snapshot["statement"]
    assert "provider #ACE-1677" in aswb_cert.snapshot["statement"]


def test_issuing_again_returns_the_same_certificates(
    enrollment, apa, django_capture_on_commit_callbacks
):
    completion = completion_record(enrollment=enrollment)
    (first,), _ = issue(completion, [apa], django_capture_on_commit_callbacks)
    (again,), callbacks = issue(completion, [apa], django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert callbacks == []
    assert Certificate.objects.count() == 1


def test_an_accreditor_the_course_does_not_offer_is_ignored(
    enrollment, django_capture_on_commit_callbacks
):
    nbcc = AccreditorFactory(short_name="NBCC", name="NBCC", professions=["counselor"])
    completion = completion_record(enrollment=enrollment)
    (certificate,), _ = issue(completion, [nbcc], django_capture_on_commit_callbacks)
    assert certificate.kind == Certificate.Kind.ATTENDANCE


def test_a_completion_outside_the_approval_period_is_held_with_a_reason(
    enrollment, apa, django_capture_on_commit_callbacks
):
    # The approval lapsed after the course was published, before the completion.
    apa.approval_start, apa.approval_end = date(2020, 1, 1), date(2021, 12, 31)
    apa.save()
    completion = completion_record(enrollment=enrollment)
    (certificate,), callbacks = issue(completion, [apa], django_capture_on_commit_callbacks)
    assert certificate.status == Certificate.Status.HELD
    assert (
        "outside APA's approval period (January 1, 2020 – December 31, 2021)"
        in certificate.hold_reason
    )
    assert callbacks == []  # nothing is rendered or emailed
    event = certificate.events.get()
    assert event.action == CertificateEvent.Action.HELD
    assert event.reason == certificate.hold_reason


def test_a_placeholder_provider_number_holds_the_certificate_until_the_real_one_is_entered(
    enrollment, apa, settings, django_capture_on_commit_callbacks
):
    settings.CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS = True  # as in production
    apa.provider_number = "REPLACE-ME"
    apa.save()
    admin = clinician(full_name="Jordan Avery")
    completion = completion_record(enrollment=enrollment)
    (certificate,), callbacks = issue(completion, [apa], django_capture_on_commit_callbacks)

    assert certificate.status == Certificate.Status.HELD
    assert "APA's provider number is still the placeholder “REPLACE-ME”" in certificate.hold_reason
    assert callbacks == []  # nothing is rendered or emailed
    assert certificate.events.get().action == CertificateEvent.Action.HELD
    # Neither releasing it nor issuing by hand prints the placeholder.
    with pytest.raises(Refusal, match="enter the real number"):
        services.certificate_release(certificate=certificate, actor=admin, reason="Checked.")
    with pytest.raises(Refusal, match="enter the real number"):
        services.certificate_issue_manual(
            enrollment=enrollment, accreditor=apa, actor=admin, reason="Checked."
        )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.HELD

    apa.provider_number = "APA-5678"
    apa.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        released = services.certificate_release(
            certificate=certificate, actor=admin, reason="Provider number entered."
        )
    assert released.status == Certificate.Status.VALID
    assert released.snapshot["accreditor"]["provider_number"] == "APA-5678"
    assert len(callbacks) == 1  # rendered and emailed now


def test_the_database_refuses_a_second_certificate_for_an_enrollment_and_accreditor(
    enrollment, apa, django_capture_on_commit_callbacks
):
    completion = completion_record(enrollment=enrollment)
    (certificate,), _ = issue(completion, [apa], django_capture_on_commit_callbacks)
    (attendance,), _ = issue(completion, [], django_capture_on_commit_callbacks)
    for original in (certificate, attendance):
        duplicate = Certificate.objects.get(pk=original.pk)
        duplicate.pk = None
        duplicate.number = "PRC-2026-DUPL-ICAT"
        # A bit of its own in the status list, so only the one-per-enrollment rule refuses it.
        duplicate.status_list, duplicate.status_list_index = _free_status_bit()
        with (
            pytest.raises(IntegrityError, match=r"one_(per_enrollment_accreditor|attendance_per)"),
            transaction.atomic(),
        ):
            duplicate.save()
    # A reissued certificate no longer counts: its replacement can exist.
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REISSUED)
    replacement = Certificate.objects.get(pk=certificate.pk)
    replacement.pk = None
    replacement.number = "PRC-2026-REPL-ACED"
    replacement.status = Certificate.Status.VALID
    replacement.status_list, replacement.status_list_index = _free_status_bit()
    replacement.save()


def _free_status_bit() -> tuple[int, int]:
    from certificates.credentials.status_list import status_list_slot_draw

    slot = status_list_slot_draw()
    return slot["status_list"], slot["status_list_index"]


def test_the_issue_year_is_in_the_number(enrollment, apa, django_capture_on_commit_callbacks):
    completion = completion_record(
        enrollment=enrollment, completed_at=timezone.make_aware(datetime(2026, 3, 2, 12))
    )
    (certificate,), _ = issue(completion, [apa], django_capture_on_commit_callbacks)
    assert certificate.number.startswith(f"PRC-{timezone.localdate().year}-")
    assert certificate.completion_date == date(2026, 3, 2)
    assert certificate.issued_at > timezone.now() - timedelta(minutes=1)
