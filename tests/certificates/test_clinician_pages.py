"""The clinician's side: the dashboard step and its status endpoint, the transcript
with totals by accreditor and category, and its PDF."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certificates import rendering, services
from certificates.models import Certificate
from certificates.steps import CertificateStepProvider
from courses.registry import StepState
from courses.services import enrollment_create
from tests.certificates.pdf import pdf_reader, pdf_text, pdf_xmp_values
from tests.factories import (
    aswb_accreditor,
    clinician,
    completion_record,
    course_build,
    course_completed_by,
)

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_a_pending_certificate_and_polls_for_it(client, psychologist, pending):
    certificate = pending
    client.force_login(psychologist)

    page = client.get("/dashboard/").content.decode()
    status_url = f"/certificates/status/{certificate.enrollment_id}/"
    assert f'data-status-url="{status_url}"' in page
    assert "js/certificate-status.js" in page
    assert "Being prepared" in page

    status = client.get(status_url).json()
    assert status["completed"] is True
    assert status["pending"] is True
    assert status["certificates"] == [
        {
            "number": certificate.number,
            "state": "pending",
            "label": f"Certificate {certificate.number} (APA)",
            "message": "Being prepared — it appears here in a moment.",
        }
    ]

    services.certificate_render_started(certificate_id=certificate.pk)
    services.certificate_deliver(certificate_id=certificate.pk)
    status = client.get(status_url).json()
    assert status["pending"] is False
    (item,) = status["certificates"]
    assert item["state"] == "ready"
    assert item["urls"]["pdf"] == f"/certificates/{certificate.number}/pdf/"
    page = client.get("/dashboard/").content.decode()
    assert "Ready to download" in page


def test_a_completed_course_shows_its_completion_and_certificate_rather_than_a_next_step(
    client, psychologist, course, django_capture_on_commit_callbacks, deliver
):
    with django_capture_on_commit_callbacks(execute=False):
        enrollment, completion = course_completed_by(user=psychologist, course=course)
    certificate = Certificate.objects.get(enrollment=enrollment)
    client.force_login(psychologist)
    completed_on = timezone.localtime(completion.completed_at)
    outcome = (
        '<p class="course-outcome"><span class="badge badge-ok">Completed</span> You completed '
        f'this course on <time datetime="{completed_on:%Y-%m-%d}">'
        f"{completed_on:%B} {completed_on.day}, {completed_on.year}</time>.</p>"
    )

    # Being prepared: said as served, inside the live region the script keeps current.
    page = client.get("/dashboard/").content.decode()
    assert outcome in page
    assert "Next step" not in page
    assert (
        'data-certificate-links role="status" aria-live="polite"><p>Your certificate is being '
        "prepared — it appears here in a moment.</p></div>"
    ) in page
    assert "<noscript>" not in page  # nothing to download yet

    # Ready: no "being prepared" anywhere; without JavaScript, a download link.
    deliver(certificate)
    page = client.get("/dashboard/").content.decode()
    assert outcome in page
    assert "Next step" not in page
    assert "being prepared" not in page.lower()
    assert (
        f'<noscript><p><a class="button button-small" href="/certificates/{certificate.number}'
        '/pdf/">Download certificate</a></p></noscript>'
    ) in page
    assert (
        'data-certificate-links role="status" aria-live="polite"></div>' in page
    )  # the script fills it


def _dashboard_step(client, user):
    """The certificate step's state attribute and the live region's words, as served."""
    client.force_login(user)
    page = client.get("/dashboard/").content.decode()
    state = page.split('data-step="certificate" data-step-state="', 1)[1].split('"', 1)[0]
    region = page.split("data-certificate-links", 1)[1].split("</div>", 1)[0]
    return state, region


def test_the_certificate_step_is_preparing_while_none_is_ready_and_one_is_rendered(
    client, psychologist, apa, deliver, monkeypatch
):
    aswb = aswb_accreditor()
    psychologist.licenses.create(profession="social_worker", license_number="LCSW 1", region="NY")
    course = course_build(title="Ethics in practice", accreditors=[apa, aswb], hours="0.5")
    enrollment = enrollment_create(user=psychologist, course=course)
    first, second = services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[apa, aswb]
    )
    # The dashboard decides on the step's state, not on the words a certificate shows.
    monkeypatch.setattr(
        "certificates.selectors.certificate_message", lambda certificate: "Rendering."
    )
    step = CertificateStepProvider().steps_for(enrollments=[enrollment])[enrollment.pk][0]
    assert (step.state, step.count, step.done) == (StepState.PREPARING, 2, False)
    state, region = _dashboard_step(client, enrollment.user)
    assert state == "preparing"
    assert "Your certificates are being prepared — they appear here in a moment." in region

    Certificate.objects.filter(pk=second.pk).update(status=Certificate.Status.HELD)
    state, region = _dashboard_step(client, enrollment.user)  # one held, one still rendered
    assert state == "preparing"
    assert "Your certificates are being prepared" in region

    deliver(first)
    state, region = _dashboard_step(client, enrollment.user)  # one ready, one held
    assert state == "open"
    assert "being prepared" not in region

    Certificate.objects.filter(pk=second.pk).update(status=Certificate.Status.VALID)
    deliver(second)
    state, region = _dashboard_step(client, enrollment.user)
    assert state == "done"
    assert "being prepared" not in region


def test_before_completion_the_certificate_step_is_locked(client, enrollment):
    step = CertificateStepProvider().steps_for(enrollments=[enrollment])[enrollment.pk][0]
    assert (step.state, step.available, step.status_url) == (StepState.LOCKED, False, "")
    client.force_login(enrollment.user)
    page = client.get("/dashboard/").content.decode()
    assert 'data-step="certificate" data-step-state="locked"' in page
    assert "data-certificate-links" not in page


def test_the_status_endpoint_is_the_owners_only(client, issued):
    client.force_login(clinician())
    response = client.get(f"/certificates/status/{issued.enrollment_id}/")
    assert response.status_code == 404
    assert issued.number not in response.content.decode()
    client.logout()
    assert client.get(f"/certificates/status/{issued.enrollment_id}/").status_code == 302


def test_a_held_certificate_is_explained_to_the_clinician_on_the_dashboard(client, enrollment, apa):
    apa.approval_end = date(2021, 12, 31)
    apa.save()
    services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[apa]
    )
    client.force_login(enrollment.user)
    page = client.get("/dashboard/").content.decode()
    assert "On hold" in page
    assert "The CE administrator has been told and will contact you" in page
    status = client.get(f"/certificates/status/{enrollment.pk}/").json()
    assert status["certificates"][0]["state"] == "held"
    assert status["pending"] is False  # nothing to wait for: the page stops asking


def _issue(user, course, accreditors, completed_on, deliver):
    enrollment = enrollment_create(user=user, course=course)
    completion = completion_record(enrollment=enrollment)
    completion.completed_at = completion.completed_at.replace(
        year=completed_on.year, month=completed_on.month, day=completed_on.day
    )
    completion.save()
    return [
        deliver(c)
        for c in services.certificates_issue(completion=completion, accreditors=accreditors)
    ]


@pytest.fixture
def history(psychologist, apa, deliver):
    """Three courses completed in 2026 (APA approves from January 1), one revoked."""
    aswb = aswb_accreditor()
    psychologist.licenses.create(profession="social_worker", license_number="LCSW 55", region="NY")
    both = course_build(title="Ethics in practice", accreditors=[apa, aswb], hours="0.5")
    older = course_build(title="An older course", accreditors=[apa], hours="0.5")
    revoked_course = course_build(title="A revoked course", accreditors=[apa], hours="0.5")
    certificates = {
        "both": _issue(psychologist, both, [apa, aswb], date(2026, 6, 1), deliver),
        "older": _issue(psychologist, older, [apa], date(2026, 2, 1), deliver),
        "revoked": _issue(psychologist, revoked_course, [apa], date(2026, 5, 1), deliver),
    }
    services.certificate_revoke(certificate=certificates["revoked"][0], actor=None, reason="Test")
    return certificates


def general_hours(accreditor: str, hours: str) -> dict:
    """A transcript total: one accreditor's hours, all in the general category."""
    return {
        "accreditor": accreditor,
        "categories": [{"category": "General", "hours": hours}],
        "total": hours,
    }


