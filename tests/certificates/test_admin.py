"""The certificates area of the Wagtail admin: Administrators only; listing,
search and filters; actions with a required reason and an audit row; CSV."""

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from certificates import services
from certificates.models import BulkJob, Certificate, CertificateEvent
from courses.services import enrollment_create
from reports import exports as admin_export
from tests.certificates.pdf import pdf_text
from tests.factories import (
    aswb_accreditor,
    clinician,
    completion_record,
    course_build,
    staff_user,
)

pytestmark = pytest.mark.django_db

INDEX = "/admin/certificates/"


def inspect_url(certificate):
    return f"/admin/certificates/inspect/{certificate.pk}/"


# --- Who gets in ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        INDEX,
        "/admin/certificates/issue/",
        "/admin/certificates/export/",
        "/admin/certificates/bulk/",
        "/admin/certificates/bulk/reissue/",
    ],
)
def test_instructors_get_403_and_clinicians_never_reach_the_admin(client, url, issued):
    client.force_login(staff_user(group="Instructors"))
    response = client.get(url)
    assert response.status_code == 403
    assert issued.number not in response.content.decode()
    client.force_login(clinician())
    response = client.get(url)
    assert response.status_code == 302  # users without admin access go back to the site
    assert response["Location"] == "/dashboard/"


def test_instructors_cannot_act_on_a_certificate(client, issued):
    client.force_login(staff_user(group="Instructors"))
    for action in ("revoke", "reissue"):
        response = client.post(f"/admin/certificates/{issued.pk}/{action}/", {"reason": "x"})
        assert response.status_code == 403
    assert client.get(inspect_url(issued)).status_code == 403
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID


def test_instructors_get_the_same_403_for_missing_and_existing_ids(
    proxied_client, administrator, issued
):
    """No existence oracle: the permission is checked before the id is looked up."""
    job = services.bulk_reissue_create(
        certificate_ids=[issued.pk], actor=administrator, reason="Test", filters={}
    )
    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Instructors"))
    for existing, missing in ((issued.pk, issued.pk + 10_000), (job.pk, job.pk + 10_000)):
        for pattern in (
            "/admin/certificates/inspect/{}/",
            "/admin/certificates/{}/revoke/",
            "/admin/certificates/{}/reissue/",
            "/admin/certificates/{}/restore/",
            "/admin/certificates/{}/release/",
            "/admin/certificates/bulk/{}/",
            "/admin/certificates/bulk/{}/status/",
        ):
            for pk in (existing, missing):
                assert client.get(pattern.format(pk)).status_code == 403, pattern.format(pk)
            assert client.post(pattern.format(missing), {"reason": "x"}).status_code == 403


def test_a_superuser_opens_the_listing_and_the_certificate_page(client, issued):
    """A superuser holds every permission: the pages must not link to add, edit or
    delete views that do not exist (that was a 500)."""
    client.force_login(staff_user(group="Administrators", is_superuser=True))
    for url in (INDEX, inspect_url(issued)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert issued.number in response.content.decode()


def test_the_admin_menu_shows_certificates_to_administrators_only(client, admin_client):
    assert "/admin/certificates/" in admin_client.get("/admin/").content.decode()
    client.force_login(staff_user(group="Instructors"))
    assert "/admin/certificates/" not in client.get("/admin/").content.decode()


# --- Listing -------------------------------------------------------------------------------


def test_the_listing_finds_certificates_by_name_email_license_and_typed_number(
    admin_client, issued
):
    other = clinician(full_name="Someone Else")
    other_enrollment = enrollment_create(user=other, course=issued.course)
    services.certificates_issue(
        completion=completion_record(enrollment=other_enrollment), accreditors=[issued.accreditor]
    )
    license_number = issued.user.licenses.get().license_number
    for query in (
        "Dana Whit",
        issued.user.email.upper(),
        license_number,
        issued.number.lower().replace("-", ""),
        issued.number.replace("0", "O"),
    ):
        page = admin_client.get(INDEX, {"q": query}).content.decode()
        assert issued.number in page, query
        assert "Someone Else" not in page, query


def test_the_listing_filters_by_status_course_accreditor_and_date(admin_client, issued, apa):
    attendance_user = clinician(full_name="Attendance Only", professions=())
    enrollment = enrollment_create(user=attendance_user, course=issued.course)
    (attendance,) = services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[]
    )
    services.certificate_revoke(certificate=attendance, actor=None, reason="Test")
    other_course = course_build(title="Another course", accreditors=[apa])

    def numbers(**params):
        page = admin_client.get(INDEX, params).content.decode()
        return {n for n in (issued.number, attendance.number) if n in page}

    assert numbers() == {issued.number, attendance.number}
    assert numbers(status="revoked") == {attendance.number}
    assert numbers(accreditor="none") == {attendance.number}
    assert numbers(accreditor=str(apa.pk)) == {issued.number}
    assert numbers(course=str(issued.course_id)) == {issued.number, attendance.number}
    assert numbers(course=str(other_course.pk)) == set()
    today = date.today().isoformat()
    assert numbers(completion_date_from=today, completion_date_to=today) == {
        issued.number,
        attendance.number,
    }
    assert numbers(completion_date_to="2020-01-01") == set()


