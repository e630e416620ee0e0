"""The per-course report (charts), for Administrators and the course's own
instructors (quizzes.selectors.courses_for_aggregates: the same rule as the
evaluation aggregates). Aggregates only: no names, no exports of personal data;
another course's report is a 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.views.generic import TemplateView

from certificates.selectors import user_is_certificate_admin
from cms.admin_views import AdminPageMixin
from cms.spreadsheet import SpreadsheetFormat
from quizzes.admin_views import AggregatesCoursePage
from quizzes.selectors import courses_for_aggregates

from . import selectors
from .charts import Chart
from .forms import ReportPeriodForm
from .packet_views import packet_context
from .selectors.course_stats import CourseStats, course_stats
from .selectors.item_analysis import item_analysis, item_analysis_csv_lines
from .views import report_export, report_url


def course_charts(stats: CourseStats) -> list[Chart]:
    return [
        Chart(
            key="chart-months",
            title="Enrollments and completions per month",
            categories=[month.strftime("%Y-%m") for month, _, _ in stats.months],
            series=[
                ("Enrollments", [e for _, e, _ in stats.months]),
                ("Completions", [c for _, _, c in stats.months]),
            ],
        ),
        Chart(
            key="chart-pass",
            title="Post-test pass rates (%)",
            categories=["Participants who passed", "Passed at the first attempt"],
            series=[("Pass rate", [stats.pass_rate, stats.first_attempt_pass_rate])],
            maximum=100,
            unit="%",
        ),
        Chart(
            key="chart-scores",
            title="Post-test scores (attempts per score band, %)",
            categories=[label for label, _ in stats.score_buckets],
            series=[("Attempts", [n for _, n in stats.score_buckets])],
        ),
        Chart(
            key="chart-time",
            title="Active time as a share of the credited time (completions)",
            categories=[label for label, _ in stats.time_bands],
            series=[("Completions", [n for _, n in stats.time_bands])],
        ),
        Chart(
            key="chart-evaluation",
            title="Evaluation averages per item (1 to 5)",
            categories=[label for label, _, _ in stats.evaluation_items],
            series=[("Average", [average for _, average, _ in stats.evaluation_items])],
            maximum=5,
        ),
    ]


def visible_courses(user):
    return courses_for_aggregates(user=user)


def report_period(request) -> tuple[ReportPeriodForm, selectors.Period | None]:
    """The period the query string asks for (the form's default without one), or
    None with the form's errors."""
    bound = any(name in request.GET for name in ("start", "end"))
    form = ReportPeriodForm(request.GET if bound else None)
    if bound:
        return form, form.period if form.is_valid() else None
    return form, selectors.Period(start=form.initial["start"], end=form.initial["end"])


def course_items_export(request, course_id: int, file_format: str = SpreadsheetFormat.CSV):
    """The item analysis of the course's post-test for the period, as CSV or XLSX (no
    names: figures per question and answer), recorded in the audit log."""
    course = get_object_or_404(visible_courses(request.user).specific(), pk=course_id)
    _, period = report_period(request)
    if period is None:  # the report's page, with the period's errors (400)
        return CourseReportView.as_view()(request, course_id=course_id)
    analysis = item_analysis(course=course, period=period)
    return report_export(
        request,
        report="item_analysis",
        obj=course,
        lines=iter(item_analysis_csv_lines(analysis)),
        filename_stem=f"item-analysis-{slugify(course.slug)[:60]}",
        file_format=file_format,
    )


class CourseReportListView(AdminPageMixin, TemplateView):
    template_name = "reports/course_list.html"
    page_title = "Course reports"
    header_icon = "table"

    def page_context(self):
        courses = visible_courses(self.request.user).specific()
        return {"courses": [(course, report_url("course", course.pk)) for course in courses]}


class CourseReportView(AggregatesCoursePage, TemplateView):
    template_name = "reports/course.html"
    header_icon = "table"
    specific = True

    def get_page_title(self):
        return f"Course report: {self.course.title}"

    def breadcrumbs_parents(self):
        return [(report_url("courses"), "Course reports")]

    def get(self, request, *args, **kwargs):
        form, period = report_period(request)
        if period is None:
            context = self.get_context_data(form=form)
            return TemplateResponse(request, self.template_name, context, status=400)
        stats = course_stats(course=self.course, period=period)
        query = "?" + urlencode({"start": period.start, "end": period.end})
        context = self.get_context_data(
            form=form,
            stats=stats,
            charts=course_charts(stats),
            items=item_analysis(course=self.course, period=period),
            items_csv_url=report_url("course_items_csv", self.course.pk) + query,
            items_xlsx_url=report_url("course_items_xlsx", self.course.pk) + query,
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        is_admin = user_is_certificate_admin(user=self.request.user)
        context.update(
            course=self.course,
            form_action=report_url("course", self.course.pk),
            is_admin=is_admin,
        )
        stats = kwargs.get("stats")
        if is_admin and stats is not None:
            context.update(packet_context(course=self.course, period=stats.period))
        return context
