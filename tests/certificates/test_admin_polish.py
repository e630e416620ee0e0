"""The administrator's certificate pages (issue 17) and the badge on the public
verification page (issue 16): a preview before a reissue, Revoke styled and
worded as the destructive action it is, numbers never wrapped, the reason for
the clinician kept apart from the internal one, LinkedIn's add-to-profile link."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from certificates import services
from certificates.models import Certificate, CertificateEvent
from cms.refusals import Refusal

pytestmark = pytest.mark.django_db


def test_the_reissue_form_previews_what_the_new_certificate_will_say(admin_client, issued):
    user = issued.user
    user.full_name = "Dana Whitfield-Okafor"
    user.save()
    page = admin_client.get(f"/admin/certificates/{issued.pk}/reissue/").content.decode()
    assert "What the new certificate will say" in page
    # The name changes (shown as a change), what was earned stays.
    assert "Dana Whitfield</td>" in page
    assert "<strong>Dana Whitfield-Okafor</strong>" in page
    assert page.count("Understanding stuck treatments") >= 2
    assert issued.completion_date.strftime("%B %-d, %Y") in page
    assert "a new number, drawn on reissue" in page
    # Looking changes nothing.
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
    assert not Certificate.objects.filter(supersedes=issued).exists()


def test_revoke_is_styled_and_explained_as_destructive_apart_from_reissue(admin_client, issued):
    page = admin_client.get(f"/admin/certificates/inspect/{issued.pk}/").content.decode()
    revoke = f'<a class="button button-small no" href="/admin/certificates/{issued.pk}/revoke/">'
    reissue = f'<a class="button button-small" href="/admin/certificates/{issued.pk}/reissue/">'
    assert revoke in page and reissue in page
    form = admin_client.get(f"/admin/certificates/{issued.pk}/revoke/").content.decode()
    assert "This is a destructive action." in form
    assert 'class="help-block help-critical"' in form
    assert '<button type="submit" class="button no">Revoke</button>' in form
    # Reissue keeps the ordinary button.
    form = admin_client.get(f"/admin/certificates/{issued.pk}/reissue/").content.decode()
    assert '<button type="submit" class="button">Reissue</button>' in form


def test_certificate_numbers_are_never_wrapped_in_the_admin(admin_client, issued):
    listing = admin_client.get("/admin/certificates/").content.decode()
    assert '<td class="cert-number title">' in listing
    assert "certificates/admin.css" in listing
    page = admin_client.get(f"/admin/certificates/inspect/{issued.pk}/").content.decode()
    assert f'<span class="cert-number">{issued.number}</span>' in page
    css = admin_client.get("/static/certificates/admin.css")
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"white-space: nowrap" in body


def test_a_reason_for_the_clinician_too_long_is_refused_and_changes_nothing(admin_client, issued):
    response = admin_client.post(
        f"/admin/certificates/{issued.pk}/revoke/",
        {"reason": "Internal", "clinician_reason": "x" * (services.MAX_REASON_LENGTH + 1)},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most" in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
    assert not issued.events.filter(action=CertificateEvent.Action.REVOKED).exists()
    with pytest.raises(Refusal):
        services.certificate_revoke(
            certificate=issued,
            actor=None,
            reason="Internal",
            clinician_reason="x" * (services.MAX_REASON_LENGTH + 1),
        )
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID


def test_a_notice_is_sent_once_even_when_asked_twice_and_only_for_its_changes(
    issued, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.certificate_revoke(
            certificate=issued, actor=None, reason="Internal", clinician_reason="Shared."
        )
    event = issued.events.get(action=CertificateEvent.Action.REVOKED)
    assert services.certificate_notice_send(event_id=event.pk) == "sent"
    assert services.certificate_notice_send(event_id=event.pk) == "already sent"
    issued_event = issued.events.get(action=CertificateEvent.Action.ISSUED)
    assert services.certificate_notice_send(event_id=issued_event.pk) == "skipped"
    assert len([m for m in mailbox() if "revoked" in m["Subject"]]) == 1


def test_the_sweep_enqueues_a_notice_left_unsent(issued, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        services.certificate_revoke(certificate=issued, actor=None, reason="Internal")
    event = issued.events.get(action=CertificateEvent.Action.REVOKED)
    CertificateEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.notices_sweep(min_age=timedelta(minutes=1)) == 1
    CertificateEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    assert services.notices_sweep(min_age=timedelta(minutes=1)) == 0  # past the window
    services.certificate_notice_send(event_id=event.pk)
    CertificateEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.notices_sweep(min_age=timedelta(minutes=1)) == 0  # sent already


def test_the_verify_page_explains_the_badge_with_a_filled_linkedin_link(client, issued):
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Add it to LinkedIn" in page and "Add it to a digital wallet" in page
    start = page.index('href="https://www.linkedin.com/profile/add?')
    href = page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    issue_date = date.fromisoformat(issued.snapshot["issue_date"])
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{issued.get_kind_display()}: Understanding stuck treatments",
        "organizationName": issued.snapshot["provider"]["name"],
        "issueYear": str(issue_date.year),
        "issueMonth": str(issue_date.month),
        "certUrl": f"http://testserver/verify/{issued.number}/",
        "certId": issued.number,
    }


def test_a_revoked_certificate_offers_no_linkedin_link(client, issued):
    services.certificate_revoke(certificate=issued, actor=None, reason="Internal")
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "linkedin.com" not in page
