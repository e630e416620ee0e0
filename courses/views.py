"""Thin views: parse, call a service or selector, render. The pages (catalog, course,
lesson) own their flow in courses.models; a refusal becomes a response in
cms.refusals, as bad input does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cms.refusals import Refusal, post_action, posted_id, wants_json

from . import selectors, services
from .lesson_tokens import lesson_served_check
from .models import CoursePage, LessonPage

MAX_SECONDS_DIGITS = 6


def _posted_page(request, name: str, model):
    page = model.objects.live().filter(pk=_posted_id(request, name)).first()
    if page is None:
        raise Refusal(f"There is no published {model._meta.verbose_name} with that id.")
    return page


def _posted_id(request, name: str) -> int:
    return posted_id(request.POST, name, message=f"“{name}” must be a page id (digits only).")


# --- Actions --------------------------------------------------------------------------------


@post_action
def enroll(request):
    course = _posted_page(request, "course", CoursePage)
    services.enrollment_create(user=request.user, course=course)
    messages.success(request, f"You are enrolled in “{course.title}”.")
    return redirect(course.url)


@post_action
def unenroll(request):
    course = _posted_page(request, "course", CoursePage)
    enrollment = selectors.enrollment_get(user=request.user, course=course)
    if enrollment is None:
        raise Refusal("You are not enrolled in this course.", kind=Refusal.Kind.NOT_FOUND)
    services.enrollment_unenroll(enrollment=enrollment)
    messages.success(request, f"You left “{course.title}”. Your progress is kept if you come back.")
    return redirect("courses:dashboard")


@post_action
def lesson_complete(request):
    lesson = _posted_page(request, "lesson", LessonPage)
    served = lesson_served_check(
        token=request.POST.get("served", ""), user=request.user, lesson=lesson
    )
    services.lesson_mark_complete(user=request.user, lesson=lesson, page_served=served)
    following = (
        LessonPage.objects.live()
        .sibling_of(lesson, inclusive=False)
        .filter(path__gt=lesson.path)
        .order_by("path")
        .first()
    )
    messages.success(request, f"“{lesson.title}” marked complete.")
    return redirect(following.url if following else lesson.get_parent().url)


@post_action(json=True)
def heartbeat(request):
    """One small write; never renders a page."""
    lesson_id = _posted_id(request, "lesson")
    raw = request.POST.get("seconds", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_SECONDS_DIGITS:
        raise Refusal("“seconds” must be a whole number of seconds.")
    credited = services.heartbeat_record(
        user=request.user, lesson_id=lesson_id, claimed_seconds=int(raw)
    )
    return JsonResponse({"credited": credited})


@post_action
def journal_save(request):
    lesson = _posted_page(request, "lesson", LessonPage)
    prompt_id = request.POST.get("prompt", "")
    if len(prompt_id) > 64:
        raise Refusal("That reflection prompt is not part of this lesson.")
    services.journal_save(
        user=request.user, lesson=lesson, prompt_id=prompt_id, text=request.POST.get("text", "")
    )
    if wants_json(request):
        return JsonResponse({"saved": True})
    messages.success(request, "Your reflection was saved. Only you can read it.")
    return redirect(lesson.url)


@login_required
def dashboard(request):
    summaries = selectors.enrollment_summaries(
        enrollments=selectors.dashboard_enrollments(user=request.user)
    )
    if services.completions_settle(summaries=summaries):
        summaries = selectors.enrollment_summaries(
            enrollments=selectors.dashboard_enrollments(user=request.user)
        )
    return TemplateResponse(
        request,
        "courses/dashboard.html",
        {
            "active": [s for s in summaries if s.enrollment.is_active],
            "inactive": [s for s in summaries if not s.enrollment.is_active],
        },
    )
