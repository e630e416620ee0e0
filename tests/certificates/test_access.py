"""Who may download what, and what the public verification page shows."""

import json
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from certificates import services
from certificates.models import Certificate
from courses.services import enrollment_create
from tests.factories import (
    AccreditorFactory,
    clinician,
    completion_record,
    course_build,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def pdf_url(certificate):
    return f"/certificates/{certificate.number}/pdf/"


def test_the_owner_downloads_the_stored_pdf(client, issued):
    client.force_login(issued.user)
    response = client.get(pdf_url(issued))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{issued.number}.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == issued.pdf.open("rb").read()


def test_a_number_typed_loosely_still_downloads_for_the_owner(client, issued):
    client.force_login(issued.user)
    response = client.get(f"/certificates/{issued.number.lower().replace('-', '')}/pdf/")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["another clinician", "an instructor"])
def test_others_get_a_404_and_no_pdf(client, issued, who):
    other = clinician() if who == "another clinician" else staff_user(group="Instructors")
    client.force_login(other)
    for url in (pdf_url(issued), f"/certificates/{issued.number}/badge/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert issued.participant_name not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in_and_gets_no_pdf(client, issued):
    response = client.get(pdf_url(issued))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert response.get("Content-Type", "").startswith("text/html")


def test_an_administrator_downloads_any_certificate(client, issued):
    client.force_login(staff_user(group="Administrators"))
    assert client.get(pdf_url(issued)).status_code == 200
    services.certificate_revoke(certificate=issued, actor=None, reason="Audit")
    assert client.get(pdf_url(issued)).status_code == 200


def test_the_owner_cannot_download_a_revoked_certificate(client, issued):
    services.certificate_revoke(certificate=issued, actor=None, reason="Audit")
    client.force_login(issued.user)
    assert client.get(pdf_url(issued)).status_code == 404
    assert client.get(f"/certificates/{issued.number}/badge/").status_code == 404


def test_a_certificate_not_rendered_yet_is_not_served(client, psychologist, pending):
    client.force_login(psychologist)
    response = client.get(pdf_url(pending))
    assert response.status_code == 404
    assert "still being prepared" in response.content.decode()


# RFC 3986: a scheme, then only unreserved, reserved or percent-encoded characters.
URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+"
)


