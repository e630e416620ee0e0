"""Thin views: parse, call a service or selector, render."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from accounts.models import Profession
from cms.ids import id_parse
from cms.models import ProviderSettings

from . import selectors, services
from .models import CoursePage, LessonPage, credit_total_hours

MAX_SECONDS_DIGITS = 6
HOUR_CHOICES = ["1", "2", "3", "6"]


class BadInput(Exception):
    pass


def _posted_id(request, name: str) -> int:
    page_id = id_parse(request.POST.get(name, ""))
    if page_id is None:
        raise BadInput(f"“{name}” must be a page id (digits only).")
    return page_id


def _posted_page(request, name: str, model):
    page = model.objects.live().filter(pk=_posted_id(request, name)).first()
    if page is None:
        raise BadInput(f"There is no published {model._meta.verbose_name} with that id.")
    return page


def _wants_json(request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


def _refuse(request, message: str, *, status: int = 400, json: bool = False):
    if json or _wants_json(request):
        return JsonResponse(
            {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return TemplateResponse(request, "refused.html", {"message": message}, status=status)


# --- Pages ----------------------------------------------------------------------------------


def catalog_context(*, request, index) -> dict:
    profession = request.GET.get("profession", "")
    if profession not in Profession.values:
        profession = ""
    topic = request.GET.get("topic", "")[:100]
    query = request.GET.get("q", "").strip()[:200]
    hours = request.GET.get("hours", "")
    max_hours = None
    if hours in HOUR_CHOICES:
        max_hours = Decimal(hours)
    else:
        try:
            max_hours = Decimal(hours[:8]) if hours else None
        except InvalidOperation:
            max_hours = None
        if max_hours is not None and not max_hours.is_finite():
            max_hours = None
    return {
        "courses": selectors.catalog_courses(
            index=index, profession=profession, topic=topic, max_hours=max_hours, query=query
        ),
        "topics": selectors.catalog_topics(index=index),
        "professions": Profession.choices,
        "hour_choices": HOUR_CHOICES,
        "filters": {"profession": profession, "topic": topic, "q": query, "hours": hours},
    }


def course_page_context(*, request, page: CoursePage) -> dict:
    """CoursePage.get_context: also what the admin's preview renders."""
    enrollment = selectors.enrollment_get(user=request.user, course=page)
    if enrollment is not None:
        enrollment.course = page  # already loaded: the summary below needs its path
    outline = selectors.course_outline(course=page, enrollment=enrollment)
    summary = None
    if enrollment is not None:
        summary = selectors.enrollment_summaries(enrollments=[enrollment])[0]
    credits = selectors.course_credits(course=page)
    provider = ProviderSettings.load(request_or_site=request)
    instructors = selectors.course_instructors(course=page)
    return {
        "enrollment": enrollment,
        "outline": outline,
        "resume": selectors.resume_lesson(outline=outline, enrollment=enrollment),
        "summary": summary,
        "instructors": instructors,
        # A course whose instructors are fictional samples says so (the demo's modules).
        "sample_course": any(instructor.is_sample for instructor in instructors),
        "real_author_needs": selectors.REAL_AUTHOR_NEEDS,
        "credits": credits,
        "total_hours": credit_total_hours(credits=credits),
        "statements": selectors.course_statements(credits=credits, provider_name=provider.name),
    }


def _lesson_course_and_enrollment(request, page: LessonPage):
    cached = getattr(request, "_courses_lesson", None)
    if cached is not None and cached[0] == page.path:
        return cached[1], cached[2]
    course = CoursePage.objects.get(path=page.path[: -CoursePage.steplen])
    enrollment = selectors.enrollment_get(user=request.user, course=course)
    request._courses_lesson = (page.path, course, enrollment)
    return course, enrollment


