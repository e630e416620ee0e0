"""What happens when delivery fails: a mail server that is down, a render that
cannot succeed. Nothing half-done is kept, and the administrator is told."""

import pytest
from django.core.files.base import ContentFile

from certificates import services
from certificates.models import Certificate, CertificateEvent, private_storage
from certificates.tasks import TRANSIENT_ERRORS, certificate_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(psychologist, course, django_capture_on_commit_callbacks):
    from tests.factories import course_completed_by

    with django_capture_on_commit_callbacks(execute=False):
        enrollment, _ = course_completed_by(user=psychologist, course=course)
    return Certificate.objects.get(enrollment=enrollment)


def test_a_mail_server_that_is_down_undoes_the_attempt_and_the_retry_delivers(
    pending, settings, mailbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(TRANSIENT_ERRORS):  # the task retries these with backoff
        certificate_render(pending.pk)
    pending.refresh_from_db()
    assert pending.rendered_at is None and pending.emailed_at is None and not pending.pdf
    assert list(pending.events.values_list("action", flat=True)) == ["issued"]
    assert pending.render_error == ""  # a transient error is not a rendering failure

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    assert certificate_render(pending.pk) == "delivered"
    pending.refresh_from_db()
    assert pending.rendered_at and pending.emailed_at
    assert pending.render_attempts == 2
    assert len([m for m in mailbox() if pending.number in m["Subject"]]) == 1


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
