"""The clinician's requests on their profile, rendered where
templates/accounts/profile.html includes templates/support/_profile_requests.html
(accounts knows nothing of support: the include names a template, not this app's code)."""

from django import template

from .. import selectors

register = template.Library()

#: The profile shows the latest few; the requests page shows them all.
PROFILE_REQUESTS = 5


@register.inclusion_tag("support/_profile_requests_list.html", takes_context=True)
def profile_requests(context):
    request = context["request"]
    requests = []
    if request.user.is_authenticated:
        requests = list(selectors.requests_of(user=request.user)[: PROFILE_REQUESTS + 1])
    return {
        "requests": requests[:PROFILE_REQUESTS],
        "more": len(requests) > PROFILE_REQUESTS,
    }