def transcript_row(number, enrollment, course_title, completion_date, accreditor) -> dict:
    """A certificate's row on the transcript: half an hour of general credit."""
    return {
        "number": number,
        "enrollment": enrollment,
        "course_title": course_title,
        "completion_date": completion_date,
        "accreditor": accreditor,
        "category": "General",
        "hours": "0.50",
    }


def test_the_transcript_totals_hours_by_accreditor_and_category_over_a_period(
    client, psychologist, history
):
    client.force_login(psychologist)
    response = client.get("/transcript/", {"start": "2026-03-01", "end": "2026-12-31"})
    assert response.status_code == 200
    transcript = response.context["transcript"]
    assert [c.course_title for c in transcript.certificates] == ["Ethics in practice"] * 2
    assert transcript.totals["groups"] == [
        general_hours("APA", "0.50"),
        general_hours("ASWB", "0.50"),
    ]
    assert transcript.totals["attendance"] is None
    # One course claimed under two accreditors: one course, two separate totals.
    assert transcript.courses_completed == 1
    page = response.content.decode()
    # Every certificate is listed with its downloads, the revoked one without.
    for certificate in history["both"] + history["older"]:
        assert f"/certificates/{certificate.number}/pdf/" in page
    revoked = history["revoked"][0]
    assert revoked.number in page
    assert f"/certificates/{revoked.number}/pdf/" not in page

    wider = client.get("/transcript/", {"start": "2026-01-01", "end": "2026-12-31"})
    assert wider.context["transcript"].courses_completed == 2
    assert [g["total"] for g in wider.context["transcript"].totals["groups"]] == ["1.00", "0.50"]