def _uris(value, key=""):
    """Every id, url and @context entry of a JSON-LD document, wherever it sits."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _uris(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _uris(v, key)
    elif key in ("id", "url", "@context"):
        yield value


def test_every_id_and_url_of_a_badge_is_a_valid_uri_when_the_short_name_has_a_space(
    client, deliver
):
    aswb_ace = AccreditorFactory(
        name="Association of Social Work Boards ACE",
        short_name="ASWB ACE",
        professions=["social_worker"],
        provider_number="ACE-1677",
    )
    social_worker = clinician(full_name="Sam Rivera", professions=("social_worker",))
    course = course_build(title="Working with grief", accreditors=[aswb_ace], hours="0.5")
    (certificate,) = services.certificates_issue(
        completion=completion_record(
            enrollment=enrollment_create(user=social_worker, course=course)
        ),
        accreditors=[aswb_ace],
    )
    deliver(certificate)
    client.force_login(social_worker)
    response = client.get(f"/certificates/{certificate.number}/badge/")
    assert response.status_code == 200
    badge = json.loads(response.content)

    uris = list(_uris(badge))
    achievement_id = badge["credentialSubject"]["achievement"]["id"]
    assert achievement_id in uris and badge["id"] in uris
    assert achievement_id.endswith(f"/courses/{course.pk}/achievement/ASWB%20ACE")
    # The issuer is the site's did:web (resolved through /.well-known/did.json).
    assert badge["issuer"]["id"] == "did:web:testserver"
    for uri in uris:
        assert " " not in uri, uri
        assert URI.fullmatch(uri), uri
        if uri == badge["issuer"]["id"]:
            continue
        assert urlsplit(uri).scheme in ("http", "https") and urlsplit(uri).netloc, uri


def test_the_open_badge_is_an_openbadgecredential_whose_id_is_the_verification_url(client, issued):
    client.force_login(issued.user)
    response = client.get(f"/certificates/{issued.number}/badge/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    badge = json.loads(response.content)
    assert badge["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert badge["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"http://testserver/verify/{issued.number}/"
    assert badge["issuer"]["name"] == "Practicum Continuing Education"
    assert badge["issuer"]["type"] == ["Profile"]
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == issued.participant_name
    assert subject["achievement"]["name"] == issued.course_title
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["creditsEarned"] == 0.5
    assert badge["validFrom"].endswith("Z")
    # No license number or email in a credential meant to be shared.
    text = response.content.decode()
    assert issued.user.email not in text
    assert issued.license_numbers not in text


# --- Public verification -------------------------------------------------------------------


def test_the_verification_page_shows_only_what_an_employer_needs(client, issued):
    response = client.get(f"/verify/{issued.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        issued.participant_name,
        issued.course_title,
        "Valid",
        "0.50",
        "General",
        issued.completion_date.strftime("%B %-d, %Y"),
        "American Psychological Association (APA)",
    ):
        assert shown in page
    assert issued.user.email not in page
    for license_ in issued.user.licenses.all():
        assert license_.license_number not in page


@pytest.mark.parametrize("who", ["anonymous", "another clinician", "an instructor"])
def test_nobody_sees_private_fields_on_the_verification_page(client, issued, who):
    if who == "another clinician":
        client.force_login(clinician())
    elif who == "an instructor":
        client.force_login(staff_user(group="Instructors"))
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert issued.user.email not in page
    assert issued.license_numbers not in page


def test_a_number_typed_from_paper_finds_the_certificate(client, issued):
    typed = issued.number.lower().replace("-", " ").replace("0", "o")
    response = client.get("/verify/", {"number": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{issued.number}/"
    response = client.get(f"/verify/{issued.number.replace('-', '').lower()}/")
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{issued.number}/"


def test_a_mistyped_number_is_refused_with_a_message_tied_to_the_field(client, issued):
    wrong = issued.number[:-1] + ("A" if issued.number[-1] != "A" else "B")
    response = client.get("/verify/", {"number": wrong})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is not a valid certificate number" in page
    assert 'aria-describedby="id_number-error id_number-help"' in page
    assert 'aria-invalid="true"' in page


def test_an_unknown_number_is_not_found(client, db):
    from certificates.numbers import number_generate

    response = client.get(f"/verify/{number_generate(year=2026)}/")
    assert response.status_code == 404
    assert "No certificate was issued with the number" in response.content.decode()


def test_a_revoked_certificate_shows_revoked_with_its_date(client, issued):
    services.certificate_revoke(
        certificate=issued, actor=staff_user(group="Administrators"), reason="Fraud check"
    )
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert f"Revoked on {date.today():%B %-d, %Y}" in page
    assert "Fraud check" not in page  # the reason is for the audit history, not the public


def test_a_reissued_certificate_points_to_its_replacement(client, issued):
    new = services.certificate_reissue(
        certificate=issued, actor=staff_user(group="Administrators"), reason="Name corrected"
    )
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Reissued" in page
    assert f'href="/verify/{new.number}/"' in page
    assert "Valid" in client.get(f"/verify/{new.number}/").content.decode()


def test_a_held_certificate_cannot_be_verified(client, issued):
    Certificate.objects.filter(pk=issued.pk).update(status=Certificate.Status.HELD)
    assert client.get(f"/verify/{issued.number}/").status_code == 404


def test_lookups_beyond_the_limit_are_refused_per_ip(client, issued, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = (3, 600)
    for _ in range(3):
        assert client.get(f"/verify/{issued.number}/", REMOTE_ADDR="203.0.113.5").status_code == 200
    refused = client.get(f"/verify/{issued.number}/", REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert issued.participant_name not in refused.content.decode()
    # The form counts too; another address is unaffected.
    assert (
        client.get("/verify/", {"number": issued.number}, REMOTE_ADDR="203.0.113.5").status_code
        == 429
    )
    assert client.get(f"/verify/{issued.number}/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_blank_verification_form_is_public_and_labelled(client, db):
    response = client.get("/verify/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_number">Certificate number' in page
    assert 'aria-describedby="id_number-help"' in page
