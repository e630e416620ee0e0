"""Thin views: parse, call a service or selector, render. The post-test page owns its
flow in quizzes.models.

Bad input and a refused action raise cms.refusals.Refusal: a 4xx page with the message,
and nothing changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cms.refusals import (
    Refusal,
    post_action,
    posted_id,
    refusal_status,
    refusals_shown,
    refused,
    request_post,
)
from courses.models import CoursePage
from courses.selectors import enrollment_get, time_requirements

from . import selectors, services
from .forms import EvaluationForm
from .models import Attempt, PostTestPage, ReviewPolicy

# Bounds on what an answer submission may hold; anything beyond is not a real form.
MAX_ANSWER_FIELDS = 200
MAX_VALUES_PER_QUESTION = 12
MAX_ID_LENGTH = 64


# --- Attempts -------------------------------------------------------------------------------


@post_action
def attempt_start(request):
    page_id = posted_id(request_post(request), "post_test")
    post_test = PostTestPage.objects.live().filter(pk=page_id).first()
    if post_test is None:
        raise Refusal("There is no such post-test.", kind=Refusal.Kind.NOT_FOUND)
    course = post_test.get_parent().specific
    enrollment = enrollment_get(user=request.user, course=course)
    if enrollment is None:
        raise Refusal("Enroll in the course first.", kind=Refusal.Kind.NOT_ALLOWED)
    attempt = services.attempt_start(enrollment=enrollment)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _attempt_or_404(request, attempt_id: int) -> Attempt:
    attempt = selectors.attempt_get_for_user(attempt_id=attempt_id, user=request.user)
    if attempt is None:
        raise Refusal("There is no such attempt.", kind=Refusal.Kind.NOT_FOUND)
    return attempt


def _taking_response(request, attempt: Attempt, *, error: str = "", chosen=None, status=200):
    now = timezone.now()
    seconds_left = (
        max(0, int((attempt.deadline - now).total_seconds())) if attempt.deadline else None
    )
    course = attempt.enrollment.course
    questions = selectors.attempt_questions_public(attempt=attempt)
    # What was just posted, else what was saved as it was chosen (a reload, another device).
    chosen = chosen if chosen is not None else attempt.draft
    for question in questions:
        picked = set(chosen.get(question["id"], []))
        for choice in question["choices"]:
            choice["checked"] = choice["id"] in picked
    unanswered = [q["number"] for q in questions if not chosen.get(q["id"])] if error else []
    return TemplateResponse(
        request,
        "quizzes/attempt_take.html",
        {
            "attempt": attempt,
            "course": course,
            "questions": questions,
            "seconds_left": seconds_left,
            "error": error,
            "unanswered": unanswered,
        },
        status=status,
    )


@login_required
@refusals_shown
def attempt_view(request, attempt_id: int):
    attempt = _attempt_or_404(request, attempt_id)
    if attempt.is_open and selectors.attempt_is_overdue(attempt=attempt):
        services.attempts_expire_overdue(enrollment=attempt.enrollment)
        attempt.refresh_from_db()
    if attempt.is_open:
        return _taking_response(request, attempt)
    return _result_response(request, attempt)


def _result_response(request, attempt: Attempt):
    enrollment = attempt.enrollment
    status = selectors.post_test_status(enrollment=enrollment)
    passed_any = status.passed_attempt is not None
    level = selectors.review_level(attempt=attempt, passed_any=passed_any)
    return TemplateResponse(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "course": enrollment.course,
            "status": status,
            "passed_any": passed_any,
            "review_level": level,
            "review": selectors.attempt_review(attempt=attempt, level=level),
            "ReviewPolicy": ReviewPolicy,
            "evaluation_url": reverse("quizzes:evaluation", args=[enrollment.course_id]),
        },
    )


def _answers_from(post) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    keys = [k for k in post if k.startswith("q-")]
    if len(keys) > MAX_ANSWER_FIELDS:
        raise Refusal("The submission holds more answers than any post-test has.")
    for key in keys:
        qid = key[2:]
        values = post.getlist(key)
        if (
            len(qid) > MAX_ID_LENGTH
            or len(values) > MAX_VALUES_PER_QUESTION
            or any(len(v) > MAX_ID_LENGTH for v in values)
        ):
            raise Refusal("The submission could not be read: an answer is malformed.")
        answers[qid] = [v for v in values if v]
    return answers


@post_action(json=True)
def attempt_answer_save(request, attempt_id: int):
    """One answer, saved as it is chosen (cms/static/js/post-test.js): JSON either way."""
    post = request_post(request)
    question = post.get("question", "")
    choices = post.getlist("choice")
    if (
        not question
        or len(question) > MAX_ID_LENGTH
        or len(choices) > MAX_VALUES_PER_QUESTION
        or any(len(c) > MAX_ID_LENGTH for c in choices)
    ):
        raise Refusal("The answer could not be read; nothing was saved.")
    attempt = services.attempt_answer_save(
        attempt_id=attempt_id,
        user=request.user,
        question_id=question,
        choice_ids=[c for c in choices if c],
    )
    return JsonResponse(
        {"saved": True, "saved_at": attempt.draft_saved_at.isoformat()},
        json_dumps_params={"ensure_ascii": False},
    )


@post_action
def attempt_submit(request, attempt_id: int):
    attempt = _attempt_or_404(request, attempt_id)
    post = request_post(request)
    answers = _answers_from(post)
    try:
        attempt = services.attempt_submit(
            attempt_id=attempt.pk,
            user=request.user,
            answers=answers,
            time_up=post.get("time_up") == "1" and attempt.deadline is not None,
        )
    except Refusal as refusal:
        attempt.refresh_from_db()
        if attempt.is_open:
            # Keep what they chose (only ids that belong to the attempt) and say what is wrong.
            return _taking_response(
                request,
                attempt,
                error=refusal.message,
                chosen=answers,
                status=refusal_status(refusal),
            )
        return refused(
            request,
            refusal,
            link=(reverse("quizzes:attempt", args=[attempt.pk]), "See the result of this attempt"),
        )
    if attempt.status == Attempt.Status.EXPIRED:
        messages.warning(
            request,
            "Time ran out before your answers arrived, so they were not graded. "
            "The attempt counts as used.",
        )
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


# --- Evaluation and attestation -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@refusals_shown
def evaluation(request, course_id: int):
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None:
        raise Refusal("There is no such course.", kind=Refusal.Kind.NOT_FOUND)
    enrollment = enrollment_get(user=request.user, course=course)
    if enrollment is None or not enrollment.is_active:
        raise Refusal("Enroll in the course first.", kind=Refusal.Kind.NOT_ALLOWED)
    if not selectors.enrollment_has_passed(enrollment=enrollment):
        raise Refusal(
            "The evaluation opens once you pass the post-test.", kind=Refusal.Kind.NOT_ALLOWED
        )
    existing_evaluation = selectors.evaluation_get(enrollment=enrollment)
    existing_attestation = selectors.attestation_get(enrollment=enrollment)
    if existing_evaluation and existing_attestation:
        if request.method == "POST":
            raise Refusal(
                "You have already evaluated this course and signed the attestation.",
                kind=Refusal.Kind.CONFLICT,
            )
        return TemplateResponse(
            request,
            "quizzes/evaluation_done.html",
            {
                "course": course,
                "evaluation": existing_evaluation,
                "attestation": existing_attestation,
                "claimed": selectors.claimed_accreditors(enrollment=enrollment),
            },
        )
    form_kwargs = {
        "items": selectors.evaluation_items(course=course),
        "claim_options": selectors.claim_options(enrollment=enrollment),
        "need_evaluation": existing_evaluation is None,
    }
    # Said before the clinician attests: the certificate also waits for this.
    time = time_requirements(enrollments=[enrollment]).get(enrollment.pk)
    if request.method == "GET":
        form = EvaluationForm(**form_kwargs)
        return _evaluation_response(request, course, form, time=time)
    form = EvaluationForm(data=request_post(request), **form_kwargs)
    if not form.is_valid():
        return _evaluation_response(request, course, form, time=time, status=400)
    try:
        with transaction.atomic():
            if form.need_evaluation:
                services.evaluation_submit(enrollment=enrollment, **form.evaluation_data())
            services.attestation_submit(
                enrollment=enrollment,
                confirmed=form.cleaned_data["attest"],
                accreditors=list(form.cleaned_data["claim"]),
            )
    except Refusal as refusal:
        form.add_error(None, refusal.message)
        return _evaluation_response(
            request, course, form, time=time, status=refusal_status(refusal)
        )
    messages.success(request, "Thank you: your evaluation and attestation are recorded.")
    if time is not None and not time.met:
        messages.info(
            request,
            f"Your certificate follows once {time.remaining_minutes} more minute"
            f"{'s' * (time.remaining_minutes != 1)} of active reading are recorded "
            f"({time.asked_by} credit needs {time.required_minutes}).",
        )
    return redirect(course.url)


def _evaluation_response(request, course, form, *, time=None, status=200):
    return TemplateResponse(
        request,
        "quizzes/evaluation_form.html",
        {"course": course, "form": form, "today": timezone.localdate(), "time": time},
        status=status,
    )
