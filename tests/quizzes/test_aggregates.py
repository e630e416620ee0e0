"""Evaluation aggregates in the Wagtail admin, and their CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from courses.services import enrollment_create
from quizzes.selectors import evaluation_aggregate
from tests.factories import (
    InstructorFactory,
    UserFactory,
    attempt_pass,
    course_build,
    evaluation_submit_default,
    lessons_complete,
    staff_user,
)

pytestmark = pytest.mark.django_db


def evaluate(course, *, rating, **overrides):
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lessons_complete(enrollment=enrollment)
    attempt_pass(enrollment=enrollment)
    return evaluation_submit_default(enrollment=enrollment, rating=rating, **overrides)


@pytest.fixture
def teacher():
    return staff_user(group="Instructors")


@pytest.fixture
def evaluated(teacher):
    course = course_build(
        title="Ruptures", instructor=InstructorFactory(user=teacher, name="Ana Ruiz")
    )
    evaluate(course, rating=5, comments="Very useful.")
    evaluate(course, rating=4, hours_accurate="longer")
    evaluate(
        course,
        rating=2,
        bias_noticed=True,
        bias_details="A product was praised.",
        comments='=HYPERLINK("http://evil")',
    )
    return course


def test_the_aggregate_has_averages_distributions_hours_bias_and_comments(evaluated):
    aggregate = evaluation_aggregate(course=evaluated)
    assert aggregate.count == 3
    by_label = {item.label: item for item in aggregate.items}
    objective = by_label["Objective 1 met: Describe key idea number 1."]
    assert objective.average == Decimal("3.67")
    assert objective.distribution == [0, 1, 0, 1, 1]
    assert by_label["Instructor: Ana Ruiz, PhD, licensed psychologist"].count == 3
    assert by_label["Relevant to practice"].average == Decimal("3.67")
    assert dict(aggregate.hours) == {
        "About right": 2,
        "It took noticeably longer": 1,
        "It took noticeably less time": 0,
    }
    assert aggregate.bias_noticed == 1
    assert [c["comments"] for c in aggregate.comments] == [
        "Very useful.",
        '=HYPERLINK("http://evil")',
    ]
    assert aggregate.comments[1]["bias_details"] == "A product was praised."
    assert (aggregate.attempts, aggregate.passed, aggregate.average_score) == (
        3,
        3,
        Decimal("100.00"),
    )


def test_an_empty_course_aggregates_to_nothing():
    aggregate = evaluation_aggregate(course=course_build())
    assert aggregate.count == 0
    assert all(item.average is None and item.count == 0 for item in aggregate.items)


def test_the_instructor_sees_the_aggregate_of_their_course_with_a_chart(client, teacher, evaluated):
    client.force_login(teacher)
    index = client.get(reverse("quizzes_admin:index")).content.decode()
    assert "Ruptures" in index
    html = client.get(reverse("quizzes_admin:course", args=[evaluated.pk])).content.decode()
    assert "3.67" in html
    assert 'class="qz-bars"' in html and "Strongly agree" in html
    assert "Very useful." in html and "A product was praised." in html
    assert "Evaluations" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_an_instructor_does_not_see_other_courses(client, evaluated):
    other = staff_user(group="Instructors")
    client.force_login(other)
    assert "Ruptures" not in client.get(reverse("quizzes_admin:index")).content.decode()
    assert client.get(reverse("quizzes_admin:course", args=[evaluated.pk])).status_code == 404
    assert (
        client.get(reverse("report_exports:evaluations_csv", args=[evaluated.pk])).status_code
        == 404
    )


def test_administrators_see_every_course(client, evaluated):
    client.force_login(staff_user(group="Administrators"))
    assert "Ruptures" in client.get(reverse("quizzes_admin:index")).content.decode()
    assert client.get(reverse("quizzes_admin:course", args=[evaluated.pk])).status_code == 200


def test_clinicians_cannot_reach_the_aggregates(client, evaluated):
    client.force_login(UserFactory())
    response = client.get(reverse("report_exports:evaluations_csv", args=[evaluated.pk]))
    assert response.status_code in (302, 403)
    assert not response.get("Content-Disposition")


def test_the_evaluation_pages_link_the_course_exports(client, teacher, evaluated):
    # reports serves the exports; the evaluation pages show their links through a hook.
    client.force_login(teacher)
    csv_url = f"/admin/evaluations/{evaluated.pk}/csv/"
    xlsx_url = f"/admin/evaluations/{evaluated.pk}/xlsx/"
    for page in (
        reverse("quizzes_admin:index"),
        reverse("quizzes_admin:course", args=[evaluated.pk]),
    ):
        html = client.get(page).content.decode()
        assert f'href="{csv_url}"' in html and f'href="{xlsx_url}"' in html
    assert client.get(xlsx_url)["Content-Disposition"].startswith("attachment")


def test_the_csv_export_is_anonymous_and_spreadsheet_safe(client, teacher, evaluated):
    client.force_login(teacher)
    response = client.get(reverse("report_exports:evaluations_csv", args=[evaluated.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="evaluations-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header, *data = rows
    assert header[:5] == [
        "submitted_at",
        "objective_1_met",
        "objective_2_met",
        "objective_3_met",
        "instructor_1",
    ]
    assert len(data) == 3
    assert sorted(row[1] for row in data) == ["2", "4", "5"]
    assert '\'=HYPERLINK("http://evil")' in [row[-1] for row in data]
    assert "@example.org" not in body
