"""Taking a post-test over HTTP: what the browser gets, and refusals of bad input."""

import re

import pytest
from django.urls import reverse

from quizzes.grading import answer_key
from quizzes.models import Attempt, ReviewPolicy
from quizzes.services import attempt_start
from tests.factories import UserFactory, q_multiple, q_single, q_true_false

pytestmark = pytest.mark.django_db

SECRET_RATIONALES = ["RATIONALE-ALPHA", "RATIONALE-BETA", "RATIONALE-GAMMA"]


@pytest.fixture
def questions():
    return [
        q_single("Stem one?", objective=1, rationale=SECRET_RATIONALES[0]),
        q_multiple("Stem two?", correct=(0, 2), objective=2, rationale=SECRET_RATIONALES[1]),
        q_true_false("Stem three.", objective=3, rationale=SECRET_RATIONALES[2]),
    ]


@pytest.fixture
def taking(client, enrollment_for, questions):
    """A logged-in clinician with an open attempt; returns (client, attempt)."""

    def make(**settings):
        enrollment = enrollment_for(questions=questions, **settings)
        client.force_login(enrollment.user)
        attempt = attempt_start(enrollment=enrollment)
        return client, attempt

    return make


def form_of(attempt, answers: dict) -> dict:
    return {f"q-{qid}": ids for qid, ids in answers.items()}


def submit_url(attempt):
    return reverse("quizzes:attempt_submit", args=[attempt.pk])


def unchanged(attempt):
    attempt.refresh_from_db()
    return attempt.is_open and attempt.answers == {} and attempt.score is None


# --- What the browser sees before submitting ------------------------------------------------


def test_the_taking_page_never_contains_the_key_or_rationales(taking):
    client, attempt = taking()
    response = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for rationale in SECRET_RATIONALES:
        assert rationale not in html
    assert "correct" not in html.lower().replace("csrf", "")
    # Every drawn choice is offered, by an opaque id, and nothing marks the right one.
    for question in attempt.questions:
        for choice in question["choices"]:
            tag = re.search(rf'<input[^>]*value="{choice["id"]}"[^>]*>', html).group(0)
            assert "checked" not in tag
    assert "data-correct" not in html


def test_the_post_test_page_and_course_page_never_contain_the_key(taking, questions):
    client, attempt = taking()
    for url in (attempt.post_test.url, attempt.enrollment.course.url):
        html = client.get(url).content.decode()
        for rationale in SECRET_RATIONALES:
            assert rationale not in html


def test_the_taking_page_is_one_form_of_fieldsets_with_legends(taking):
    client, attempt = taking()
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert html.count('<fieldset class="question"') == 3
    assert html.count("<legend>") >= 3
    # Every input has a label tied to it.
    for input_id in re.findall(r'<input type="(?:radio|checkbox)"[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html
    assert 'id="timer"' not in html
    assert "aria-live" not in html


def test_a_time_limit_shows_a_timer_announced_politely(taking):
    client, attempt = taking(time_limit_minutes=15)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'id="timer"' in html
    assert re.search(r'aria-live="polite"', html)
    assert "js/post-test.js" in html
    seconds = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
    assert 14 * 60 < seconds <= 15 * 60


# --- Submitting -----------------------------------------------------------------------------


def test_submitting_the_key_shows_score_pass_and_next_step(taking):
    client, attempt = taking(review_after_attempt=ReviewPolicy.SCORE, full_review_after_pass=True)
    response = client.post(submit_url(attempt), form_of(attempt, answer_key(attempt.questions)))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "100 %" in page and "100.00" not in page and "passed" in page
    assert reverse("quizzes:evaluation", args=[attempt.enrollment.course_id]) in page
    # After passing, the full review with rationales is open.
    for rationale in SECRET_RATIONALES:
        assert rationale in page


def test_a_failed_attempt_shows_attempts_left_and_only_what_the_policy_allows(taking):
    client, attempt = taking(review_after_attempt=ReviewPolicy.WRONG, attempts_allowed=3)
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    client.post(submit_url(attempt), form_of(attempt, wrong))
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Not passed" in page
    assert "Attempts left: 2 of 3" in page
    assert "Not correct" in page
    for rationale in SECRET_RATIONALES:
        assert rationale not in page
    assert "correct answer</strong>" not in page
    assert "Start attempt 2" in page


def test_a_score_only_policy_shows_no_questions_after_a_fail(taking):
    client, attempt = taking(review_after_attempt=ReviewPolicy.SCORE)
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    assert client.post(submit_url(attempt), form_of(attempt, wrong)).status_code == 302
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Your score: <strong>0 %</strong>" in page
    assert "Stem one?" not in page
    assert "score only" in page


def test_missing_answers_are_refused_with_the_question_numbers_and_kept(taking):
    client, attempt = taking()
    first = attempt.questions[0]
    picked = first["choices"][1]["id"]
    response = client.post(submit_url(attempt), {f"q-{first['id']}": picked})
    html = response.content.decode()
    assert response.status_code == 400
    assert "unanswered: 2, 3" in html
    assert 'role="alert"' in html
    # Each unanswered question is a link to it, in the error summary the page focuses.
    assert re.search(r'id="form-error" tabindex="-1"', html)
    assert '<a href="#question-2">question 2</a>, <a href="#question-3">question 3</a>' in html
    assert 'href="#question-1"' not in html
    assert re.search(rf'value="{picked}"[^>]*checked', html)
    assert unchanged(attempt)


def _unknown_question(attempt) -> dict:
    return form_of(attempt, answer_key(attempt.questions)) | {"q-not-a-question": "x"}


def _choice_of_another_question(attempt) -> dict:
    key = answer_key(attempt.questions)
    a, b = attempt.questions[0], attempt.questions[1]
    key[a["id"]] = [b["choices"][0]["id"]]
    return form_of(attempt, key)


def _too_many_fields(attempt) -> dict:
    return {f"q-{i}": "x" for i in range(300)}


def _overlong_ids(attempt) -> dict:
    return {f"q-{attempt.questions[0]['id']}": "z" * 500}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (_unknown_question, "not part of this attempt"),
        (_choice_of_another_question, "does not belong to that question"),
        (_too_many_fields, "more answers than any post-test has"),
        (_overlong_ids, "malformed"),
    ],
    ids=["unknown question", "choice of another question", "too many fields", "overlong ids"],
)
def test_a_malformed_submission_is_refused_and_changes_nothing(taking, form, message):
    client, attempt = taking()
    response = client.post(submit_url(attempt), form(attempt))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert unchanged(attempt)


