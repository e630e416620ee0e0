"""The certificates area of the Wagtail admin (Administrators only): the
listing with search and filters, the certificate page with its audit history,
the actions (manual issue, release, reissue, revoke, restore), bulk reissue
with a progress bar, and the exports (streamed CSV, XLSX), each recorded in the
audit log.

Views are thin: forms validate, services act, selectors read.

By topic: `base` (namespace, the Administrators-only gate, the re-authenticated
form view), `listing`, `actions`, `bulk`, `export`, and `viewset`, which names
every URL.
"""

from .base import NAMESPACE, AdministratorsOnly, admin_url
from .viewset import CertificateViewSet

__all__ = ["NAMESPACE", "AdministratorsOnly", "CertificateViewSet", "admin_url"]
