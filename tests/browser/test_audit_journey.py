"""Journey: an administrator answers an audit, and corrects certificates in bulk
(issues 16 and 17: the pages no other journey reaches as a person would).

A course of its own, credited by an accreditor of its own, completed by two
clinicians (committed by the `audit_course` fixture, through the services, as the
other journeys leave theirs), so that nothing here counts what other journeys made.

An Administrator (two of this journey's own, so that no other journey's two-factor
code is in the way) runs the accreditor's report for the course, downloads its CSV and
marks it uploaded (the password asked again first): the report of what is not yet
reported is then empty. On the course report, they build the audit packet, watch
its progress move without a reload, download the ZIP and check every file against
its MANIFEST.txt. They read the course's evaluations in aggregate (and the CSV).
A clinician of the course waits on the dashboard for their certificate and
downloads "all certificates" from My records: the ZIP holds their PDF. Last, the
Administrator reissues the course's certificates in bulk and watches the job run
to the end on its page.

Every page goes through axe-core; these admin views are the project's own
(`PROJECT_ADMIN_PATHS`), so a serious or critical violation fails the journey."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_tables import assert_fits, assert_one_line, table_fit
from tests.browser.test_instructor_journey import reauthenticate
from tests.browser.test_records_support_journey import account_menu, download
from tests.browser.walks import Login, admin_title, log_in
from tests.certificates.pdf import pdf_text
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET
from tests.reports.test_packet import check_manifest

REFERENCE = "Upload batch 2291"
BULK_REASON = "The course's approval number was corrected by the accreditor."


@pytest.fixture(scope="module")
def audit_course(live_site, django_db_blocker) -> dict:
    """Committed before the journeys start: a course credited by one accreditor of
    its own, completed by two clinicians claiming its credit; an Administrator."""
    from certificates.models import Certificate
    from tests.factories import (
        AccreditorFactory,
        clinician,
        course_build,
        course_completed_by,
        staff_user,
    )

    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        accreditor = AccreditorFactory(
            short_name=f"AUD-{tag.upper()}",
            name=f"Audit journey accreditor {tag}",
            provider_number=f"AUD-{tag.upper()}-77",
        )
        course = course_build(
            title=f"Consultation after a client's suicide {tag}",
            slug=f"audit-{tag}",
            accreditors=[accreditor],
        )
        people = []
        for name in ("Rowan Achterberg", "Imogen Castellanos-Pryce"):
            person = clinician(full_name=name, email=f"audit-{tag}-{len(people)}@example.org")
            enrollment, _ = course_completed_by(
                user=person, course=course, accreditors=[accreditor]
            )
            (certificate,) = Certificate.objects.filter(enrollment=enrollment)
            people.append(
                {
                    "login": Login(person.email, DEFAULT_PASSWORD),
                    "name": name,
                    "number": certificate.number,
                    "license": person.licenses.get().license_number,
                }
            )
        admin = staff_user(group="Administrators", email=f"audit-admin-{tag}@example.org")
        # A second one for the bulk job: a two-factor code is taken once a period per person.
        colleague = staff_user(group="Administrators", email=f"audit-bulk-{tag}@example.org")
        return {
            "course_id": course.pk,
            "course_title": course.title,
            "accreditor_id": accreditor.pk,
            "accreditor": accreditor.short_name,
            "accreditor_label": str(accreditor),  # as the report's choice names it
            "people": people,
            "administrator": Login(admin.email, DEFAULT_PASSWORD, TEST_TOTP_SECRET),
            "colleague": Login(colleague.email, DEFAULT_PASSWORD, TEST_TOTP_SECRET),
        }


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def zip_download(j, action, *, filename: str) -> dict[str, bytes]:
    """The ZIP that clicking `action` downloads (answered as application/zip), read
    back: {name: bytes} of every file in it."""
    body = download(j, action, filename=filename, content_type="application/zip")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- The administrator's audit ---------------------------------------------------------------


def accreditor_report(j, *, course: dict) -> None:
    """Audit reports → Accreditor report for the accreditor and the course: a line per
    certificate, the CSV for upload, then "mark reported" (password again first);
    afterwards, the report of certificates not yet reported is empty."""
    page = j.page
    j.goto("/admin/audit-reports/")
    page.get_by_role("link", name="Accreditor report").click()
    expect(admin_title(page)).to_have_text("Accreditor report")
    filters = page.get_by_role("form", name="Report filters")
    filters.get_by_label("Accreditor").select_option(label=course["accreditor_label"])
    filters.get_by_label("Course").select_option(label=course["course_title"])
    filters.get_by_role("button", name="Show the report").click()
    table = page.get_by_role("table", name=re.compile(rf"^{course['accreditor']} report"))
    for person in course["people"]:
        row = table.get_by_role("row").filter(has_text=person["number"])
        expect(row).to_contain_text(person["license"])
    expect(page.locator(".report-summary")).to_contain_text("2 valid certificates")
    j.check("accreditor report, the course's certificates")
    # The upload's twenty-odd columns scroll inside their own region, never the page;
    # the region is named and reached by keyboard, and certificate numbers never wrap.
    region = page.get_by_role("region", name=re.compile(rf"^{course['accreditor']} report"))
    fit = table_fit(page, "table.report-table")
    assert fit["page"] <= fit["window"] + 1, f"the page scrolls sideways: {fit}"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    assert_one_line(table.locator("tbody th .cert-number"))
    assert_one_line(page.locator(".report-summary .report-nowrap"))  # the period's dates

    body = download(
        j,
        page.get_by_role("link", name="Download CSV for upload (all pages)"),
        filename=r"accreditor-aud-.+\.csv",
        content_type="text/csv",
    )
    rows = csv_rows(body)
    numbers = {p["number"] for p in course["people"]}
    assert {n for row in rows[1:] for n in numbers if n in row} == numbers, rows
    assert len(rows) == 1 + len(numbers), "a header, then one line per certificate"

    page.get_by_label("Upload reference").fill(REFERENCE)
    page.get_by_role("button", name="Mark these certificates reported (all pages)").click()
    reauthenticate(j, password=DEFAULT_PASSWORD, check="re-authentication before marking")
    expect(page.locator(".messages")).to_contain_text(
        f"2 certificate(s) marked reported to {course['accreditor']}"
    )
    j.check("accreditor report, marked reported")
    filters = page.get_by_role("form", name="Report filters")
    filters.get_by_label("Uploaded").select_option(value="no")
    filters.get_by_role("button", name="Show the report").click()
    expect(page.locator("main")).to_contain_text(
        f"No valid certificate under {course['accreditor']} matches these filters."
    )


def audit_packet(j, *, course: dict) -> None:
    """The course report: build the packet, see it queued, its progress move to ready
    without a reload, download the ZIP; every file matches the MANIFEST's SHA-256."""
    page = j.page
    j.goto(f"/admin/audit-reports/courses/{course['course_id']}/")
    expect(admin_title(page)).to_have_text(course["course_title"])
    packet = page.locator("section.report-packet")
    build = packet.get_by_role("button", name=re.compile(r"^Build the packet for "))
    build.click()
    expect(page.locator(".messages")).to_contain_text("The audit packet is being built")
    row = packet.locator("tr[data-packet-status-url]").first
    progress = row.get_by_role("progressbar", name=re.compile(r"^Packet \d+ progress$"))
    expect(progress).to_be_visible()
    # As served: waiting for the worker (the build itself takes seconds of Typst).
    assert row.get_attribute("data-packet-state") in ("queued", "building")
    j.check("course report, the packet being built")

    page.evaluate("window.__sameDocument = true")
    expect(row).to_have_attribute("data-packet-state", "ready", timeout=90_000)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    expect(row.locator("[data-packet-label]")).to_have_text("Ready, 100%")
    expect(progress).to_have_attribute("value", "100")
    j.check("course report, the packet ready")

    files = zip_download(
        j, row.get_by_role("link", name="Download the ZIP"), filename=r"audit-packet-audit-.+\.zip"
    )
    check_manifest(files)
    assert files["MANIFEST.txt"].decode().startswith("Audit packet ")
    roster = csv_rows(files["roster/roster.csv"])
    assert {r[0] for r in roster[1:]} == {p["name"] for p in course["people"]}
    sample = files[f"sample-certificates/{course['accreditor'].lower()}.pdf"]
    assert course["course_title"] in " ".join(pdf_text(sample).split())


