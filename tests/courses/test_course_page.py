"""The course page carries everything a course must show (docs/ce-rules.md)."""

import html as html_lib
from datetime import date

import pytest
from django.test import Client

from cms.models import ProviderSettings
from courses.models import CoursePage
from courses.seed import SEEDED_ACCREDITORS
from tests.courses.conftest import client_for
from tests.factories import AccreditorFactory, InstructorFactory, course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


@pytest.fixture
def page_html():
    aswb = AccreditorFactory(
        short_name="ASWB ACE",
        name="Association of Social Work Boards Approved Continuing Education",
        professions=["social_worker"],
        provider_number="1234",
        approval_start=date(2026, 1, 1),
        approval_end=date(2028, 12, 31),
        statement_template=next(a for a in SEEDED_ACCREDITORS if a["short_name"] == "ASWB ACE")[
            "statement_template"
        ],
    )
    instructor = InstructorFactory(
        name="Rowan Ellery",
        credentials="PhD, licensed psychologist",
        disclosure="No relevant financial relationships; no commercial support.",
    )
    course = course_build(
        title="Working with ruptures",
        lessons=2,
        accreditors=[AccreditorFactory(), aswb],
        instructor=instructor,
        summary="How to notice and repair alliance ruptures.",
        target_audience="Licensed psychotherapists in individual practice.",
        level="advanced",
        estimated_minutes=40,
        price="25.00",
        references=[
            {
                "type": "reference",
                "value": {
                    "authors": "Safran, J. D., & Muran, J. C.",
                    "year": "2000",
                    "title": "Negotiating the therapeutic alliance",
                    "source": "Guilford Press",
                    "doi": "10.1000/xyz",
                },
            }
        ],
    )
    response = Client().get(course.url)
    assert response.status_code == 200
    return course, html_lib.unescape(response.content.decode())


def test_course_page_shows_objectives_outline_audience_level_format_and_time(page_html):
    _, html = page_html
    for text in (
        "Working with ruptures",
        "How to notice and repair alliance ruptures.",
        "<li>Describe key idea number 1.</li><li>Describe key idea number 2.</li><li>Describe key idea number 3.</li>",
        "<li>Lesson one</li><li>Lesson two</li>",
        "Licensed psychotherapists in individual practice.",
        "<dt>Level</dt><dd>Advanced</dd>",
        "<dt>Format</dt><dd>Self-paced online, reading-based</dd>",
        "<dt>Estimated time</dt><dd>40 minutes</dd>",
        "<dt>CE credit</dt><dd>0.5 hours</dd>",
    ):
        assert text in html, text


def test_course_page_shows_instructors_with_credentials_and_disclosure(page_html):
    _, html = page_html
    assert "<h3>Rowan Ellery, PhD, licensed psychologist</h3>" in html
    assert (
        "<strong>Disclosure:</strong> No relevant financial relationships; no commercial support."
        in html
    )


def test_course_page_shows_credits_by_accreditor_and_category_and_how_they_were_set(page_html):
    _, html = page_html
    assert "<td>American Psychological Association (APA)</td><td>General</td><td>0.5</td>" in html
    assert (
        "<td>Association of Social Work Boards Approved Continuing Education (ASWB ACE)</td>"
        "<td>General</td><td>0.5</td>"
    ) in html
    assert (
        "Credit hours were set by word count (10,000 words of lesson text per credit hour)." in html
    )


def test_course_page_renders_each_accreditors_approval_statement(page_html):
    _, html = page_html
    provider = ProviderSettings.load().name
    assert (
        f"{provider} is approved by the American Psychological Association to sponsor continuing "
        f"education for psychologists. {provider} maintains responsibility for this program and its content."
    ) in html
    assert (
        f"{provider}, provider #1234, is approved to offer social work continuing education by the "
        "Association of Social Work Boards (ASWB) Approved Continuing Education (ACE) program."
    ) in html
    assert "ACE provider approval period: January 1, 2026–December 31, 2028." in html
    assert (
        "Social workers completing this course receive 0.50 continuing education credits." in html
    )


def test_course_page_shows_references_cost_refund_accommodation_and_grievance(page_html):
    _, html = page_html
    assert (
        "Safran, J. D., & Muran, J. C. (2000). Negotiating the therapeutic alliance. <em>Guilford Press</em>."
        in html
    )
    assert '<a href="https://doi.org/10.1000/xyz">' in html
    assert "Cost: $25.00." in html
    assert '<a href="/refund-policy/">refund and cancellation policy</a>' in html
    assert '<a href="/accommodations/">accommodations policy</a>' in html
    assert "Request an accommodation for this course</a>" in html
    assert '<a href="/grievance-policy/">grievance policy</a>' in html


def test_visitors_are_invited_to_log_in_and_clinicians_to_enroll(page_html, clinician):
    course, html = page_html
    assert "Log in to enroll" in html
    html = client_for(clinician).get(course.url).content.decode()
    assert (
        '<button type="submit" class="button">Enroll<span class="visually-hidden"> in Working with ruptures</span></button>'
        in html
    )


def test_a_draft_course_is_not_served(clinician):
    course = course_build(lessons=1, hours="0.25", publish=False)
    assert (
        Client().get(CoursePage.objects.get(pk=course.pk).url or "/courses/course-x/").status_code
        == 404
    )
