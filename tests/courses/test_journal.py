"""The reflection journal is private: only its author ever reads it."""

import pytest
from django.urls import reverse

from courses.models import JournalEntry
from courses.services import enrollment_create
from tests.courses.conftest import client_for
from tests.factories import lessons_of, totp_enable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

SECRET = "I felt irritated with my client on Tuesday and I am not proud of it."


@pytest.fixture
def lesson(course):
    return lessons_of(course)[0]


@pytest.fixture
def prompt_id(lesson):
    return next(b.id for b in lesson.body if b.block_type == "reflection_prompt")


@pytest.fixture
def author(course, clinician, lesson, prompt_id):
    enrollment_create(user=clinician, course=course)
    client = client_for(clinician)
    response = client.post(
        "/learn/journal/", {"lesson": lesson.pk, "prompt": prompt_id, "text": SECRET}
    )
    assert response.status_code == 302
    return client


def test_the_author_reads_their_reflection_back(author, lesson, clinician, prompt_id):
    html = author.get(lesson.url).content.decode()
    assert SECRET in html
    assert f'<textarea id="journal-{prompt_id}" name="text"' in html
    entry = JournalEntry.objects.get()
    assert (entry.user, entry.lesson_id, entry.prompt_id) == (clinician, lesson.pk, prompt_id)


def test_saving_with_script_answers_json(author, lesson, prompt_id):
    response = author.post(
        "/learn/journal/",
        {"lesson": lesson.pk, "prompt": prompt_id, "text": "Revised."},
        headers={"accept": "application/json"},
    )
    assert response.json() == {"saved": True}
    assert JournalEntry.objects.get().text == "Revised."


def test_another_clinician_never_sees_it(author, course, lesson, other_clinician, prompt_id):
    enrollment_create(user=other_clinician, course=course)
    other = client_for(other_clinician)
    html = other.get(lesson.url).content.decode()
    assert SECRET not in html
    # Writing to the same prompt makes their own entry; the author's is untouched.
    other.post("/learn/journal/", {"lesson": lesson.pk, "prompt": prompt_id, "text": "Mine."})
    assert JournalEntry.objects.get(user=other_clinician).text == "Mine."
    assert JournalEntry.objects.exclude(user=other_clinician).get().text == SECRET
    assert SECRET not in other.get("/dashboard/").content.decode()


def test_staff_viewing_the_lesson_never_see_it(author, lesson, administrator, django_user_model):
    superuser = django_user_model.objects.create_superuser(
        email="root@example.org", password="x-Long-pass-42", full_name="Root"
    )
    totp_enable(superuser)  # staff need it before any page answers
    for user in (administrator, superuser):
        client = client_for(user)
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        # Nor in the admin: the page editor, its preview, or a search of the admin.
        for url in (
            reverse("wagtailadmin_pages:edit", args=(lesson.pk,)),
            reverse("wagtailadmin_pages:view_draft", args=(lesson.pk,)),
            reverse("wagtailadmin_pages:search") + "?q=irritated",
            "/admin/",
        ):
            response = client.get(url)
            assert SECRET not in response.content.decode(), url


def test_the_journal_has_no_admin_screen(administrator):
    client = client_for(administrator)
    assert client.get("/admin/snippets/courses/journalentry/").status_code == 404