def evaluations(j, *, course: dict) -> None:
    """Evaluations → the course: the two participants' evaluations in aggregate, the
    ratings table within the window, and the CSV with a line for each."""
    page = j.page
    j.goto("/admin/evaluations/", check="evaluations, the courses")
    page.get_by_role("link", name=course["course_title"], exact=True).click()
    expect(admin_title(page)).to_have_text(course["course_title"])
    expect(page.locator(".qz-summary")).to_contain_text("2 evaluations")
    ratings = page.get_by_role("table", name=re.compile(r"^Average rating"))
    expect(ratings.locator("tbody tr").first.get_by_role("cell").first).to_have_text("2")
    j.check("evaluations of the course")
    assert_fits(page, "table.listing")
    body = download(
        j,
        page.get_by_role("link", name="Export as CSV"),
        filename=r"evaluations-audit-.+\.csv",
        content_type="text/csv",
    )
    assert len(csv_rows(body)) == 1 + 2, "a header, then one line per evaluation"


def test_an_administrator_reports_to_the_accreditor_and_builds_the_audit_packet(
    journey, audit_course
):
    admin = journey("administrator (audit)")
    log_in(admin, audit_course["administrator"], check="login (administrator, audit)")
    accreditor_report(admin, course=audit_course)
    audit_packet(admin, course=audit_course)
    evaluations(admin, course=audit_course)
    assert admin.console_errors == [], admin.console_errors


