"""Wagtail admin: evaluation aggregates per course (their export, CSV and XLSX, is
reports', linked through EXPORT_URLS_HOOK); the import of questions into a post-test.

Administrators (quizzes.view_evaluation) see every course; instructors see
the courses they teach or own. Evaluations are shown without names. A post-test's
questions are imported by those who may edit it (its authors, the Administrators).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin import messages

from cms.admin_views import AdminPageMixin
from cms.hooks import hook_urls
from cms.refusals import Refusal, refusal_status
from courses.selectors import course_objectives

from . import selectors, services
from .forms import QuestionImportForm
from .question_import import QuestionFormat, question_blocks, questions_preview

#: The seam for the export links of a course's evaluations: reports, which serves
#: the exports, answers it with {"csv": url, "xlsx": url} for the course.
EXPORT_URLS_HOOK = "evaluation_export_urls"


class AggregatesCoursePage(AdminPageMixin):
    """An admin page about one course whose aggregates the user may read
    (selectors.courses_for_aggregates: another course is a 404), as `self.course`
    (its specific page where `specific`); the breadcrumbs end with its title."""

    specific = False

    def dispatch(self, request, *args, **kwargs):
        courses = selectors.courses_for_aggregates(user=request.user)
        courses = courses.specific() if self.specific else courses
        self.course = get_object_or_404(courses, pk=kwargs["course_id"])
        return super().dispatch(request, *args, **kwargs)

    def breadcrumb_label(self):
        return self.course.title


class EvaluationCourseListView(AdminPageMixin, TemplateView):
    template_name = "quizzes/admin/evaluation_index.html"
    page_title = "Evaluations"
    header_icon = "list-ul"

    def page_context(self):
        courses = list(selectors.courses_for_aggregates(user=self.request.user))
        counts = selectors.evaluation_counts(courses=courses)
        rows = [
            (course, counts.get(course.pk, 0), hook_urls(EXPORT_URLS_HOOK, course))
            for course in courses
        ]
        return {"rows": rows}


class EvaluationAggregateView(AggregatesCoursePage, TemplateView):
    template_name = "quizzes/admin/evaluation_aggregate.html"
    header_icon = "list-ul"

    def get_page_title(self):
        return f"Evaluations: {self.course.title}"

    def breadcrumbs_parents(self):
        return [(reverse("quizzes_admin:index"), "Evaluations")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["course"] = self.course
        context["aggregate"] = selectors.evaluation_aggregate(course=self.course)
        context["export_urls"] = hook_urls(EXPORT_URLS_HOOK, self.course)
        return context


class QuestionImportView(AdminPageMixin, TemplateView):
    """Upload or paste GIFT or CSV → a preview of every question (its choices, the
    right one, its objective) and an error per line refused → confirm → the
    questions are added to a new draft revision. Nothing is written before the
    confirmation, nor when any line is refused."""

    template_name = "quizzes/admin/question_import.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.post_test = selectors.post_test_for_editor(
            user=request.user, post_test_id=kwargs["post_test_id"]
        )
        if self.post_test is None:
            raise Http404("No post-test you may edit.")
        self.post_test = self.post_test.specific
        self.course = self.post_test.get_parent().specific
        self.objectives = course_objectives(course=self.course)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Import questions: {self.post_test.draft_title}"

    def breadcrumbs_parents(self):
        return [
            (
                reverse("wagtailadmin_pages:edit", args=[self.post_test.pk]),
                self.post_test.draft_title,
            )
        ]

    def breadcrumb_label(self):
        return "Import questions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            post_test=self.post_test,
            course=self.course,
            objectives=self.objectives,
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.post_test.pk]),
        )
        return context

    def get(self, request, *args, **kwargs):
        form = QuestionImportForm(objectives=self.objectives)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = QuestionImportForm(request.POST, request.FILES, objectives=self.objectives)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        preview = questions_preview(
            text=data["source_text"],
            file_format=data["file_format"],
            objectives=self.objectives,
            default_objective=data["default_objective"],
        )
        if request.POST.get("action") == "confirm" and preview.ok:
            try:
                services.post_test_questions_import(
                    post_test_id=self.post_test.pk,
                    user=request.user,
                    blocks=question_blocks(preview.questions),
                    base_revision_id=data["base_revision"],
                    source=data["file_format"],
                )
            except Refusal as exc:
                messages.error(request, exc.message)
                return self._preview(form, preview, status=refusal_status(exc), confirmable=False)
            count = len(preview.questions)
            messages.success(
                request,
                f"{count} question{'s' if count != 1 else ''} imported into a draft of "
                f"“{self.post_test.draft_title}”: review them, then publish or submit the "
                "post-test.",
            )
            return redirect("wagtailadmin_pages:edit", self.post_test.pk)
        return self._preview(form, preview, status=200 if preview.ok else 400)

    def _preview(self, form, preview, *, status: int, confirmable: bool = True):
        # The confirmation posts the text previewed (an upload's too) and the revision
        # it was previewed against.
        data = form.data.copy()
        data["text"] = form.cleaned_data["source_text"]
        data["base_revision"] = self.post_test.latest_revision_id or ""
        shown = QuestionImportForm(data, objectives=self.objectives)
        shown.is_valid()
        context = self.get_context_data(
            form=shown,
            preview=preview,
            confirmable=confirmable and preview.ok,
            kind_labels={
                "single": "Single choice",
                "multiple": "Select all",
                "true_false": "True / false",
            },
            format_label=dict(QuestionFormat.choices)[form.cleaned_data["file_format"]],
        )
        return self.render_to_response(context, status=status)
