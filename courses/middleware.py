"""Turns a refused course publication (courses.models.CoursePublishRefused,
raised by CoursePage.publish on workflow approval or a bulk action) into admin
messages naming each missing item, on the course's edit page."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import CoursePublishRefused


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
        url = reverse("wagtailadmin_pages:edit", args=(exception.page_id,))
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's workflow modal follows a "success" step's redirect.
            return JsonResponse({"step": "success", "redirect": url})
        return redirect(url)
