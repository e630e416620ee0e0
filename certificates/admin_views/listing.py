"""The certificates area of the Wagtail admin (Administrators only): the
listing with search and filters, the certificate page with its audit history,
the actions (manual issue, release, reissue, revoke, restore), bulk reissue
with a progress bar, and the exports (streamed CSV, XLSX), each recorded in the
audit log.

Views are thin: forms validate, services act, selectors read."""

from __future__ import annotations

from itertools import chain

import django_filters
from django.contrib.admin.utils import quote
from django.db.models.fields.json import KT
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from accounts.decorators import StaffReauthRequiredMixin
from audit.services import audit_export_recorder
from cms.ids import IdModelChoiceFilter
from cms.spreadsheet import SpreadsheetFormat, spreadsheet_response
from courses.models import Accreditor, CoursePage

from . import selectors, services
from .forms import ManualIssueForm, ReasonForm
from .models import BulkJob, Certificate

NAMESPACE = "certificates_admin"


def admin_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


class AdministratorsOnly:
    """A real 403 for staff outside the Administrators group (Wagtail's default
    is a redirect to the dashboard with a message).

    The permission is checked before anything is loaded: Wagtail's generic views
    fetch their object in setup(), and a 404 for a missing id next to a 403 for
    an existing one would tell an instructor which certificates and jobs exist."""

    def setup(self, request, *args, **kwargs):
        self.permitted = selectors.user_is_certificate_admin(user=request.user)
        if self.permitted:
            super().setup(request, *args, **kwargs)
        else:
            View.setup(self, request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not self.permitted:
            return TemplateResponse(request, "certificates/admin/forbidden.html", status=403)
        return super().dispatch(request, *args, **kwargs)


# --- Listing -------------------------------------------------------------------------------


def _accreditor_choices():
    return [("none", "None (attendance)")] + [
        (str(pk), short_name)
        for pk, short_name in Accreditor.objects.order_by("short_name").values_list(
            "pk", "short_name"
        )
    ]


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Certificate.Status.choices, label="Status")
    course = IdModelChoiceFilter(queryset=CoursePage.objects.order_by("title"), label="Course")
    accreditor = django_filters.ChoiceFilter(
        choices=_accreditor_choices, method="filter_accreditor", label="Accreditor"
    )
    completion_date = django_filters.DateFromToRangeFilter(
        label="Completion date", widget=DateRangePickerWidget
    )
    delivery = django_filters.ChoiceFilter(
        choices=[
            ("pending", "PDF not rendered yet"),
            ("failed", "Rendering failed"),
            ("not_emailed", "Not emailed yet"),
        ],
        method="filter_delivery",
        label="Delivery",
    )

    class Meta:
        model = Certificate
        fields: list[str] = []

    def filter_accreditor(self, queryset, name, value):
        if value == "none":
            return queryset.filter(accreditor__isnull=True)
        return queryset.filter(accreditor_id=int(value))

    def filter_delivery(self, queryset, name, value):
        valid = queryset.filter(status=Certificate.Status.VALID)
        if value == "pending":
            return valid.filter(rendered_at__isnull=True)
        if value == "failed":
            return valid.filter(rendered_at__isnull=True).exclude(render_error="")
        return valid.filter(emailed_at__isnull=True)


class InvalidFilters(Exception):
    pass


