"""One review round: the lessons under a course go through review with it, the
Administrator decides once, and one email goes each way."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from courses.models import Accreditor, CoursePage, LessonPage
from tests.courses.admin_forms import admin_messages, edit_form_of, form_errors, workflow_approve
from tests.courses.conftest import client_for
from tests.factories import course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def _submit(client, course, action="action-submit"):
    response = client.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(client, course), action: "1"}
    )
    assert response.status_code == 302, form_errors(response)
    return CoursePage.objects.get(pk=course.pk)


def _lessons(course):
    return list(LessonPage.objects.child_of(course).order_by("path"))


def _status(page):
    state = type(page).objects.get(pk=page.pk).current_workflow_state
    return state.status if state else None


def test_submitting_a_course_submits_its_draft_lessons_with_one_email(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    mail.outbox.clear()

    course = _submit(client_for(instructor_user), course)

    assert _status(course) == WorkflowState.STATUS_IN_PROGRESS
    assert [_status(lesson) for lesson in _lessons(course)] == ["in_progress", "in_progress"]
    to_reviewers = [m for m in mail.outbox if administrator.email in m.to]
    assert len(to_reviewers) == 1, [m.subject for m in mail.outbox]
    assert course.title in to_reviewers[0].subject


def test_approving_the_course_once_publishes_it_and_its_lessons_with_one_email(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    course = _submit(client_for(instructor_user), course)
    mail.outbox.clear()

    response = workflow_approve(client_for(administrator), course)

    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live and course.current_workflow_state is None
    assert all(lesson.live and not lesson.has_unpublished_changes for lesson in _lessons(course))
    assert [_status(lesson) for lesson in _lessons(course)] == [None, None]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [instructor_user.email]
    assert course.title in mail.outbox[0].subject


def test_a_refused_course_approval_leaves_its_lessons_unpublished(instructor_user, administrator):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    course = _submit(client_for(instructor_user), course)
    # The accreditor's approval period ended after the course was sent: publishing refuses.
    Accreditor.objects.update(approval_end=date.today() - timedelta(days=1))

    response = workflow_approve(client_for(administrator), course, follow=True)

    assert "This course was not published. Still missing:" in admin_messages(response)
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.live and _status(course) == "in_progress"
    assert not any(lesson.live for lesson in _lessons(course)), "the approvals rolled back"
    assert [_status(lesson) for lesson in _lessons(course)] == ["in_progress", "in_progress"]


def test_requesting_changes_sends_the_lessons_back_and_resubmitting_brings_them_again(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    author = client_for(instructor_user)
    course = _submit(author, course)
    mail.outbox.clear()
    task_state = course.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(course.pk, "reject", task_state.pk))

    response = client_for(administrator).post(url, {"comment": "Cite the 2018 meta-analysis."})

    assert response.status_code == 302
    assert _status(course) == "needs_changes"
    assert [_status(lesson) for lesson in _lessons(course)] == ["needs_changes", "needs_changes"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [instructor_user.email]
    assert "Cite the 2018 meta-analysis." in mail.outbox[0].body
    # The instructor may edit a lesson again, then resubmits the course.
    lesson = _lessons(course)[0]
    assert author.get(f"/admin/pages/{lesson.pk}/edit/").status_code == 200
    mail.outbox.clear()
    course = _submit(author, course)
    assert _status(course) == "in_progress"
    assert [_status(lesson) for lesson in _lessons(course)] == ["in_progress", "in_progress"]
    assert len([m for m in mail.outbox if administrator.email in m.to]) == 1

    assert workflow_approve(client_for(administrator), course).status_code == 302
    assert all(lesson.live for lesson in _lessons(course))
    assert CoursePage.objects.get(pk=course.pk).live


def test_a_live_lesson_without_changes_is_not_resubmitted(instructor_user, administrator):
    course = course_build(lessons=2, publish=False, owner=instructor_user)
    course = _submit(client_for(instructor_user), course)
    assert [_status(lesson) for lesson in _lessons(course)] == [None, None]


def test_the_review_screen_shows_every_page_and_its_changes_and_approves_once(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    course = _submit(client_for(instructor_user), course)
    lessons = _lessons(course)
    reviewer = client_for(administrator)
    url = reverse("courses_review:course", args=(course.pk,))

    html = reviewer.get(url).content.decode()

    for page in (course, *lessons):
        assert f'data-review-page="{page.pk}"' in html
    assert "new, never published" in html
    assert "Every CE-required item is present" in html
    assert "Approve and publish the course and its pages" in html
    mail.outbox.clear()

    response = reviewer.post(url, {"decision": "approve", "comment": ""})

    assert response.status_code == 302
    assert CoursePage.objects.get(pk=course.pk).live
    assert all(lesson.live for lesson in _lessons(course))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [instructor_user.email]


def test_the_review_screen_shows_a_live_lessons_change_as_a_diff(instructor_user, administrator):
    course = course_build(lessons=1, hours="0.25", owner=instructor_user)
    lesson = _lessons(course)[0]
    lesson.title = "Lesson one, revised"
    lesson.save_revision(user=instructor_user)
    course = _submit(client_for(instructor_user), course)
    assert _status(lesson) == "in_progress"

    html = client_for(administrator).get(reverse("courses_review:course", args=(course.pk,)))
    html = html.content.decode()

    assert "since it was last published" in html
    assert '<span class="addition">one, revised</span>' in html


def test_requesting_changes_on_the_review_screen_needs_a_comment(instructor_user, administrator):
    course = course_build(
        lessons=1, hours="0.25", publish=False, publish_lessons=False, owner=instructor_user
    )
    course = _submit(client_for(instructor_user), course)
    reviewer = client_for(administrator)
    url = reverse("courses_review:course", args=(course.pk,))

    response = reviewer.post(url, {"decision": "reject", "comment": "  "})
    assert response.status_code == 200
    assert "Say what should change" in response.content.decode()
    assert _status(course) == "in_progress", "nothing changed"

    response = reviewer.post(url, {"decision": "reject", "comment": "Add a reference."})
    assert response.status_code == 302
    assert _status(course) == "needs_changes"
    assert [_status(lesson) for lesson in _lessons(course)] == ["needs_changes"]


def test_an_instructor_sees_the_review_screen_but_cannot_decide(instructor_user):
    course = course_build(
        lessons=1, hours="0.25", publish=False, publish_lessons=False, owner=instructor_user
    )
    author = client_for(instructor_user)
    course = _submit(author, course)
    url = reverse("courses_review:course", args=(course.pk,))

    assert "Approve and publish" not in author.get(url).content.decode()
    response = author.post(url, {"decision": "approve"})
    assert "Only the course&#x27;s reviewers" in response.content.decode()
    assert not CoursePage.objects.get(pk=course.pk).live


def test_the_review_queue_groups_pages_under_their_course(instructor_user, administrator):
    course = course_build(
        title="Ruptures", lessons=2, publish=False, publish_lessons=False, owner=instructor_user
    )
    _submit(client_for(instructor_user), course)

    html = client_for(administrator).get("/admin/").content.decode()

    assert "data-review-queue" in html
    assert html.count("data-review-entry") == 1
    assert f'href="{reverse("courses_review:course", args=(course.pk,))}">Review Ruptures' in html
    assert "<li>Lesson 1 (lesson page)</li>" in html and "<li>Lesson 2 (lesson page)</li>" in html
