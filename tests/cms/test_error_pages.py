"""Errors a visitor can meet get the site's own pages, saying what happened."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_oversized_form_gets_the_sites_400_page(site_tree, settings):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # a real visitor has the CSRF cookie and token
    token = client.cookies["csrftoken"].value
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "login": too_big, "password": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read that request" in page
    assert "2 MB" in page


def test_a_form_without_its_security_token_gets_a_clear_page(site_tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "security token" in response.content.decode()


def test_an_unknown_address_gets_the_sites_404_page(client, site_tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We cannot find that page" in page
    assert 'href="/verify/"' in page