def test_the_transcript_pdf_carries_the_rows_and_totals(client, psychologist, history):
    client.force_login(psychologist)
    response = client.get("/transcript/pdf/", {"start": "2025-01-01", "end": "2026-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "ce-transcript-2025-01-01-2026-12-31.pdf" in response["Content-Disposition"]
    pdf = response.content
    text = pdf_text(pdf)
    assert "Dana Whitfield" in text
    assert "Ethics in practice" in text and "An older course" in text
    assert "A revoked course" not in text
    assert "January 1, 2025 – December 31, 2026" in text
    assert "Total APA 1.00" in text
    assert "Total ASWB 0.50" in text
    assert "All hours" not in text
    assert "LCSW 55" in text  # the clinician's own transcript lists their licenses
    assert pdf_xmp_values(pdf)["pdfuaid:part"] == "1"
    assert "/StructTreeRoot" in pdf_reader(pdf).trailer["/Root"]


def test_transcript_totals_never_add_hours_across_accreditors_and_count_a_course_once():
    rows = [
        transcript_row("PRC-A", 7, "Ethics", "2026-06-01", "APA"),
        transcript_row("PRC-B", 7, "Ethics", "2026-06-01", "ASWB ACE"),
        transcript_row("PRC-C", 8, "Intro", "2026-07-01", ""),
    ]
    totals = rendering.transcript_totals(rows)
    assert totals == {
        "groups": [general_hours("APA", "0.50"), general_hours("ASWB ACE", "0.50")],
        "attendance": {"categories": [{"category": "General", "hours": "0.50"}], "total": "0.50"},
        "courses_completed": 2,
    }


def test_the_transcript_shows_no_grand_total_and_labels_hours_attended_as_not_ce_credit(
    client, psychologist, apa, history, deliver
):
    attended = course_build(title="Attended only", accreditors=[apa], hours="0.5")
    (attendance,) = _issue(psychologist, attended, [], date(2026, 7, 1), deliver)
    assert attendance.kind == Certificate.Kind.ATTENDANCE
    client.force_login(psychologist)
    period = {"start": "2026-01-01", "end": "2026-12-31"}

    response = client.get("/transcript/", period)
    transcript = response.context["transcript"]
    assert "grand_total" not in transcript.totals
    assert [(g["accreditor"], g["total"]) for g in transcript.totals["groups"]] == [
        ("APA", "1.00"),
        ("ASWB", "0.50"),
    ]
    assert transcript.totals["attendance"]["total"] == "0.50"
    assert transcript.courses_completed == 3
    page = response.content.decode()
    assert "All hours" not in page
    assert "Hours under different bodies are not added together" in page
    assert "Hours attended (not CE credit)" in page
    assert "Total attended (not CE credit)</th><td><strong>0.50</strong>" in page
    assert "Courses completed in this period: <strong>3</strong>" in page

    text = pdf_text(client.get("/transcript/pdf/", period).content)
    assert "All hours" not in text
    assert "Total APA 1.00" in text
    assert "Total ASWB 0.50" in text
    assert "Hours attended (not CE credit)" in text
    assert "Total attended (not CE credit) 0.50" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-01-01"}, "must not be before its start"),
        ({"start": "not a date", "end": "2026-01-01"}, "Enter a valid date"),
        ({"start": "1900-01-01", "end": "2026-01-01"}, "at most 25 years"),
        ({"end": "2026-01-01"}, "This field is required"),
    ],
)
def test_a_bad_period_is_refused_with_a_message_on_the_field(client, psychologist, params, message):
    client.force_login(psychologist)
    for url in ("/transcript/", "/transcript/pdf/"):
        response = client.get(url, params)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert 'aria-invalid="true"' in page


