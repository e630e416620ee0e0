"""What issuing and delivering one certificate asks of the database (issue 19:
CPU per certificate). Each round trip is paid once per certificate, so a change
that adds one fails here, with the queries listed."""

from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.images.models import Image

from certificates import services, tasks
from certificates.models import Certificate
from cms.models import ProviderSettings
from tests.factories import course_completed_by


def _png(name: str) -> ImageFile:
    buffer = BytesIO()
    PILImage.new("RGB", (300, 100), (20, 60, 90)).save(buffer, "PNG")
    return ImageFile(BytesIO(buffer.getvalue()), name=name)


def _sql(queries) -> str:
    return "\n".join(q["sql"] for q in queries)


@pytest.fixture
def provider_with_images(db):
    provider = ProviderSettings.load()
    provider.logo = Image.objects.create(title="Logo", file=_png("logo.png"))
    provider.signature = Image.objects.create(title="Signature", file=_png("signature.png"))
    provider.save()
    return provider


def test_issuing_reads_the_provider_settings_with_their_images_in_one_query(
    provider_with_images, psychologist, course, django_capture_on_commit_callbacks
):
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False),
    ):
        enrollment, _ = course_completed_by(user=psychologist, course=course)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.snapshot["asset_images"] == {
        "logo": provider_with_images.logo_id,
        "signature": provider_with_images.signature_id,
    }
    settings_reads = [q for q in queries if 'FROM "cms_providersettings"' in q["sql"]]
    assert len(settings_reads) == 1, _sql(settings_reads)
    assert 'JOIN "wagtailimages_image"' in settings_reads[0]["sql"]
    image_reads = [q for q in queries if 'FROM "wagtailimages_image"' in q["sql"]]
    assert image_reads == [], _sql(image_reads)


@pytest.fixture
def enqueued_emails(monkeypatch) -> list[dict]:
    """The email tasks the code under test sends (not sent: recorded here)."""
    enqueued = []
    monkeypatch.setattr(
        services,
        "certificate_enqueue_email",
        lambda **kwargs: enqueued.append(kwargs) or True,
    )
    return enqueued


def test_the_render_task_emails_a_just_stored_pdf_itself_without_asking_again(
    pending, enqueued_emails, mailbox
):
    with CaptureQueriesContext(connection) as queries:
        assert tasks.certificate_render.run(pending.pk) == "emailed"
    pending.refresh_from_db()
    assert pending.rendered_at and pending.emailed_at
    assert (pending.render_attempts, pending.email_attempts) == (1, 1)
    assert [m["Subject"] for m in mailbox() if pending.number in m["Subject"]]
    # No second task, and no statement of its own to count the email attempt or to ask
    # whether the email is due: the store's transaction counted it and marked it queued.
    assert enqueued_emails == []
    sql = _sql(queries)
    assert 'SELECT 1 AS "a"' not in sql
    updates = [
        q["sql"] for q in queries if q["sql"].startswith('UPDATE "certificates_certificate"')
    ]
    assert len(updates) == 3, sql  # render attempts; the PDF (and the email attempt); emailed
    assert '"email_attempts" = ("certificates_certificate"."email_attempts" + 1)' in updates[1]


def test_an_email_the_render_task_cannot_send_goes_to_the_email_task_with_a_backoff(
    pending, enqueued_emails, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert tasks.certificate_render.run(pending.pk) == "email queued"
    assert enqueued_emails == [
        {"certificate_id": pending.pk, "mark": False, "countdown": tasks.EMAIL_RETRY_AFTER}
    ]
    pending.refresh_from_db()
    assert pending.rendered_at and pending.emailed_at is None and pending.email_error == ""


def test_an_email_the_render_task_can_never_send_is_recorded_and_the_pdf_kept(pending, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a template error")

    monkeypatch.setattr("certificates.services.delivery.certificate_email_send", broken)
    assert tasks.certificate_render.run(pending.pk) == "email failed"
    pending.refresh_from_db()
    assert pending.rendered_at and pending.pdf and pending.emailed_at is None
    assert pending.email_error == "ValueError: a template error"
    assert pending.email_status == "failed"


def test_the_render_task_run_again_asks_whether_the_email_is_still_due(pending, enqueued_emails):
    assert services.certificate_render_started(certificate_id=pending.pk)
    assert services.certificate_pdf_store(certificate_id=pending.pk) == "stored"
    # Redelivered after the PDF was stored (a worker died before its email): nothing
    # is rendered again, and the email is queued (and marked) while it is due.
    assert tasks.certificate_render.run(pending.pk) == "email queued"
    assert enqueued_emails == [{"certificate_id": pending.pk}]  # mark=True: marked queued
    Certificate.objects.filter(pk=pending.pk).update(email_error="Mailbox unavailable")
    assert tasks.certificate_render.run(pending.pk) == "nothing to do"


def test_the_email_right_after_the_store_reads_again_only_what_may_have_changed(pending, mailbox):
    from accounts.models import User

    stored = services.certificate_pdf_store_to_email(certificate_id=pending.pk)
    assert stored is not None and stored.pk == pending.pk
    assert services.certificate_pdf_store_to_email(certificate_id=pending.pk) is None  # stored
    User.objects.filter(pk=pending.user_id).update(email="dana.new@example.org")
    with CaptureQueriesContext(connection) as queries:
        emailed = services.certificate_email_deliver(certificate_id=pending.pk, stored=stored)
    assert emailed == "emailed"
    (message,) = [m for m in mailbox() if pending.number in m["Subject"]]
    assert message["To"] == "dana.new@example.org"  # the address as it is now
    (lock,) = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert '"snapshot"' not in lock  # the frozen snapshot is not read twice
    pending.refresh_from_db()
    assert pending.emailed_at and pending.email_attempts == 1


def test_a_certificate_revoked_between_its_store_and_its_email_is_not_emailed(pending, mailbox):
    stored = services.certificate_pdf_store_to_email(certificate_id=pending.pk)
    Certificate.objects.filter(pk=pending.pk).update(status=Certificate.Status.REVOKED)
    assert services.certificate_email_deliver(certificate_id=pending.pk, stored=stored) == "skipped"
    assert [m for m in mailbox() if pending.number in m["Subject"]] == []
    assert Certificate.objects.get(pk=pending.pk).emailed_at is None
