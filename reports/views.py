"""The "Audit reports" area of the Wagtail admin (Administrators only): the
course roster, the accreditor report and the course evidence packet, each an
HTML page and (roster, accreditor report) a streamed CSV or an XLSX file; each
export is recorded in the audit log (who, which filters, how many rows).

Views are thin: a GET form validates the filters (400 with the errors tied to
their fields when it does not), reports.selectors reads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages

from accounts.decorators import StaffReauthRequiredMixin
from audit.services import audit_export_recorder
from certificates.admin_views import AdministratorsOnly
from cms.admin_views import AdminPageMixin
from cms.refusals import Refusal
from cms.spreadsheet import spreadsheet_response

from . import selectors, services
from .forms import AccreditorReportForm, EvidenceForm, RosterForm, UploadConfirmForm

NAMESPACE = "certificate_reports"


def report_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


def report_export(request, *, report: str, obj, lines, filename_stem: str, file_format: str):
    """The CSV or XLSX of a report (cms.spreadsheet), recorded in the audit log
    once its rows are written."""
    return spreadsheet_response(
        file_format=file_format,
        lines=lines,
        filename_stem=filename_stem,
        on_done=audit_export_recorder(
            request=request, report=report, file_format=file_format, obj=obj
        ),
    )


def _display(value) -> str:
    """A CSV value as the HTML table shows it (dates as YYYY-MM-DD, like the CSV)."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class ReportsIndexView(AdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "reports/index.html"
    page_title = "Audit reports"
    header_icon = "table"

    def page_context(self):
        reports = [
            (
                "Course roster",
                report_url("roster"),
                "Who enrolled in a course (or completed it) in a period: licenses, lessons, "
                "active time, post-test attempts, evaluation, attestation, completion and "
                "certificates with their status and credit hours. HTML and CSV.",
            ),
            (
                "Accreditor report",
                report_url("accreditor"),
                "One line per valid certificate and license issued under one accreditor for "
                "completions in a period: the columns of a CE Broker-style upload. HTML and CSV.",
            ),
            (
                "Course reports",
                report_url("courses"),
                "One page per course with charts: enrollments and completions per month, pass "
                "rates, scores, active time against credited hours, evaluation averages. "
                "Aggregates only; instructors see their own courses' pages too.",
            ),
            (
                "Course evidence packet",
                report_url("evidence"),
                "One printable page per course: the approved version, objectives, credit hours "
                "and their basis, instructors with disclosures and CVs, the post-test rules, "
                "evaluation results, the period's completions and the record-retention rule.",
            ),
        ]
        return {"retention_years": settings.RECORD_RETENTION_YEARS, "reports": reports}


class ReportView(AdministratorsOnly, AdminPageMixin, TemplateView):
    """A report page: the filter form, then the report once the form is valid.
    `export="csv"` or `"xlsx"` answers with the file instead; invalid filters get
    the page with their errors and a 400 either way."""

    form_class = None
    #: The report's URL name; its exports, where it has them, are "<url_name>_csv"
    #: and "<url_name>_xlsx".
    url_name = ""
    export = ""  # a SpreadsheetFormat, or "" for the page
    header_icon = "table"
    per_page = 50

    def breadcrumbs_parents(self):
        return [(report_url("index"), "Audit reports")]

    def get(self, request, *args, **kwargs):
        fields = self.form_class.base_fields
        bound = self.export or any(name in request.GET for name in fields)
        self.form = self.form_class(request.GET if bound else None)
        if bound and not self.form.is_valid():
            context = self.get_context_data(form=self.form)
            return TemplateResponse(request, self.template_name, context, status=400)
        if self.export:
            return self.export_response(self.form.filters)
        context = self.get_context_data(form=self.form)
        if bound:
            context.update(self.report_context(self.form.filters))
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form_action"] = self.page_path()
        return context

    def page_path(self) -> str:
        return report_url(self.url_name)

    def export_urls(self, query: str) -> dict:
        """The links to this report's CSV and XLSX with the page's filters (`query`)."""
        return {
            "csv_url": report_url(f"{self.url_name}_csv") + "?" + query,
            "xlsx_url": report_url(f"{self.url_name}_xlsx") + "?" + query,
        }

    def report_context(self, filters: dict) -> dict:
        """What the page shows for the valid form's `filters` (each report adds its own)."""
        return {}

    def export_response(self, filters: dict):
        raise Http404("This report has no CSV export.")

    def period_export(self, filters: dict, *, obj, lines, name: str):
        """This report's CSV or XLSX of `lines`, recorded against `obj` and named
        "<url_name>-<name>-<start>-<end>" after the filters' period."""
        period = filters["period"]
        return report_export(
            self.request,
            report=self.url_name,
            obj=obj,
            lines=lines,
            filename_stem=f"{self.url_name}-{name}-{period.start}-{period.end}",
            file_format=self.export,
        )

    def paged(self, queryset):
        page = Paginator(queryset, self.per_page).get_page(self.request.GET.get("p"))
        params = self.request.GET.copy()
        params.pop("p", None)
        return page, params.urlencode()


