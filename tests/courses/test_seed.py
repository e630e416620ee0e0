"""seed_demo: the catalog, the seeded accreditors, the demo instructor, the
approval workflow and the launch modules, idempotently."""

import pytest
from django.core.management import call_command
from wagtail.models import GroupPagePermission, WorkflowPage

from courses.models import Accreditor, CourseIndexPage, CoursePage, Instructor, LessonPage
from courses.seed import DEMO_INSTRUCTOR
from courses.selectors import course_publish_problems

pytestmark = pytest.mark.django_db


def test_seed_demo_without_modules_is_idempotent():
    call_command("seed_demo", "--no-modules", verbosity=0)
    call_command("seed_demo", "--no-modules", verbosity=0)
    catalog = CourseIndexPage.objects.get()
    assert catalog.live and catalog.url == "/courses/"
    assert sorted(Accreditor.objects.values_list("short_name", flat=True)) == [
        "APA",
        "ASWB ACE",
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


def test_seed_demo_publishes_the_launch_modules(isolated_registry):
    call_command("seed_demo", verbosity=0)
    courses = list(CoursePage.objects.all())
    assert courses, "at least one demo course"
    for course in courses:
        assert course.live and course.live_revision_id, course.title
        assert LessonPage.objects.child_of(course).live().exists(), course.title
        assert course_publish_problems(course=course) == [], course.title
    call_command("seed_demo", verbosity=0)
    assert CoursePage.objects.count() == len(courses)
