"""Duplicate a course as a template (courses.duplicate): a form for the copy's
title, then the copy's editor."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView

from cms.admin_views import AdminPageMixin
from cms.refusals import Refusal, refusal_status

from .duplicate import course_duplicate
from .forms import CourseDuplicateForm
from .models import CoursePage
from .selectors.instructing import course_may_manage


class CourseDuplicateView(AdminPageMixin, FormView):
    template_name = "courses/admin/course_duplicate.html"
    form_class = CourseDuplicateForm
    header_icon = "copy"

    def dispatch(self, request, *args, **kwargs):
        self.course = get_object_or_404(CoursePage, pk=kwargs["course_id"])
        if not course_may_manage(user=request.user, course=self.course):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Duplicate “{self.course.draft_title or self.course.title}” as a template"

    def get_initial(self):
        return {"title": f"{self.course.draft_title or self.course.title} (copy)"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["course"] = self.course
        return context

    def form_valid(self, form):
        try:
            copy = course_duplicate(
                course_id=self.course.pk, user=self.request.user, title=form.cleaned_data["title"]
            )
        except Refusal as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(
                self.get_context_data(form=form), status=refusal_status(refusal)
            )
        messages.success(
            self.request,
            f"“{copy.title}” is a draft copy of “{self.course.title}” with its lessons and "
            "post-test: edit it, then send it for approval.",
        )
        return redirect("wagtailadmin_pages:edit", copy.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
