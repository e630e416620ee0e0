"""Wagtail admin: evaluation aggregates per course, and their export (CSV, XLSX),
recorded in the audit log.

Administrators (quizzes.view_evaluation) see every course; instructors see
the courses they teach or own. Evaluations are shown without names.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from audit.services import audit_export_recorder
from cms.spreadsheet import SpreadsheetFormat, spreadsheet_response

from . import selectors


def _visible_course(request, course_id: int):
    return get_object_or_404(selectors.courses_for_aggregates(user=request.user), pk=course_id)


class EvaluationCourseListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "quizzes/admin/evaluation_index.html"
    page_title = "Evaluations"
    header_icon = "list-ul"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "Evaluations"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        courses = list(selectors.courses_for_aggregates(user=self.request.user))
        counts = selectors.evaluation_counts(courses=courses)
        context["rows"] = [(course, counts.get(course.pk, 0)) for course in courses]
        return context


class EvaluationAggregateView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "quizzes/admin/evaluation_aggregate.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        self.course = _visible_course(request, kwargs["course_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Evaluations: {self.course.title}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("quizzes_admin:index"), "label": "Evaluations"},
            {"url": "", "label": self.course.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["course"] = self.course
        context["aggregate"] = selectors.evaluation_aggregate(course=self.course)
        context["csv_url"] = reverse("quizzes_admin:csv", args=[self.course.pk])
        context["xlsx_url"] = reverse("quizzes_admin:xlsx", args=[self.course.pk])
        return context


def evaluation_export(request, course_id: int, file_format: str = SpreadsheetFormat.CSV):
    # Wagtail wraps admin URLs in its admin-access check; this narrows to the course.
    course = _visible_course(request, course_id)
    return spreadsheet_response(
        file_format=file_format,
        lines=selectors.evaluation_csv_rows(course=course),
        filename_stem=f"evaluations-{slugify(course.slug)[:60]}",
        on_done=audit_export_recorder(
            request=request, report="evaluations", file_format=file_format, obj=course
        ),
    )
