"""The instructor's home: "My courses" on the dashboard and in the menu, with each
course's status, figures and the buttons to add what it still needs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import CourseIndexPage, CoursePage
from courses.selectors.instructing import CourseStatus, course_home
from tests.courses.conftest import client_for
from tests.factories import (
    InstructorFactory,
    UserFactory,
    attempt_pass,
    course_build,
    lessons_complete,
    posttest_build,
    staff_user,
)

pytestmark = pytest.mark.django_db


def _submit(course, user):
    course = CoursePage.objects.get(pk=course.pk)
    course.get_workflow().start(course, user)
    return CoursePage.objects.get(pk=course.pk)


def _request_changes(course, reviewer):
    task_state = CoursePage.objects.get(pk=course.pk).current_workflow_task_state.specific
    task_state.task.specific.on_action(task_state, reviewer, "reject", comment="Add a reference.")


def _rows(html: str) -> dict[str, str]:
    """Each course row of the My courses table: its status code, by course id."""
    return dict(re.findall(r'data-course-row="(\d+)" data-course-status="(\w+)"', html))


@pytest.mark.usefixtures("isolated_registry")
def test_my_courses_lists_the_courses_an_instructor_owns_or_teaches_with_their_status(
    instructor_user, administrator
):
    draft = course_build(title="A draft", publish=False, owner=instructor_user)
    taught = course_build(title="Taught, live", instructor=InstructorFactory(user=instructor_user))
    in_review = _submit(
        course_build(title="In review", publish=False, owner=instructor_user), instructor_user
    )
    sent_back = _submit(
        course_build(title="Sent back", publish=False, owner=instructor_user), instructor_user
    )
    _request_changes(sent_back, administrator)
    someone_elses = course_build(title="Someone else's", owner=staff_user(group="Instructors"))

    response = client_for(instructor_user).get("/admin/my-courses/")

    assert response.status_code == 200
    assert _rows(response.content.decode()) == {
        str(draft.pk): CourseStatus.DRAFT,
        str(taught.pk): CourseStatus.LIVE,
        str(in_review.pk): CourseStatus.IN_REVIEW,
        str(sent_back.pk): CourseStatus.CHANGES_REQUESTED,
    }
    assert str(someone_elses.pk) not in response.content.decode()


@pytest.mark.usefixtures("isolated_registry")
def test_the_buttons_go_to_wagtails_add_views_for_the_right_parent_and_type(instructor_user):
    course = course_build(publish=False, owner=instructor_user)
    catalog = CourseIndexPage.objects.get()

    html = client_for(instructor_user).get("/admin/my-courses/").content.decode()

    assert f'href="/admin/pages/add/courses/coursepage/{catalog.pk}/">New course</a>' in html
    assert f'href="/admin/pages/add/courses/lessonpage/{course.pk}/">New lesson' in html
    assert f'href="/admin/pages/add/quizzes/posttestpage/{course.pk}/">Add post-test' in html
    # The add view answers for the instructor, with the page type it names.
    add = client_for(instructor_user).get(f"/admin/pages/add/quizzes/posttestpage/{course.pk}/")
    assert add.status_code == 200


@pytest.mark.usefixtures("isolated_registry")
def test_add_post_test_is_offered_only_while_the_course_has_none(instructor_user):
    course = course_build(publish=False, owner=instructor_user)
    posttest_build(course=course, publish=False, owner=instructor_user)

    html = client_for(instructor_user).get("/admin/my-courses/").content.decode()

    assert "Add post-test" not in html
    assert f"/admin/pages/add/courses/lessonpage/{course.pk}/" in html


@pytest.mark.usefixtures("isolated_registry")
def test_in_review_a_course_links_to_its_review_screen_from_my_courses_and_its_editor(
    instructor_user,
):
    course = _submit(course_build(publish=False, owner=instructor_user), instructor_user)
    review_url = f'href="/admin/course-review/{course.pk}/"'
    client = client_for(instructor_user)

    assert review_url in client.get("/admin/my-courses/").content.decode()
    editor = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert f"{review_url}>This course is in review: open the course review screen" in editor


def test_enrollments_completions_and_the_pass_rate_are_counted(instructor_user):
    course = course_build(owner=instructor_user)
    passed, failed, enrolled_only = UserFactory(), UserFactory(), UserFactory()
    from courses.services import enrollment_create
    from quizzes.services import attempt_start, attempt_submit

    for user in (passed, failed, enrolled_only):
        enrollment_create(user=user, course=course)
    for user in (passed, failed):
        lessons_complete(enrollment=user.enrollments.get())
    attempt_pass(enrollment=passed.enrollments.get())
    attempt = attempt_start(enrollment=failed.enrollments.get())
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    attempt_submit(attempt_id=attempt.pk, user=failed, answers=wrong)

    (row,) = course_home(user=instructor_user).rows

    assert (row.enrollments, row.lessons) == (3, 2)
    assert row.figures == [("Pass rate", "50 % (1 of 2)")]
    # The completion waits for the evaluation: none yet.
    assert row.completions == 0


@pytest.mark.usefixtures("isolated_registry")
def test_my_courses_reads_in_a_constant_number_of_queries(instructor_user):
    course_build(owner=instructor_user)
    course_home(user=instructor_user)  # the user's page permissions, read once and kept
    with CaptureQueriesContext(connection) as one:
        course_home(user=instructor_user)
    for number in range(3):
        course = course_build(owner=instructor_user, publish=number % 2 == 0)
        if number == 1:
            _submit(course, instructor_user)
    with CaptureQueriesContext(connection) as four:
        home = course_home(user=instructor_user)
    assert len(home.rows) == 4
    assert len(four.captured_queries) == len(one.captured_queries) <= 10


@pytest.mark.usefixtures("isolated_registry")
def test_the_dashboard_shows_an_instructor_their_courses_and_new_course(instructor_user):
    course = course_build(title="Alliance ruptures", publish=False, owner=instructor_user)

    html = client_for(instructor_user).get("/admin/").content.decode()

    assert "data-my-courses-panel" in html
    assert f'data-course-row="{course.pk}"' in html
    assert ">New course</a>" in html


@pytest.mark.usefixtures("isolated_registry")
def test_a_new_instructor_sees_the_panel_with_new_course_and_an_administrator_without_courses_does_not(
    instructor_user, administrator
):
    course_build()
    assert "data-my-courses-panel" in client_for(instructor_user).get("/admin/").content.decode()
    assert "data-my-courses-panel" not in client_for(administrator).get("/admin/").content.decode()


@pytest.mark.usefixtures("isolated_registry")
def test_another_instructor_and_a_clinician_do_not_see_my_courses(instructor_user, clinician):
    course = course_build(owner=instructor_user)
    other = staff_user(group="Instructors")

    html = client_for(other).get("/admin/my-courses/?all=1").content.decode()

    assert f'data-course-row="{course.pk}"' not in html
    assert client_for(clinician).get("/admin/my-courses/").status_code in (302, 403)


@pytest.mark.usefixtures("isolated_registry")
def test_an_administrator_may_list_every_course(instructor_user, administrator):
    course = course_build(owner=instructor_user)
    client = client_for(administrator)

    assert f'data-course-row="{course.pk}"' not in client.get("/admin/my-courses/").content.decode()
    everyone = client.get("/admin/my-courses/?all=1").content.decode()
    assert f'data-course-row="{course.pk}"' in everyone
    assert "All courses" in everyone