def filtered_certificates(request):
    """The listing's queryset for the current filters and search (export, bulk).

    Filters that do not validate are refused rather than ignored: ignoring them
    would export, or reissue, every certificate."""
    queryset = Certificate.objects.all()
    filterset = CertificateFilterSet(data=request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:
        if not filterset.is_valid():
            raise InvalidFilters(
                "These filters are not valid: "
                + "; ".join(
                    f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
                )
            )
        queryset = filterset.qs
    return selectors.certificates_search(queryset=queryset, query=request.GET.get("q", ""))


def _invalid_filters(request, exc):
    return TemplateResponse(
        request, "certificates/admin/invalid_filters.html", {"message": str(exc)}, status=400
    )


def filter_querystring(request) -> str:
    params = request.GET.copy()
    for key in ("p", "_w_filter_fragment", "ordering"):
        params.pop(key, None)
    return params.urlencode()


def _delivery_label(certificate: Certificate) -> str:
    state = selectors.certificate_state(certificate)
    if certificate.status != Certificate.Status.VALID:
        return "—"
    if state == "ready":
        return "Emailed" if certificate.emailed_at else "Rendered, not emailed"
    return "Failed" if state == "failed" else "Pending"


class CertificateIndexView(AdministratorsOnly, IndexView):
    results_template_name = "certificates/admin/index_results.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("accreditor", "user")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return selectors.certificates_search(queryset=queryset, query=self.search_query)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton("Issue manually", url=admin_url("issue_manual"), icon_name="plus"),
            HeaderButton("Bulk jobs", url=admin_url("bulk_jobs"), icon_name="list-ul"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = filter_querystring(self.request)
        context["export_url"] = admin_url("export") + (f"?{query}" if query else "")
        context["export_xlsx_url"] = admin_url("export_xlsx") + (f"?{query}" if query else "")
        context["bulk_url"] = admin_url("bulk_reissue") + (f"?{query}" if query else "")
        return context


class CertificateInspectView(AdministratorsOnly, InspectView):
    template_name = "certificates/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Certificate.objects.select_related(
                "user", "course", "accreditor", "supersedes", "enrollment"
            ),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        status = certificate.status
        actions = []
        if status == Certificate.Status.HELD:
            actions.append(("Issue anyway", admin_url("release", certificate.pk)))
        if status == Certificate.Status.VALID:
            actions.append(("Reissue", admin_url("reissue", certificate.pk)))
            actions.append(("Revoke", admin_url("revoke", certificate.pk)))
        if status == Certificate.Status.REVOKED:
            actions.append(("Restore", admin_url("restore", certificate.pk)))
        superseded_by = Certificate.objects.filter(supersedes=certificate).first()
        context.update(
            {
                "certificate": certificate,
                "state": selectors.certificate_state(certificate),
                "delivery": _delivery_label(certificate),
                "actions": actions,
                "events": certificate.events.select_related("actor"),
                "superseded_by": superseded_by,
                "urls": selectors.certificate_urls(certificate),
                "inspect_url_name": f"{NAMESPACE}:inspect",
            }
        )
        return context


# --- Actions -------------------------------------------------------------------------------


class AdminFormView(
    AdministratorsOnly, StaffReauthRequiredMixin, WagtailAdminTemplateMixin, FormView
):
    """Every form here acts on records of legal weight: the password is asked
    again first (accounts.decorators)."""

    template_name = "certificates/admin/form.html"
    header_icon = "doc-full"
    submit_label = "Save"
    description = ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": admin_url("index"), "label": "Certificates"},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "submit_label": self.submit_label,
                "description": self.description,
                "cancel_url": self.get_cancel_url(),
            }
        )
        return context

    def get_cancel_url(self):
        return admin_url("index")


