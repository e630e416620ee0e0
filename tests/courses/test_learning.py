"""Learning, through real HTTP: enroll in one click, read lessons in order, mark
them complete, resume, leave and come back, and the dashboard's progress."""

import re

import pytest
from django.contrib.messages import get_messages

from courses.models import Enrollment, LessonProgress
from tests.courses.conftest import StandInSteps, client_for
from tests.factories import course_build, lessons_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def _enroll(client, course):
    return client.post("/learn/enroll/", {"course": course.pk})


def _card(html: str, title: str) -> str:
    """The dashboard card of one course."""
    for card in re.split(r'<li class="card"\s+data-enrollment=', html)[1:]:
        if f">{title}</a></h3>" in card:
            return card
    raise AssertionError(f"no dashboard card for {title}")


def _open(client, lesson):
    """Open the lesson as a browser does: its page, then the first heartbeat."""
    response = client.get(lesson.url)
    client.post("/learn/heartbeat/", {"lesson": lesson.pk, "seconds": "0"})
    return response


def _served(html: str) -> str:
    return re.search(r'name="served" value="([^"]*)"', html).group(1)


def _complete(client, lesson):
    """Read the lesson (its page), then press "Mark lesson complete" (the form
    carries the proof the page was served: no script, no heartbeat needed)."""
    html = client.get(lesson.url).content.decode()
    return client.post("/learn/complete/", {"lesson": lesson.pk, "served": _served(html)})


def test_enrolling_is_one_click_and_opens_the_lessons(course, clinician):
    client = client_for(clinician)
    html = client.get(course.url).content.decode()
    assert "Enroll" in html
    assert 'action="/learn/enroll/"' in html

    response = _enroll(client, course)
    assert response.status_code == 302
    assert response["Location"] == course.url
    enrollment = Enrollment.objects.get(user=clinician, course=course)
    assert enrollment.status == Enrollment.Status.ACTIVE

    html = client.get(course.url).content.decode()
    assert "Your progress" in html
    for lesson in lessons_of(course):
        assert f'href="{lesson.url}"' in html
    assert "Start the first lesson" in html


