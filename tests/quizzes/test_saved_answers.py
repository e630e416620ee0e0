"""Post-test answers saved as they are chosen: kept on the server per attempt,
shown again after a reload and on another device, never graded early, never
revealing the key, and refused once the attempt is closed or its time is up."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.services import enrollment_unenroll
from quizzes.grading import answer_key
from quizzes.models import Attempt
from quizzes.services import attempt_start
from tests.factories import UserFactory, q_multiple, q_single, q_true_false

pytestmark = pytest.mark.django_db


@pytest.fixture
def taking(client, enrollment_for):
    """A signed-in clinician with an open attempt of three questions (one of each
    kind); returns (client, attempt). Settings go to the post-test."""

    def make(**settings):
        enrollment = enrollment_for(
            questions=[
                q_single("Stem one?", objective=1, rationale="RATIONALE-ONE"),
                q_multiple("Stem two?", correct=(0, 2), objective=2),
                q_true_false("Stem three.", objective=3),
            ],
            **settings,
        )
        client.force_login(enrollment.user)
        return client, attempt_start(enrollment=enrollment)

    return make


def save(client, attempt, question_id, *choice_ids):
    return client.post(
        reverse("quizzes:attempt_answer_save", args=[attempt.pk]),
        {"question": question_id, "choice": list(choice_ids)},
        HTTP_ACCEPT="application/json",
    )


def page_of(client, attempt) -> str:
    response = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def checked_values(html: str) -> set[str]:
    return set(re.findall(r'<input[^>]*value="([^"]+)"[^>]*checked', html))


def of_kind(attempt, kind: str) -> dict:
    return next(q for q in attempt.questions if q["kind"] == kind)


def draft_of(attempt) -> dict:
    attempt.refresh_from_db()
    return attempt.draft


def test_a_saved_answer_is_checked_again_after_a_reload(taking):
    client, attempt = taking()
    first, second = of_kind(attempt, "single"), of_kind(attempt, "multiple")
    one = first["choices"][2]["id"]
    two = [second["choices"][0]["id"], second["choices"][3]["id"]]
    assert checked_values(page_of(client, attempt)) == set()

    response = save(client, attempt, first["id"], one)
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert save(client, attempt, second["id"], *two).status_code == 200

    assert checked_values(page_of(client, attempt)) == {one, *two}
    assert draft_of(attempt) == {first["id"]: [one], second["id"]: two}


def test_saved_answers_show_on_another_device(taking):
    client, attempt = taking()
    question = attempt.questions[0]
    chosen = question["choices"][1]["id"]
    save(client, attempt, question["id"], chosen)

    phone = Client()  # another browser: its own session, the same clinician
    phone.force_login(attempt.enrollment.user)
    assert phone.session.session_key != client.session.session_key
    assert checked_values(page_of(phone, attempt)) == {chosen}


def test_choosing_again_replaces_the_answer_and_unticking_every_box_clears_it(taking):
    client, attempt = taking()
    single, multiple = of_kind(attempt, "single"), of_kind(attempt, "multiple")
    save(client, attempt, single["id"], single["choices"][0]["id"])
    save(client, attempt, single["id"], single["choices"][3]["id"])
    save(client, attempt, multiple["id"], multiple["choices"][1]["id"])
    save(client, attempt, multiple["id"])  # the last box unticked
    assert draft_of(attempt) == {single["id"]: [single["choices"][3]["id"]]}


def test_saving_never_grades_and_the_answer_gives_nothing_away(taking):
    client, attempt = taking()
    key = answer_key(attempt.questions)
    for qid, right in key.items():
        response = save(client, attempt, qid, *right)
        assert response.json().keys() == {"saved", "saved_at"}
    attempt.refresh_from_db()
    assert attempt.is_open
    assert attempt.score is None and attempt.results == {} and attempt.answers == {}
    html = page_of(client, attempt)
    assert "RATIONALE-ONE" not in html and "data-correct" not in html


def test_grading_uses_the_submitted_answers_not_the_saved_ones(taking):
    client, attempt = taking()
    key = answer_key(attempt.questions)
    for qid, right in key.items():
        save(client, attempt, qid, *right)
    wrong = {}
    for question in attempt.questions:
        others = [c["id"] for c in question["choices"] if c["id"] not in key[question["id"]]]
        wrong[f"q-{question['id']}"] = others[:1]
    response = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]), wrong)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.score == 0 and not attempt.passed


def test_saving_after_the_submit_is_refused_and_changes_nothing(taking):
    client, attempt = taking()
    key = answer_key(attempt.questions)
    client.post(
        reverse("quizzes:attempt_submit", args=[attempt.pk]),
        {f"q-{qid}": ids for qid, ids in key.items()},
    )
    question = of_kind(attempt, "single")
    before = draft_of(attempt)
    response = save(client, attempt, question["id"], question["choices"][1]["id"])
    assert response.status_code == 409
    assert "closed" in response.json()["error"]
    assert draft_of(attempt) == before
    attempt.refresh_from_db()
    assert attempt.passed and attempt.answers == key


def test_saving_after_the_time_limit_is_refused_by_the_server(taking):
    client, attempt = taking(time_limit_minutes=10)
    question = attempt.questions[0]
    save(client, attempt, question["id"], question["choices"][0]["id"])
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = save(client, attempt, question["id"], question["choices"][1]["id"])
    assert response.status_code == 409
    assert "time limit has passed" in response.json()["error"]
    assert draft_of(attempt) == {question["id"]: [question["choices"][0]["id"]]}


def test_saving_long_after_the_deadline_closes_the_attempt_ungraded(taking):
    client, attempt = taking(time_limit_minutes=10)
    key = answer_key(attempt.questions)
    for qid, right in key.items():
        save(client, attempt, qid, *right)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(hours=1))
    question = attempt.questions[0]
    response = save(client, attempt, question["id"], question["choices"][1]["id"])
    assert response.status_code == 409
    assert "Time ran out" in response.json()["error"]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED
    assert attempt.score == 0 and not attempt.passed, "saved answers are never graded"


def test_another_clinicians_attempt_is_not_found(taking):
    _client, attempt = taking()
    question = attempt.questions[0]
    stranger = Client()
    stranger.force_login(UserFactory())
    response = save(stranger, attempt, question["id"], question["choices"][0]["id"])
    assert response.status_code == 404
    assert response.json() == {"error": "There is no such attempt."}
    assert draft_of(attempt) == {}


@pytest.mark.parametrize(
    "bad",
    ["unknown-question", "foreign-choice", "two-answers-to-one", "no-question", "long-id"],
)
def test_malformed_answers_are_refused_with_a_message_and_change_nothing(taking, bad):
    client, attempt = taking()
    single, multiple = of_kind(attempt, "single"), of_kind(attempt, "multiple")
    save(client, attempt, single["id"], single["choices"][0]["id"])
    before = draft_of(attempt)
    question, choices = {
        "unknown-question": ("not-a-question", [single["choices"][1]["id"]]),
        "foreign-choice": (single["id"], [multiple["choices"][1]["id"]]),
        "two-answers-to-one": (single["id"], [c["id"] for c in single["choices"][:2]]),
        "no-question": ("", [single["choices"][1]["id"]]),
        "long-id": (single["id"], ["x" * 500]),
    }[bad]
    response = save(client, attempt, question, *choices)
    assert response.status_code == 400
    assert "saved" not in response.json() and response.json()["error"]
    assert draft_of(attempt) == before


def test_after_unenrolling_answers_are_no_longer_saved(taking):
    client, attempt = taking()
    enrollment_unenroll(enrollment=attempt.enrollment)
    question = attempt.questions[0]
    response = save(client, attempt, question["id"], question["choices"][0]["id"])
    assert response.status_code == 403
    assert draft_of(attempt) == {}


def test_the_save_takes_posts_only(taking):
    client, attempt = taking()
    response = client.get(reverse("quizzes:attempt_answer_save", args=[attempt.pk]))
    assert response.status_code == 405
