"""Importing questions into a post-test through the admin (GIFT or CSV): the
preview, the per-line errors, the confirmation into a draft revision, and every
bad input refused with nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry

from quizzes.models import PostTestPage
from tests.factories import InstructorFactory, UserFactory, course_build, staff_user

pytestmark = pytest.mark.django_db

GIFT = """// objective: 2
::Withdrawal::Which marker signals a withdrawal rupture? {
  =The client falls silent and agrees too readily
  ~The client criticises the therapist
  ~The client arrives early
####Withdrawal ruptures show as deference and silence.}

// objective: 1
Ruptures are rare in good therapy.{F####They are common; repairing them helps.}
"""


@pytest.fixture
def authored():
    """An instructor's own live course and post-test, and a client signed in as them."""
    user = staff_user(group="Instructors")
    course = course_build(owner=user, instructor=InstructorFactory(user=user))
    post_test = PostTestPage.objects.child_of(course).get().specific
    client = Client()
    client.force_login(user)
    return client, course, post_test


def url_of(post_test):
    return reverse("quizzes_post_tests:question_import", args=[post_test.pk])


def state_of(post_test):
    page = PostTestPage.objects.get(pk=post_test.pk)
    return page.revisions.count(), page.latest_revision_id, len(page.questions)


def test_an_instructor_previews_a_gift_file_then_imports_it_into_a_draft(authored):
    client, course, post_test = authored
    before = state_of(post_test)
    objectives = list(course.objectives.all())

    response = client.post(
        url_of(post_test),
        {
            "file_format": "gift",
            "upload": SimpleUploadedFile("questions.txt", GIFT.encode(), "text/plain"),
            "action": "preview",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 questions ready. Nothing has been saved yet" in html
    assert "<strong>The client falls silent and agrees too readily</strong> (right)" in html
    assert "The client arrives early" in html
    assert f"2. {objectives[1].text}" in html and f"1. {objectives[0].text}" in html
    assert "<strong>False</strong> (right)" in html
    assert "data-import-confirm" in html
    assert state_of(post_test) == before, "a preview writes nothing"

    # The confirmation posts the previewed text back (the form now holds it).
    form = response.context["form"]
    response = client.post(
        url_of(post_test),
        {
            "file_format": "gift",
            "text": form.data["text"],
            "default_objective": "",
            "base_revision": form.data["base_revision"],
            "action": "confirm",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[post_test.pk])
    page = PostTestPage.objects.get(pk=post_test.pk)
    assert page.revisions.count() == before[0] + 1
    assert len(page.questions) == before[2], "the live post-test is unchanged"
    assert page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    added = list(draft.questions)[before[2] :]
    assert [b.block_type for b in added] == ["single", "true_false"]
    assert added[0].value["stem"] == "Which marker signals a withdrawal rupture?"
    assert [c["correct"] for c in added[0].value["choices"]] == [True, False, False]
    assert all(child.id for child in added[0].value["choices"].bound_blocks)
    assert [b.value["objective"] for b in added] == [str(objectives[1].key), str(objectives[0].key)]
    assert added[1].value["correct_answer"] == "false"
    assert draft.latest_revision.user_id == response.wsgi_request.user.pk
    entry = PageLogEntry.objects.filter(page=page, action="practicum.questions_import").get()
    assert entry.data == {"questions": 2, "format": "gift"}
    assert entry.message == "2 questions imported from GIFT"

    # Sent twice (a double click), the second confirmation is refused: nothing more.
    again = client.post(
        url_of(post_test),
        {
            "file_format": "gift",
            "text": form.data["text"],
            "base_revision": form.data["base_revision"],
            "action": "confirm",
        },
    )
    assert again.status_code == 409
    assert "The post-test changed since this preview" in again.content.decode()
    assert "data-import-confirm" not in again.content.decode()
    assert PostTestPage.objects.get(pk=post_test.pk).revisions.count() == before[0] + 1


def test_pasted_csv_takes_the_default_objective_for_rows_that_name_none(authored):
    client, course, post_test = authored
    objectives = list(course.objectives.all())
    text = (
        "type,question,choice_1,choice_2,choice_3,correct,rationale,objective\n"
        "single,Which one?,A,B,C,2,Because B.,\n"
        "multiple,Which ones?,A,B,C,1;3,A and C.,3\n"
    )
    preview = client.post(
        url_of(post_test),
        {
            "file_format": "csv",
            "text": text,
            "default_objective": str(objectives[0].key),
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    form = preview.context["form"]
    response = client.post(url_of(post_test), {**form.data.dict(), "action": "confirm"})
    assert response.status_code == 302
    draft = PostTestPage.objects.get(pk=post_test.pk).get_latest_revision_as_object()
    added = list(draft.questions)[-2:]
    assert [b.value["objective"] for b in added] == [str(objectives[0].key), str(objectives[2].key)]
    assert added[1].value["partial_credit"] is False


def test_a_malformed_line_is_reported_by_number_and_nothing_can_be_imported(authored):
    client, _, post_test = authored
    before = state_of(post_test)
    text = GIFT + "\n// objective: 9\nWhich? {=a ~b####R.}\n\nWrite an essay about it. {}\n"
    for action in ("preview", "confirm"):
        response = client.post(
            url_of(post_test),
            {
                "file_format": "gift",
                "text": text,
                "base_revision": before[1],
                "action": action,
            },
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "2 lines refused: nothing can be imported until they are corrected." in html
        assert "Line 12: objective “9” is not one of the course&#x27;s" in html
        assert "Line 14: essay questions ({}) are not supported" in html
        assert "data-import-confirm" not in html
    assert state_of(post_test) == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02binary", "The file is not plain text (it holds binary data)."),
        ("Caf\xe9? {T####R.}".encode("latin-1"), "The file is not UTF-8 text"),
        (b"Q? {T####R.}\n" * 30_000, "The file is too large (more than 256 KB)"),
    ],
)
def test_an_empty_binary_non_utf8_or_oversized_file_is_refused(authored, upload, message):
    client, _, post_test = authored
    before = state_of(post_test)
    response = client.post(
        url_of(post_test),
        {
            "file_format": "gift",
            "upload": SimpleUploadedFile("questions.txt", upload, "text/plain"),
            "action": "confirm",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was imported." in response.content.decode()
    assert state_of(post_test) == before


def test_neither_a_file_nor_text_is_refused(authored):
    client, _, post_test = authored
    response = client.post(url_of(post_test), {"file_format": "gift", "action": "preview"})
    assert response.status_code == 400
    assert "Upload a file or paste the questions." in response.content.decode()


def test_only_those_who_may_edit_the_post_test_can_import(authored):
    _, _, post_test = authored
    other = Client()
    other.force_login(staff_user(group="Instructors"))
    assert other.get(url_of(post_test)).status_code == 404
    clinician = Client()
    clinician.force_login(UserFactory())
    assert clinician.get(url_of(post_test)).status_code in (302, 403)
    admin = Client()
    admin.force_login(staff_user(group="Administrators"))
    response = admin.get(url_of(post_test))
    assert response.status_code == 200
    assert "Import questions" in response.content.decode()


def test_the_post_test_editor_links_to_the_import(authored):
    client, _, post_test = authored
    html = client.get(reverse("wagtailadmin_pages:edit", args=[post_test.pk])).content.decode()
    assert f'href="{url_of(post_test)}"' in html


def test_a_course_built_without_a_post_test_id_is_a_404(authored):
    client, course, _ = authored
    assert (
        client.get(reverse("quizzes_post_tests:question_import", args=[course.pk])).status_code
        == 404
    )


def test_a_post_test_locked_by_someone_else_is_refused_and_nothing_is_written(authored):
    client, _, post_test = authored
    preview = client.post(
        url_of(post_test), {"file_format": "gift", "text": GIFT, "action": "preview"}
    )
    form = preview.context["form"]
    PostTestPage.objects.filter(pk=post_test.pk).update(
        locked=True, locked_by=staff_user(group="Administrators")
    )
    before = state_of(post_test)
    response = client.post(url_of(post_test), {**form.data.dict(), "action": "confirm"})
    assert response.status_code == 409
    assert "The post-test cannot be edited now" in response.content.decode()
    assert state_of(post_test) == before
