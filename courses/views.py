"""Thin views: parse, call a service or selector, render."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from accounts.models import Profession

from . import selectors, services
from .models import CoursePage, LessonPage

MAX_JOURNAL_CHARS = 20_000


class BadInput(Exception):
    pass


def _posted_page(request, name: str, model):
    raw = request.POST.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise BadInput(f"“{name}” must be a page id.")
    page = model.objects.live().filter(pk=int(raw)).first()
    if page is None:
        raise BadInput(f"There is no such {model._meta.verbose_name}.")
    return page


def _refuse(request, message: str, *, status: int = 400, json: bool = False):
    if json or request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"error": message}, status=status)
    return TemplateResponse(request, "courses/error.html", {"message": message}, status=status)


# --- Pages ----------------------------------------------------------------------------------


def catalog_context(*, request, index) -> dict:
    profession = request.GET.get("profession", "")
    if profession not in Profession.values:
        profession = ""
    topic = request.GET.get("topic", "")[:100]
    query = request.GET.get("q", "").strip()[:200]
    max_hours = None
    try:
        if request.GET.get("hours"):
            max_hours = Decimal(request.GET["hours"])
    except InvalidOperation:
        max_hours = None
    return {
        "courses": selectors.catalog_courses(
            index=index, profession=profession, topic=topic, max_hours=max_hours, query=query
        ),
        "topics": selectors.catalog_topics(index=index),
        "professions": Profession.choices,
        "hour_choices": ["1", "2", "3", "6"],
        "filters": {
            "profession": profession,
            "topic": topic,
            "q": query,
            "hours": request.GET.get("hours", ""),
        },
    }


def course_page_serve(*, request, page: CoursePage, parent_serve, args, kwargs):
    enrollment = selectors.enrollment_get(user=request.user, course=page)
    outline = selectors.course_outline(course=page, enrollment=enrollment)
    summary = None
    if enrollment is not None:
        summary = selectors.enrollment_summaries(enrollments=[enrollment])[0]
    context = page.get_context(request)
    context.update(
        {
            "enrollment": enrollment,
            "outline": outline,
            "resume": selectors.resume_lesson(outline=outline, enrollment=enrollment),
            "summary": summary,
            "instructors": selectors.course_instructors(course=page),
            "credits": list(page.credits.select_related("accreditor")),
            "statements": _statements(page),
        }
    )
    return TemplateResponse(request, page.get_template(request), context)


def _statements(page: CoursePage) -> list[tuple[str, str]]:
    from cms.models import ProviderSettings

    provider = ProviderSettings.load()
    by_accreditor: dict = {}
    for credit in page.credits.select_related("accreditor"):
        by_accreditor.setdefault(credit.accreditor, Decimal("0"))
        by_accreditor[credit.accreditor] += credit.hours
    return [
        (accreditor.name, accreditor.render_statement(provider=provider.name, credits=hours))
        for accreditor, hours in by_accreditor.items()
    ]


def lesson_page_serve(*, request, page: LessonPage):
    course = page.get_parent().specific
    enrollment = selectors.enrollment_get(user=request.user, course=course)
    if enrollment is None or not enrollment.is_active:
        if request.user.is_authenticated and not request.user.has_perm("wagtailadmin.access_admin"):
            messages.info(request, "Enroll in the course to read its lessons.")
            return redirect(course.url)
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={page.url}")
    if enrollment is not None and enrollment.is_active:
        services.lesson_visit(enrollment=enrollment, lesson=page)
    outline = selectors.course_outline(course=course, enrollment=enrollment, current=page)
    index = next((i for i, item in enumerate(outline) if item.current), 0)
    context = page.get_context(request)
    context.update(
        {
            "course": course,
            "enrollment": enrollment,
            "outline": outline,
            "done": outline[index].done if outline else False,
            "previous": outline[index - 1].lesson if index > 0 else None,
            "next": outline[index + 1].lesson if index + 1 < len(outline) else None,
            "position": index + 1,
            "journal": selectors.journal_entries(user=request.user, lesson=page),
            "heartbeat_seconds": int(services.HEARTBEAT_INTERVAL.total_seconds()),
        }
    )
    return TemplateResponse(request, page.get_template(request), context)


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
    except BadInput as exc:
        return _refuse(request, str(exc))
    enrollment = selectors.enrollment_get(user=request.user, course=course)
    if enrollment is None:
        return _refuse(request, "You are not enrolled in this course.", status=404)
    services.enrollment_unenroll(enrollment=enrollment)
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
    outline = selectors.course_outline(course=lesson.get_parent(), enrollment=None)
    ids = [item.lesson.pk for item in outline]
    following = outline[ids.index(lesson.pk) + 1].lesson if lesson.pk in ids[:-1] else None
    messages.success(request, f"“{lesson.title}” marked complete.")
    return redirect(following.url if following else lesson.get_parent().url)


@login_required
@require_POST
def heartbeat(request):
    try:
        lesson = _posted_page(request, "lesson", LessonPage)
        raw = request.POST.get("seconds", "")
        if not raw.isdigit() or len(raw) > 6:
            raise BadInput("“seconds” must be a whole number.")
        credited = services.heartbeat_record(
            user=request.user, lesson=lesson, claimed_seconds=int(raw)
        )
    except (BadInput, services.LearningError) as exc:
        return _refuse(request, str(exc), json=True)
    return JsonResponse({"credited": credited})


@login_required
@require_POST
def journal_save(request):
    wants_json = request.headers.get("accept", "").startswith("application/json")
    try:
        lesson = _posted_page(request, "lesson", LessonPage)
        text = request.POST.get("text", "")
        if len(text) > MAX_JOURNAL_CHARS:
            raise BadInput(f"A reflection can hold up to {MAX_JOURNAL_CHARS:,} characters.")
        services.journal_save(
            user=request.user,
            lesson=lesson,
            prompt_id=request.POST.get("prompt", "")[:64],
            text=text,
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
