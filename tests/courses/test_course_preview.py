"""The course preview: the whole course walked as a learner would — the course page,
each lesson in order with Previous and Next, the post-test's questions without their
keys — from the latest revision, drafts included; for the course's authors and the
Administrators only; nothing recorded or graded."""

import re
from decimal import Decimal

import pytest

from courses.models import (
    CourseInstructor,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
)
from tests.courses.admin_forms import admin_messages
from tests.courses.conftest import client_for
from tests.factories import (
    InstructorFactory,
    course_build,
    lesson_body,
    lessons_of,
    posttest_build,
    q_single,
    staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


@pytest.fixture
def drafted(instructor_user):
    """A course never published, with two draft lessons and a draft post-test, each
    edited again after it was created (the edits are only in their latest revisions)."""
    course = course_build(
        title="Alliance ruptures", publish=False, publish_lessons=False, owner=instructor_user
    )
    draft = course.get_latest_revision_as_object()
    draft.title = "Alliance ruptures, revised"
    draft.save_revision(user=instructor_user)
    first, second = LessonPage.objects.child_of(course).order_by("path")
    lesson = first.get_latest_revision_as_object()
    lesson.body = [*lesson_body(5), {"type": "paragraph", "value": "<p>Only in the draft.</p>"}]
    lesson.save_revision(user=instructor_user)
    post_test = posttest_build(
        course=course,
        publish=False,
        owner=instructor_user,
        questions=[q_single("Which marks a rupture?", rationale="The key's rationale.")],
    )
    return CoursePage.objects.get(pk=course.pk), first, second, post_test


def _links(html: str) -> dict[str, str]:
    """The preview bar's Previous and Next, by rel."""
    bar = html[
        html.index("data-course-preview") : html.index("</nav>", html.index("data-course-preview"))
    ]
    return dict((rel, href) for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', bar))


def test_the_author_walks_the_drafts_from_the_course_page_to_the_post_test(
    instructor_user, drafted
):
    course, first, second, post_test = drafted
    client = client_for(instructor_user)
    base = f"/admin/course-preview/{course.pk}/"

    start = client.get(base)
    html = start.content.decode()
    assert start.status_code == 200
    assert "<h1>Alliance ruptures, revised</h1>" in html, "the course's draft title"
    assert "step 1 of 4: Course page" in html
    assert _links(html) == {"next": f"{base}{first.pk}/"}
    assert "Enrolling is not part of the preview." in html

    lesson = client.get(f"{base}{first.pk}/").content.decode()
    assert "Only in the draft." in lesson
    assert "step 2 of 4: Lesson 1: Lesson 1" in lesson
    assert _links(lesson) == {"prev": base, "next": f"{base}{second.pk}/"}
    # The lesson's own outline and pager stay inside the preview.
    assert f'href="{base}{second.pk}/" rel="next">Next: Lesson 2' in lesson
    assert 'name="served"' not in lesson, "no Mark lesson complete"

    last_lesson = client.get(f"{base}{second.pk}/").content.decode()
    assert _links(last_lesson)["next"] == f"{base}{post_test.pk}/"

    quiz = client.get(f"{base}{post_test.pk}/").content.decode()
    assert "step 4 of 4: Post-test: Post-test" in quiz
    assert "Which marks a rupture?" in quiz
    assert "(correct)" not in quiz and "The key's rationale." not in quiz, "no key"
    assert "End of the course." in quiz and "<form" not in quiz.split("data-course-preview")[1]


def test_previewing_records_nothing(instructor_user, drafted):
    course, first, second, post_test = drafted
    client = client_for(instructor_user)
    for page_id in ("", f"{first.pk}/", f"{second.pk}/", f"{post_test.pk}/"):
        assert client.get(f"/admin/course-preview/{course.pk}/{page_id}").status_code == 200
    assert not Enrollment.objects.filter(course=course).exists()
    assert not LessonProgress.objects.exists()


def test_a_course_instructor_and_an_administrator_may_preview(administrator, drafted):
    course = drafted[0]
    teacher = staff_user(group="Instructors")
    course.course_instructors.update(instructor=InstructorFactory(user=teacher))
    for person in (teacher, administrator):
        assert client_for(person).get(f"/admin/course-preview/{course.pk}/").status_code == 200


def test_other_instructors_and_clinicians_are_refused(clinician, drafted):
    course = drafted[0]
    other = client_for(staff_user(group="Instructors")).get(f"/admin/course-preview/{course.pk}/")
    # Wagtail's admin answers a refusal by sending the person to the dashboard, saying so.
    assert (other.status_code, other.url) == (302, "/admin/")
    assert any("permission" in m for m in admin_messages(other))
    assert client_for(clinician).get(f"/admin/course-preview/{course.pk}/").status_code in (
        302,
        403,
    )


def test_a_page_of_another_course_is_not_found(instructor_user, drafted):
    course = drafted[0]
    elsewhere = lessons_of(course_build(owner=instructor_user))[0]
    response = client_for(instructor_user).get(f"/admin/course-preview/{course.pk}/{elsewhere.pk}/")
    assert response.status_code == 404


def test_my_courses_and_the_editor_link_to_the_preview(instructor_user, drafted):
    course = drafted[0]
    client = client_for(instructor_user)
    link = f'href="/admin/course-preview/{course.pk}/"'
    assert link in client.get("/admin/my-courses/").content.decode()
    editor = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert f"{link}>Preview the whole course as a learner" in editor


def test_the_course_page_shows_the_drafts_credit_and_instructors(instructor_user, drafted):
    course = drafted[0]
    draft = course.get_latest_revision_as_object()
    credit = draft.credits.all()[0]
    credit.hours = Decimal("0.25")
    draft.credits = [credit]
    draft.course_instructors = [CourseInstructor(instructor=InstructorFactory(name="Dana Roe"))]
    draft.save_revision(user=instructor_user)

    html = client_for(instructor_user).get(f"/admin/course-preview/{course.pk}/").content.decode()

    assert "<dt>CE credit</dt><dd>0.25 hours</dd>" in html
    assert "Dana Roe" in html
