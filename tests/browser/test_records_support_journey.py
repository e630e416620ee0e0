"""Journey: a clinician's licenses, records and requests, and the administrator who
answers them (issues 15, 16 and 17: the pages no other journey reaches).

A clinician who completed a demo course (committed by the `participants` fixture,
through the services, as the other journeys leave it) reads on the course page
which of their licenses qualifies; edits the license (a missing number refused at
its field; an expiry date in the past flagged on the profile and on the course
page; renewed); opens "My records" and downloads the transcript as CSV and as PDF
and their data as JSON; then, from the course page, asks for an accommodation (sent
empty first, refused) with a letter attached, and finds it on "Your requests".

An Administrator (one of their own, so that no other journey's two-factor code is
in the way) finds the request from the dashboard's count in the support inbox,
answers it and sets it in progress: the clinician is emailed and sees the answer.
The Administrator then opens the course's report and its post-test item analysis
(the two participants' first attempts) and downloads it as CSV.

Every page goes through axe-core; these admin views are the project's own
(`PROJECT_ADMIN_PATHS`), so a serious or critical violation fails the journey."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.test_admin_tables import assert_fits
from tests.browser.walks import Login, admin_title, log_in
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, pdf_bytes

COURSE_SLUG = "when-treatment-fails"
ACCOMMODATION = "I use a screen reader and need 30 more minutes on the post-test."
ANSWER = (
    "Granted: your next attempt has no time limit. Write back if anything else gets in the way."
)


@pytest.fixture(scope="module")
def participants(live_site, django_db_blocker) -> dict:
    """Committed before the journeys start (a test body's own writes are rolled back
    and never reach the server): a clinician with a psychologist's license (CA) who
    completed the course, claiming APA credit; another whose first post-test
    attempt failed (every answer wrong); an Administrator of this journey's own."""
    from accounts.models import ClinicianLicense
    from certificates.models import Certificate
    from courses.models import CoursePage
    from courses.services import enrollment_create
    from quizzes.services import attempt_start, attempt_submit
    from tests.factories import clinician, lessons_complete, requirements_complete, staff_user

    tag = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        course = CoursePage.objects.live().get(slug=COURSE_SLUG)
        done = clinician(full_name="Sam Okonkwo-Reyes", email=f"records-{tag}@example.org")
        enrollment = enrollment_create(user=done, course=course)
        assert requirements_complete(enrollment=enrollment), "the course did not complete"
        certificate = Certificate.objects.get(enrollment=enrollment)

        failed = clinician(full_name="Kit Marlowe", email=f"records-failed-{tag}@example.org")
        enrollment = enrollment_create(user=failed, course=course)
        lessons_complete(enrollment=enrollment)
        attempt = attempt_start(enrollment=enrollment)
        wrong = {
            q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
            for q in attempt.questions
        }
        attempt = attempt_submit(attempt_id=attempt.pk, user=failed, answers=wrong)
        assert not attempt.passed

        admin = staff_user(group="Administrators", email=f"records-admin-{tag}@example.org")
        return {
            "course_id": course.pk,
            "course_title": course.title,
            "course_path": course.url,
            "clinician": Login(done.email, DEFAULT_PASSWORD),
            "license_number": ClinicianLicense.objects.get(user=done).license_number,
            "certificate_number": certificate.number,
            "administrator": Login(admin.email, DEFAULT_PASSWORD, TEST_TOTP_SECRET),
        }


def account_menu(page, name: str):
    page.locator("summary", has_text="account menu").click()
    return page.get_by_role("link", name=name)


def license_line(page):
    """The course page's line about the clinician's license and APA credit."""
    return page.locator("[data-license-fit] li[data-accreditor='APA']")


# --- The clinician -----------------------------------------------------------------------------


def license_edit(j, *, number: str, course_path: str) -> None:
    """The course page says which license qualifies; the license, edited with an
    expiry date in the past, is flagged on the profile and no longer counts on the
    course page; renewed (a new expiry date), it qualifies again."""
    page = j.page
    j.goto(course_path)
    line = license_line(page)
    expect(line).to_have_attribute("data-qualifies", "yes")
    expect(line).to_contain_text("Your psychologist license (CA) qualifies for APA credit.")
    j.check("course page, completed: the license that qualifies")

    account_menu(page, "Profile and licenses").click()
    page.get_by_role("link", name=f"Edit license {number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit license {number}")
    j.check("license edit")
    number_field = page.get_by_label("License number")
    number_field.fill("")
    page.get_by_role("button", name="Save license").click()
    a11y.assert_error_tied(number_field, contains="required")
    j.check("license edit, number missing")

    number_field.fill(number)
    page.get_by_label("Expiry date").fill("2020-06-30")
    page.get_by_role("button", name="Save license").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profile and licenses")
    expect(page.get_by_role("status")).to_contain_text("It expired on 30 June 2020")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Expired: counts for no credit")
    j.check("profile, license expired")
    j.goto(course_path)
    expect(line).to_have_attribute("data-qualifies", "no")
    expect(line).to_contain_text("expired on 30 Jun 2020, so it does not count for APA credit")
    j.check("course page, the license expired")

    # Renewed: the new expiry date, and the license counts again.
    line.get_by_role("link", name="Update its expiry date").click()
    page.get_by_role("link", name=f"Edit license {number}").click()
    page.get_by_label("Expiry date").fill("2031-06-30")
    page.get_by_role("button", name="Save license").click()
    expect(page.get_by_role("status")).to_have_text("License saved.")
    expect(row).not_to_contain_text("Expired")
    j.goto(course_path)
    expect(line).to_have_attribute("data-qualifies", "yes")


