"""The demo provider's logo and CE administrator's signature: generated at seed
time (cms.demo_images), set only where none is, printed on certificates."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from cms.demo_images import demo_logo_png, demo_signature_png
from cms.models import ProviderSettings
from cms.seed import DEMO_LOGO_TITLE, DEMO_SIGNATURE_TITLE, provider_images_ensure


def _pil(data: bytes) -> PILImage.Image:
    image = PILImage.open(io.BytesIO(data))
    image.load()
    return image


def _inked_share(image: PILImage.Image) -> float:
    transparent = image.getchannel("A").histogram()[0]
    return 1 - transparent / (image.width * image.height)


def test_the_demo_images_are_the_same_bytes_on_every_run():
    assert demo_logo_png("Practicum Continuing Education") == demo_logo_png(
        "Practicum Continuing Education"
    )
    assert demo_signature_png() == demo_signature_png()


def test_the_logo_is_a_wide_transparent_png_whose_wordmark_follows_the_provider_name():
    logo = _pil(demo_logo_png("Practicum Continuing Education"))
    assert (logo.format, logo.mode) == ("PNG", "RGBA")
    assert logo.width > 3 * logo.height  # the round mark beside the wordmark
    assert logo.getpixel((0, 0))[3] == 0  # transparent ground: any page colour shows through
    assert 0.15 < _inked_share(logo) < 0.6
    # The wordmark is drawn from the name: a longer name makes a wider logo.
    wider = _pil(demo_logo_png("Practicum Continuing Education and Clinical Training Institute"))
    assert wider.width > logo.width


def test_the_signature_is_pen_ink_on_a_transparent_ground():
    signature = _pil(demo_signature_png())
    assert (signature.format, signature.mode) == ("PNG", "RGBA")
    assert 2.5 < signature.width / signature.height < 5  # a signature's proportions
    assert signature.getpixel((0, 0))[3] == 0
    assert 0.02 < _inked_share(signature) < 0.3  # strokes, not a filled shape
    pixels = signature.tobytes()
    opaque = [pixels[i : i + 3] for i in range(0, len(pixels), 4) if pixels[i + 3] == 255]
    assert opaque and all(r < 80 and g < 80 and b < 120 for r, g, b in opaque)  # dark ink


@pytest.mark.django_db
def test_seeding_gives_the_provider_a_logo_and_a_signature_once(site_tree):
    settings = provider_images_ensure()
    settings = ProviderSettings.objects.get(pk=settings.pk)
    assert settings.logo.title == DEMO_LOGO_TITLE
    assert settings.signature.title == DEMO_SIGNATURE_TITLE
    assert "not a real person" in settings.signature.title
    for image in (settings.logo, settings.signature):
        with image.file.open("rb") as handle:
            stored = _pil(handle.read())
        assert (stored.format, stored.mode) == ("PNG", "RGBA")
        assert (image.width, image.height) == stored.size
        assert image.file_size and image.file_hash  # as an upload in the admin gets
    images = Image.objects.count()

    again = provider_images_ensure()
    assert (again.logo_id, again.signature_id) == (settings.logo_id, settings.signature_id)
    assert Image.objects.count() == images


@pytest.mark.django_db
def test_an_image_the_administrator_chose_is_never_replaced(site_tree):
    buffer = io.BytesIO()
    PILImage.new("RGB", (400, 120), (200, 30, 30)).save(buffer, "PNG")
    uploaded = Image.objects.create(
        title="Our real logo", file=ImageFile(io.BytesIO(buffer.getvalue()), name="ours.png")
    )
    settings = ProviderSettings.load()
    settings.logo = uploaded
    settings.save()

    settings = provider_images_ensure()

    settings = ProviderSettings.objects.get(pk=settings.pk)
    assert settings.logo_id == uploaded.pk
    assert settings.signature.title == DEMO_SIGNATURE_TITLE  # only the missing one is added
    assert not Image.objects.filter(title=DEMO_LOGO_TITLE).exists()


@pytest.mark.django_db
def test_a_certificate_issued_after_seeding_prints_the_logo_and_signature(
    site_tree, django_capture_on_commit_callbacks
):
    from certificates import services
    from certificates.models import Certificate, private_storage
    from tests.certificates.pdf import pdf_image_count, pdf_reader
    from tests.factories import clinician, course_completed_by

    provider_images_ensure()
    with django_capture_on_commit_callbacks(execute=False):
        enrollment, _ = course_completed_by(user=clinician(), title="Seeded images")
    certificate = Certificate.objects.get(enrollment=enrollment)
    # The images are frozen copies in private storage, as PNG renditions.
    assets = certificate.snapshot["assets"]
    for name in (assets["logo"], assets["signature"]):
        assert name.endswith(".png") and private_storage().exists(name)

    services.certificate_render_started(certificate_id=certificate.pk)
    services.certificate_deliver(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    pdf = certificate.pdf.open("rb").read()
    assert pdf_image_count(pdf) == 2
    root = pdf_reader(pdf).trailer["/Root"]["/StructTreeRoot"].get_object()
    assert "Signature of Jordan Avery, PsyD" in str(_alts(root))
    assert "Practicum Continuing Education logo" in str(_alts(root))


def _alts(node) -> list[str]:
    node = node.get_object()
    found = []
    if hasattr(node, "get"):
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            found.extend(_alts(kid))
    return found