def test_the_certificate_page_shows_the_snapshot_and_its_audit_history(admin_client, issued):
    page = admin_client.get(inspect_url(issued)).content.decode()
    assert issued.number in page
    assert "Audit history" in page
    for action in ("Issued", "PDF rendered", "Emailed"):
        assert action in page
    assert issued.snapshot["statement"][:60] in page


# --- Actions -------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_is_recorded(admin_client, administrator, issued):
    response = admin_client.post(f"/admin/certificates/{issued.pk}/revoke/", {"reason": "  "})
    assert response.status_code == 400
    assert (
        "This field is required" in response.content.decode()
        or "A reason is required" in response.content.decode()
    )
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID

    response = admin_client.post(
        f"/admin/certificates/{issued.pk}/revoke/", {"reason": "Attendance could not be verified"}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.REVOKED
    assert issued.revoked_at is not None
    event = issued.events.get(action=CertificateEvent.Action.REVOKED)
    assert event.actor == administrator
    assert event.reason == "Attendance could not be verified"
    page = admin_client.get(inspect_url(issued)).content.decode()
    assert "Attendance could not be verified" in page
    assert "Avery Admin" in page

    # Revoking twice is refused with a message, and changes nothing.
    again = admin_client.post(f"/admin/certificates/{issued.pk}/revoke/", {"reason": "again"})
    assert again.status_code == 400
    assert "Only a valid certificate can be revoked" in again.content.decode()
    assert issued.events.filter(action=CertificateEvent.Action.REVOKED).count() == 1


def test_restoring_a_revoked_certificate_makes_it_valid_again(admin_client, administrator, issued):
    services.certificate_revoke(certificate=issued, actor=administrator, reason="Mistake")
    response = admin_client.post(
        f"/admin/certificates/{issued.pk}/restore/", {"reason": "Revoked the wrong one"}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
    assert issued.revoked_at is None
    assert issued.events.get(action=CertificateEvent.Action.RESTORED).reason == (
        "Revoked the wrong one"
    )


def test_reissue_after_a_name_correction_gives_a_new_number_and_pdf(
    admin_client, administrator, issued, deliver, django_capture_on_commit_callbacks
):
    old_pdf = issued.pdf.open("rb").read()
    issued.user.full_name = "Dana Whitfield-Okafor"
    issued.user.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            f"/admin/certificates/{issued.pk}/reissue/", {"reason": "Name corrected on request"}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the new certificate's rendering is enqueued
    issued.refresh_from_db()
    new = Certificate.objects.get(supersedes=issued)
    assert response["Location"] == inspect_url(new)
    assert issued.status == Certificate.Status.REISSUED
    assert new.status == Certificate.Status.VALID
    assert new.number != issued.number
    assert new.participant_name == "Dana Whitfield-Okafor"
    assert new.snapshot["reissue_of"] == issued.number
    # What was earned is unchanged.
    for key in ("course_title", "completion_date", "credits", "statement", "accreditor"):
        assert new.snapshot[key] == issued.snapshot[key]
    assert issued.events.get(action=CertificateEvent.Action.REISSUED).data == {
        "new_number": new.number
    }
    assert new.events.get(action=CertificateEvent.Action.ISSUED).actor == administrator

    new = deliver(new)
    assert "Dana Whitfield-Okafor" in pdf_text(new.pdf.open("rb").read())
    assert issued.pdf.open("rb").read() == old_pdf  # the old PDF stays as it was
    page = admin_client.get(inspect_url(issued)).content.decode()
    assert "Reissued as" in page and new.number in page


def test_a_held_certificate_is_issued_anyway_with_a_reason(
    admin_client, administrator, enrollment, apa, django_capture_on_commit_callbacks
):
    apa.approval_end = date(2021, 12, 31)
    apa.save()
    (held,) = services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[apa]
    )
    assert held.status == Certificate.Status.HELD
    page = admin_client.get(inspect_url(held)).content.decode()
    assert "outside APA&#x27;s approval period" in page or "outside APA's approval period" in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            f"/admin/certificates/{held.pk}/release/",
            {"reason": "Board confirmed the renewal was pending"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    held.refresh_from_db()
    assert held.status == Certificate.Status.VALID
    event = held.events.get(action=CertificateEvent.Action.ISSUED_MANUALLY)
    assert event.actor == administrator
    assert "approval period" in event.data["released_hold"]


def test_manual_issue_after_a_technical_fault_and_its_double_submit(
    admin_client, administrator, enrollment, apa, django_capture_on_commit_callbacks
):
    completion_record(enrollment=enrollment)  # completed, but no certificate was issued
    data = {
        "email": enrollment.user.email,
        "course": enrollment.course_id,
        "accreditor": apa.pk,
        "reason": "Issuing failed during the outage of 3 March",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post("/admin/certificates/issue/", data)
    assert response.status_code == 302
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.VALID
    event = certificate.events.get()
    assert event.action == CertificateEvent.Action.ISSUED_MANUALLY
    assert event.actor == administrator
    assert event.reason == data["reason"]

    # The same form submitted again (a double click) is refused: still one certificate.
    again = admin_client.post("/admin/certificates/issue/", data)
    assert again.status_code == 400
    assert "already exists" in again.content.decode()
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def test_manual_issue_refuses_bad_input_and_changes_nothing(admin_client, enrollment, apa):
    cases = [
        ({"email": "nobody@example.org"}, "No enrollment of this email address"),
        ({"course": 999999}, "Select a valid choice"),
        ({"reason": ""}, "This field is required"),
        ({}, "has no recorded completion: give the completion date"),
        (
            {"accreditor": aswb_accreditor().pk, "completed_on": "2026-01-05"},
            "offers no credit under ASWB",
        ),
        ({"completed_on": "2999-01-01"}, "cannot be in the future"),
    ]
    for override, message in cases:
        data = {
            "email": enrollment.user.email,
            "course": enrollment.course_id,
            "accreditor": apa.pk,
            "reason": "Because",
            **override,
        }
        response = admin_client.post("/admin/certificates/issue/", data)
        assert response.status_code == 400, override
        assert message in response.content.decode(), override
    assert not Certificate.objects.exists()


def test_manual_issue_without_a_recorded_completion_takes_the_given_date(
    admin_client, enrollment, apa, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post(
            "/admin/certificates/issue/",
            {
                "email": enrollment.user.email,
                "course": enrollment.course_id,
                "accreditor": apa.pk,
                "completed_on": "2026-02-03",
                "reason": "Paper records from the live session",
            },
        )
    assert response.status_code == 302
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.completion is None
    assert certificate.completion_date == date(2026, 2, 3)
    assert certificate.snapshot["manual"] is True


# --- Export and bulk -----------------------------------------------------------------------


def test_the_csv_export_streams_the_filtered_listing(admin_client, issued, apa):
    sneaky = clinician(full_name='=HYPERLINK("http://evil")')
    enrollment = enrollment_create(user=sneaky, course=issued.course)
    services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[apa]
    )

    response = admin_client.get("/admin/certificates/export/", {"status": "valid"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["Certificate number", "Status", "Kind", "Participant", "Email"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == set(Certificate.objects.values_list("number", flat=True))
    row = by_number[issued.number]
    assert row[3] == "Dana Whitfield"
    assert row[4] == issued.user.email
    assert row[5] == issued.license_numbers
    assert row[7] == "APA"
    # A name a spreadsheet would run as a formula is exported as text.
    assert any(r[3] == '\'=HYPERLINK("http://evil")' for r in rows[1:])

    filtered = admin_client.get("/admin/certificates/export/", {"q": "Dana"})
    rows = list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [issued.number]


def test_the_listing_links_its_exports_with_its_filters(admin_client, issued):
    # reports serves the exports; the listing shows its links through a hook.
    page = admin_client.get("/admin/certificates/", {"status": "valid"}).content.decode()
    links = {
        fmt: (path, query)
        for path, query, fmt in re.findall(
            r'href="([^"?]+)\?([^"]*)" download>Export these as (CSV|XLSX)', page
        )
    }
    assert links == {
        "CSV": ("/admin/certificates/export/", "status=valid"),
        "XLSX": ("/admin/certificates/export/xlsx/", "status=valid"),
    }
    response = admin_client.get(f"{links['CSV'][0]}?{links['CSV'][1]}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(body))][1:] == [issued.number]


def _export(client, params=None) -> list[list[str]]:
    response = client.get("/admin/certificates/export/", params or {})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _issue_to(user, course, accreditors):
    enrollment = enrollment_create(user=user, course=course)
    return services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=accreditors
    )


def test_the_csv_export_shows_the_accreditor_and_provider_number_as_printed_after_a_change(
    admin_client, issued, apa
):
    printed = issued.snapshot["accreditor"]
    assert (printed["short_name"], printed["provider_number"]) == ("APA", "APA-1234")
    (attendance,) = _issue_to(clinician(full_name="Attendee Only"), issued.course, [])
    apa.provider_number = "APA-9999"
    apa.short_name = "APA (renamed)"
    apa.save()

    rows = _export(admin_client)
    assert rows[0][7:9] == ["Accreditor", "Provider number"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[issued.number][7:9] == ["APA", "APA-1234"]
    assert by_number[attendance.number][7:9] == ["", ""]


def test_the_csv_export_streams_through_a_chunked_cursor_with_constant_queries(
    admin_client, issued, apa, monkeypatch, iterator_calls, django_assert_max_num_queries
):
    """Like the audit reports' CSVs: the export never loads the whole queryset
    and its query count does not grow with the number of certificates."""
    monkeypatch.setattr(admin_export, "EXPORT_CHUNK_SIZE", 2)
    calls = iterator_calls
    for i in range(2):
        _issue_to(clinician(full_name=f"Small Export {i}"), issued.course, [apa])
    _export(admin_client)  # warm the caches every admin request fills once
    calls.clear()
    with CaptureQueriesContext(connection) as queries:
        small_rows = len(_export(admin_client)) - 1
    assert calls == [("Certificate", 2)]
    assert small_rows == 3

    for i in range(7):
        _issue_to(clinician(full_name=f"Big Export {i}"), issued.course, [apa])
    with django_assert_max_num_queries(len(queries)):
        big_rows = len(_export(admin_client)) - 1
    assert big_rows == 10  # five chunks of 2 instead of two, no query more


def test_bulk_reissue_of_the_filtered_set_creates_a_job_with_one_item_each(
    admin_client, administrator, issued, apa, django_capture_on_commit_callbacks
):
    other = enrollment_create(user=clinician(full_name="Bulk Two"), course=issued.course)
    services.certificates_issue(completion=completion_record(enrollment=other), accreditors=[apa])
    page = admin_client.get("/admin/certificates/bulk/reissue/", {"q": "Dana"}).content.decode()
    assert "1 valid certificate(s) match" in page

    refused = admin_client.post("/admin/certificates/bulk/reissue/?q=Dana", {"reason": ""})
    assert refused.status_code == 400
    assert not BulkJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            "/admin/certificates/bulk/reissue/?q=Dana", {"reason": "Provider renamed"}
        )
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/certificates/bulk/{job.pk}/"
    assert len(callbacks) == 1
    assert job.total == 1
    assert list(job.items.values_list("certificate_id", flat=True)) == [issued.pk]
    assert job.filters == {"q": "Dana"}

    status = admin_client.get(f"/admin/certificates/bulk/{job.pk}/status/").json()
    assert status == {
        "status": "queued",
        "status_label": "Queued",
        "total": 1,
        "done": 0,
        "failed": 0,
        "percent": 0,
    }
    page = admin_client.get(f"/admin/certificates/bulk/{job.pk}/").content.decode()
    assert "<progress" in page and "bulk-progress.js" in page


def test_invalid_filters_are_refused_rather_than_widened_to_everything(admin_client, issued):
    response = admin_client.get("/admin/certificates/export/", {"status": "bogus"})
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert "These filters are not valid" in response.content.decode()
    refused = admin_client.post(
        "/admin/certificates/bulk/reissue/?completion_date_from=not-a-date", {"reason": "Oops"}
    )
    assert refused.status_code == 400
    assert not BulkJob.objects.exists()
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