def test_an_attempt_of_someone_else_is_not_found(taking, client):
    _owner_client, attempt = taking()
    intruder = UserFactory()
    client.force_login(intruder)
    key = form_of(attempt, answer_key(attempt.questions))
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 404
    response = client.post(submit_url(attempt), key)
    assert response.status_code == 404
    assert "no such attempt" in response.content.decode()
    assert unchanged(attempt)


def test_a_huge_submission_is_refused(taking, settings):
    client, attempt = taking()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    response = client.post(submit_url(attempt), {"q-x": "a" * 60_000})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert unchanged(attempt)


def test_a_double_submit_over_http_is_refused_and_changes_nothing(taking):
    client, attempt = taking()
    key = form_of(attempt, answer_key(attempt.questions))
    assert client.post(submit_url(attempt), key).status_code == 302
    attempt.refresh_from_db()
    before = (attempt.submitted_at, attempt.score, attempt.answers)
    response = client.post(submit_url(attempt), {})
    assert response.status_code == 409
    assert "graded once" in response.content.decode()
    assert reverse("quizzes:attempt", args=[attempt.pk]) in response.content.decode()
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.score, attempt.answers) == before


def test_submit_takes_post_only(taking):
    client, attempt = taking()
    assert client.get(submit_url(attempt)).status_code == 405


def test_a_late_submit_says_the_answers_were_not_graded(taking):
    from datetime import timedelta

    from django.utils import timezone

    client, attempt = taking(time_limit_minutes=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=2))
    response = client.post(
        submit_url(attempt), form_of(attempt, answer_key(attempt.questions)), follow=True
    )
    html = response.content.decode()
    assert "Time ran out" in html and "not graded" in html
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED and not attempt.passed


# --- Starting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({}, 400, "must be a page id"),
        ({"post_test": "abc"}, 400, "must be a page id"),
        ({"post_test": "²"}, 400, "must be a page id"),
        ({"post_test": "١٢"}, 400, "must be a page id"),
        ({"post_test": "9" * 40}, 400, "must be a page id"),
        ({"post_test": "999999"}, 404, "no such post-test"),
    ],
)
def test_start_refuses_malformed_input(client, enrollment_for, data, status, message):
    enrollment = enrollment_for()
    client.force_login(enrollment.user)
    response = client.post(reverse("quizzes:attempt_start"), data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Attempt.objects.exists()


def test_start_refuses_a_post_test_of_a_course_one_is_not_enrolled_in(client, enrollment_for):
    enrollment = enrollment_for()
    client.force_login(UserFactory())
    post_test = enrollment.course.get_children().live().last().specific
    response = client.post(reverse("quizzes:attempt_start"), {"post_test": post_test.pk})
    assert response.status_code == 403
    assert not Attempt.objects.exists()


def test_start_before_the_lessons_are_done_is_refused(client, enrollment_for):
    enrollment = enrollment_for(lessons_done=False)
    client.force_login(enrollment.user)
    post_test = enrollment.course.get_children().live().last().specific
    page = client.get(post_test.url).content.decode()
    assert "unlocks when every lesson" in page
    assert "Start the post-test" not in page
    response = client.post(reverse("quizzes:attempt_start"), {"post_test": post_test.pk})
    assert response.status_code == 403
    assert not Attempt.objects.exists()


def test_start_over_http_opens_the_attempt_page(client, enrollment_for):
    enrollment = enrollment_for()
    client.force_login(enrollment.user)
    post_test = enrollment.course.get_children().live().last().specific
    page = client.get(post_test.url).content.decode()
    assert "Start the post-test" in page
    response = client.post(reverse("quizzes:attempt_start"), {"post_test": post_test.pk})
    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("quizzes:attempt", args=[attempt.pk])


def test_the_course_page_lists_the_attempt_history(client, enrollment_for):
    enrollment = enrollment_for()
    client.force_login(enrollment.user)
    attempt = attempt_start(enrollment=enrollment)
    client.post(submit_url(attempt), form_of(attempt, answer_key(attempt.questions)))
    html = client.get(enrollment.course.url).content.decode()
    assert "Attempt 1," in html and "100 % — passed" in html
