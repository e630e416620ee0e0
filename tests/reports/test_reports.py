"""Audit reports in the Wagtail admin: the course roster, the accreditor report
(CE Broker-style upload) and the course evidence packet — their content on a
small realistic dataset, the CSV columns and values, who may see them, their
query budgets at two sizes, and refusals of bad input."""

import csv
import io
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import services
from certificates.models import Certificate
from courses.models import CourseCompletion, Enrollment, LessonProgress
from courses.services import enrollment_create
from quizzes.models import Attempt, Attestation, Evaluation
from quizzes.services import attempt_start, attempt_submit
from reports import selectors
from tests.factories import (
    AccreditorFactory,
    LicenseFactory,
    aswb_accreditor,
    clinician,
    course_build,
    course_completed_by,
    lesson_done,
    lessons_complete,
    lessons_of,
    requirements_complete,
    staff_user,
)

pytestmark = pytest.mark.django_db

ROSTER = "/admin/audit-reports/roster/"
ROSTER_CSV = "/admin/audit-reports/roster/csv/"
ACCREDITOR = "/admin/audit-reports/accreditor/"
ACCREDITOR_CSV = "/admin/audit-reports/accreditor/csv/"
EVIDENCE = "/admin/audit-reports/evidence/"
INDEX = "/admin/audit-reports/"

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def backdate(enrollment, *, enrolled: date, completed: date | None = None):
    """Move an enrollment's records to a realistic timeline (the services stamp 'now')."""
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=at(enrolled, 9))
    LessonProgress.objects.filter(enrollment=enrollment).update(first_viewed_at=at(enrolled, 9))
    if completed is None:
        return
    attempts = list(Attempt.objects.filter(enrollment=enrollment).order_by("number"))
    for back, attempt in enumerate(reversed(attempts)):
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=at(completed - timedelta(days=back), 13),
            submitted_at=at(completed - timedelta(days=back), 14),
        )
    Evaluation.objects.filter(enrollment=enrollment).update(submitted_at=at(completed, 15))
    Attestation.objects.filter(enrollment=enrollment).update(attested_at=at(completed, 16))
    CourseCompletion.objects.filter(enrollment=enrollment).update(completed_at=at(completed, 16))
    for certificate in Certificate.objects.filter(enrollment=enrollment):
        snapshot = {**certificate.snapshot, "completion_date": completed.isoformat()}
        Certificate.objects.filter(pk=certificate.pk).update(
            completion_date=completed, snapshot=snapshot
        )


def fail_post_test_once(enrollment):
    attempt = attempt_start(enrollment=enrollment)
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    result = attempt_submit(attempt_id=attempt.pk, user=enrollment.user, answers=wrong)
    assert not result.passed
    return result


