"""The certificates viewset: the admin menu item and every URL name of the area."""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet

from cms.admin_views import ListAndInspectOnly

from ..models import Certificate
from .actions import (
    ManualIssueView,
    ReissueView,
    ReleaseView,
    RestoreView,
    RetryDeliveryView,
    RevokeView,
)
from .base import NAMESPACE
from .bulk import BulkJobListView, BulkJobStatusView, BulkJobView, BulkReissueView
from .listing import (
    CertificateFilterSet,
    CertificateIndexView,
    CertificateInspectView,
    delivery_label,
)


class StatusColumn(Column):
    """The certificate's status, and under it how its delivery stands."""

    cell_template_name = "certificates/admin/status_cell.html"

    def get_value(self, instance):
        return {"status": instance.get_status_display(), "delivery": delivery_label(instance)}


class CertificateViewSet(ListAndInspectOnly, ModelViewSet):
    model = Certificate
    url_prefix = "certificates"
    url_namespace = NAMESPACE
    icon = "doc-full"
    menu_label = "Certificates"
    menu_order = 320
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    # Certificates are records, not content other pages refer to: indexing their
    # references on every save (the worker saves each one twice) is pure cost.
    add_to_reference_index = False
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    filterset_class = CertificateFilterSet
    search_fields = ["participant_name"]  # enables the search box; see search_queryset
    search_backend_name = None
    list_per_page = 50
    ordering = ["-issued_at", "-pk"]
    list_display = [
        "number",
        # Names, titles and accreditors are the data's: any of them may hold a
        # word wider than its column, which then breaks (admin.css).
        Column(
            "participant_name",
            label="Participant name",
            sort_key="participant_name",
            classname="cert-text",
        ),
        # Wide enough that a course's title reads in two or three lines (admin.css).
        Column(
            "course_title",
            label="Course title",
            sort_key="course_title",
            classname="cert-course cert-text",
        ),
        Column(
            "accreditor",
            label="Accreditor",
            accessor=lambda c: c.accreditor.short_name if c.accreditor else "Attendance",
            classname="cert-text",
        ),
        # Status and delivery share a column, on two lines, so that the table fits a
        # laptop's screen with the admin's menu open (tests/browser/test_admin_tables.py).
        StatusColumn("status", label="Status and delivery", sort_key="status"),
        # The admin's one date format (cms.admin_dates), as the exports and filters.
        Column(
            "completion_date",
            label="Completed",
            sort_key="completion_date",
            accessor=lambda c: c.completion_date.strftime(settings.WAGTAIL_DATE_FORMAT),
            classname="cert-date",
        ),
        DateColumn("issued_at", label="Issued", sort_key="issued_at"),
    ]

    @property
    def url_finder_class(self):
        # Certificates are never edited: "edit" links elsewhere in the admin
        # (e.g. the site history) lead to the certificate's page.
        return type(
            "_CertificateURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        # Only the listing and the certificate page of the generic views: a
        # certificate is never created, edited or deleted through a form.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<id:pk>/", self.inspect_view, name="inspect"),
            path("issue/", ManualIssueView.as_view(), name="issue_manual"),
            path("<id:pk>/release/", ReleaseView.as_view(), name="release"),
            path("<id:pk>/reissue/", ReissueView.as_view(), name="reissue"),
            path("<id:pk>/revoke/", RevokeView.as_view(), name="revoke"),
            path("<id:pk>/restore/", RestoreView.as_view(), name="restore"),
            path("<id:pk>/retry-delivery/", RetryDeliveryView.as_view(), name="retry_delivery"),
            path("bulk/", BulkJobListView.as_view(), name="bulk_jobs"),
            path("bulk/reissue/", BulkReissueView.as_view(), name="bulk_reissue"),
            path("bulk/<id:pk>/", BulkJobView.as_view(), name="bulk_job"),
            path("bulk/<id:pk>/status/", BulkJobStatusView.as_view(), name="bulk_job_status"),
        ]
