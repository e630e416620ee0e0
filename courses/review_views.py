"""The course review screen (one page for the course and everything reviewed with
it, one decision) and the dashboard's review queue, grouped by course."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from cms.admin_panels import DashboardPanel
from cms.admin_views import AdminPageMixin

from .models import CoursePage
from .publishing import CoursePublishRefused
from .review import ReviewRefused, course_review_decide
from .review_selectors import course_review_get


class CourseReviewView(AdminPageMixin, TemplateView):
    template_name = "courses/admin/course_review.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        self.course = get_object_or_404(CoursePage, pk=kwargs["course_id"])
        perms = self.course.permissions_for_user(request.user)
        if not (perms.can_edit() or perms.can_publish()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Review: {self.course.draft_title or self.course.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = course_review_get(course=self.course, request=self.request)
        context["review"] = review
        context["may_decide"] = review.awaiting and bool(
            self.course.current_workflow_task
            and self.course.current_workflow_task.get_actions(self.course, self.request.user)
        )
        context["comment"] = self.request.POST.get("comment", "")
        return context

    def post(self, request, *args, **kwargs):
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            messages.error(request, "Choose Approve or Request changes.")
            return self.get(request, *args, **kwargs)
        try:
            course_review_decide(
                course_id=self.course.pk,
                user=request.user,
                approve=decision == "approve",
                comment=request.POST.get("comment", ""),
            )
        except ReviewRefused as refused:
            messages.error(request, str(refused))
            return self.get(request, *args, **kwargs)
        except CoursePublishRefused as refused:
            messages.error(request, "This course was not published. Still missing:")
            for problem in refused.problems:
                messages.error(request, problem)
            return redirect("courses_review:course", self.course.pk)
        if decision == "approve":
            messages.success(
                request, f"“{self.course.title}” and the pages reviewed with it are published."
            )
        else:
            messages.success(
                request, f"Changes requested on “{self.course.title}” and the pages under it."
            )
        return redirect(reverse("wagtailadmin_home"))


class CourseReviewQueuePanel(DashboardPanel):
    """The dashboard's "Awaiting your review", with a course's pages under the course
    (context: `entries`, from `course_review_queue`)."""

    name = "workflow_objects_to_moderate"
    order = 220
    template_name = "courses/admin/review_queue_panel.html"