class Dataset:
    """Two clinicians who completed, one still working, on one course offered under APA
    and ASWB:

    - Dana Whitfield: psychologist (CA) and social worker (NY): two certificates;
    - Sam Okafor: psychologist (CA), failed the post-test once, then passed; his
      APA certificate was revoked;
    - Riley Chen: psychologist (OR), one lesson of two done.
    """

    def __init__(self):
        self.apa = AccreditorFactory(
            approval_start=date(2020, 1, 1), approval_end=date(2099, 12, 31)
        )
        self.aswb = aswb_accreditor(
            approval_start=date(2020, 1, 1), approval_end=date(2099, 12, 31)
        )
        self.course = course_build(
            title="Understanding stuck treatments", accreditors=[self.apa, self.aswb], hours="0.5"
        )
        self.dana = clinician(full_name="Dana Whitfield", email="dana@example.org")
        LicenseFactory(
            user=self.dana, profession="social_worker", license_number="LCSW 77889", region="NY"
        )
        self.dana_psy = self.dana.licenses.get(profession="psychologist").license_number
        self.dana_enrollment, _ = course_completed_by(user=self.dana, course=self.course)
        LessonProgress.objects.filter(enrollment=self.dana_enrollment).update(active_seconds=1350)
        # As the completion froze it: above the accreditors' stated share (24 min).
        CourseCompletion.objects.filter(enrollment=self.dana_enrollment).update(active_seconds=2700)
        backdate(self.dana_enrollment, enrolled=date(2026, 2, 3), completed=date(2026, 2, 20))

        self.sam = clinician(full_name="Sam Okafor", email="sam@example.org")
        self.sam_psy = self.sam.licenses.get().license_number
        self.sam_enrollment = enrollment_create(user=self.sam, course=self.course)
        lessons_complete(enrollment=self.sam_enrollment)
        fail_post_test_once(self.sam_enrollment)
        assert requirements_complete(enrollment=self.sam_enrollment) is not None
        LessonProgress.objects.filter(enrollment=self.sam_enrollment).update(active_seconds=600)
        CourseCompletion.objects.filter(enrollment=self.sam_enrollment).update(active_seconds=600)
        backdate(self.sam_enrollment, enrolled=date(2026, 3, 2), completed=date(2026, 3, 16))
        self.sam_certificate = Certificate.objects.get(enrollment=self.sam_enrollment)
        services.certificate_revoke(
            certificate=self.sam_certificate, actor=None, reason="Attestation found false"
        )
        self.sam_certificate.refresh_from_db()

        self.riley = clinician(full_name="Riley Chen", email="riley@example.org")
        self.riley.licenses.update(region="OR")
        self.riley_enrollment = enrollment_create(user=self.riley, course=self.course)
        lesson_done(user=self.riley, lesson=lessons_of(self.course)[0])
        backdate(self.riley_enrollment, enrolled=date(2026, 4, 7))

        self.dana_apa = Certificate.objects.get(
            enrollment=self.dana_enrollment, accreditor=self.apa
        )
        self.dana_aswb = Certificate.objects.get(
            enrollment=self.dana_enrollment, accreditor=self.aswb
        )


@pytest.fixture
def data(db):
    return Dataset()


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def roster_params(data, **extra):
    return {"course": data.course.pk, **PERIOD, **extra}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


# --- 1. The course roster ------------------------------------------------------------------


def test_the_roster_shows_each_participant_with_licenses_progress_post_test_and_certificates(
    data,
):
    period = selectors.Period(start=date(2026, 1, 1), end=date(2026, 6, 30))
    lesson_ids = selectors.course_live_lesson_ids(course=data.course)
    values = list(
        selectors.roster_queryset(course=data.course, period=period, lesson_ids=lesson_ids)
    )
    dana, riley, sam = selectors.roster_rows(values=values, lessons_total=len(lesson_ids))

    assert [dana.participant_name, riley.participant_name, sam.participant_name] == [
        "Dana Whitfield",
        "Riley Chen",
        "Sam Okafor",
    ]
    assert [str(lic) for lic in dana.licenses] == [
        f"Psychologist {data.dana_psy} (CA)",
        "Social worker LCSW 77889 (NY)",
    ]
    assert (dana.enrolled_on, dana.lessons_done, dana.lessons_total) == (date(2026, 2, 3), 2, 2)
    assert (dana.active_seconds, dana.active_time) == (2700, "45 min")
    assert (dana.attempts, dana.best_score, dana.passed_on) == (
        1,
        Decimal("100.00"),
        date(2026, 2, 20),
    )
    assert (dana.evaluation_on, dana.attested_on, dana.completed_on) == (date(2026, 2, 20),) * 3
    assert [(c.number, c.accreditor, c.status) for c in dana.certificates] == [
        (data.dana_apa.number, "APA", "valid"),
        (data.dana_aswb.number, "ASWB", "valid"),
    ]
    assert dana.certificates[0].credits == [{"category": "General", "hours": "0.50"}]

    # Sam failed once (on the day before), then passed; his certificate is revoked.
    assert (sam.attempts, sam.best_score, sam.passed_on) == (
        2,
        Decimal("100.00"),
        date(2026, 3, 16),
    )
    (revoked,) = sam.certificates
    assert (revoked.number, revoked.status, revoked.status_label) == (
        data.sam_certificate.number,
        "revoked",
        "Revoked",
    )
    assert revoked.revoked_on == timezone.localdate()

    # Riley is on the roster although nothing is finished.
    assert (riley.lessons_done, riley.attempts, riley.best_score, riley.passed_on) == (
        1,
        0,
        None,
        None,
    )
    assert (riley.evaluation_on, riley.attested_on, riley.completed_on) == (None, None, None)
    assert riley.certificates == []
    assert str(riley.licenses[0]).endswith("(OR)")


