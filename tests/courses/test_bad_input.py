"""Bad input in every POST of the learning views: malformed or foreign ids,
unpublished pages, other people's things, oversized text. Each gets a clear 4xx
message and changes nothing."""

import pytest

from courses.models import Enrollment, JournalEntry, LessonProgress
from courses.services import enrollment_create, enrollment_unenroll
from tests.courses.conftest import client_for
from tests.factories import course_build, lessons_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

MALFORMED_IDS = ["", "abc", "-1", "1.5", "1e3", " 1", "١٢", "9" * 20, "0x10"]


def _state():
    """Everything a learning POST could change."""
    return (
        sorted(
            Enrollment.objects.values_list(
                "id", "user_id", "course_id", "status", "unenrolled_at", "last_lesson_id"
            )
        ),
        sorted(
            LessonProgress.objects.values_list(
                "id", "lesson_id", "completed_at", "active_seconds", "last_heartbeat_at"
            )
        ),
        sorted(JournalEntry.objects.values_list("id", "user_id", "lesson_id", "prompt_id", "text")),
    )


@pytest.fixture
def world(clinician, other_clinician):
    """A clinician enrolled in one course with some progress; a draft course; another
    clinician's enrollment and journal in a course the first one never joined."""
    mine = course_build(title="Mine", lessons=1, hours="0.25")
    draft = course_build(title="Draft", lessons=1, hours="0.25", publish=False)
    theirs = course_build(title="Theirs", lessons=1, hours="0.25")
    enrollment_create(user=clinician, course=mine)
    enrollment_create(user=other_clinician, course=theirs)
    client = client_for(clinician)
    lesson = lessons_of(mine)[0]
    client.get(lesson.url)
    client.post("/learn/heartbeat/", {"lesson": lesson.pk, "seconds": "0"})
    their_lesson = lessons_of(theirs)[0]
    prompt = next(b.id for b in their_lesson.body if b.block_type == "reflection_prompt")
    JournalEntry.objects.create(
        user=other_clinician, lesson=their_lesson, prompt_id=prompt, text="Theirs."
    )
    return {
        "client": client,
        "mine": mine,
        "lesson": lesson,
        "prompt": next(b.id for b in lesson.body if b.block_type == "reflection_prompt"),
        "draft": draft,
        "draft_lesson": lessons_of(draft)[0] if lessons_of(draft) else None,
        "theirs": theirs,
        "their_lesson": their_lesson,
        "their_prompt": prompt,
    }


def _assert_refused(response, before, message, *, status=400):
    assert status <= response.status_code < 500
    assert response.status_code == status
    body = response.content.decode()
    assert message in body, body[:2000]
    assert _state() == before, "a refused request changed nothing"


@pytest.mark.parametrize(
    ("url", "field", "extra"),
    [
        ("/learn/enroll/", "course", {}),
        ("/learn/unenroll/", "course", {}),
        ("/learn/complete/", "lesson", {}),
        ("/learn/heartbeat/", "lesson", {"seconds": "30"}),
        ("/learn/journal/", "lesson", {"prompt": "x", "text": "Hello"}),
    ],
)
def test_malformed_ids_are_refused(world, url, field, extra):
    before = _state()
    for raw in MALFORMED_IDS:
        response = world["client"].post(url, {field: raw, **extra})
        _assert_refused(response, before, f"“{field}” must be a page id (digits only).")


FOREIGN_CASES = [
    # A page of another type, an id that does not exist, an unpublished page.
    (
        "/learn/enroll/",
        "course",
        "lesson",
        {},
        "There is no published course page with that id.",
    ),
    (
        "/learn/enroll/",
        "course",
        "missing",
        {},
        "There is no published course page with that id.",
    ),
    (
        "/learn/enroll/",
        "course",
        "draft",
        {},
        "There is no published course page with that id.",
    ),
    (
        "/learn/unenroll/",
        "course",
        "lesson",
        {},
        "There is no published course page with that id.",
    ),
    (
        "/learn/unenroll/",
        "course",
        "draft",
        {},
        "There is no published course page with that id.",
    ),
    (
        "/learn/complete/",
        "lesson",
        "mine",
        {},
        "There is no published lesson page with that id.",
    ),
    (
        "/learn/complete/",
        "lesson",
        "missing",
        {},
        "There is no published lesson page with that id.",
    ),
    (
        "/learn/journal/",
        "lesson",
        "mine",
        {"prompt": "p", "text": "t"},
        "There is no published lesson page with that id.",
    ),
    ("/learn/heartbeat/", "lesson", "missing", {"seconds": "30"}, "There is no such lesson."),
    ("/learn/heartbeat/", "lesson", "mine", {"seconds": "30"}, "There is no such lesson."),
]