def test_enrolling_twice_keeps_one_enrollment(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    _enroll(client, course)
    assert Enrollment.objects.filter(user=clinician, course=course).count() == 1


def test_lessons_are_for_enrolled_clinicians(course, clinician):
    lesson = lessons_of(course)[0]
    response = client_for(clinician).get(lesson.url)
    assert response.status_code == 302
    assert response["Location"] == course.url
    assert "Enroll in the course to read its lessons." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    from django.test import Client

    response = Client().get(lesson.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_lesson_never_opened_cannot_be_marked_complete(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    first, second, _ = lessons_of(course)
    served_first = _served(_open(client, first).content.decode())

    for forged in ["", served_first, served_first[:-2] + "xx"]:  # none, another lesson's, bad
        response = client.post("/learn/complete/", {"lesson": second.pk, "served": forged})
        assert response.status_code == 400
        assert "read it before marking it complete" in response.content.decode()
    assert not LessonProgress.objects.filter(lesson=second).exists()
    _open(client, second)  # its first heartbeat opens the row
    assert client.post("/learn/complete/", {"lesson": second.pk}).status_code == 302
    assert LessonProgress.objects.get(lesson=second).completed_at is not None


def test_marking_lessons_complete_checks_them_in_the_outline_and_moves_on(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    first, second, third = lessons_of(course)
    html = client.get(first.url).content.decode()
    assert "Mark lesson complete" in html

    response = _complete(client, first)
    assert response.status_code == 302
    assert response["Location"] == second.url
    assert LessonProgress.objects.get(lesson=first).completed_at is not None

    html = client.get(second.url).content.decode()
    outline = html[html.index('aria-label="Course outline"') :]
    assert re.search(
        rf'<li class="done"><a href="{re.escape(first.url)}">Lesson 1</a>'
        r'<span class="visually-hidden"> \(complete\)</span>',
        outline,
    )
    assert f'<li class="todo"><a href="{second.url}" aria-current="page">Lesson 2</a>' in outline
    # Completing the last lesson returns to the course.
    _complete(client, second)
    response = _complete(client, third)
    assert response["Location"] == course.url
    # Marking again changes nothing.
    stamp = LessonProgress.objects.get(lesson=third).completed_at
    _complete(client, third)
    assert LessonProgress.objects.get(lesson=third).completed_at == stamp


def test_previous_and_next_links_follow_the_outline(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    first, second, third = lessons_of(course)
    html = client.get(first.url).content.decode()
    assert "← Previous" not in html
    assert f'<a href="{second.url}" rel="next">Next: Lesson 2 →</a>' in html
    html = client.get(second.url).content.decode()
    assert f'<a href="{first.url}" rel="prev">← Previous: Lesson 1</a>' in html
    assert f'<a href="{third.url}" rel="next">Next: Lesson 3 →</a>' in html
    assert "Lesson 2 of 3" in html
    html = client.get(third.url).content.decode()
    assert f'<a href="{course.url}">Back to the course →</a>' in html


def test_resume_where_you_left_off(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    first, second, _third = lessons_of(course)
    _open(client, second)
    html = client.get(course.url).content.decode()
    assert re.search(
        rf'<a class="button" href="{re.escape(second.url)}">Resume where you left off', html
    )
    # Finished the lesson being read: resume at the first one still open.
    _complete(client, second)
    html = client.get(course.url).content.decode()
    assert re.search(
        rf'<a class="button" href="{re.escape(first.url)}">Resume where you left off', html
    )
    html = client.get("/dashboard/").content.decode()
    assert f'href="{first.url}">Resume: Lesson 1</a>' in html


def test_leaving_a_course_keeps_its_history_and_re_enrolling_restores_it(course, clinician):
    client = client_for(clinician)
    _enroll(client, course)
    first = lessons_of(course)[0]
    _complete(client, first)
    client.post(
        "/learn/journal/",
        {"lesson": first.pk, "prompt": first.body[1].id, "text": "A private thought."},
    )

    response = client.post("/learn/unenroll/", {"course": course.pk})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    enrollment = Enrollment.objects.get(user=clinician, course=course)
    assert enrollment.status == Enrollment.Status.UNENROLLED
    assert enrollment.unenrolled_at is not None
    assert (
        LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).count()
        == 1
    )

    html = client.get("/dashboard/").content.decode()
    assert "Courses you left" in html
    assert "1 of 3 lessons done (kept" in html
    assert client.get(first.url).status_code == 302, "lessons close after leaving"
    assert "Re-enroll" in client.get(course.url).content.decode()

    _enroll(client, course)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.unenrolled_at is None
    html = client.get(first.url).content.decode()
    assert "A private thought." in html
    assert "You have finished this lesson." in html


def test_dashboard_shows_progress_bars_and_the_next_step(isolated_registry, clinician):
    # A stand-in for the quizzes app's provider (quizzes is tested on its own).
    provider = StandInSteps(
        "test_post_test",
        order=20,
        label="Post-test",
        detail="Not taken",
        done_detail="Passed",
        url="/post-test/",
        action_label="Take the post-test",
    )
    isolated_registry.register_step_provider(provider)
    started = course_build(title="Started course", lessons=3, words_per_lesson=1800)
    finished = course_build(title="Finished lessons", lessons=2)
    client = client_for(clinician)
    _enroll(client, started)
    _enroll(client, finished)
    _complete(client, lessons_of(started)[0])
    for lesson in lessons_of(finished):
        _complete(client, lesson)

    html = client.get("/dashboard/").content.decode()
    assert (
        '<progress max="3" value="1" aria-label="Lessons completed in Started course" '
        'aria-valuetext="1 of 3 lessons">'
    ) in html
    assert (
        '<progress max="2" value="2" aria-label="Lessons completed in Finished lessons" '
        'aria-valuetext="2 of 2 lessons">'
    ) in html
    assert "1 of 3 lessons complete" in html
    started_card = _card(html, "Started course")
    assert f'href="{lessons_of(started)[1].url}">Resume: Lesson 2</a>' in started_card
    assert "To do:</span> Post-test" in started_card
    finished_card = _card(html, "Finished lessons")
    assert (
        '<a class="button button-small" href="/post-test/">Take the post-test</a>' in finished_card
    )
    assert "Done:</span> Lessons" in finished_card
    assert "Completed" not in finished_card

    provider.done.add(Enrollment.objects.get(course=finished).pk)
    from courses.services import completion_evaluate

    completion_evaluate(enrollment_id=Enrollment.objects.get(course=finished).pk)
    html = client.get("/dashboard/").content.decode()
    assert '<span class="badge badge-ok">Completed</span>' in html


def test_dashboard_without_enrollments_points_to_the_catalog(clinician):
    html = client_for(clinician).get("/dashboard/").content.decode()
    assert "You are not enrolled in a course yet." in html
    assert 'href="/courses/"' in html


def test_dashboard_needs_a_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
