"""The site layer's context processor."""

from .routing import site_for_request


def wagtail_site(request) -> dict:
    """Before a template renders, put the request's Wagtail site on the request
    from the cache (cms.routing.site_for_request): its page links (``pageurl``)
    and the footer ask for it, and without this each response pays a query for
    it. Adds nothing to the context."""
    site_for_request(request)
    return {}