def download(j, action, *, filename: str, content_type: str) -> bytes:
    """Click `action` (a link or a submit button that answers with a file): the file
    it downloads, whose address answers 200 with `content_type`."""
    page = j.page
    with page.expect_download() as info:
        action.click()
    got = info.value
    assert re.fullmatch(filename, got.suggested_filename), got.suggested_filename
    # The same address, asked again with the clinician's cookies: the answer's headers.
    response = j.context.request.get(got.url)
    assert response.status == 200, (got.url, response.status)
    assert response.headers["content-type"].startswith(content_type), response.headers
    return got.path().read_bytes()


def csv_download(j, action, *, filename: str) -> list[list[str]]:
    """The CSV that clicking `action` downloads (answered as text/csv), read back as rows."""
    body = download(j, action, filename=filename, content_type="text/csv")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def my_records(j, *, certificate_number: str, course_title: str) -> None:
    """The clinician's "My records": the transcript as CSV and PDF, and the data
    export (JSON); and the way to ask for a correction."""
    page = j.page
    account_menu(page, "My records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My records")
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript.get_by_label("From")).not_to_have_value("")
    j.check("my records")

    rows = csv_download(
        j,
        transcript.get_by_role("button", name="Download as CSV"),
        filename=r"ce-transcript-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv",
    )
    line = next((r for r in rows if certificate_number in r), None)
    assert line and course_title in line, rows
    pdf = download(
        j,
        transcript.get_by_role("button", name="Download as PDF"),
        filename=r"ce-transcript-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.pdf",
        content_type="application/pdf",
    )
    assert pdf.startswith(b"%PDF-")
    data = download(
        j,
        page.get_by_role("link", name="Download your data (JSON)"),
        filename=r"practicum-data-\d{4}-\d\d-\d\d\.json",
        content_type="application/json",
    )
    assert certificate_number in data.decode()
    # The way to a correction: the request form, as a grievance, with its prompt.
    expect(page.get_by_role("link", name="Request a correction")).to_have_attribute(
        "href", re.compile(r"/support/new/\?kind=grievance&topic=correction$")
    )


def accommodation_ask(j, *, course_path: str, course_title: str) -> int:
    """From the course page: the request form, for this course; refused empty, then
    sent with a letter attached. Ends on "Your requests"; the request's id."""
    page = j.page
    j.goto(course_path)
    page.locator("[data-support-link]").get_by_role(
        "link", name="Request an accommodation for this course"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask for an accommodation or raise a grievance"
    )
    expect(page.get_by_role("radio", name=re.compile(r"^An accommodation"))).to_be_checked()
    course = page.get_by_role("combobox", name="Course")
    expect(course.locator("option:checked")).to_have_text(course_title)
    j.check("support request form")

    page.get_by_role("button", name="Send the request").click()
    # The refusal stands at the field it is about, and the field says so to a screen reader.
    details = page.get_by_label("What you need, or what happened")
    expect(details).to_have_attribute("aria-invalid", "true")
    expect(details).to_have_accessible_description(re.compile(r"^Describe what you need\."))
    expect(course.locator("option:checked")).to_have_text(course_title)  # kept
    j.check("support request form, refused empty")

    page.get_by_label("What you need, or what happened").fill(ACCOMMODATION)
    page.get_by_label("Attachments (optional)").set_input_files(
        files=[
            {
                "name": "disability-services-letter.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("Letter from disability services"),
            }
        ]
    )
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your requests")
    expect(page.get_by_role("status")).to_contain_text("Your request was sent")
    item = page.locator("li[data-request]").filter(has_text=ACCOMMODATION)
    expect(item.get_by_role("heading", level=2)).to_have_text(f"Accommodation: {course_title}")
    expect(item).to_contain_text("Status: New")
    expect(item.get_by_role("link", name="disability-services-letter.pdf")).to_be_visible()
    j.check("your requests, one sent")
    return int(item.get_attribute("data-request"))


