"""Thin views: parse, call a service or selector, render.

Bad input gets a 4xx page with a message and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cms.ids import id_parse
from courses.models import CoursePage
from courses.selectors import enrollment_get

from . import selectors, services
from .forms import EvaluationForm
from .models import Attempt, PostTestPage, ReviewPolicy

# Bounds on what an answer submission may hold; anything beyond is not a real form.
MAX_ANSWER_FIELDS = 200
MAX_VALUES_PER_QUESTION = 12
MAX_ID_LENGTH = 64


class BadInput(Exception):
    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


def _refuse(request, message: str, *, status: int = 400, link: tuple[str, str] | None = None):
    """A 4xx page with the reason; `link` is (url, label) of the most useful next page."""
    return TemplateResponse(
        request, "refused.html", {"message": message, "link": link}, status=status
    )


def _post(request):
    """request.POST, or BadInput when the body is too big or has too many fields."""
    try:
        return request.POST
    except RequestDataTooBig:
        raise BadInput("The submission is too large.", status=413) from None
    except TooManyFieldsSent:
        raise BadInput("The submission has too many fields.", status=400) from None


def _page_id(raw: str, what: str) -> int:
    page_id = id_parse(raw)
    if page_id is None:
        raise BadInput(f"“{what}” must be a page id.")
    return page_id


# --- The post-test page ---------------------------------------------------------------------


def post_test_page_serve(*, request, page: PostTestPage):
    course = page.get_parent().specific
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={page.url}")
    enrollment = enrollment_get(user=request.user, course=course)
    if enrollment is None or not enrollment.is_active:
        messages.info(request, "Enroll in the course to take its post-test.")
        return redirect(course.url)
    services.attempts_expire_overdue(enrollment=enrollment)
    status = selectors.post_test_status(enrollment=enrollment, post_test=page)
    context = page.get_context(request)
    context.update(
        {
            "course": course,
            "enrollment": enrollment,
            "status": status,
            "questions_per_attempt": page.questions_per_attempt(),
        }
    )
    return TemplateResponse(request, page.get_template(request), context)


def post_test_page_preview(*, request, page: PostTestPage, mode_name: str):
    """The editor's preview: the participant's view of the whole pool (not
    submittable), or the answer key with rationales."""
    from .grading import question_freeze

    course = page.get_parent().specific if page.pk else None
    questions = []
    for number, block in enumerate(page.questions, start=1):
        try:
            frozen = question_freeze(block)
        except (KeyError, TypeError):
            continue
        frozen["number"] = number
        frozen["multiple"] = frozen["kind"] == "multiple"
        questions.append(frozen)
    return TemplateResponse(
        request,
        "quizzes/post_test_preview.html",
        {
            "page": page,
            "course": course,
            "questions": questions,
            "answer_key": mode_name == "answer_key",
        },
    )


# --- Attempts -------------------------------------------------------------------------------


@login_required
@require_POST
def attempt_start(request):
    try:
        post = _post(request)
        page_id = _page_id(post.get("post_test", ""), "post_test")
        post_test = PostTestPage.objects.live().filter(pk=page_id).first()
        if post_test is None:
            raise BadInput("There is no such post-test.", status=404)
        course = post_test.get_parent().specific
        enrollment = enrollment_get(user=request.user, course=course)
        if enrollment is None:
            raise BadInput("Enroll in the course first.", status=403)
        attempt = services.attempt_start(enrollment=enrollment)
    except (BadInput, services.QuizError) as exc:
        return _refuse(request, str(exc), status=exc.status)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _attempt_or_404(request, attempt_id: int) -> Attempt:
    attempt = selectors.attempt_get_for_user(attempt_id=attempt_id, user=request.user)
    if attempt is None:
        raise BadInput("There is no such attempt.", status=404)
    return attempt


def _taking_response(request, attempt: Attempt, *, error: str = "", chosen=None, status=200):
    now = timezone.now()
    seconds_left = (
        max(0, int((attempt.deadline - now).total_seconds())) if attempt.deadline else None
    )
    course = attempt.enrollment.course
    questions = selectors.attempt_questions_public(attempt=attempt)
    chosen = chosen or {}
    for question in questions:
        picked = set(chosen.get(question["id"], []))
        for choice in question["choices"]:
            choice["checked"] = choice["id"] in picked
    return TemplateResponse(
        request,
        "quizzes/attempt_take.html",
        {
            "attempt": attempt,
            "course": course,
            "questions": questions,
            "seconds_left": seconds_left,
            "error": error,
        },
        status=status,
    )


@login_required
def attempt_view(request, attempt_id: int):
    try:
        attempt = _attempt_or_404(request, attempt_id)
    except BadInput as exc:
        return _refuse(request, str(exc), status=exc.status)
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
        raise BadInput("The submission holds more answers than any post-test has.")
    for key in keys:
        qid = key[2:]
        values = post.getlist(key)
        if (
            len(qid) > MAX_ID_LENGTH
            or len(values) > MAX_VALUES_PER_QUESTION
            or any(len(v) > MAX_ID_LENGTH for v in values)
        ):
            raise BadInput("The submission could not be read: an answer is malformed.")
        answers[qid] = [v for v in values if v]
    return answers


@login_required
@require_POST
def attempt_submit(request, attempt_id: int):
    try:
        attempt = _attempt_or_404(request, attempt_id)
        post = _post(request)
        answers = _answers_from(post)
    except BadInput as exc:
        return _refuse(request, str(exc), status=exc.status)
    try:
        attempt = services.attempt_submit(
            attempt_id=attempt.pk,
            user=request.user,
            answers=answers,
            time_up=post.get("time_up") == "1" and attempt.deadline is not None,
        )
    except services.QuizError as exc:
        attempt.refresh_from_db()
        if attempt.is_open:
            # Keep what they chose (only ids that belong to the attempt) and say what is wrong.
            return _taking_response(
                request, attempt, error=str(exc), chosen=answers, status=exc.status
            )
        return _refuse(
            request,
            str(exc),
            status=exc.status,
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
def evaluation(request, course_id: int):
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None:
        return _refuse(request, "There is no such course.", status=404)
    enrollment = enrollment_get(user=request.user, course=course)
    if enrollment is None or not enrollment.is_active:
        return _refuse(request, "Enroll in the course first.", status=403)
    if not selectors.enrollment_has_passed(enrollment=enrollment):
        return _refuse(request, "The evaluation opens once you pass the post-test.", status=403)
    existing_evaluation = selectors.evaluation_get(enrollment=enrollment)
    existing_attestation = selectors.attestation_get(enrollment=enrollment)
    if existing_evaluation and existing_attestation:
        if request.method == "POST":
            return _refuse(
                request,
                "You have already evaluated this course and signed the attestation.",
                status=409,
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
    if request.method == "GET":
        form = EvaluationForm(**form_kwargs)
        return _evaluation_response(request, course, form)
    try:
        form = EvaluationForm(data=_post(request), **form_kwargs)
    except BadInput as exc:
        return _refuse(request, str(exc), status=exc.status)
    if not form.is_valid():
        return _evaluation_response(request, course, form, status=400)
    try:
        with transaction.atomic():
            if form.need_evaluation:
                services.evaluation_submit(enrollment=enrollment, **form.evaluation_data())
            services.attestation_submit(
                enrollment=enrollment,
                confirmed=form.cleaned_data["attest"],
                accreditors=list(form.cleaned_data["claim"]),
            )
    except services.QuizError as exc:
        form.add_error(None, str(exc))
        return _evaluation_response(request, course, form, status=exc.status)
    messages.success(request, "Thank you: your evaluation and attestation are recorded.")
    return redirect(course.url)


def _evaluation_response(request, course, form, *, status=200):
    return TemplateResponse(
        request,
        "quizzes/evaluation_form.html",
        {"course": course, "form": form, "today": timezone.localdate()},
        status=status,
    )