def test_the_roster_page_is_an_accessible_table_with_caption_and_header_scopes(admin_client, data):
    response = admin_client.get(ROSTER, roster_params(data))
    assert response.status_code == 200
    page = soup(response)
    table = page.find("table", class_="report-table")
    caption = table.find("caption").get_text(" ", strip=True)
    assert "Understanding stuck treatments" in caption and "2026-01-01 to 2026-06-30" in caption
    assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    row_headers = [th.get_text(" ", strip=True) for th in table.tbody.find_all("th", scope="row")]
    assert [h.split(" ")[0] for h in row_headers] == ["Dana", "Riley", "Sam"]
    region = page.find(attrs={"role": "region"})
    assert region["tabindex"] == "0" and region["aria-labelledby"] == caption_id(table)

    sam_row = table.tbody.find_all("tr")[2].get_text(" ", strip=True)
    assert data.sam_certificate.number in sam_row
    assert "Revoked" in sam_row and sam_psy_in(sam_row, data)
    dana_row = table.tbody.find_all("tr")[0].get_text(" ", strip=True)
    assert "LCSW 77889 (NY)" in dana_row and "45 min" in dana_row
    assert "Evaluation 2026-02-20" in dana_row  # each fact with its label
    assert "General 0.50" in dana_row
    assert "3 participants" in page.get_text(" ", strip=True)


def caption_id(table) -> str:
    return table.find("caption")["id"]


def sam_psy_in(text: str, data) -> bool:
    return f"{data.sam_psy} (CA)" in text


def test_the_roster_period_applies_to_the_enrollment_or_the_completion_date(admin_client, data):
    def names(**params):
        page = soup(admin_client.get(ROSTER, {"course": data.course.pk, **params}))
        return [th.get_text(" ", strip=True).split(" ")[0] for th in page.select("tbody th")]

    assert names(start="2026-03-01", end="2026-04-30") == ["Riley", "Sam"]
    assert names(start="2026-03-01", end="2026-04-30", basis="completed") == ["Sam"]
    assert names(start="2026-02-20", end="2026-02-20", basis="completed") == ["Dana"]
    assert names(start="2025-01-01", end="2025-12-31") == []


def test_the_roster_for_one_accreditor_keeps_its_participants_and_certificates_only(
    admin_client, data
):
    aswb_only = clinician(full_name="Alex Social", professions=("social_worker",))
    enrollment_create(user=aswb_only, course=data.course)
    Enrollment.objects.filter(user=aswb_only).update(enrolled_at=at(date(2026, 5, 5)))

    page = soup(admin_client.get(ROSTER, roster_params(data, accreditor=data.aswb.pk)))
    names = [th.get_text(" ", strip=True).split(" ")[0] for th in page.select("tbody th")]
    # Dana claimed ASWB and holds its certificate; Alex is a social worker; the
    # psychologists Sam and Riley are not ASWB participants.
    assert names == ["Alex", "Dana"]
    text = page.get_text(" ", strip=True)
    assert data.dana_aswb.number in text and data.dana_apa.number not in text

    lines = read_csv(admin_client.get(ROSTER_CSV, roster_params(data, accreditor=data.aswb.pk)))
    assert [(line[0], line[17]) for line in lines[1:]] == [
        ("Alex Social", ""),
        ("Dana Whitfield", data.dana_aswb.number),
    ]


#: The hours columns of the roster and the accreditor report (reports.selectors.common),
#: with what Dana's APA certificate carries: half an hour of general credit.
DANA_APA_HOURS = [
    ("General hours", "0.50"),
    ("Ethics hours", ""),
    ("Cultural diversity hours", ""),
    ("Clinical supervision hours", ""),
    ("Other categories", ""),
    ("Total hours", "0.50"),
]


