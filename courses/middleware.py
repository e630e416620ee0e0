"""Turns a refused course publication (courses.publishing.CoursePublishRefused,
raised by CoursePage.publish on workflow approval or a bulk action) into admin
messages naming each missing item, on the course's edit page, followed by links
to the pages under the course still to be reviewed (lessons, the post-test)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin import messages as admin_messages

from .models import CoursePage
from .publishing import CoursePublishRefused, course_children_pending


class CoursePublishRefusedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CoursePublishRefused):
            return None
        messages.error(request, "This course was not published. Still missing:")
        for problem in exception.problems:
            messages.error(request, problem)
        course = CoursePage.objects.filter(pk=exception.page_id).first()
        pending = course_children_pending(course=course) if course else []
        if pending:
            admin_messages.warning(
                request,
                "Pages under this course still to be reviewed: "
                + "; ".join(f"{child.title} ({child.status})" for child in pending)
                + ".",
                buttons=[
                    admin_messages.button(child.edit_url, f"Review {child.title}")
                    for child in pending
                ],
            )
        url = reverse("wagtailadmin_pages:edit", args=(exception.page_id,))
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's workflow modal follows a "success" step's redirect.
            return JsonResponse({"step": "success", "redirect": url})
        return redirect(url)
