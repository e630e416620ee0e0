"""What happens when delivery fails: a mail server that is down, a render that
cannot succeed. Nothing half-done is kept, and the administrator is told."""

import pytest
from django.core.files.base import ContentFile

from certificates import services
from certificates.models import Certificate, CertificateEvent, private_storage
from certificates.tasks import TRANSIENT_ERRORS, certificate_email, certificate_render

pytestmark = pytest.mark.django_db


def test_a_mail_server_that_is_down_keeps_the_stored_pdf_and_only_the_email_waits(
    pending, settings, mailbox, client
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    # The render task stores the PDF (committed on its own), tries the email once
    # itself and hands it to the email task, which retries it with backoff.
    assert certificate_render(pending.pk) == "email queued"
    pending.refresh_from_db()
    assert pending.rendered_at and pending.pdf and pending.emailed_at is None
    assert pending.email_attempts == 1 and "ConnectionRefusedError" in pending.last_error
    with pytest.raises(TRANSIENT_ERRORS):
        certificate_email(pending.pk)
    pending.refresh_from_db()
    assert pending.rendered_at and pending.pdf and pending.emailed_at is None
    assert pending.email_status == "pending" and pending.email_attempts == 2
    assert "ConnectionRefusedError" in pending.last_error
    assert pending.render_error == pending.email_error == ""  # a retry may cure it
    assert list(pending.events.values_list("action", flat=True)) == ["issued", "rendered"]
    # Meanwhile the certificate is verifiable and downloadable, and says the email is pending.
    assert client.get(f"/verify/{pending.number}/").status_code == 200
    client.force_login(pending.user)
    assert client.get(f"/certificates/{pending.number}/pdf/").status_code == 200
    status = client.get(f"/certificates/status/{pending.enrollment_id}/").json()
    assert status["certificates"][0]["state"] == "ready"
    assert status["certificates"][0]["message"] == "Ready to download. Email pending."

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    assert certificate_email(pending.pk) == "emailed"
    assert certificate_email(pending.pk) == "nothing to do"  # a late retry sends nothing
    pending.refresh_from_db()
    assert pending.emailed_at and pending.email_status == "emailed" and pending.last_error == ""
    assert (pending.render_attempts, pending.email_attempts) == (1, 3)
    assert len([m for m in mailbox() if pending.number in m["Subject"]]) == 1
    status = client.get(f"/certificates/status/{pending.enrollment_id}/").json()
    assert status["certificates"][0]["message"] == "Ready to download. Emailed to you."


def test_a_render_that_cannot_succeed_is_recorded_for_the_administrator(pending, client):
    from tests.factories import staff_user

    # A frozen logo that is not an image: no retry can cure that.
    name = private_storage().save("certificates/assets/broken.png", ContentFile(b"not a png"))
    snapshot = pending.snapshot | {"assets": {"logo": name, "signature": ""}}
    Certificate.objects.filter(pk=pending.pk).update(snapshot=snapshot)

    with pytest.raises(Exception) as raised:
        certificate_render(pending.pk)
    assert not isinstance(raised.value, TRANSIENT_ERRORS)
    pending.refresh_from_db()
    assert pending.rendered_at is None
    assert pending.render_error
    event = pending.events.get(action=CertificateEvent.Action.RENDER_FAILED)
    assert event.reason == pending.render_error

    client.force_login(staff_user(group="Administrators"))
    home = client.get("/admin/").content.decode()
    assert "Certificates need your attention" in home
    assert "1 certificate failed to render" in home
    listing = client.get("/admin/certificates/", {"delivery": "failed"}).content.decode()
    assert pending.number in listing
    client.force_login(pending.user)
    status = client.get(f"/certificates/status/{pending.enrollment_id}/").json()
    assert status["certificates"][0]["state"] == "failed"


def test_the_admin_dashboard_lists_held_certificates(client, enrollment, apa):
    from datetime import date

    from tests.factories import completion_record, staff_user

    apa.approval_end = date(2021, 12, 31)
    apa.save()
    services.certificates_issue(
        completion=completion_record(enrollment=enrollment), accreditors=[apa]
    )
    client.force_login(staff_user(group="Administrators"))
    home = client.get("/admin/").content.decode()
    assert "1 certificate held" in home
    assert "/admin/certificates/?status=held" in home
    client.force_login(staff_user(group="Instructors"))
    assert "Certificates need your attention" not in client.get("/admin/").content.decode()


def test_the_sweep_leaves_alone_what_was_just_enqueued_and_what_failed_too_often(pending):
    from datetime import timedelta

    from django.utils import timezone

    minute = timedelta(minutes=1)
    assert services.certificates_sweep(min_age=minute, max_attempts=10) == 0  # just issued
    Certificate.objects.filter(pk=pending.pk).update(queued_at=timezone.now() - 2 * minute)
    Certificate.objects.filter(pk=pending.pk).update(render_attempts=10)
    assert services.certificates_sweep(min_age=minute, max_attempts=10) == 0  # gave up


def _stored(pending):
    """The first stage done: the PDF stored, the email not sent."""
    assert services.certificate_render_started(certificate_id=pending.pk)
    assert services.certificate_pdf_store(certificate_id=pending.pk) == "stored"
    pending.refresh_from_db()
    return pending


def test_the_sweep_retries_each_stage_with_a_backoff_that_doubles_with_its_attempts(pending):
    from datetime import timedelta

    from django.utils import timezone

    minute, now = timedelta(minutes=1), timezone.now()
    _stored(pending)
    # Three email attempts: the next waits 2^3 minutes after the email was last queued.
    Certificate.objects.filter(pk=pending.pk).update(
        email_attempts=3, email_queued_at=now - 7 * minute
    )
    assert services.certificates_sweep(min_age=minute, max_attempts=10) == 0
    Certificate.objects.filter(pk=pending.pk).update(email_queued_at=now - 9 * minute)
    assert services.certificates_sweep(min_age=minute, max_attempts=10) == 1
    pending.refresh_from_db()
    assert pending.email_queued_at > now  # marked as enqueued again
    assert pending.render_attempts == 1  # the stored PDF is not rendered again


def test_the_sweep_gives_up_on_an_email_says_why_and_an_administrator_retries_it_now(
    pending, client, mailbox
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import client_reauthenticated, staff_user

    _stored(pending)
    Certificate.objects.filter(pk=pending.pk).update(
        email_attempts=10,
        email_queued_at=timezone.now() - timedelta(hours=1),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    assert services.certificates_sweep(min_age=timedelta(minutes=1), max_attempts=10) == 0
    pending.refresh_from_db()
    assert pending.email_error.startswith("Gave up after 10 attempts. Last error: SMTPServer")
    assert pending.email_status == "failed"
    event = pending.events.get(action=CertificateEvent.Action.EMAIL_FAILED)
    assert event.reason == pending.email_error
    services.certificates_sweep(min_age=timedelta(minutes=1), max_attempts=10)
    assert pending.events.filter(action=CertificateEvent.Action.EMAIL_FAILED).count() == 1

    admin = staff_user(group="Administrators")
    client.force_login(admin)
    home = client.get("/admin/").content.decode()
    assert "1 certificate email failed" in home
    listing = client.get("/admin/certificates/", {"delivery": "email_failed"}).content.decode()
    assert pending.number in listing
    page = client.get(f"/admin/certificates/inspect/{pending.pk}/").content.decode()
    assert f"/admin/certificates/{pending.pk}/retry-delivery/" in page
    assert "Email failed" in page

    url = f"/admin/certificates/{pending.pk}/retry-delivery/"
    # Like every certificate action: the password again first.
    assert client.post(url).status_code == 302
    assert Certificate.objects.get(pk=pending.pk).email_error
    client = client_reauthenticated(client)
    assert client.post(url).status_code == 302
    retried = Certificate.objects.get(pk=pending.pk)
    assert (retried.number, retried.email_error, retried.email_attempts) == (pending.number, "", 0)
    assert retried.events.get(action=CertificateEvent.Action.DELIVERY_RETRIED).actor == admin
    # ... and in the audit log, like every other certificate action.
    from audit.models import AuditAction, AuditEvent

    (row,) = AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_DELIVERY_RETRY)
    assert (row.actor_id, row.object_id, row.data) == (
        admin.pk,
        str(pending.pk),
        {"stage": "email"},
    )
    # What the enqueued tasks do once mail works: the same number, emailed once.
    assert certificate_render(pending.pk) == "email queued"
    assert certificate_email(pending.pk) == "emailed"
    assert len([m for m in mailbox() if pending.number in m["Subject"]]) == 1
    assert client.post(url).status_code == 400  # delivered: nothing left to retry