def test_the_roster_csv_has_one_line_per_participant_and_certificate(admin_client, data):
    lines = read_csv(admin_client.get(ROSTER_CSV, roster_params(data)))
    assert lines[0] == selectors.ROSTER_COLUMNS
    # The header, column by column, with what Dana's APA line holds under it.
    assert list(zip(lines[0], lines[1], strict=True)) == [
        ("Participant (name on certificates)", "Dana Whitfield"),
        ("Email", "dana@example.org"),
        ("Licenses", f"Psychologist {data.dana_psy} (CA); Social worker LCSW 77889 (NY)"),
        ("Enrolled on", "2026-02-03"),
        ("Enrollment status", "Active"),
        ("Lessons completed", "2"),
        ("Lessons in course", "2"),
        ("Active minutes", "45"),
        ("Seat time", ""),
        ("Post-test attempts", "1"),
        ("Best score (%)", "100.00"),
        ("Passed on", "2026-02-20"),
        ("Evaluation submitted", "yes"),
        ("Evaluation date", "2026-02-20"),
        ("Attested on", "2026-02-20"),
        ("Completed on", "2026-02-20"),
        ("Overrides", ""),
        ("Certificate number", data.dana_apa.number),
        ("Accreditor", "APA"),
        ("Certificate status", "valid"),
        ("Revoked on", ""),
        ("Replaced by", ""),
        *DANA_APA_HOURS,
    ]
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert [(r["Participant (name on certificates)"], r["Accreditor"]) for r in rows] == [
        ("Dana Whitfield", "APA"),
        ("Dana Whitfield", "ASWB"),
        ("Riley Chen", ""),
        ("Sam Okafor", "APA"),
    ]
    riley, sam = rows[2], rows[3]
    assert (
        riley["Lessons completed"],
        riley["Post-test attempts"],
        riley["Evaluation submitted"],
    ) == (
        "1",
        "0",
        "no",
    )
    assert riley["Certificate number"] == riley["Total hours"] == riley["Completed on"] == ""
    assert (sam["Post-test attempts"], sam["Certificate status"], sam["Revoked on"]) == (
        "2",
        "revoked",
        timezone.localdate().isoformat(),
    )
    # Sam's 10 minutes are under APA's stated share of the 0.5 hours he claimed.
    assert sam["Seat time"] == (
        "Below the stated share: APA: 10 min active, under 80 % of 30 min credited (24 min)"
    )


def test_a_reissued_certificate_shows_what_replaced_it(admin_client, data):
    new = services.certificate_reissue(
        certificate=data.dana_apa, actor=None, reason="Name corrected"
    )
    lines = read_csv(admin_client.get(ROSTER_CSV, roster_params(data)))
    dana_apa = [
        (line[17], line[19], line[21])
        for line in lines[1:]
        if line[0] == "Dana Whitfield" and line[18] == "APA"
    ]
    assert dana_apa == [(data.dana_apa.number, "reissued", new.number), (new.number, "valid", "")]


def test_roster_cells_a_spreadsheet_would_run_as_formulas_are_kept_as_text(admin_client, data):
    data.riley.full_name = '=HYPERLINK("http://evil.example","Riley")'
    data.riley.save(update_fields=["full_name"])
    lines = read_csv(admin_client.get(ROSTER_CSV, roster_params(data)))
    assert '\'=HYPERLINK("http://evil.example","Riley")' in [line[0] for line in lines]
    assert not any(cell.startswith(("=", "+", "@")) for line in lines for cell in line)


def test_the_roster_pages_through_participants_and_the_csv_holds_them_all(
    admin_client, data, monkeypatch
):
    from reports import views as report_views

    monkeypatch.setattr(report_views.RosterView, "per_page", 2)
    first = soup(admin_client.get(ROSTER, roster_params(data)))
    second = soup(admin_client.get(ROSTER, roster_params(data, p=2)))

    def names(page):
        return [th.get_text(" ", strip=True).split(" ")[0] for th in page.select("tbody th")]

    assert names(first) == ["Dana", "Riley"] and names(second) == ["Sam"]
    nav = first.find("nav", attrs={"aria-label": "Pages of the roster"})
    assert "Page 1 of 2" in nav.get_text(" ", strip=True)
    assert nav.find("a", rel="next")["href"].endswith("&p=2")
    assert "(page 2 of 2)" in second.find("table", class_="report-table").caption.get_text()
    lines = read_csv(admin_client.get(ROSTER_CSV, roster_params(data)))
    assert len(lines) == 1 + 4  # header, Dana twice, Riley, Sam


