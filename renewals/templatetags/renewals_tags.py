"""The dashboard's licenses and renewal cards, rendered where templates/courses/dashboard.html
includes templates/renewals/dashboard.html (courses knows nothing of renewals:
the include names a template, not this app's code)."""

from django import template

from .. import rules, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def renewal_card_list(context) -> list:
    """One card per license of the signed-in clinician (none for anyone else): the
    dashboard lists the licenses from them too, without reading them again."""
    request = context["request"]
    return selectors.license_cards(user=request.user) if request.user.is_authenticated else []


@register.filter
def card_licenses(cards) -> list:
    return [card.license for card in cards]


@register.filter
def hours(value) -> str:
    """1.50 → "1.5"; 2.00 → "2"."""
    if value is None or value == "":
        return ""
    return rules.hours_text(value)