class RosterView(ReportView):
    template_name = "reports/roster.html"
    page_title = "Course roster"
    form_class = RosterForm
    url_name = "roster"

    def report_context(self, filters):
        lesson_ids = selectors.course_live_lesson_ids(course=filters["course"])
        page, query = self.paged(selectors.roster_queryset(**filters, lesson_ids=lesson_ids))
        rows = selectors.roster_rows(
            values=list(page.object_list),
            lessons_total=len(lesson_ids),
            accreditor=filters["accreditor"],
        )
        return {
            **filters,
            "basis_label": selectors.RosterBasis(filters["basis"]).label,
            "page": page,
            "rows": rows,
            "query": query,
            **self.export_urls(query),
        }

    def export_response(self, filters):
        course = filters["course"]
        return self.period_export(
            filters,
            obj=course,
            lines=selectors.roster_csv(**filters),
            name=slugify(course.slug)[:50],
        )


class AccreditorReportView(ReportView):
    template_name = "reports/accreditor.html"
    page_title = "Accreditor report"
    form_class = AccreditorReportForm
    url_name = "accreditor"

    def report_context(self, filters):
        page, query = self.paged(selectors.accreditor_report_queryset(**filters))
        confirm_form = UploadConfirmForm(initial={"issued_before": timezone.now().isoformat()})
        lines = [
            [_display(value) for value in line]
            for cert in page.object_list
            for line in selectors.accreditor_report_lines(cert)
        ]
        return {
            **filters,
            "page": page,
            "columns": selectors.ACCREDITOR_COLUMNS,
            "row_header": selectors.ACCREDITOR_COLUMNS.index("Certificate number"),
            "lines": lines,
            "query": query,
            **self.export_urls(query),
            "confirm_form": confirm_form,
            "confirm_url": report_url("accreditor_confirm") + "?" + query,
            "missing_course_numbers": any(not line[1] for line in lines),
        }

    def export_response(self, filters):
        accreditor = filters["accreditor"]
        return self.period_export(
            filters,
            obj=accreditor,
            lines=selectors.accreditor_report_csv(**filters),
            name=slugify(accreditor.short_name)[:30],
        )


class AccreditorUploadConfirmView(AdministratorsOnly, StaffReauthRequiredMixin, View):
    """POST: the Administrator uploaded the report of these filters (the query
    string): its certificates not reported yet, issued before the page was
    loaded, are marked reported (reports.services)."""

    http_method_names = ["post"]

    def post(self, request):
        filters_form = AccreditorReportForm(request.GET)
        confirm = UploadConfirmForm(request.POST)
        back = report_url("accreditor") + "?" + request.GET.urlencode()
        if not filters_form.is_valid() or not confirm.is_valid():
            messages.error(request, "The report's filters or the confirmation are not valid.")
            return redirect(back)
        report_filters = filters_form.filters
        # The upload marks those not reported yet, whichever the page showed.
        del report_filters["reported"]
        try:
            upload = services.accreditor_upload_confirm(
                actor=request.user,
                **report_filters,
                issued_before=confirm.cleaned_data["issued_before"],
                reference=confirm.cleaned_data["reference"],
                filters={k: v for k, v in request.GET.items() if k != "p"},
            )
        except Refusal as exc:
            messages.error(request, str(exc))
            return redirect(back)
        messages.success(
            request,
            f"{upload.items.count()} certificate(s) marked reported to {upload.accreditor}.",
        )
        return redirect(back)


class EvidenceView(ReportView):
    template_name = "reports/evidence.html"
    page_title = "Course evidence packet"
    form_class = EvidenceForm
    url_name = "evidence"

    def report_context(self, filters):
        course, period = filters["course"], filters["period"]
        query = urlencode({"course": course.pk, "start": period.start, "end": period.end})
        return {
            "evidence": selectors.course_evidence(course=course, period=period),
            "roster_url": report_url("roster") + "?" + query,
        }