# --- 2. The accreditor report ----------------------------------------------------------------


def test_the_accreditor_report_lists_valid_certificates_with_the_upload_columns(admin_client, data):
    apa = read_csv(admin_client.get(ACCREDITOR_CSV, {"accreditor": data.apa.pk, **PERIOD}))
    assert apa[0] == selectors.ACCREDITOR_COLUMNS
    # Sam's revoked certificate is not reportable; Dana's APA certificate carries
    # her psychology license only (the professions APA serves): one line, shown
    # here column by column under the header.
    assert len(apa) == 2
    assert list(zip(apa[0], apa[1], strict=True)) == [
        ("Provider number", "APA-1234"),
        ("Course number", ""),  # no approval number on the course's credit row (never the page id)
        ("Course title", "Understanding stuck treatments"),
        ("Certificate number", data.dana_apa.number),
        ("First name", "Dana"),
        ("Last name", "Whitfield"),
        ("License number", data.dana_psy),
        ("License state", "CA"),
        ("Profession", "Psychologist"),
        ("Completion date", "2026-02-20"),
        *DANA_APA_HOURS,
        ("Reported on", ""),
        ("Active minutes", "45"),
        ("Seat time", ""),
    ]
    aswb = read_csv(admin_client.get(ACCREDITOR_CSV, {"accreditor": data.aswb.pk, **PERIOD}))
    assert [line[:10] for line in aswb[1:]] == [
        [
            "ACE-1677",
            "",
            "Understanding stuck treatments",
            data.dana_aswb.number,
            "Dana",
            "Whitfield",
            "LCSW 77889",
            "NY",
            "Social worker",
            "2026-02-20",
        ]
    ]


def test_the_accreditor_report_page_shows_the_same_lines_in_an_accessible_table(admin_client, data):
    response = admin_client.get(ACCREDITOR, {"accreditor": data.apa.pk, **PERIOD})
    assert response.status_code == 200
    table = soup(response).find("table", class_="report-table")
    assert "APA report" in table.caption.get_text()
    assert [th.get_text(strip=True) for th in table.thead.find_all("th", scope="col")] == (
        selectors.ACCREDITOR_COLUMNS
    )
    (row,) = table.tbody.find_all("tr")
    assert row.find("th", scope="row").get_text(strip=True) == data.dana_apa.number
    cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
    assert cells[:10] == [
        "APA-1234",
        "—",
        "Understanding stuck treatments",
        data.dana_apa.number,
        "Dana",
        "Whitfield",
        data.dana_psy,
        "CA",
        "Psychologist",
        "2026-02-20",
    ]
    assert data.sam_certificate.number not in response.content.decode()


def test_a_certificate_carrying_two_licenses_gives_one_line_per_license(admin_client, data):
    morgan = clinician(full_name="Morgan Two-States", email="morgan@example.org")
    LicenseFactory(
        user=morgan, profession="psychologist", license_number="PSY-NY 5521", region="NY"
    )
    enrollment, _ = course_completed_by(user=morgan, course=data.course)
    backdate(enrollment, enrolled=date(2026, 5, 1), completed=date(2026, 5, 4))
    lines = read_csv(admin_client.get(ACCREDITOR_CSV, {"accreditor": data.apa.pk, **PERIOD}))
    morgan_lines = [(line[6], line[7]) for line in lines[1:] if line[5] == "Two-States"]
    assert sorted(morgan_lines) == sorted(
        [(morgan.licenses.get(region="CA").license_number, "CA"), ("PSY-NY 5521", "NY")]
    )
    assert len({line[3] for line in lines[1:] if line[5] == "Two-States"}) == 1


