"""A certificate is a frozen snapshot: later edits of the course, the profile, the
provider settings or the template change nothing issued; only a reissue does."""

import pytest

from certificates import rendering, services
from cms.models import ProviderSettings
from tests.certificates.pdf import pdf_text

pytestmark = pytest.mark.django_db


def test_editing_the_course_title_and_the_name_after_issue_leaves_pdf_and_record_unchanged(
    client, issued, monkeypatch
):
    pdf_before = issued.pdf.open("rb").read()
    snapshot_before = dict(issued.snapshot)
    columns_before = (issued.participant_name, issued.course_title, issued.license_numbers)
    assert "Understanding stuck treatments" in pdf_text(pdf_before)

    course = issued.course.specific
    course.title = "A renamed course"
    course.save_revision().publish()
    user = issued.user
    user.full_name = "Somebody Else"
    user.save()
    user.licenses.update(license_number="PSY 99999")
    provider = ProviderSettings.load()
    provider.name = "Renamed Provider LLC"
    provider.save()
    issued_version = rendering.CERTIFICATE_TEMPLATE_VERSION
    monkeypatch.setattr(rendering, "CERTIFICATE_TEMPLATE_VERSION", issued_version + 1)

    # A late redelivery of the render task (a retry, the sweep) changes nothing either.
    assert services.certificate_render_started(certificate_id=issued.pk) is False
    assert services.certificate_deliver(certificate_id=issued.pk) == "rendered"

    issued.refresh_from_db()
    assert issued.snapshot == snapshot_before
    assert (issued.participant_name, issued.course_title, issued.license_numbers) == columns_before
    assert issued.template_version == issued_version
    pdf_after = issued.pdf.open("rb").read()
    assert pdf_after == pdf_before
    text = pdf_text(pdf_after)
    assert "Dana Whitfield" in text and "Somebody Else" not in text
    assert "Understanding stuck treatments" in text and "A renamed course" not in text
    assert "Renamed Provider LLC" not in text

    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Dana Whitfield" in page and "Understanding stuck treatments" in page

    # Only an explicit reissue takes the corrected name (and keeps the course as completed).
    new = services.certificate_reissue(certificate=issued, actor=None, reason="Name change")
    assert new.participant_name == "Somebody Else"
    assert new.course_title == "Understanding stuck treatments"
    assert new.snapshot["licenses"][0]["number"] == "PSY 99999"
    assert new.snapshot["provider"]["name"] == "Renamed Provider LLC"
    assert new.template_version == issued_version + 1


def test_the_provider_images_are_frozen_copies(issued, deliver):
    from io import BytesIO

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    def png(color):
        buffer = BytesIO()
        PILImage.new("RGB", (300, 100), color).save(buffer, "PNG")
        return ImageFile(BytesIO(buffer.getvalue()), name="sig.png")

    provider = ProviderSettings.load()
    provider.signature = Image.objects.create(title="Signature", file=png((0, 0, 0)))
    provider.save()
    first = services.certificate_reissue(certificate=issued, actor=None, reason="With signature")
    key = first.snapshot["assets"]["signature"]
    assert key.startswith("certificates/assets/") and key.endswith(".png")

    # A new signature image later does not change what the issued certificate renders.
    provider.signature = Image.objects.create(title="New signature", file=png((200, 0, 0)))
    provider.save()
    first.refresh_from_db()
    assert first.snapshot["assets"]["signature"] == key
    assert services.certificate_pdf_render(certificate=first) == services.certificate_pdf_render(
        certificate=first
    )
    second = services.certificate_reissue(certificate=first, actor=None, reason="New signature")
    assert second.snapshot["assets"]["signature"] != key
