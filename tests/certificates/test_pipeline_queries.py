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


def test_the_render_task_hands_a_just_stored_pdf_to_the_email_task_without_asking_again(
    pending, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(
        services,
        "certificate_enqueue_email",
        lambda *, certificate_id, mark=True: enqueued.append((certificate_id, mark)) or True,
    )
    with CaptureQueriesContext(connection) as queries:
        assert tasks.certificate_render.run(pending.pk) == "email queued"
    pending.refresh_from_db()
    assert pending.rendered_at is not None and pending.email_queued_at is not None
    # The store's own transaction marked the email queued: no second UPDATE of it,
    # and no query asking whether the email is due.
    assert enqueued == [(pending.pk, False)]
    sql = _sql(queries)
    assert 'SELECT 1 AS "a"' not in sql
    assert sql.count('UPDATE "certificates_certificate"') == 2, sql  # attempts, then the PDF


def test_the_render_task_run_again_asks_whether_the_email_is_still_due(pending, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        services,
        "certificate_enqueue_email",
        lambda *, certificate_id, mark=True: enqueued.append((certificate_id, mark)) or True,
    )
    tasks.certificate_render.run(pending.pk)
    # Redelivered after the PDF was stored (a worker lost its acknowledgement):
    # nothing is rendered again, and the email is queued (and marked) while it is due.
    assert tasks.certificate_render.run(pending.pk) == "email queued"
    assert enqueued == [(pending.pk, False), (pending.pk, True)]
    Certificate.objects.filter(pk=pending.pk).update(email_error="Mailbox unavailable")
    assert tasks.certificate_render.run(pending.pk) == "nothing to do"