def test_the_transcript_defaults_to_the_last_two_years(client, psychologist):
    client.force_login(psychologist)
    response = client.get("/transcript/")
    assert response.status_code == 200
    transcript = response.context["transcript"]
    assert transcript.end == date.today()
    assert transcript.end - transcript.start <= timedelta(days=731)
    assert "No certificate has been issued to you yet" in response.content.decode()


def test_hours_text_drops_trailing_zeros():
    assert services.hours_text(Decimal("1.50")) == "1.5"
    assert services.hours_text(Decimal("2.00")) == "2"
    assert services.hours_text(Decimal("0.25")) == "0.25"


def test_the_course_page_says_the_certificate_is_being_prepared_then_offers_its_download(
    client, psychologist, course, pending, deliver
):
    """After attesting, the course page's card (at the top on a phone) says plainly
    that the certificate is being prepared, in a live region the dashboard's script
    fills with the links; once the PDF exists it offers the download itself."""
    certificate = pending
    client.force_login(psychologist)

    page = client.get(course.url).content.decode()
    card = page[page.index('<aside aria-label="Enrollment"') : page.index("</aside>")]
    assert f'data-status-url="/certificates/status/{certificate.enrollment_id}/"' in card
    assert (
        'data-certificate-links role="status" aria-live="polite"><p>Your certificate is being '
        "prepared — it appears here in a moment.</p></div>"
    ) in card
    assert "Download certificate" not in card
    assert "js/certificate-status.js" in page

    deliver(certificate)
    page = client.get(course.url).content.decode()
    card = page[page.index('<aside aria-label="Enrollment"') : page.index("</aside>")]
    assert (
        f'<a class="button" href="/certificates/{certificate.number}/pdf/">Download certificate'
        f'<span class="visually-hidden"> for {course.title}</span></a>'
    ) in card
    assert "being prepared" not in card
    assert "data-status-url" not in card  # nothing left to wait for


def test_the_course_page_puts_the_enrollment_card_before_the_course_description(
    client, psychologist, course
):
    """In the page's order (what a phone shows first, and the keyboard's order) the
    action comes right after the title, before the outline and the instructors."""
    client.force_login(psychologist)
    page = client.get(course.url).content.decode()
    title = page.index("<h1>")
    enroll = page.index(f'<span class="visually-hidden"> in {course.title}</span>')
    objectives = page.index('id="objectives-heading"')
    assert title < enroll < objectives

    enrollment_create(user=psychologist, course=course)
    page = client.get(course.url).content.decode()
    start = page.index("Start the first lesson")
    assert page.index("<h1>") < start < page.index('id="objectives-heading"')


def test_the_transcript_pdf_never_lists_an_expired_license_as_current(client, psychologist):
    from tests.factories import LicenseFactory

    LicenseFactory(
        user=psychologist,
        profession="social_worker",
        license_number="LCSW 2020",
        region="MD",
        expires_on=date(2020, 3, 31),
    )
    client.force_login(psychologist)
    text = pdf_text(
        client.get("/transcript/pdf/", {"start": "2025-01-01", "end": "2026-12-31"}).content
    )
    current = psychologist.licenses.get(profession="psychologist")
    assert f"License {current.license_number}" in text
    assert "License LCSW 2020 · MD · expired March 31, 2020" in " ".join(text.split())
    # The current license comes first.
    assert text.index(current.license_number) < text.index("LCSW 2020")
