"""seed_demo: the catalog, the seeded accreditors, the demo instructor, the
approval workflow and the launch modules, idempotently."""

import pytest
from django.core.management import call_command
from wagtail.models import GroupPagePermission, WorkflowPage

from courses.models import (
    Accreditor,
    CourseCredit,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    Instructor,
    LessonPage,
)
from courses.publishing import course_publish_problems
from courses.seed import DEMO_INSTRUCTOR
from courses.selectors import enrollment_summaries
from courses.services import enrollment_create
from quizzes.models import PostTestPage
from quizzes.selectors import evaluation_items
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_without_modules_is_idempotent():
    call_command("seed_demo", "--no-modules", verbosity=0)
    call_command("seed_demo", "--no-modules", verbosity=0)
    catalog = CourseIndexPage.objects.get()
    assert catalog.live and catalog.url == "/courses/"
    assert sorted(Accreditor.objects.values_list("short_name", flat=True)) == [
        "APA",
        "ASWB ACE",
        "NASW",
        "NBCC",
    ]
    instructor = Instructor.objects.get(name=DEMO_INSTRUCTOR["name"])
    assert instructor.user.email == "instructor@example.com"
    workflow_page = WorkflowPage.objects.get(page=catalog)
    assert workflow_page.workflow.name == "CE course approval"
    assert [t.name for t in workflow_page.workflow.tasks] == ["CE administrator approval"]
    assert [g.name for g in workflow_page.workflow.tasks[0].specific.groups.all()] == [
        "Administrators"
    ]
    assert (
        GroupPagePermission.objects.filter(
            group__name="Instructors", page=catalog, permission__codename="add_page"
        ).count()
        == 1
    )
    assert not GroupPagePermission.objects.filter(
        group__name="Instructors", permission__codename="publish_page"
    ).exists()


LAUNCH_SLUGS = {
    "when-treatment-fails",
    "countertransference-as-information",
    "good-enough-therapist",
}
SEEDED_ACCREDITORS = {"APA", "ASWB ACE", "NASW", "NBCC"}


def test_seed_demo_publishes_the_three_launch_modules(client):
    # The real registry (not `isolated_registry`): the post-test publishing check and
    # the post-test and evaluation steps apply, as they do in `make run`.
    call_command("seed_demo", verbosity=0)
    courses = {course.slug: course for course in CoursePage.objects.live()}
    assert set(courses) == LAUNCH_SLUGS
    assert CoursePage.objects.count() == len(LAUNCH_SLUGS)  # no draft left behind
    catalog = client.get("/courses/").content.decode()
    for slug, course in courses.items():
        assert course.live_revision_id, slug
        assert course.url == f"/courses/{slug}/"
        assert course.url in catalog, slug
        lessons = LessonPage.objects.child_of(course)
        assert 3 <= lessons.count() <= 5, slug
        assert lessons.count() == lessons.live().count(), slug
        assert course_publish_problems(course=course) == [], slug

        post_test = PostTestPage.objects.child_of(course).get().specific
        assert post_test.live and post_test.live_revision_id, slug
        # NASW asks for at least 10 questions for the first hour; the pool is twice the draw.
        assert post_test.questions_per_attempt() >= 10, slug
        assert len(post_test.questions) >= 2 * post_test.questions_per_attempt(), slug
        # A sample course: the page says so and names what a real author needs.
        page = client.get(course.url).content.decode()
        assert "data-sample-course" in page and "Sample course." in page, slug

        offered = set(
            CourseCredit.objects.filter(page=course).values_list(
                "accreditor__short_name", flat=True
            )
        )
        assert offered == SEEDED_ACCREDITORS, slug

        # The evaluation rates every objective and the (demo) instructor.
        items = evaluation_items(course=course)
        assert [i.kind for i in items].count("objective") == course.objectives.count() >= 3
        assert [i.label for i in items if i.kind == "instructor"] == [
            f"{DEMO_INSTRUCTOR['name']}, {DEMO_INSTRUCTOR['credentials']}"
        ]

    # A clinician enrolled in each sees the post-test and the evaluation among its steps.
    user = UserFactory()
    for course in courses.values():
        enrollment_create(user=user, course=course)
    summaries = enrollment_summaries(
        enrollments=list(Enrollment.objects.filter(user=user).select_related("course"))
    )
    assert {s.enrollment.course.slug for s in summaries} == LAUNCH_SLUGS
    for summary in summaries:
        steps = {step.key: step for step in summary.steps}
        assert {"lessons", "post_test", "evaluation"} <= set(steps)
        post_test = PostTestPage.objects.child_of(summary.enrollment.course).get()
        assert steps["post_test"].url == post_test.url
        assert steps["post_test"].detail == "Unlocks when every lesson is complete"
        assert steps["evaluation"].required and not steps["evaluation"].done
        assert steps["evaluation"].detail == "Unlocks when you pass the post-test"

    # Running the seed again changes nothing.
    counts = (
        CoursePage.objects.count(),
        LessonPage.objects.count(),
        PostTestPage.objects.count(),
        CourseCredit.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        CoursePage.objects.count(),
        LessonPage.objects.count(),
        PostTestPage.objects.count(),
        CourseCredit.objects.count(),
    ) == counts
