"""Content-Security-Policy for the whole site, with one scoped exception.

The front end (our templates) runs only scripts served from the site itself:
``script-src 'self'``, no inline code. The Wagtail admin still ships inline
``<script>`` blocks (inline panels, date pickers) and inline styles, so
responses under the admin's URL prefix get ``CONTENT_SECURITY_POLICY_ADMIN_UPDATE``
added to their policy, and no other response does.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from .paths import fixed_path


def _admin_prefix() -> str:
    return fixed_path("wagtailadmin_home")


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        relaxation = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_UPDATE", None)
        if report_only or not relaxation or not request.path_info.startswith(_admin_prefix()):
            return parts
        update: dict[str, list[str]] = {k: list(v) for k, v in (parts.update or {}).items()}
        for directive, sources in relaxation.items():
            update.setdefault(directive, [])
            update[directive] += [s for s in sources if s not in update[directive]]
        parts.update = update
        return parts
