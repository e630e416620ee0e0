"""The audit log in the Wagtail admin: Administrators and superusers read it,
instructors get a 403 and clinicians never reach the admin; the filters narrow
it; its CSV and XLSX exports hold the filtered rows and are themselves recorded;
nothing adds, changes or deletes a row through it."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

INDEX = "/admin/audit-log/"


@pytest.fixture
def rows(administrator):
    other = staff_user(group="Administrators", email="blake@example.org")
    old = audit_record(
        actor=other,
        action=AuditAction.CERTIFICATE_REVOKE,
        object_type="certificates.certificate",
        object_id=41,
        object_label="PR-2026-0041 — Dana Whitfield",
        reason="Attestation found false",
    )
    return {
        "revoke": old,
        "reset": audit_record(
            actor=administrator,
            action=AuditAction.MFA_RESET,
            object_type="accounts.user",
            object_id=7,
            object_label="Sam Okafor",
            reason="Lost phone",
        ),
        "issue": audit_record(
            actor=None,
            action=AuditAction.CERTIFICATE_ISSUE,
            object_type="certificates.certificate",
            object_id=42,
            object_label='=HYPERLINK("http://evil.example","x")',
        ),
    }


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_administrators_read_the_log_with_actor_action_object_and_address(admin_client, rows):
    page = listed(admin_client.get(INDEX))
    assert "Two-factor authentication reset" in page
    assert "Sam Okafor" in page
    assert "blake@example.org" in page
    assert "System" in page
    detail = listed(admin_client.get(f"{INDEX}inspect/{rows['revoke'].pk}/"))
    assert "Attestation found false" in detail
    assert "certificates.certificate 41" in detail


def test_superusers_read_the_log(client, rows):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "Sam Okafor" in listed(client.get(INDEX))


@pytest.mark.parametrize("path", ["", "inspect/{pk}/", "?export=csv", "?export=xlsx"])
def test_instructors_get_403_and_clinicians_are_sent_away(client, rows, path):
    url = INDEX + path.format(pk=rows["reset"].pk)
    client.force_login(staff_user(group="Instructors"))
    response = client.get(url)
    assert response.status_code == 403
    assert "Sam Okafor" not in response.content.decode()
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert "audit-log" not in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_reports_menu_shows_the_log_to_administrators_only(client, administrator):
    client.force_login(administrator)
    assert INDEX in client.get("/admin/").content.decode()
    client.force_login(staff_user(group="Instructors"))
    assert INDEX not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "blake@"}, {"revoke"}),
        ({"actor": "AVERY"}, {"reset"}),
        ({"action": ["user.mfa_reset", "certificate.issue"]}, {"reset", "issue"}),
        ({"object_type": "certificates.certificate"}, {"revoke", "issue"}),
        ({"object_type": "certificates.certificate", "object_id": "41"}, {"revoke"}),
        ({}, {"revoke", "reset", "issue"}),
    ],
)
def test_the_filters_narrow_the_listing(admin_client, rows, params, expected):
    page = listed(admin_client.get(INDEX, params))
    shown = {name for name, event in rows.items() if f"inspect/{event.pk}/" in page}
    assert shown == expected


def test_the_date_filter_takes_calendar_days_in_the_site_time_zone(admin_client, rows):
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    tomorrow = (today + timedelta(days=1)).isoformat()
    page = listed(admin_client.get(INDEX, {"created_at_from": today.isoformat()}))
    assert all(f"inspect/{event.pk}/" in page for event in rows.values())
    page = listed(admin_client.get(INDEX, {"created_at_to": yesterday}))
    assert not any(f"inspect/{event.pk}/" in page for event in rows.values())
    page = listed(admin_client.get(INDEX, {"created_at_from": tomorrow}))
    assert not any(f"inspect/{event.pk}/" in page for event in rows.values())


def test_the_csv_export_holds_the_filtered_rows_and_is_recorded(admin_client, administrator, rows):
    response = admin_client.get(INDEX, {"export": "csv", "object_type": "certificates.certificate"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    header, *lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header[:5] == ["When", "Actor id", "Actor", "IP address", "Action"]
    assert [line[7] for line in lines] == ["42", "41"]
    assert lines[0][8] == '\'=HYPERLINK("http://evil.example","x")'
    assert lines[1][9] == "Attestation found false"
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (export.actor_id, export.actor_label) == (administrator.pk, "avery@example.org")
    assert export.ip_address == "127.0.0.1"
    assert export.data == {
        "report": "audit_log",
        "format": "csv",
        "filters": {"object_type": "certificates.certificate"},
        "rows": 2,
        "complete": True,
    }


def test_the_xlsx_export_holds_the_same_rows_with_formulas_kept_as_text(admin_client, rows):
    response = admin_client.get(INDEX, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "When"
    assert [line[5] for line in values[1:]] == [
        "certificate.issue",
        "user.mfa_reset",
        "certificate.revoke",
    ]
    formula_like = sheet.cell(row=2, column=9)
    assert (formula_like.value, formula_like.data_type) == (
        '=HYPERLINK("http://evil.example","x")',
        "s",
    )
    assert json.loads(values[2][10]) == {}
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).data["rows"] == 3


def test_invalid_filters_are_refused_rather_than_exporting_everything(admin_client, rows):
    response = admin_client.get(INDEX, {"export": "csv", "created_at_from": "not-a-date"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("path", ["add/", "edit/{pk}/", "delete/{pk}/", "history/{pk}/"])
def test_no_admin_path_adds_changes_or_deletes_a_row(admin_client, rows, path):
    url = INDEX + path.format(pk=rows["reset"].pk)
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"reason": "tidied"}).status_code == 404
    assert AuditEvent.objects.get(pk=rows["reset"].pk).reason == "Lost phone"
