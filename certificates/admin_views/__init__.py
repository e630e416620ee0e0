"""The certificates area of the Wagtail admin (Administrators only): the
listing with search and filters, the certificate page with its audit history,
the actions (manual issue, release, reissue, revoke, restore), bulk reissue
with a progress bar. The listing's exports (CSV, XLSX) are served by reports
(reports/exports.py), which the listing links through `listing.EXPORT_URLS_HOOK`.

Views are thin: forms validate, services act, selectors read.

By topic: `base` (namespace, the Administrators-only gate, the re-authenticated
form view), `listing`, `actions`, `bulk`, and `viewset`, which names
every URL.
"""

from .base import NAMESPACE, AdministratorsOnly, admin_url
from .viewset import CertificateViewSet

__all__ = ["NAMESPACE", "AdministratorsOnly", "CertificateViewSet", "admin_url"]
