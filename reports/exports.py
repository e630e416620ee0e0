"""The exports of the certificates listing (Administrators) and of a course's
evaluations (Administrators and the course's instructors), as CSV or XLSX, each
recorded in the audit log (reports.views.report_export).

They stay at the addresses of the pages they export, /admin/certificates/export/
and /admin/evaluations/<course>/csv/ (reports/urls.py, export_urlpatterns), and
those pages link them through a Wagtail hook that reports/wagtail_hooks.py
answers (certificates.admin_views.listing.EXPORT_URLS_HOOK,
quizzes.admin_views.EXPORT_URLS_HOOK): certificates and quizzes do not import
reports."""

from __future__ import annotations

from itertools import chain

from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from certificates.admin_views import AdministratorsOnly
from certificates.admin_views.listing import (
    InvalidFilters,
    filtered_certificates,
    invalid_filters_response,
)
from cms.spreadsheet import SpreadsheetFormat
from quizzes.selectors import courses_for_aggregates, evaluation_csv_rows

from .views import report_export

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
        return report_export(
            request,
            report="certificates",
            obj=None,
            lines=chain(header, rows),
            filename_stem="certificates",
            file_format=self.file_format,
        )


def evaluation_export(request, course_id: int, file_format: str = SpreadsheetFormat.CSV):
    # Wagtail wraps admin URLs in its admin-access check; this narrows to the course
    # (quizzes' rule: Administrators, and the instructors of the course).
    course = get_object_or_404(courses_for_aggregates(user=request.user), pk=course_id)
    return report_export(
        request,
        report="evaluations",
        obj=course,
        lines=evaluation_csv_rows(course=course),
        filename_stem=f"evaluations-{slugify(course.slug)[:60]}",
        file_format=file_format,
    )
