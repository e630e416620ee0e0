"""No cache keeps a page with personal data: every response to a signed-in
person says `Cache-Control: no-store, private` (cms.middleware), on production
settings behind the proxy. Public pages for anonymous visitors stay cacheable."""

import pytest

from quizzes.models import Attempt
from tests.factories import certificate_issued, lessons_of, staff_user

pytestmark = pytest.mark.django_db


def _not_stored(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives


def test_every_page_of_a_signed_in_clinician_is_no_store_and_private(proxied_client):
    certificate = certificate_issued()
    course = certificate.course
    attempt = Attempt.objects.filter(enrollment__user=certificate.user).first()
    client = proxied_client("203.0.113.5")
    client.force_login(certificate.user)
    urls = [
        "/dashboard/",
        "/profile/",
        "/transcript/",
        "/accounts/email/",
        f"/learn/attempts/{attempt.pk}/",
        f"/learn/courses/{course.pk}/evaluation/",
        course.url,
        lessons_of(course)[0].url,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _not_stored(response), (url, response.get("Cache-Control"))


def test_admin_pages_are_no_store_and_private(proxied_client):
    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Administrators"))
    for url in ("/admin/", "/admin/users/"):
        response = client.get(url)
        assert _not_stored(response), (url, response.get("Cache-Control"))


def test_public_pages_for_anonymous_visitors_are_not_marked_no_store(proxied_client, site_tree):
    for url in ("/", "/verify/"):
        response = proxied_client("203.0.113.5").get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