# --- The certificates as one ZIP, then reissued in bulk ------------------------------------------


def certificates_zip(j, *, person: dict, course_title: str) -> None:
    """The dashboard shows the certificate once the worker has rendered it; My
    records then gives every certificate as one ZIP: the PDF, named by its date and
    number, and a README listing it."""
    page = j.page
    card = page.locator("#enrollments > li").filter(
        has=page.get_by_role("heading", name=course_title)
    )
    expect(card.get_by_role("link", name=re.compile(r"^Download PDF"))).to_be_visible(
        timeout=60_000
    )
    account_menu(page, "My records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My records")
    j.check("my records, a certificate")
    files = zip_download(
        j,
        page.get_by_role("link", name="Download all certificates (ZIP)"),
        filename=r"certificates-\d{4}-\d\d-\d\d\.zip",
    )
    (pdf_name,) = [n for n in files if n.endswith(".pdf")]
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d-{person['number']}\.pdf", pdf_name), list(files)
    text = " ".join(pdf_text(files[pdf_name]).split())
    readme = files["README.txt"].decode()
    assert person["name"] in text and person["number"] in text, text[:500]
    assert pdf_name in readme and course_title in readme


def bulk_reissue(j, *, course: dict) -> int:
    """The certificate listing, filtered to the course → "Reissue these…": the
    password again, the form refused without a reason, then the job's page, whose
    progress runs to the end without a reload. The job's id."""
    page = j.page
    j.goto(f"/admin/certificates/?course={course['course_id']}")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="Reissue these…").click()
    reauthenticate(j, password=DEFAULT_PASSWORD, check="re-authentication before a bulk job")
    expect(admin_title(page)).to_have_text("Reissue certificates in bulk")
    expect(page.locator("main")).to_contain_text("2 valid certificate(s) match")
    j.check("bulk reissue form")
    page.get_by_role("button", name="Reissue all").click()
    reason = page.get_by_role("textbox", name=re.compile(r"^Reason"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    j.check("bulk reissue form, reason missing")
    reason.fill(BULK_REASON)
    # The job's page asks for its progress (JSON) a second after it loads.
    with page.expect_response(re.compile(r"/admin/certificates/bulk/\d+/status/$")) as polled:
        page.get_by_role("button", name="Reissue all").click()
        expect(page.locator(".messages")).to_contain_text(
            "Bulk reissue of 2 certificate(s) started."
        )
    expect(page).to_have_url(re.compile(r"/admin/certificates/bulk/\d+/$"))
    job_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(admin_title(page)).to_have_text(f"Bulk reissue #{job_id}")
    assert polled.value.json()["total"] == 2, polled.value.json()
    expect(page.get_by_label("Progress")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    status = page.get_by_role("status").filter(has_text="reissued")
    expect(status).to_have_text("Done: 2 reissued of 2.", timeout=60_000)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    expect(page.get_by_label("Progress")).to_have_attribute("value", "2")
    j.check("bulk job, done")

    j.goto("/admin/certificates/bulk/")
    line = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"Bulk reissue #{job_id}")
    )
    expect(line).to_contain_text("2 done of 2")
    j.check("bulk jobs")
    return job_id


def test_a_clinician_downloads_their_certificates_then_they_are_reissued_in_bulk(
    journey, audit_course
):
    from certificates.models import BulkJob, Certificate

    person = audit_course["people"][0]
    learner = journey("clinician (certificates ZIP)")
    log_in(learner, person["login"], check="login (clinician, certificates ZIP)")
    certificates_zip(learner, person=person, course_title=audit_course["course_title"])

    admin = journey("administrator (bulk reissue)")
    log_in(admin, audit_course["colleague"], check="login (administrator, bulk)")
    job_id = bulk_reissue(admin, course=audit_course)

    job = BulkJob.objects.get(pk=job_id)
    assert (job.status, job.total, job.done, job.failed) == (BulkJob.Status.DONE, 2, 2, 0)
    for old in Certificate.objects.filter(number__in=[p["number"] for p in audit_course["people"]]):
        assert old.status == Certificate.Status.REISSUED
        assert Certificate.objects.get(supersedes=old).status == Certificate.Status.VALID
    for j in (learner, admin):
        assert j.console_errors == [], (j.name, j.console_errors)