class CertificateActionView(AdminFormView):
    form_class = ReasonForm
    action = ""  # reissue / revoke / restore / release

    @cached_property
    def object(self):
        return get_object_or_404(Certificate, pk=self.kwargs["pk"])

    def get_page_title(self):
        return f"{self.submit_label} certificate {self.object.number}"

    def get_cancel_url(self):
        return admin_url("inspect", quote(self.object.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificate"] = self.object
        return context

    def form_valid(self, form):
        service = getattr(services, f"certificate_{self.action}")
        try:
            result = service(
                certificate=self.object,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message.format(number=result.number))
        return redirect(admin_url("inspect", quote(result.pk)))


class ReissueView(CertificateActionView):
    action = "reissue"
    submit_label = "Reissue"
    description = (
        "A new certificate with a new number and a new PDF is issued from the participant's "
        "current name and licenses; what was earned (course, date, credit hours, accreditor) "
        "stays as issued. This certificate will show as reissued and point to the new one, "
        "and the participant is emailed the new PDF."
    )
    success_message = "Certificate reissued as {number}."


class RevokeView(CertificateActionView):
    action = "revoke"
    submit_label = "Revoke"
    description = "The verification page will show the certificate as revoked, with today's date."
    success_message = "Certificate {number} revoked."


class RestoreView(CertificateActionView):
    action = "restore"
    submit_label = "Restore"
    description = "The certificate becomes valid again."
    success_message = "Certificate {number} restored."


class ReleaseView(CertificateActionView):
    action = "release"
    submit_label = "Issue anyway"
    description = (
        "This certificate was held because the completion falls outside the accreditor's "
        "approval period. Issuing it overrides that rule: record why."
    )
    success_message = "Certificate {number} issued."


class ManualIssueView(AdminFormView):
    form_class = ManualIssueForm
    page_title = "Issue a certificate manually"
    submit_label = "Issue certificate"
    description = (
        "An override, e.g. after a technical fault: issues a certificate for an enrollment "
        "even outside the accreditor's approval period. A held certificate for the same "
        "enrollment and accreditor is released instead."
    )

    def form_valid(self, form):
        try:
            certificate = services.certificate_issue_manual(
                enrollment=form.cleaned_data["enrollment"],
                accreditor=form.cleaned_data.get("accreditor"),
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                completed_on=form.cleaned_data.get("completed_on"),
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Certificate {certificate.number} issued.")
        return redirect(admin_url("inspect", quote(certificate.pk)))


# --- Bulk reissue --------------------------------------------------------------------------


class BulkReissueView(AdminFormView):
    form_class = ReasonForm
    page_title = "Reissue certificates in bulk"
    submit_label = "Reissue all"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except InvalidFilters as exc:
            return _invalid_filters(request, exc)

    @cached_property
    def matching(self):
        return filtered_certificates(self.request).filter(status=Certificate.Status.VALID)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.matching.count()
        context["description"] = (
            f"{count} valid certificate(s) match the listing's filters. Each is reissued with a "
            "new number from the participant's current name and licenses, and emailed. The job "
            "runs in the background; you can leave this page."
        )
        context["form_action"] = self.request.get_full_path()
        context["count"] = count
        return context

    def get_cancel_url(self):
        query = filter_querystring(self.request)
        return admin_url("index") + (f"?{query}" if query else "")

    def form_valid(self, form):
        ids = list(self.matching.values_list("pk", flat=True))
        try:
            job = services.bulk_reissue_create(
                certificate_ids=ids,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                filters={k: v for k, v in self.request.GET.items() if k != "p"},
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Bulk reissue of {job.total} certificate(s) started.")
        return redirect(admin_url("bulk_job", job.pk))


class BulkJobListView(AdministratorsOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/bulk_jobs.html"
    page_title = "Bulk jobs"
    header_icon = "list-ul"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": admin_url("index"), "label": "Certificates"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = BulkJob.objects.select_related("actor")[:50]
        context["job_url_name"] = f"{NAMESPACE}:bulk_job"
        return context


class BulkJobView(AdministratorsOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/bulk_job.html"
    header_icon = "list-ul"

    @cached_property
    def job(self):
        return get_object_or_404(BulkJob.objects.select_related("actor"), pk=self.kwargs["pk"])

    def get_page_title(self):
        return f"Bulk reissue #{self.job.pk}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": admin_url("index"), "label": "Certificates"},
            {"url": admin_url("bulk_jobs"), "label": "Bulk jobs"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["status_url"] = admin_url("bulk_job_status", self.job.pk)
        context["failures"] = self.job.items.exclude(error="").select_related("certificate")[:100]
        return context


class BulkJobStatusView(AdministratorsOnly, View):
    def get(self, request, pk):
        job = get_object_or_404(BulkJob, pk=pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "total": job.total,
                "done": job.done,
                "failed": job.failed,
                "percent": job.percent,
            }
        )


# --- Export (CSV, XLSX) --------------------------------------------------------------------

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
            return _invalid_filters(request, exc)
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


# --- The viewset ---------------------------------------------------------------------------


class CertificateViewSet(ModelViewSet):
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
        "participant_name",
        "course_title",
        Column(
            "accreditor",
            label="Accreditor",
            accessor=lambda c: c.accreditor.short_name if c.accreditor else "Attendance",
        ),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        Column("completion_date", label="Completed", sort_key="completion_date"),
        DateColumn("issued_at", label="Issued", sort_key="issued_at"),
        Column("delivery", label="Delivery", accessor=_delivery_label),
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

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, delete, history or usage views (get_urlpatterns): without
        # this, the listing and the certificate page would link to them for a
        # superuser, who holds every permission, and fail to build the links.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
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
            path("export/", CertificateExportView.as_view(), name="export"),
            path(
                "export/xlsx/",
                CertificateExportView.as_view(file_format=SpreadsheetFormat.XLSX),
                name="export_xlsx",
            ),
            path("bulk/", BulkJobListView.as_view(), name="bulk_jobs"),
            path("bulk/reissue/", BulkReissueView.as_view(), name="bulk_reissue"),
            path("bulk/<id:pk>/", BulkJobView.as_view(), name="bulk_job"),
            path("bulk/<id:pk>/status/", BulkJobStatusView.as_view(), name="bulk_job_status"),
        ]