def lesson_page_serve(*, request, page: LessonPage, parent_serve):
    """Clinicians read lessons once enrolled; staff read them to review them."""
    course, enrollment = _lesson_course_and_enrollment(request, page)
    active = enrollment is not None and enrollment.is_active
    if not active:
        if not request.user.is_authenticated:
            return redirect_to_login(page.url)
        if not request.user.has_perm("wagtailadmin.access_admin"):
            messages.info(request, "Enroll in the course to read its lessons.")
            return redirect(course.url)
    if active:
        services.lesson_visit(enrollment=enrollment, lesson=page)
    return parent_serve(request)


def lesson_page_context(*, request, page: LessonPage) -> dict:
    """LessonPage.get_context: also what the admin's preview renders."""
    course, enrollment = _lesson_course_and_enrollment(request, page)
    active = enrollment is not None and enrollment.is_active
    outline = selectors.course_outline(course=course, enrollment=enrollment, current=page)
    index = next((i for i, item in enumerate(outline) if item.current), None)
    return {
        "course": course,
        "enrollment": enrollment,
        "outline": outline,
        "done": outline[index].done if index is not None else False,
        "previous": outline[index - 1].lesson if index else None,
        "next": (
            outline[index + 1].lesson if index is not None and index + 1 < len(outline) else None
        ),
        "position": (index + 1) if index is not None else len(outline) + 1,
        # Only ever the requesting user's own reflections.
        "journal": selectors.journal_entries(user=request.user, lesson=page) if active else {},
        "heartbeat_seconds": int(services.HEARTBEAT_INTERVAL.total_seconds()),
    }


# --- Actions --------------------------------------------------------------------------------


@login_required
@require_POST
def enroll(request):
    try:
        course = _posted_page(request, "course", CoursePage)
        services.enrollment_create(user=request.user, course=course)
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc))
    messages.success(request, f"You are enrolled in “{course.title}”.")
    return redirect(course.url)


@login_required
@require_POST
def unenroll(request):
    try:
        course = _posted_page(request, "course", CoursePage)
        enrollment = selectors.enrollment_get(user=request.user, course=course)
        if enrollment is None:
            return _refuse(request, "You are not enrolled in this course.", status=404)
        services.enrollment_unenroll(enrollment=enrollment)
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc))
    messages.success(request, f"You left “{course.title}”. Your progress is kept if you come back.")
    return redirect("courses:dashboard")


@login_required
@require_POST
def lesson_complete(request):
    try:
        lesson = _posted_page(request, "lesson", LessonPage)
        services.lesson_mark_complete(user=request.user, lesson=lesson)
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc))
    following = (
        LessonPage.objects.live()
        .sibling_of(lesson, inclusive=False)
        .filter(path__gt=lesson.path)
        .order_by("path")
        .first()
    )
    messages.success(request, f"“{lesson.title}” marked complete.")
    return redirect(following.url if following else lesson.get_parent().url)


@login_required
@require_POST
def heartbeat(request):
    """One small write; never renders a page."""
    try:
        lesson_id = _posted_id(request, "lesson")
        raw = request.POST.get("seconds", "")
        if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_SECONDS_DIGITS:
            raise BadInput("“seconds” must be a whole number of seconds.")
        credited = services.heartbeat_record(
            user=request.user, lesson_id=lesson_id, claimed_seconds=int(raw)
        )
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc), json=True)
    return JsonResponse({"credited": credited})


@login_required
@require_POST
def journal_save(request):
    wants_json = _wants_json(request)
    try:
        lesson = _posted_page(request, "lesson", LessonPage)
        prompt_id = request.POST.get("prompt", "")
        if len(prompt_id) > 64:
            raise BadInput("That reflection prompt is not part of this lesson.")
        services.journal_save(
            user=request.user, lesson=lesson, prompt_id=prompt_id, text=request.POST.get("text", "")
        )
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc), json=wants_json)
    if wants_json:
        return JsonResponse({"saved": True})
    messages.success(request, "Your reflection was saved. Only you can read it.")
    return redirect(lesson.url)


@login_required
def dashboard(request):
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