def test_a_clinician_edits_a_license_and_downloads_their_records(journey, participants):
    j = journey("clinician (licenses, records)")
    log_in(j, participants["clinician"], check="login (clinician, records)")
    license_edit(j, number=participants["license_number"], course_path=participants["course_path"])
    my_records(
        j,
        certificate_number=participants["certificate_number"],
        course_title=participants["course_title"],
    )
    assert j.console_errors == [], j.console_errors


# --- The administrator -------------------------------------------------------------------------


def inbox_answer(j, *, request_id: int, clinician: str) -> None:
    """From the dashboard's count to the inbox, then the request: answered, in progress."""
    page = j.page
    j.goto("/admin/")
    panel = page.get_by_role("region", name="Support requests")
    expect(panel.locator("[data-support-open]")).not_to_have_text("0")
    j.check("admin dashboard, a request open")  # axe on the page, and on our panels alone
    panel.get_by_role("link", name=re.compile(r"open$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support requests")
    expect(admin_title(page)).to_have_text("Support requests")
    row = page.locator(f"tr[data-request='{request_id}']")
    expect(row).to_contain_text(clinician)
    expect(row).to_contain_text("New")
    assert_fits(page, "table.listing")
    j.check("support inbox")

    row.get_by_role("link", name=f"Accommodation request #{request_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Accommodation request #{request_id}"
    )
    expect(admin_title(page)).to_have_text(f"Accommodation request #{request_id}")
    main = page.locator("main")
    expect(main).to_contain_text(ACCOMMODATION)
    expect(main.get_by_role("link", name="disability-services-letter.pdf")).to_be_visible()
    j.check("support request")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Answer to the clinician").fill(ANSWER)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        "Saved; the clinician was emailed the new status."
    )
    expect(page.get_by_label("Status")).to_have_value("in_progress")
    j.check("support request, answered")
    j.goto("/admin/support/?status=in_progress")
    expect(page.locator(f"tr[data-request='{request_id}']")).to_contain_text("In progress")


def course_report(j, *, course_id: int, course_title: str) -> None:
    """Course reports → the course: its facts, then the post-test item analysis of
    the period's first attempts, and its CSV."""
    from quizzes.models import Attempt

    page = j.page
    j.goto("/admin/audit-reports/courses/")
    page.get_by_role("link", name=course_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Course report: {course_title}")
    expect(admin_title(page)).to_have_text(course_title)
    expect(page.locator(".report-facts")).to_contain_text("Completions")
    analysis = page.locator("[data-item-analysis]")
    expect(analysis.get_by_role("heading", level=2)).to_have_text("Post-test item analysis")
    first_attempts = Attempt.objects.filter(
        enrollment__course_id=course_id, number=1, score__isnull=False
    ).count()
    assert first_attempts >= 2, first_attempts  # the participants' two, at least
    expect(analysis).to_contain_text(f"({first_attempts} attempts)")
    table = analysis.get_by_role("table")
    rows = table.locator("tbody tr")
    expect(rows.first.get_by_role("rowheader")).to_contain_text(re.compile(r"^Q\d+ · "))
    # Every item shows its facility as a share, and its answers with their shares.
    for cells in rows.evaluate_all("rs => rs.map(r => r.cells[2].textContent.trim())"):
        assert re.fullmatch(r"\d+(\.\d+)? %", cells), cells
    j.check("course report with the item analysis")

    lines = csv_download(
        j,
        analysis.get_by_role("link", name="Download the item analysis (CSV)"),
        filename=r"item-analysis-.+\.csv",
    )
    assert len(lines) > rows.count(), "a header, then at least a line per question"


def test_an_accommodation_request_is_answered_in_the_support_inbox(journey, participants):
    learner = journey("clinician (request)")
    log_in(learner, participants["clinician"], check="login (clinician, request)")
    request_id = accommodation_ask(
        learner, course_path=participants["course_path"], course_title=participants["course_title"]
    )

    admin = journey("administrator (support, course report)")
    log_in(admin, participants["administrator"], check="login (administrator, support)")
    inbox_answer(admin, request_id=request_id, clinician=participants["clinician"].email)
    message = admin.mail_to(participants["clinician"].email, subject="Your accommodation request")
    assert "in progress" in str(message["Subject"]).lower()

    # The clinician sees the answer and the new status on "Your requests".
    page = learner.page
    learner.page.reload()
    item = page.locator(f"li[data-request='{request_id}']")
    expect(item).to_contain_text("Status: In progress")
    expect(item.get_by_role("heading", name="The CE administrator's answer")).to_be_visible()
    expect(item).to_contain_text(ANSWER)
    learner.check("your requests, answered")

    course_report(
        admin, course_id=participants["course_id"], course_title=participants["course_title"]
    )
    for j in (learner, admin):
        assert j.console_errors == [], (j.name, j.console_errors)
