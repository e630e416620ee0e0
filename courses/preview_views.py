"""The course preview (courses.selectors.preview): each step rendered by its own
page's preview, from the latest revision, with Previous and Next through the
whole course. For the course's authors and the Administrators only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import CoursePage, LessonPage
from .selectors.instructing import course_may_manage
from .selectors.preview import course_walk


def course_preview(request, course_id: int, page_id: int | None = None):
    course = get_object_or_404(CoursePage, pk=course_id)
    if not course_may_manage(user=request.user, course=course):
        raise PermissionDenied
    walk = course_walk(course=course)
    step = walk.step(page_id)
    if step is None:
        raise Http404("No such page in this course.")
    page = step.page
    mode = page.default_preview_mode
    request.is_preview, request.preview_mode = True, mode
    response = page.serve_preview(request, mode)
    previous, following = walk.neighbours(step)
    context = {
        "course_preview": {
            "walk": walk,
            "step": step,
            "previous": previous,
            "next": following,
            "edit_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        },
        # What a learner who has not started sees: no enrollment, nothing done.
        "course": walk.course,
        "enrollment": None,
        "summary": None,
        "resume": None,
        "journal": {},
        "done": False,
        "served_token": "",
    }
    if isinstance(page, LessonPage):
        outline = walk.outline(current=page)
        index = next(i for i, item in enumerate(outline) if item.current)
        context.update(
            outline=outline,
            position=index + 1,
            previous=outline[index - 1].lesson if index else None,
            next=outline[index + 1].lesson if index + 1 < len(outline) else None,
        )
    elif page is walk.course:
        context["outline"] = walk.outline()
    response.context_data.update(context)
    return response
