"""Licenses where a clinician decides: the course page's credit section and the
dashboard. accounts knows nothing of courses, so the course page hands in its
credit rows (anything with an `accreditor`, or accreditors themselves: objects
with `professions`, `short_name` and `name`)."""

from django import template

from .. import selectors
from ..models import Profession

register = template.Library()


def _unique_accreditors(items) -> list:
    seen, accreditors = set(), []
    for item in items or []:
        accreditor = getattr(item, "accreditor", item)
        if accreditor.pk not in seen:
            seen.add(accreditor.pk)
            accreditors.append(accreditor)
    return accreditors


@register.inclusion_tag("accounts/_license_fit.html", takes_context=True)
def license_fit(context, credits):
    """One line per accreditor of a course: which of the signed-in clinician's
    licenses qualifies for its credit, which expired, or that none does."""
    user = context["request"].user
    fits = []
    if user.is_authenticated:
        fits = selectors.license_credit_fit(user=user, accreditors=_unique_accreditors(credits))
    return {
        "signed_in": user.is_authenticated,
        "fits": fits,
        "has_licenses": any(f.current or f.expired for f in fits)
        or (user.is_authenticated and selectors.license_list(user=user).exists()),
    }


@register.inclusion_tag("accounts/_dashboard_licenses.html", takes_context=True)
def license_summary(context, licenses=None):
    """The signed-in clinician's licenses; `licenses` when the page has read them
    already (the renewal cards hold them), else read here."""
    user = context["request"].user
    if not user.is_authenticated:
        licenses = []
    elif licenses is None:
        licenses = list(selectors.license_list(user=user))
    return {"licenses": licenses, "signed_in": user.is_authenticated}


@register.filter
def served_professions(accreditor) -> str:
    """["psychologist", "social_worker"] → "psychologists and social workers"."""
    labels = {value: label.lower() for value, label in Profession.choices}
    names = [f"{labels.get(p, p)}s" for p in (getattr(accreditor, "professions", None) or [])]
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else "no profession on record"


@register.filter
def profession_lower(license) -> str:
    return license.get_profession_display().lower()
