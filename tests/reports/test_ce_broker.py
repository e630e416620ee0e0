"""The accreditor report as a CE Broker-style upload: the approval (course)
number each accreditor gave the course, frozen on the certificate at issue
(never the page id); first and last name apart, split from the name as
certified by a documented rule; certificates marked reported when an
Administrator confirms an upload, and a filter for those not reported yet."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from certificates.models import Certificate
from courses.models import CourseCredit
from reports.models import AccreditorUpload
from reports.names import name_split
from tests.factories import (
    certificate_issued,
    client_reauthenticated,
    clinician,
    course_build,
    staff_user,
)

pytestmark = pytest.mark.django_db

REPORT = "/admin/audit-reports/accreditor/"
CSV = "/admin/audit-reports/accreditor/csv/"
CONFIRM = "/admin/audit-reports/accreditor/confirm/"


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Dana Whitfield", "Dana", "Whitfield"),
        ("Mary Ann  Lee", "Mary Ann", "Lee"),
        ("Okafor, Sam", "Sam", "Okafor"),
        ('Okafor, Sam "Sammy"', 'Sam "Sammy"', "Okafor"),
        ("Sam Okafor Jr.", "Sam", "Okafor Jr."),
        ("Ana de la Cruz", "Ana", "de la Cruz"),
        ("Ludwig van Beethoven III", "Ludwig", "van Beethoven III"),
        ("Cher", "", "Cher"),
        ("张伟", "", "张伟"),
    ],
)
def test_a_certified_name_splits_into_first_and_last_by_the_documented_rule(name, first, last):
    assert name_split(name) == (first, last)


@pytest.fixture
def course(apa):
    course = course_build(accreditors=[apa])
    CourseCredit.objects.filter(page=course).update(approval_number="APA-C-0042")
    course.save_revision().publish()
    return course


def params(apa, **extra):
    today = timezone.localdate()
    return {
        "accreditor": apa.pk,
        "start": (today - timedelta(days=30)).isoformat(),
        "end": today.isoformat(),
        **extra,
    }


def read(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_course_number_is_the_approval_number_frozen_at_issue(admin_client, apa, course):
    certificate = certificate_issued(course=course, user=clinician(full_name="Dana Whitfield"))
    assert certificate.snapshot["accreditor"]["course_number"] == "APA-C-0042"
    # A later edit of the credit row changes nothing the certificate reports.
    CourseCredit.objects.filter(page=course).update(approval_number="APA-C-9999")
    (line,) = read(admin_client.get(CSV, params(apa)))
    assert line["Course number"] == "APA-C-0042"
    assert line["Course number"] != str(course.pk)
    assert (line["First name"], line["Last name"]) == ("Dana", "Whitfield")


def test_older_certificates_take_the_credit_rows_number_and_never_the_page_id(
    admin_client, apa, course
):
    certificate = certificate_issued(course=course)
    snapshot = certificate.snapshot
    del snapshot["accreditor"]["course_number"]  # issued before numbers were frozen
    Certificate.objects.filter(pk=certificate.pk).update(snapshot=snapshot)
    (line,) = read(admin_client.get(CSV, params(apa)))
    assert line["Course number"] == "APA-C-0042"
    CourseCredit.objects.filter(page=course).update(approval_number="")
    (line,) = read(admin_client.get(CSV, params(apa)))
    assert line["Course number"] == ""
    page = admin_client.get(REPORT, params(apa)).content.decode()
    assert "Some lines have no course number" in page


def test_the_course_editor_shows_the_approval_number_on_the_credit_rows(admin_client, course):
    page = admin_client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "approval (course) number" in page.lower()
    assert "APA-C-0042" in page


def test_confirming_an_upload_marks_its_certificates_reported(admin_client, apa, course):
    first = certificate_issued(course=course)
    page = admin_client.get(REPORT, params(apa)).content.decode()
    assert "Mark these certificates reported" in page
    issued_before = timezone.now().isoformat()
    second = certificate_issued(course=course)  # issued after the page was loaded
    response = admin_client.post(
        CONFIRM + "?" + "&".join(f"{k}={v}" for k, v in params(apa).items()),
        {"reference": "CEB batch 5521", "issued_before": issued_before},
    )
    assert response.status_code == 302
    upload = AccreditorUpload.objects.get()
    assert [item.certificate_id for item in upload.items.all()] == [first.pk]
    assert upload.reference == "CEB batch 5521"

    lines = {line["Certificate number"]: line for line in read(admin_client.get(CSV, params(apa)))}
    assert lines[first.number]["Reported on"] == timezone.localdate().isoformat()
    assert lines[second.number]["Reported on"] == ""
    not_yet = read(admin_client.get(CSV, params(apa, reported="no")))
    assert [line["Certificate number"] for line in not_yet] == [second.number]
    reported = read(admin_client.get(CSV, params(apa, reported="yes")))
    assert [line["Certificate number"] for line in reported] == [first.number]

    row = AuditEvent.objects.get(action=AuditAction.REPORT_MARK_REPORTED)
    assert (row.object_type, row.reason, row.data["certificates"]) == (
        "courses.accreditor",
        "CEB batch 5521",
        1,
    )


def test_a_second_confirmation_reports_only_what_was_not_reported(admin_client, apa, course):
    certificate_issued(course=course)
    url = CONFIRM + "?" + "&".join(f"{k}={v}" for k, v in params(apa).items())
    data = {"reference": "", "issued_before": timezone.now().isoformat()}
    assert admin_client.post(url, data).status_code == 302
    assert admin_client.post(url, data).status_code == 302
    assert AccreditorUpload.objects.count() == 1  # the second found nothing to report
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_MARK_REPORTED).count() == 1


def test_instructors_cannot_confirm_an_upload(client, apa, course):
    certificate_issued(course=course)
    client.force_login(staff_user(group="Instructors"))
    client_reauthenticated(client)
    url = CONFIRM + "?" + "&".join(f"{k}={v}" for k, v in params(apa).items())
    response = client.post(url, {"issued_before": timezone.now().isoformat()})
    assert response.status_code == 403
    assert not AccreditorUpload.objects.exists()
