"""The dashboard's renewal cards, rendered where templates/courses/dashboard.html
includes templates/renewals/dashboard.html (courses knows nothing of renewals:
the include names a template, not this app's code)."""

from django import template

from .. import rules, selectors

register = template.Library()


@register.inclusion_tag("renewals/_cards.html", takes_context=True)
def renewal_cards(context):
    request = context["request"]
    cards = selectors.license_cards(user=request.user) if request.user.is_authenticated else []
    return {"cards": cards, "request": request}


@register.filter
def hours(value) -> str:
    """1.50 → "1.5"; 2.00 → "2"."""
    if value is None or value == "":
        return ""
    return rules.hours_text(value)
