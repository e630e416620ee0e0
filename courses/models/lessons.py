"""A lesson: a page under a course, read by its enrolled clinicians."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.shortcuts import redirect
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import LessonStreamBlock
from ..lesson_tokens import lesson_served_token
from ..panels import LessonWordCountPanel
from ..wordcount import stream_word_count
from .choices import CreditCategory


class LessonPage(Page):
    credit_category = models.CharField(
        max_length=30,
        choices=CreditCategory.choices,
        default=CreditCategory.GENERAL,
        help_text="The credit category this lesson's words count toward.",
    )
    body = StreamField(LessonStreamBlock(), use_json_field=True)

    template = "pages/lesson_page.html"
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        LessonWordCountPanel(heading="Word count"),
        FieldPanel("credit_category"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    def serve(self, request, *args, **kwargs):
        """Clinicians read lessons once enrolled; staff read them to review them.
        Nothing is written: the page's first heartbeat records the visit."""
        reading = self._reading(request)
        enrollment = reading.enrollment
        if enrollment is None or not enrollment.is_active:
            if not request.user.is_authenticated:
                return redirect_to_login(self.url)
            if not request.user.has_perm("wagtailadmin.access_admin"):
                messages.info(request, "Enroll in the course to read its lessons.")
                return redirect(reading.course.url)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """Also what the admin's preview renders."""
        from .. import selectors, services  # they import this module

        context = super().get_context(request, *args, **kwargs)
        reading = self._reading(request)
        course, enrollment = reading.course, reading.enrollment
        active = enrollment is not None and enrollment.is_active
        outline = selectors.course_outline(
            course=course, enrollment=enrollment, current=self, done_ids=reading.done_ids
        )
        index = next((i for i, item in enumerate(outline) if item.current), None)
        context.update(
            {
                "course": course,
                "enrollment": enrollment,
                "outline": outline,
                "done": outline[index].done if index is not None else False,
                "previous": outline[index - 1].lesson if index else None,
                "next": (
                    outline[index + 1].lesson
                    if index is not None and index + 1 < len(outline)
                    else None
                ),
                "position": (index + 1) if index is not None else len(outline) + 1,
                # Only ever the requesting user's own reflections.
                "journal": reading.journal if active else {},
                "heartbeat_seconds": int(services.HEARTBEAT_INTERVAL.total_seconds()),
                "served_token": (
                    lesson_served_token(user=request.user, lesson=self) if active else ""
                ),
            }
        )
        return context

    def _reading(self, request):
        """The lesson's course (from the site cache), the user's enrollment in it,
        their completed lessons and their journal on this lesson (one query for a
        signed-in person), read once per request."""
        from ..selectors import lesson_reading  # the selectors import this module

        cached = getattr(request, "_courses_lesson", None)
        if cached is not None and cached[0] == self.path:
            return cached[1]
        reading = lesson_reading(user=request.user, lesson=self)
        request._courses_lesson = (self.path, reading)
        return reading

    @property
    def word_count(self) -> int:
        return stream_word_count(self.body.raw_data)
