"""Tags of the site's frame (templates/base.html): the footer's provider facts
from the cache, Wagtail's user bar only for staff, and the paths of the fixed
links every page shows."""

from django import template
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar
from wagtail.models import Site

from accounts.sessions import request_user_is_staff

from ..models import ProviderSettings
from ..paths import fixed_path, id_path
from ..site_cache import cached

register = template.Library()


def _footer_facts(site) -> dict:
    provider = ProviderSettings.load(request_or_site=site)
    return {
        "name": provider.name,
        "address": provider.address,
        "contact_email": provider.contact_email,
        "phone": provider.phone,
        "policy_links": provider.policy_links(),
    }


@register.simple_tag(takes_context=True)
def site_footer(context) -> dict:
    """The provider's name, address and contact, and the live policy pages'
    links, kept per site until the content changes (cms.site_cache)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return cached("footer", (site.pk if site else 0,), lambda: _footer_facts(site))


@register.simple_tag(takes_context=True)
def staff_userbar(context) -> str:
    """Wagtail's user bar for staff; for anyone else nothing, without asking the
    permission tables (two queries on every signed-in page): who is staff is
    kept in the session (accounts.sessions)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request_user_is_staff(request):
        return ""
    return wagtailuserbar(context)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process
    (cms.paths): the frame's dozen links cost a walk of the URL resolver each,
    on every page."""
    return fixed_path(name)


@register.simple_tag
def id_url(name: str, *ids) -> str:
    """``{% url name id … %}`` for a URL whose arguments are row ids, put together
    from the route reversed once per process (cms.paths.id_path)."""
    return id_path(name, *ids)
