"""The audit reports' admin URLs: the report pages (views), the course reports
(course_views), the audit packet (packet_views) and the exports of pages of
other apps (exports), which import views, so the list of URLs lives apart from
all four."""

from django.urls import path

from cms.spreadsheet import SpreadsheetFormat

from .course_views import CourseReportListView, CourseReportView, course_items_export
from .exports import CertificateExportView, evaluation_export
from .packet_views import PacketDownloadView, PacketStartView, PacketStatusView
from .views import (
    AccreditorReportView,
    AccreditorUploadConfirmView,
    EvidenceView,
    ReportsIndexView,
    RosterView,
)


def _csv_and_xlsx(route: str, view, name: str) -> list:
    """`<route>csv/` and `<route>xlsx/`, named `<name>_csv` and `<name>_xlsx`, of a
    view whose `file_format` is CSV unless the URL passes XLSX."""
    return [
        path(f"{route}csv/", view, name=f"{name}_csv"),
        path(f"{route}xlsx/", view, {"file_format": SpreadsheetFormat.XLSX}, name=f"{name}_xlsx"),
    ]


def report_urlpatterns():
    """Mounted under the admin's audit-reports/ (wagtail_hooks), namespace views.NAMESPACE."""
    CSV, XLSX = SpreadsheetFormat.CSV, SpreadsheetFormat.XLSX

    return [
        path("", ReportsIndexView.as_view(), name="index"),
        path("roster/", RosterView.as_view(), name="roster"),
        path("roster/csv/", RosterView.as_view(export=CSV), name="roster_csv"),
        path("roster/xlsx/", RosterView.as_view(export=XLSX), name="roster_xlsx"),
        path("accreditor/", AccreditorReportView.as_view(), name="accreditor"),
        path("accreditor/csv/", AccreditorReportView.as_view(export=CSV), name="accreditor_csv"),
        path("accreditor/xlsx/", AccreditorReportView.as_view(export=XLSX), name="accreditor_xlsx"),
        path(
            "accreditor/confirm/",
            AccreditorUploadConfirmView.as_view(),
            name="accreditor_confirm",
        ),
        path("evidence/", EvidenceView.as_view(), name="evidence"),
        path("courses/", CourseReportListView.as_view(), name="courses"),
        path("courses/<id:course_id>/", CourseReportView.as_view(), name="course"),
        *_csv_and_xlsx("courses/<id:course_id>/items/", course_items_export, "course_items"),
        path("courses/<id:course_id>/packet/", PacketStartView.as_view(), name="packet_start"),
        path("packets/<id:packet_id>/", PacketStatusView.as_view(), name="packet_status"),
        path(
            "packets/<id:packet_id>/download/",
            PacketDownloadView.as_view(),
            name="packet_download",
        ),
    ]


#: The namespace of export_urlpatterns.
EXPORTS_NAMESPACE = "report_exports"


def export_urlpatterns():
    """Mounted at the admin's root (wagtail_hooks), namespace EXPORTS_NAMESPACE: the
    exports of the certificates listing and of a course's evaluations keep the
    addresses beside the pages they export, which the docs and bookmarks name."""
    XLSX = SpreadsheetFormat.XLSX

    return [
        path("certificates/export/", CertificateExportView.as_view(), name="certificates_csv"),
        path(
            "certificates/export/xlsx/",
            CertificateExportView.as_view(file_format=XLSX),
            name="certificates_xlsx",
        ),
        *_csv_and_xlsx("evaluations/<id:course_id>/", evaluation_export, "evaluations"),
    ]
