"""No dead ends (issues 15 and 16): the request form is linked from every course
page, the post-test's "no attempts left" message, the dashboard, the profile and
the policy pages; clinicians see their own requests and answers on their profile."""

import pytest

from cms.models import ProviderSettings
from courses.services import enrollment_create
from quizzes.services import attempt_start, attempt_submit
from support.services import request_create, request_update
from tests.factories import UserFactory, course_build, lessons_complete, posttest_build, staff_user

pytestmark = pytest.mark.django_db


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_course_page_links_to_the_form_for_this_course(client, site_tree):
    course = course_build()
    client.force_login(UserFactory())
    html = _html(client, course.url)
    assert f'href="/support/new/?kind=accommodation&amp;course={course.pk}"' in html
    assert f'href="/support/new/?kind=grievance&amp;course={course.pk}"' in html
    form = _html(client, f"/support/new/?kind=accommodation&course={course.pk}")
    assert f'<option value="{course.pk}" selected>' in form


def test_no_attempts_left_links_to_a_request_for_another_attempt(client, site_tree):
    course = course_build()
    post_test = posttest_build(course=course, attempts_allowed=1)
    user = UserFactory()
    enrollment = enrollment_create(user=user, course=course)
    lessons_complete(enrollment=enrollment)
    client.force_login(user)
    assert "data-support-link" not in _html(client, post_test.url)

    attempt = attempt_start(enrollment=enrollment)
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    attempt_submit(attempt_id=attempt.pk, user=user, answers=wrong)
    html = _html(client, post_test.url)
    assert "You have used all 1 attempts" in html
    assert (
        f'href="/support/new/?kind=accommodation&amp;course={course.pk}">'
        "Ask the CE administrator for another attempt" in html
    )


def test_the_dashboard_links_to_the_form_and_to_ones_requests(client, site_tree):
    client.force_login(UserFactory())
    html = _html(client, "/dashboard/")
    assert 'href="/support/new/">Send a request to the CE administrator' in html
    assert 'href="/support/">your requests' in html


def test_the_profile_shows_ones_own_requests_and_answers_only(client, site_tree):
    dana, robin = UserFactory(), UserFactory()
    admin = staff_user(group="Administrators")
    mine = request_create(
        user=dana, kind="grievance", details="My certificate has a typo.", outcome_sought="Fix it."
    )
    request_update(request=mine, actor=admin, status="resolved", response="Corrected and reissued.")
    course = course_build()
    request_create(
        user=dana, kind="accommodation", details="Extra time please.", course_id=course.pk
    )
    request_create(
        user=robin, kind="grievance", details="Robin's private complaint.", outcome_sought="X."
    )

    client.force_login(dana)
    html = _html(client, "/profile/")
    assert "Corrected and reissued." in html
    assert "Resolved" in html and "No answer yet." in html
    assert "Robin's private complaint." not in html
    assert 'href="/support/new/">Ask for an accommodation or raise a grievance' in html

    client.force_login(robin)
    html = _html(client, "/profile/")
    assert "Corrected and reissued." not in html


def test_the_policy_pages_point_to_the_form(client, site_tree):
    provider = ProviderSettings.load()
    client.force_login(UserFactory())
    accommodation = _html(client, provider.accommodation_page.url)
    assert 'href="/support/new/?kind=accommodation"' in accommodation
    grievance = _html(client, provider.grievance_policy_page.url)
    assert 'href="/support/new/?kind=grievance"' in grievance
    privacy = _html(client, provider.privacy_policy_page.url)
    assert 'href="/renewals/records/"' in privacy
    assert 'href="/support/new/?kind=grievance&amp;topic=correction"' in privacy