def test_completed_within_keeps_recent_completions_only(admin_client, data):
    services.certificate_restore(certificate=data.sam_certificate, actor=None, reason="Cleared")
    today = timezone.localdate()
    Certificate.objects.filter(pk=data.dana_apa.pk).update(
        completion_date=today - timedelta(days=10)
    )
    Certificate.objects.filter(pk=data.sam_certificate.pk).update(
        completion_date=today - timedelta(days=40)
    )
    period = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}

    def numbers(**params):
        lines = read_csv(
            admin_client.get(ACCREDITOR_CSV, {"accreditor": data.apa.pk, **period, **params})
        )
        return {line[3] for line in lines[1:]}

    assert numbers() == {data.dana_apa.number, data.sam_certificate.number}
    assert numbers(within_days=30) == {data.dana_apa.number}
    assert numbers(within_days=40) == {data.dana_apa.number, data.sam_certificate.number}


def test_the_accreditor_report_leaves_out_held_replaced_and_other_courses(admin_client, data):
    new = services.certificate_reissue(certificate=data.dana_apa, actor=None, reason="Name fix")
    other_course = course_build(title="Another course", accreditors=[data.apa])
    other, _ = course_completed_by(user=clinician(full_name="Other Course"), course=other_course)
    backdate(other, enrolled=date(2026, 1, 5), completed=date(2026, 1, 9))
    Certificate.objects.filter(enrollment=other).update(status=Certificate.Status.HELD)

    lines = read_csv(admin_client.get(ACCREDITOR_CSV, {"accreditor": data.apa.pk, **PERIOD}))
    assert [line[3] for line in lines[1:]] == [new.number]
    Certificate.objects.filter(enrollment=other).update(status=Certificate.Status.VALID)
    lines = read_csv(
        admin_client.get(
            ACCREDITOR_CSV, {"accreditor": data.apa.pk, "course": data.course.pk, **PERIOD}
        )
    )
    assert [line[3] for line in lines[1:]] == [new.number]


# --- 3. The course evidence packet --------------------------------------------------------------


def test_the_evidence_packet_shows_the_approved_course_its_basis_and_the_period(
    admin_client, data, settings
):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    settings.RECORD_RETENTION_YEARS = 7
    instructor = data.course.course_instructors.get().instructor
    cv = Document(title="CV of the instructor")
    cv.file.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"), save=True)
    instructor.cv = cv
    instructor.disclosure = "Receives royalties from a textbook on the topic."
    instructor.save()

    response = admin_client.get(EVIDENCE, {"course": data.course.pk, **PERIOD})
    assert response.status_code == 200
    page = soup(response)
    text = page.get_text(" ", strip=True)
    data.course.refresh_from_db()
    assert f"#{data.course.live_revision_id}" in text
    assert "Title as approved Understanding stuck treatments" in text
    for objective in data.course.objectives.values_list("text", flat=True):
        assert objective in text
    credit = page.find("caption", string="Credit hours by accreditor and category").parent
    rows = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in credit.tbody.find_all("tr")
    ]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("APA", "APA-1234", "General", "0.50"),
        ("ASWB", "ACE-1677", "General", "0.50"),
    ]
    assert "Word count: 10,000 words per credit hour" in text
    assert "5,204 words" in text  # 2 lessons of 2,600 words and a 4-word reflection prompt
    assert f"{instructor.name}, {instructor.credentials}" in text
    assert "Receives royalties from a textbook on the topic." in text
    assert page.find("a", string="CV of the instructor")["href"] == cv.url
    assert "Questions in the pool 4" in text and "Pass mark 75.00 %" in text
    assert "Attempts allowed 3" in text
    assert page.find("a", href=f"/admin/evaluations/{data.course.pk}/")
    assert "2 evaluations submitted in the period" in text
    assert "Enrollments 3" in text and "Completions 2" in text
    assert "Valid: 2" in text and "Revoked: 1" in text and "APA: 1 · ASWB: 1" in text
    assert "kept for 7 years" in text and "at least until 2033-06-30" in text
    assert page.find("button", attrs={"data-report-print": True})


def test_the_evidence_packet_counts_only_the_period(admin_client, data):
    text = soup(
        admin_client.get(
            EVIDENCE, {"course": data.course.pk, "start": "2026-03-01", "end": "2026-03-31"}
        )
    ).get_text(" ", strip=True)
    assert "Enrollments 1" in text and "Completions 1" in text
    assert "Valid: 0" in text and "Revoked: 1" in text


# --- Who may see them ------------------------------------------------------------------------


