"""Duplicate a course as a template: the course with its lessons and post-test,
copied as drafts under a new title and slug, without any learner's records; for
the course's instructors and the Administrators only; an audit row."""

import pytest
from wagtail.models import Page, Revision

from audit.models import AuditAction, AuditEvent
from cms.refusals import Refusal
from courses.duplicate import course_duplicate
from courses.models import (
    CourseCompletion,
    CourseCredit,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
)
from courses.services import enrollment_create
from quizzes.models import Attempt, PostTestPage
from tests.courses.admin_forms import admin_messages
from tests.courses.conftest import client_for
from tests.factories import (
    InstructorFactory,
    UserFactory,
    attempt_pass,
    course_build,
    lesson_body,
    lessons_complete,
    lessons_of,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(instructor_user):
    """A live course with learners: enrollments, progress, a passed post-test."""
    course = course_build(title="Alliance ruptures", owner=instructor_user)
    CourseCredit.objects.filter(page=course).update(approval_number="NASW-886")
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    lessons_complete(enrollment=enrollment)
    attempt_pass(enrollment=enrollment)
    return CoursePage.objects.get(pk=course.pk)


def _tree(course):
    return list(Page.objects.descendant_of(course, inclusive=True).order_by("path").specific())


def test_the_copy_is_a_draft_course_with_draft_lessons_and_post_test_and_no_learners(
    instructor_user, taught
):
    response = client_for(instructor_user).post(
        f"/admin/course-duplicate/{taught.pk}/", {"title": "Alliance ruptures, for groups"}
    )

    copy = CoursePage.objects.exclude(pk=taught.pk).get()
    assert response.status_code == 302 and response.url == f"/admin/pages/{copy.pk}/edit/"
    assert (copy.title, copy.slug) == (
        "Alliance ruptures, for groups",
        "alliance-ruptures-for-groups",
    )
    pages = _tree(copy)
    assert [type(p) for p in pages] == [CoursePage, LessonPage, LessonPage, PostTestPage]
    assert [p.title for p in pages[1:]] == ["Lesson 1", "Lesson 2", "Post-test"]
    assert not any(p.live or p.first_published_at for p in pages), "drafts, never published"
    assert all(p.owner == instructor_user for p in pages)
    assert all(p.current_workflow_state is None for p in pages)
    ids = [p.pk for p in pages]
    assert not Enrollment.objects.filter(course_id__in=ids).exists()
    assert not LessonProgress.objects.filter(lesson_id__in=ids).exists()
    assert not Attempt.objects.filter(post_test_id__in=ids).exists()
    assert not CourseCompletion.objects.filter(enrollment__course_id__in=ids).exists()
    # The original keeps its learners; the copy its rows but not their approval numbers.
    assert Enrollment.objects.filter(course=taught).count() == 1
    assert [c.approval_number for c in copy.credits.all()] == [""]
    assert copy.get_latest_revision_as_object().credits.all()[0].approval_number == ""
    assert [o.text for o in copy.objectives.all()] == [o.text for o in taught.objectives.all()]
    # Each copy's history starts with one revision.
    for page in pages:
        assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 1


def test_the_copy_takes_the_originals_drafts(instructor_user, taught):
    lesson = lessons_of(taught)[0]
    draft = lesson.get_latest_revision_as_object()
    draft.body = [*lesson_body(10), {"type": "paragraph", "value": "<p>A later draft.</p>"}]
    draft.save_revision(user=instructor_user)

    copy = course_duplicate(course_id=taught.pk, user=instructor_user, title="Copy")

    copied = LessonPage.objects.child_of(copy).order_by("path").first()
    assert "A later draft." in str(copied.get_latest_revision_as_object().body.raw_data)


def test_duplicating_writes_an_audit_row(instructor_user, taught):
    copy = course_duplicate(course_id=taught.pk, user=instructor_user, title="Copy")

    row = AuditEvent.objects.get(action=AuditAction.COURSE_DUPLICATE)
    assert (row.actor_id, row.object_type, row.object_id) == (
        instructor_user.pk,
        "courses.coursepage",
        str(copy.pk),
    )
    assert row.data == {"source": {"id": taught.pk, "title": "Alliance ruptures"}, "pages": 4}


def test_a_second_copy_with_the_same_title_gets_its_own_slug(instructor_user, taught):
    first = course_duplicate(course_id=taught.pk, user=instructor_user, title="Copy")
    second = course_duplicate(course_id=taught.pk, user=instructor_user, title="Copy")
    assert (first.slug, second.slug) == ("copy", "copy-2")


def test_the_courses_instructor_and_an_administrator_may_duplicate(administrator, taught):
    teacher = staff_user(group="Instructors")
    taught.course_instructors.update(instructor=InstructorFactory(user=teacher))
    for person in (teacher, administrator):
        copy = course_duplicate(course_id=taught.pk, user=person, title=f"Copy by {person.pk}")
        assert copy.owner == person and not copy.live


def test_other_instructors_and_clinicians_are_refused_and_nothing_is_copied(clinician, taught):
    other = staff_user(group="Instructors")
    with pytest.raises(Refusal) as refused:
        course_duplicate(course_id=taught.pk, user=other, title="Mine now")
    assert refused.value.kind == Refusal.Kind.NOT_ALLOWED
    response = client_for(other).post(f"/admin/course-duplicate/{taught.pk}/", {"title": "Mine"})
    assert (response.status_code, response.url) == (302, "/admin/")
    assert any("permission" in m for m in admin_messages(response))
    assert client_for(clinician).post(
        f"/admin/course-duplicate/{taught.pk}/", {"title": "Mine"}
    ).status_code in (302, 403)
    assert CoursePage.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.COURSE_DUPLICATE).exists()


def test_an_empty_title_is_refused_and_nothing_is_copied(instructor_user, taught):
    response = client_for(instructor_user).post(
        f"/admin/course-duplicate/{taught.pk}/", {"title": "  "}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert CoursePage.objects.count() == 1


def test_my_courses_and_the_editor_offer_duplicate(instructor_user, taught):
    client = client_for(instructor_user)
    link = f'href="/admin/course-duplicate/{taught.pk}/"'
    assert link in client.get("/admin/my-courses/").content.decode()
    assert link in client.get(f"/admin/pages/{taught.pk}/edit/").content.decode()
    form = client.get(f"/admin/course-duplicate/{taught.pk}/").content.decode()
    assert 'value="Alliance ruptures (copy)"' in form
