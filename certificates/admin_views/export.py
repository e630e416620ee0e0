"""The listing's exports (streamed CSV, XLSX), each recorded in the audit log."""

from __future__ import annotations

from itertools import chain

from django.db.models.fields.json import KT
from django.views import View

from audit.services import audit_export_recorder
from cms.spreadsheet import SpreadsheetFormat, spreadsheet_response

from .base import AdministratorsOnly
from .listing import InvalidFilters, filtered_certificates, invalid_filters_response

EXPORT_CHUNK_SIZE = 2000

# A certificate is a frozen record: the accreditor's short name and provider
# number are exported as printed (from the snapshot), not as the Accreditor row
# says today, so the export always agrees with the PDFs.
EXPORT_PRINTED = {
    "printed_accreditor": KT("snapshot__accreditor__short_name"),
    "printed_provider_number": KT("snapshot__accreditor__provider_number"),
}

EXPORT_COLUMNS = [
    ("Certificate number", "number"),
    ("Status", "status"),
    ("Kind", "kind"),
    ("Participant", "participant_name"),
    ("Email", "user__email"),
    ("License numbers", "license_numbers"),
    ("Course", "course_title"),
    ("Accreditor", "printed_accreditor"),
    ("Provider number", "printed_provider_number"),
    ("Completion date", "completion_date"),
    ("Issued at", "issued_at"),
    ("Total hours", "total_hours"),
    ("Revoked at", "revoked_at"),
    ("Replaced by", "superseded_by__number"),
]


class CertificateExportView(AdministratorsOnly, View):
    """The filtered listing as CSV or XLSX, read row by row from a server-side
    cursor: memory stays flat however many certificates there are. The
    accreditor and provider number are those printed (the snapshot's)."""

    file_format = SpreadsheetFormat.CSV

    def get(self, request):
        try:
            queryset = filtered_certificates(request).order_by("issued_at", "pk")
        except InvalidFilters as exc:
            return invalid_filters_response(request, exc)
        rows = (
            queryset.annotate(**EXPORT_PRINTED)
            .values_list(*[field for _, field in EXPORT_COLUMNS])
            .iterator(chunk_size=EXPORT_CHUNK_SIZE)
        )
        header = [[label for label, _ in EXPORT_COLUMNS]]
        return spreadsheet_response(
            file_format=self.file_format,
            lines=chain(header, rows),
            filename_stem="certificates",
            on_done=audit_export_recorder(
                request=request, report="certificates", file_format=self.file_format
            ),
        )