def test_foreign_missing_and_unpublished_pages_are_refused(world):
    ids = {
        "lesson": world["lesson"].pk,
        "mine": world["mine"].pk,
        "draft": world["draft"].pk,
        "missing": 987654321,
    }
    before = _state()
    for url, field, target, extra, message in FOREIGN_CASES:
        response = world["client"].post(url, {field: str(ids[target]), **extra})
        _assert_refused(response, before, message)


def test_lessons_of_a_course_one_never_joined_are_refused(world):
    client, lesson = world["client"], world["their_lesson"]
    for url, data in (
        ("/learn/complete/", {"lesson": lesson.pk}),
        ("/learn/heartbeat/", {"lesson": lesson.pk, "seconds": "30"}),
        (
            "/learn/journal/",
            {"lesson": lesson.pk, "prompt": world["their_prompt"], "text": "Mine now."},
        ),
    ):
        before = _state()
        _assert_refused(client.post(url, data), before, "Enroll in the course first.")
    assert JournalEntry.objects.get(lesson=lesson).text == "Theirs."


def test_leaving_a_course_one_never_joined_is_refused(world):
    before = _state()
    response = world["client"].post("/learn/unenroll/", {"course": world["theirs"].pk})
    _assert_refused(response, before, "You are not enrolled in this course.", status=404)


def test_leaving_twice_is_refused_the_second_time(world, clinician):
    client = world["client"]
    assert client.post("/learn/unenroll/", {"course": world["mine"].pk}).status_code == 302
    before = _state()
    response = client.post("/learn/unenroll/", {"course": world["mine"].pk})
    _assert_refused(response, before, "You already left this course.")


def test_malformed_heartbeat_seconds_are_refused(world):
    before = _state()
    for seconds in ["", "-5", "abc", "1.5", "9999999", "３０"]:
        response = world["client"].post(
            "/learn/heartbeat/", {"lesson": world["lesson"].pk, "seconds": seconds}
        )
        _assert_refused(response, before, "“seconds” must be a whole number of seconds.")
        assert response["Content-Type"] == "application/json"


def test_oversized_reflections_are_refused(world):
    before = _state()
    response = world["client"].post(
        "/learn/journal/",
        {"lesson": world["lesson"].pk, "prompt": world["prompt"], "text": "x" * 20_001},
    )
    _assert_refused(response, before, "A reflection can hold up to 20,000 characters.")


def test_reflections_with_a_null_character_are_refused(world):
    before = _state()
    response = world["client"].post(
        "/learn/journal/",
        {"lesson": world["lesson"].pk, "prompt": world["prompt"], "text": "Before\x00after"},
    )
    _assert_refused(response, before, "contains a null character")


@pytest.mark.parametrize(
    "query",
    ["topic=%00", "q=%00", "q=stuck%00treatment", "profession=%00", "hours=%00", "%00=1"],
)
def test_catalog_filters_with_a_null_character_are_refused_with_a_message(world, query):
    response = world["client"].get(f"/courses/?{query}")
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert world["client"].get("/courses/?q=stuck").status_code == 200


def test_prompts_not_in_the_lesson_are_refused(world):
    before = _state()
    for prompt in ["", "not-a-prompt", "x" * 65, world["their_prompt"]]:
        response = world["client"].post(
            "/learn/journal/", {"lesson": world["lesson"].pk, "prompt": prompt, "text": "Hello"}
        )
        _assert_refused(response, before, "That reflection prompt is not part of this lesson.")


def test_refusals_answer_json_to_scripts(world):
    before = _state()
    response = world["client"].post(
        "/learn/journal/",
        {"lesson": "abc", "prompt": "p", "text": "t"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"error": "“lesson” must be a page id (digits only)."}
    assert _state() == before


def test_completing_lessons_after_leaving_is_refused(world, clinician):
    enrollment_unenroll(enrollment=Enrollment.objects.get(user=clinician, course=world["mine"]))
    before = _state()
    response = world["client"].post("/learn/complete/", {"lesson": world["lesson"].pk})
    _assert_refused(response, before, "Enroll in the course first.")


@pytest.mark.parametrize(
    "url",
    [
        "/learn/enroll/",
        "/learn/unenroll/",
        "/learn/complete/",
        "/learn/heartbeat/",
        "/learn/journal/",
    ],
)
def test_learning_actions_only_accept_post_from_a_logged_in_user(world, url, client):
    before = _state()
    assert world["client"].get(url).status_code == 405
    response = client.post(url, {"course": world["mine"].pk, "lesson": world["lesson"].pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _state() == before