def report_urls(data):
    params = f"?course={data.course.pk}&start=2026-01-01&end=2026-06-30"
    accreditor = f"?accreditor={data.apa.pk}&start=2026-01-01&end=2026-06-30"
    return [
        INDEX,
        ROSTER + params,
        ROSTER_CSV + params,
        ACCREDITOR + accreditor,
        ACCREDITOR_CSV + accreditor,
        EVIDENCE + params,
    ]


def test_instructors_get_403_and_clinicians_never_reach_the_reports(client, data):
    client.force_login(staff_user(group="Instructors"))
    for url in report_urls(data):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Dana Whitfield" not in response.content.decode(), url
    for user in (data.dana, None):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for url in report_urls(data):
            response = client.get(url)
            # Nobody without admin access is served a report: a signed-in clinician is
            # sent back to the site (accounts.admin_gate), an anonymous visitor to sign in.
            expected = "/dashboard/" if user else "/accounts/login/"
            assert response.status_code == 302 and expected in response["Location"], url
            assert "Dana Whitfield" not in response.content.decode(), url


def test_administrators_see_every_report_and_the_menu_item(admin_client, client, data):
    for url in report_urls(data):
        assert admin_client.get(url).status_code == 200, url
    assert INDEX in admin_client.get("/admin/").content.decode()
    client.force_login(staff_user(group="Instructors"))
    assert INDEX not in client.get("/admin/").content.decode()


# --- Query budgets ---------------------------------------------------------------------------


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_participants(data, n: int):
    for i in range(n):
        user = clinician(
            full_name=f"Extra Participant {i}", professions=("psychologist", "social_worker")
        )
        enrollment, _ = course_completed_by(user=user, course=data.course)
        backdate(enrollment, enrolled=date(2026, 5, 1 + i), completed=date(2026, 5, 10 + i))


def fetch(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (ROSTER, "course"),
        (ROSTER_CSV, "course"),
        (ACCREDITOR, "accreditor"),
        (ACCREDITOR_CSV, "accreditor"),
        (EVIDENCE, "course"),
    ],
)
def test_each_report_runs_a_constant_number_of_queries(
    admin_client, data, url, kind, django_assert_max_num_queries
):
    params = {kind: data.course.pk if kind == "course" else data.apa.pk, **PERIOD}
    fetch(admin_client, url, params)  # warm the caches every admin page fills once
    small = count_queries(lambda: fetch(admin_client, url, params))
    assert small <= 40
    add_participants(data, 5)
    with django_assert_max_num_queries(small):
        fetch(admin_client, url, params)


@pytest.mark.parametrize(("url", "per_chunk"), [(ROSTER_CSV, 4), (ACCREDITOR_CSV, 0)])
def test_csv_exports_stream_in_chunks_with_constant_queries_per_chunk(
    admin_client, data, monkeypatch, url, per_chunk, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors.common, "CSV_CHUNK_SIZE", 2)
    params = {"course": data.course.pk, "accreditor": data.apa.pk, **PERIOD}
    if url == ROSTER_CSV:
        params.pop("accreditor")
    fetch(admin_client, url, params)
    small_rows = len(read_csv(admin_client.get(url, params))) - 1
    small = count_queries(lambda: fetch(admin_client, url, params))
    add_participants(data, 5)
    big_rows = len(read_csv(admin_client.get(url, params))) - 1
    assert big_rows > small_rows
    # Roster chunks are enrollments (3 → 8); accreditor lines come from one cursor.
    extra_chunks = math.ceil(8 / 2) - math.ceil(3 / 2)
    with django_assert_max_num_queries(small + per_chunk * extra_chunks):
        fetch(admin_client, url, params)


