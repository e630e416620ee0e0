"""Idempotent demo site tree: home page, policy pages, provider settings, and
the demo provider's logo and signature."""

import io

from django.conf import settings as django_settings
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from .demo_images import demo_logo_png, demo_signature_png
from .media import PROVIDER_IDENTITY
from .models import HomePage, ProviderSettings, StandardPage

POLICIES = {
    "refund-policy": (
        "Refund and cancellation policy",
        "How to cancel an enrollment and get your money back.",
        [
            "Free courses carry no charge and need no refund.",
            "For a paid course, ask for a full refund within 30 days of purchase if you have not "
            "passed its post-test. Write to the contact address below with your order details.",
            "If we withdraw a course you have paid for, we refund you in full, whatever your progress.",
            "Refunds go back to the original payment method within 10 business days.",
        ],
    ),
    "grievance-policy": (
        "Grievance policy",
        "How we handle complaints about a course, an instructor or a certificate.",
        [
            'Send a grievance with the request form (signed in: <a href="/support/new/?kind=grievance">'
            "Raise a grievance</a>), or in writing to the contact address below. Describe the course, "
            "the date, what went wrong and the outcome you seek.",
            "We acknowledge every grievance within 5 business days and answer in writing within 30 days. "
            "Where a grievance is upheld we may refund fees, correct records or reissue a certificate.",
            "If you are not satisfied with our answer, you may contact the accrediting body that approved "
            "the course; its name is printed on the course page and on your certificate.",
            "Grievances and their outcomes are kept on file for at least seven years.",
        ],
    ),
    "accommodations": (
        "Accommodations",
        "Requesting an accommodation for a disability or other need.",
        [
            "Our courses are built to work with screen readers, keyboard-only navigation and zoom. "
            "If anything gets in your way, tell us.",
            "To request an accommodation — extra time on a post-test, another attempt, an alternative "
            "format of course material, or anything else — use the request form (signed in: "
            '<a href="/support/new/?kind=accommodation">Request an accommodation</a>) or write to '
            "the contact address below. We answer within 3 business days and keep your request "
            "confidential.",
        ],
    ),
    "privacy": (
        "Privacy",
        "What we keep about you and why.",
        [
            "We keep your name, email, licenses, course progress, post-test results, evaluations "
            "and certificates, because accrediting bodies require CE providers to keep them.",
            "Records are kept for seven years after completion and never sold. Your private journal "
            "reflections are visible to you alone.",
            "Certificate verification pages show only your name, the course, its credits, the date "
            "and the status, never your email or license numbers.",
            "Your transcript, all your certificates and a copy of your data are on your "
            '<a href="/renewals/records/">My records</a> page. To ask for a correction, use the '
            '<a href="/support/new/?kind=grievance&amp;topic=correction">request form</a>.',
            "You can delete your account from your profile. Your sign-in, email address, journal "
            "reflections and the licenses no certificate printed are removed at once; your CE "
            "records stay for the retention period, and your certificates can still be verified.",
        ],
    ),
}


def _body(paragraphs: list[str]) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


def site_tree_ensure(*, hostname: str = "127.0.0.1", port: int = 8000) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:  # a flushed test database: what migrations made is gone too
            Locale.objects.get_or_create(
                language_code=get_supported_content_language_variant(django_settings.LANGUAGE_CODE)
            )
            root = Page.add_root(instance=Page(title="Root", slug="root"))
        # Wagtail's placeholder welcome page gives way to ours (its Site goes with it).
        Page.objects.filter(
            depth=2, content_type__model="page", content_type__app_label="wagtailcore"
        ).delete()
        root.refresh_from_db()
        home = HomePage(
            title="Continuing education that takes clinical work seriously",
            slug="home",
            intro=(
                "<p>Self-paced CE courses for psychologists, social workers, counselors and "
                "marriage &amp; family therapists — with credit your board accepts and "
                "certificates that stand up to an audit.</p>"
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="Practicum",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Practicum"
        site.save()

    settings = ProviderSettings.load()
    links = {
        "refund-policy": "refund_policy_page",
        "grievance-policy": "grievance_policy_page",
        "accommodations": "accommodation_page",
        "privacy": "privacy_policy_page",
    }
    for slug, (title, intro, paragraphs) in POLICIES.items():
        page = StandardPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = StandardPage(
                title=title, slug=slug, intro=intro, body=_body(paragraphs), show_in_menus=False
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        if getattr(settings, f"{links[slug]}_id") is None:
            setattr(settings, links[slug], page)
    settings.save()
    return home


def provider_identity_collection() -> Collection:
    """Where the logo and signature live: only Administrators reach it (cms.media).
    Made by cms migration 0002; made here too on a flushed test database."""
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    collection = root.get_children().filter(name=PROVIDER_IDENTITY).first()
    return collection or root.add_child(name=PROVIDER_IDENTITY)


DEMO_LOGO_TITLE = "Demo provider logo"
DEMO_SIGNATURE_TITLE = (
    "Demo signature (not a real person's; replace it with the CE administrator's)"
)


def provider_images_ensure() -> ProviderSettings:
    """Give the provider settings a logo and a CE administrator's signature
    when they have none: generated images (see `cms.demo_images`), so demo
    certificates show both. An image an administrator chose is never replaced."""
    with transaction.atomic():
        settings = (
            ProviderSettings.objects.select_for_update().filter(pk=ProviderSettings.load().pk).get()
        )
        changed = []
        if settings.logo_id is None:
            settings.logo = _image_create(
                title=DEMO_LOGO_TITLE,
                filename="demo-provider-logo.png",
                data=demo_logo_png(settings.name),
            )
            changed.append("logo")
        if settings.signature_id is None:
            settings.signature = _image_create(
                title=DEMO_SIGNATURE_TITLE,
                filename="demo-signature.png",
                data=demo_signature_png(),
            )
            changed.append("signature")
        if changed:
            settings.save(update_fields=changed)
    return settings


def _image_create(*, title: str, filename: str, data: bytes):
    collection = provider_identity_collection()
    image = get_image_model()(title=title, collection=collection)
    image.file = ImageFile(io.BytesIO(data), name=filename)
    image._set_image_file_metadata()  # size and hash, as an upload in the admin gets
    image.save()
    return image
