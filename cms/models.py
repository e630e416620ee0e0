"""The site layer: home page, policy pages and the provider's identity.
Apps may import this module; of the apps it imports only accounts, beside it at
the bottom (the rule for text printed on certificates)."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from accounts.validators import validate_printable_line, validate_printable_text

from .blocks import BasicStreamBlock


class HomePage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    body = StreamField(BasicStreamBlock(), blank=True, use_json_field=True)

    template = "pages/home_page.html"
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage", "cms.StandardPage"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]


class StandardPage(Page):
    """Policies (refund, grievance, accommodation, privacy) and other plain pages."""

    intro = models.TextField(blank=True)
    body = StreamField(BasicStreamBlock(), use_json_field=True)

    template = "pages/standard_page.html"
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]


def _printed_line(verbose_name: str, *, default: str) -> models.CharField:
    """A line of the provider's settings printed on certificates: up to 200
    characters, none of them invisible."""
    return models.CharField(
        verbose_name, max_length=200, default=default, validators=[validate_printable_line]
    )


@register_setting(icon="site")
class ProviderSettings(BaseGenericSetting):
    """Who issues the certificates: printed on every certificate and course page."""

    # Everything below is printed on certificates: no invisible characters (accounts.validators).
    name = _printed_line("provider name", default="Practicum Continuing Education")
    address = models.TextField(
        blank=True,
        default="100 Example Street, Suite 200, Baltimore, MD 21201",
        validators=[validate_printable_text],
    )
    contact_email = models.EmailField(default="ce@practicum.example")
    phone = models.CharField(
        max_length=40, blank=True, default="+1 410 555 0100", validators=[validate_printable_line]
    )
    website = models.URLField(blank=True, default="https://practicum.example")
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ce_administrator_name = _printed_line("CE administrator name", default="Jordan Avery, PsyD")
    ce_administrator_title = _printed_line(
        "CE administrator title", default="Director of Continuing Education"
    )
    signature = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The CE administrator's signature, printed on certificates.",
    )
    refund_policy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grievance_policy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accommodation_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_policy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("address"),
                FieldPanel("contact_email"),
                FieldPanel("phone"),
                FieldPanel("website"),
                FieldPanel("logo"),
            ],
            heading="Provider",
        ),
        MultiFieldPanel(
            [
                FieldPanel("ce_administrator_name"),
                FieldPanel("ce_administrator_title"),
                FieldPanel("signature"),
            ],
            heading="CE administrator",
        ),
        MultiFieldPanel(
            [
                FieldPanel("refund_policy_page"),
                FieldPanel("grievance_policy_page"),
                FieldPanel("accommodation_page"),
                FieldPanel("privacy_policy_page"),
            ],
            heading="Policy pages",
        ),
    ]

    # Read with its images (Wagtail's BaseGenericSetting.base_queryset): every
    # certificate issued freezes the logo and signature.
    select_related = ["logo", "signature"]

    class Meta:
        verbose_name = "provider settings"

    def contact_facts(self) -> dict[str, str]:
        """The provider's identity as printed on certificates and transcripts."""
        return {
            "name": self.name,
            "address": " ".join(self.address.split()),
            "phone": self.phone,
            "email": self.contact_email,
            "website": self.website,
        }

    def policy_links(self) -> list[tuple[str, str]]:
        """(label, url) of the live policy pages, in footer order, in one query."""
        wanted = [
            ("Refund policy", self.refund_policy_page_id),
            ("Grievance policy", self.grievance_policy_page_id),
            ("Accommodations", self.accommodation_page_id),
            ("Privacy", self.privacy_policy_page_id),
        ]
        ids = [page_id for _, page_id in wanted if page_id is not None]
        pages = Page.objects.live().filter(pk__in=ids).in_bulk() if ids else {}
        return [(label, pages[page_id].url) for label, page_id in wanted if page_id in pages]