def test_the_csv_reads_through_a_chunked_iterator(data, iterator_calls):
    """The exports never load a whole queryset: they call .iterator(chunk_size=…)."""
    calls = iterator_calls
    period = selectors.Period(start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert len(list(selectors.roster_csv(course=data.course, period=period, chunk_size=2))) == 5
    assert len(list(selectors.accreditor_report_csv(accreditor=data.apa, period=period))) == 2
    assert calls == [("Enrollment", 2), ("Certificate", selectors.common.CSV_CHUNK_SIZE)]


# --- Bad input -------------------------------------------------------------------------------


# The queries below name the fixture's course, the APA accreditor and the reports'
# period as {course}, {apa} and {period}.

#: (page, query, field): a course or accreditor that does not exist.
UNKNOWN_RECORDS = [
    (ROSTER, "course=999999&{period}", "course"),
    (ROSTER, "course=abc&{period}", "course"),
    (ROSTER_CSV, "course=999999&{period}", "course"),
    (ROSTER, "course={course}&{period}&accreditor=424242", "accreditor"),
    (ACCREDITOR, "accreditor=424242&{period}", "accreditor"),
    (ACCREDITOR_CSV, "accreditor=x&{period}", "accreditor"),
    (ACCREDITOR, "accreditor={apa}&{period}&course=777777", "course"),
    (EVIDENCE, "course=999999&{period}", "course"),
]

NOT_A_DATE, BACKWARDS = "Enter a valid date", "must not be before its start"
AT_LEAST_ONE = "greater than or equal to 1"

#: (page, query, field, message): a filter missing, malformed or out of range.
BAD_FILTERS = [
    (ROSTER, "course={course}&start=2026-13-45&end=2026-06-30", "start", NOT_A_DATE),
    (ROSTER_CSV, "course={course}&start=2026-01-01&end=soon", "end", NOT_A_DATE),
    (ROSTER, "course={course}&start=2026-06-30&end=2026-01-01", "end", BACKWARDS),
    (ROSTER, "course={course}&{period}&basis=everyone", "basis", "Select a valid choice"),
    (ROSTER_CSV, "", "course", "This field is required"),
    (ACCREDITOR, "accreditor={apa}&start=2026-06-30&end=2026-01-01", "end", BACKWARDS),
    (ACCREDITOR_CSV, "accreditor={apa}&{period}&within_days=-3", "within_days", AT_LEAST_ONE),
    (EVIDENCE, "course={course}&start=31/12/2026&end=2026-06-30", "start", NOT_A_DATE),
]


def assert_refused_at_field(admin_client, data, url, query, field, message):
    """The report page answers 400 with `message` tied to `field`, and nothing of the report."""
    query = query.format(course=data.course.pk, apa=data.apa.pk, period=urlencode(PERIOD))
    response = admin_client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # no CSV was streamed
    page = soup(response)
    field_input = page.find(id=f"id_{field}")
    error_id = f"id_{field}-error"
    assert error_id in field_input["aria-describedby"].split()
    assert field_input["aria-invalid"] == "true"
    assert message in page.find(id=error_id).get_text()
    summary = page.find(attrs={"role": "alert"})
    assert summary.find("a", href=f"#id_{field}") is not None
    # Nothing of the report was run or shown.
    assert page.find("table", class_="report-table") is None
    assert "Dana Whitfield" not in response.content.decode()


@pytest.mark.parametrize(("url", "query", "field"), UNKNOWN_RECORDS)
def test_an_unknown_course_or_accreditor_is_refused_with_a_message_tied_to_its_field(
    admin_client, data, url, query, field
):
    assert_refused_at_field(admin_client, data, url, query, field, f"There is no such {field}")


@pytest.mark.parametrize(("url", "query", "field", "message"), BAD_FILTERS)
def test_bad_input_is_refused_with_a_message_tied_to_its_field(
    admin_client, data, url, query, field, message
):
    assert_refused_at_field(admin_client, data, url, query, field, message)


def test_opening_a_report_without_filters_shows_the_form_only(admin_client, data):
    response = admin_client.get(ROSTER)
    assert response.status_code == 200
    page = soup(response)
    assert page.find("table", class_="report-table") is None
    assert page.find(id="id_start")["value"] == date(timezone.localdate().year, 1, 1).isoformat()
    assert page.find("label", attrs={"for": "id_course"}) is not None


def test_the_reports_page_names_the_retention_period_in_words_not_by_its_setting(
    admin_client, settings
):
    settings.RECORD_RETENTION_YEARS = 7

    html = admin_client.get(INDEX).content.decode()

    assert "Records are kept for 7 years (the record retention period set for this site)." in html
    assert "RECORD_RETENTION_YEARS" not in html
