"""The per-course report: its numbers on a small dataset, its server-side SVG
charts with a table alternative, the date-range filter, and who may see it
(Administrators every course, instructors their own, clinicians nothing)."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from courses.models import CourseCompletion, Enrollment
from courses.services import enrollment_create
from quizzes.models import Attempt, Evaluation
from reports.selectors import Period
from reports.selectors.course_stats import course_stats
from tests.factories import (
    InstructorFactory,
    clinician,
    course_build,
    course_completed_by,
    staff_user,
)
from tests.reports.test_reports import fail_post_test_once

pytestmark = pytest.mark.django_db


def url(course, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/admin/audit-reports/courses/{course.pk}/" + (f"?{query}" if query else "")


@pytest.fixture
def data():
    teacher = staff_user(group="Instructors")
    course = course_build(title="Ruptures", instructor=InstructorFactory(user=teacher))
    dana = clinician(full_name="Dana Whitfield")
    dana_enrollment, _ = course_completed_by(user=dana, course=course)
    sam = clinician(full_name="Sam Okafor")
    sam_enrollment = enrollment_create(user=sam, course=course)
    from tests.factories import lessons_complete, requirements_complete

    lessons_complete(enrollment=sam_enrollment)
    fail_post_test_once(sam_enrollment)
    requirements_complete(enrollment=sam_enrollment)
    riley = clinician(full_name="Riley Chen")
    riley_enrollment = enrollment_create(user=riley, course=course)
    # Riley enrolled last year: outside a period that starts this year.
    last_year = timezone.now().replace(month=6, day=1) - timedelta(days=365)
    Enrollment.objects.filter(pk=riley_enrollment.pk).update(enrolled_at=last_year)
    CourseCompletion.objects.filter(enrollment=dana_enrollment).update(active_seconds=45 * 60)
    Evaluation.objects.filter(enrollment=dana_enrollment).update(relevance=5)
    Evaluation.objects.filter(enrollment=sam_enrollment).update(relevance=3)
    other_course = course_build(title="Other course")
    return {"course": course, "teacher": teacher, "other": other_course}


def this_year() -> Period:
    today = timezone.localdate()
    return Period(start=today.replace(month=1, day=1), end=today)


def test_the_numbers_of_a_period(data):
    stats = course_stats(course=data["course"], period=this_year())
    assert stats.enrollments == 2 and stats.completions == 2
    assert (stats.takers, stats.passed) == (2, 2)
    assert stats.pass_rate == 100
    assert (stats.first_attempts, stats.first_attempts_passed) == (2, 1)
    assert stats.first_attempt_pass_rate == 50
    assert sum(n for _, n in stats.score_buckets) == Attempt.objects.count() == 3
    assert dict(stats.score_buckets)["90–100"] == 2
    assert stats.evaluations == 2
    relevance = {label: avg for label, avg, _ in stats.evaluation_items}["Relevant to practice"]
    assert relevance == 4
    assert sum(n for _, n in stats.time_bands) == 2
    whole_span = Period(start=date(2000, 1, 1), end=timezone.localdate())
    assert course_stats(course=data["course"], period=whole_span).enrollments == 3


def test_the_page_draws_svg_charts_with_their_tables(admin_client, data):
    response = admin_client.get(url(data["course"]))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    charts = soup.select("svg.report-chart")
    assert len(charts) == 5
    for svg in charts:
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert soup.find(id=title_id).name == "title" and soup.find(id=desc_id).text
    tables = soup.select("figure table")
    assert len(tables) == 5
    months = tables[0]
    assert months.caption.text == "Enrollments and completions per month"
    month = timezone.localdate().strftime("%Y-%m")
    row = next(tr for tr in months.select("tbody tr") if tr.th.text == month)
    assert [td.text for td in row.select("td")] == ["2", "2"]
    # Aggregates only: no participant's name anywhere on the page.
    for name in ("Dana Whitfield", "Sam Okafor", "Riley Chen"):
        assert name not in response.content.decode()
    assert "<script" not in str(charts[0])


def test_the_date_range_filters(admin_client, data):
    today = timezone.localdate()
    start = today.replace(year=today.year - 1, month=1, day=1)
    response = admin_client.get(url(data["course"], start=start, end=today))
    assert "<dt>Enrollments</dt><dd>3</dd>" in response.content.decode()
    bad = admin_client.get(url(data["course"], start=today, end=date(2000, 1, 1)))
    assert bad.status_code == 400
    assert "The report was not run" in bad.content.decode()


def test_instructors_see_their_own_courses_only(client, data):
    client.force_login(data["teacher"])
    assert client.get(url(data["course"])).status_code == 200
    assert client.get(url(data["other"])).status_code == 404
    listing = client.get("/admin/audit-reports/courses/").content.decode()
    assert "Ruptures" in listing and "Other course" not in listing
    # And none of the personal-data reports.
    assert client.get("/admin/audit-reports/roster/").status_code == 403
    stranger = staff_user(group="Instructors")
    client.force_login(stranger)
    assert client.get(url(data["course"])).status_code == 404


def test_a_clinician_gets_nothing(client, data):
    client.force_login(clinician(full_name="Curious Clinician"))
    for address in (url(data["course"]), "/admin/audit-reports/courses/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "/dashboard/" in response["Location"]
