""" "My records" (issue 16): the transcript as CSV and PDF, every certificate in
one ZIP, a JSON export of one's data, and the way to ask for a correction. A
clinician gets only their own; bad input is refused and records nothing."""

import csv
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from audit.models import AuditAction, AuditEvent
from certificates.services.delivery import certificate_pdf_store
from courses.models import JournalEntry
from tests.factories import UserFactory, certificate_issued, clinician, lessons_of

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2020-01-01", "end": "2035-12-31"}


@pytest.fixture
def two_clinicians(site_tree):
    """Dana with a stored certificate, and Robin with one of their own."""
    dana = clinician(full_name="Dana Whitfield")
    robin = clinician(full_name="Robin Other")
    mine = certificate_issued(user=dana, title="Dana's course")
    theirs = certificate_issued(user=robin, title="Robin's course")
    for certificate in (mine, theirs):
        certificate_pdf_store(certificate_id=certificate.pk)
        certificate.refresh_from_db()
    return dana, mine, robin, theirs


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _exports(user) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT, actor_id=user.pk).values_list(
            "data", flat=True
        )
    )


def test_the_records_page_offers_each_copy_and_the_correction_request(client, two_clinicians):
    dana, _mine, *_ = two_clinicians
    client.force_login(dana)
    html = client.get("/renewals/records/").content.decode()
    for marker in (
        "data-transcript-csv",
        "data-transcript-xlsx",
        "data-transcript-pdf",
        "data-certificates-zip",
        "data-data-export",
    ):
        assert marker in html
    assert 'href="/support/new/?kind=grievance&amp;topic=correction"' in html
    assert "1 certificate PDF in one ZIP" in html


def test_the_transcript_csv_lists_only_ones_own_certificates(client, two_clinicians):
    dana, mine, _robin, theirs = two_clinicians
    client.force_login(dana)
    response = client.get("/renewals/records/transcript.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows[0][0] == "Certificate number" and rows[0][-1] == "Credit hours"
    assert [row[0] for row in rows[1:]] == [mine.number]
    assert rows[1][1] == "Dana's course" and rows[1][3] == "APA" and rows[1][5] == "0.50"
    assert theirs.number not in _body(response).decode()
    assert [e["report"] for e in _exports(dana)] == ["my_transcript"]
    assert _exports(dana)[0]["rows"] == 1


def test_the_transcript_xlsx_holds_the_csvs_rows_and_only_ones_own(client, two_clinicians):
    from openpyxl import load_workbook

    dana, mine, _robin, theirs = two_clinicians
    client.force_login(dana)
    csv_rows = list(
        csv.reader(
            io.StringIO(
                _body(client.get("/renewals/records/transcript.csv", PERIOD)).decode("utf-8-sig")
            )
        )
    )
    response = client.get("/renewals/records/transcript.xlsx", PERIOD)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert 'filename="ce-transcript-2020-01-01-2035-12-31.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == csv_rows[0]
    assert [row[0] for row in rows[1:]] == [mine.number]
    assert theirs.number not in str(rows)
    assert sorted(e["format"] for e in _exports(dana)) == ["csv", "xlsx"]


@pytest.mark.parametrize(
    "period",
    [
        {"start": "2030-01-01", "end": "2020-01-01"},
        {"start": "not a date", "end": "2020-01-01"},
        {"start": "1900-01-01", "end": "2030-01-01"},
    ],
)
def test_a_bad_period_is_refused_clearly_and_exports_nothing(client, two_clinicians, period):
    dana, *_ = two_clinicians
    client.force_login(dana)
    for spreadsheet in ("csv", "xlsx"):
        response = client.get(f"/renewals/records/transcript.{spreadsheet}", period)
        assert response.status_code == 400
        assert 'class="error-text"' in response.content.decode()
    assert _exports(dana) == []


def test_the_transcript_pdf_is_certificates_own_rendering_of_the_same_rows(client, two_clinicians):
    dana, mine, _, theirs = two_clinicians
    client.force_login(dana)
    response = client.get("/transcript/pdf/", PERIOD)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert mine.number in text and theirs.number not in text


def test_the_zip_holds_every_one_of_ones_own_certificate_pdfs_and_nobody_elses(
    client, two_clinicians
):
    dana, mine, _robin, theirs = two_clinicians
    client.force_login(dana)
    response = client.get("/renewals/records/certificates.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert pdfs == [f"{mine.completion_date.isoformat()}-{mine.number}.pdf"]
    with mine.pdf.open("rb") as stored:
        assert archive.read(pdfs[0]) == stored.read()
    assert theirs.number not in " ".join(archive.namelist())
    assert mine.number in archive.read("README.txt").decode()
    assert [e["report"] for e in _exports(dana)] == ["my_certificates"]


def test_the_zip_without_certificates_says_so(client, site_tree):
    user = UserFactory()
    client.force_login(user)
    archive = zipfile.ZipFile(io.BytesIO(_body(client.get("/renewals/records/certificates.zip"))))
    assert archive.namelist() == ["README.txt"]
    assert "No certificate" in archive.read("README.txt").decode()


def test_the_data_export_is_ones_own_data_without_answer_keys_or_secrets(client, two_clinicians):
    dana, mine, robin, theirs = two_clinicians
    lesson = lessons_of(mine.course)[0]
    JournalEntry.objects.create(user=dana, lesson=lesson, prompt_id="p1", text="My reflection")
    JournalEntry.objects.create(user=robin, lesson=lesson, prompt_id="p1", text="Robin's text")
    client.force_login(dana)
    response = client.get("/renewals/records/my-data.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["format"] == "practicum-data-export/1"
    assert (
        data["account"]["email"] == dana.email and data["account"]["full_name"] == "Dana Whitfield"
    )
    assert "password" not in data["account"]
    assert [lic["license_number"] for lic in data["licenses"]] == [
        lic.license_number for lic in dana.licenses.all()
    ]
    assert [c["number"] for c in data["certificates"]] == [mine.number]
    assert [e["text"] for e in data["journal_entries"]] == ["My reflection"]
    [attempt] = data["post_test_attempts"]
    assert attempt["passed"] is True and "questions" not in attempt and "results" not in attempt
    assert data["attestations"][0]["credit_claimed_under"] == ["APA"]
    assert len(data["evaluations"][0]["ratings"]) > 0
    raw = response.content.decode()
    # Everything that is Robin's, by its own text: a bare "Robin" could be an
    # instructor's name the factory drew at random.
    for robins in (robin.email, theirs.number, robin.full_name, "Robin's text", "Robin's course"):
        assert robins not in raw
    assert [e["report"] for e in _exports(dana)] == ["my_data"]


@pytest.mark.parametrize(
    "url",
    [
        "/renewals/records/",
        "/renewals/records/transcript.csv",
        "/renewals/records/certificates.zip",
        "/renewals/records/my-data.json",
    ],
)
def test_my_records_ask_for_sign_in(client, site_tree, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_correction_link_opens_the_request_form_with_a_grievance_and_a_prompt(
    client, site_tree
):
    client.force_login(UserFactory())
    html = client.get("/support/new/?kind=grievance&topic=correction").content.decode()
    assert 'value="grievance" required id="id_kind_1" checked' in html
    assert "Please correct my records." in html
