"""`manage.py bootstrap` on an empty PostgreSQL database: everything a site
needs before anyone signs in, the course approval among it, and no user;
running it again changes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    WorkflowPage,
)

from accounts.models import User
from cms.media import COLLECTIONS
from cms.models import HomePage, ProviderSettings
from courses.models import CourseIndexPage, CoursePage
from tests.courses.admin_forms import course_added, edit_form_of, form_errors, lesson_form
from tests.courses.conftest import client_for
from tests.factories import posttest_build, staff_user


def _state() -> dict:
    """What bootstrap makes, row by row, for comparing two runs."""
    return {
        "groups": sorted(
            (g.name, sorted(g.permissions.values_list("codename", flat=True)))
            for g in Group.objects.all()
        ),
        "collections": sorted(Collection.objects.values_list("path", "name")),
        "collection_permissions": sorted(
            GroupCollectionPermission.objects.values_list(
                "group__name", "collection__name", "permission__codename"
            )
        ),
        "page_permissions": sorted(
            GroupPagePermission.objects.values_list(
                "group__name", "page__slug", "permission__codename"
            )
        ),
        "pages": sorted(Page.objects.values_list("path", "slug", "live", "latest_revision_id")),
        "sites": list(
            Site.objects.values_list("hostname", "port", "root_page__slug", "is_default_site")
        ),
        "workflow_pages": sorted(WorkflowPage.objects.values_list("page__slug", "workflow__name")),
        "approval_groups": sorted(GroupApprovalTask.objects.values_list("name", "groups__name")),
        "provider_settings": list(ProviderSettings.objects.values()),
    }


@pytest.mark.django_db(transaction=True)
def test_bootstrap_on_an_empty_database_gives_a_site_where_instructors_courses_need_approval():
    call_command("flush", interactive=False, verbosity=0)
    assert not Page.objects.exists() and not Group.objects.exists()

    call_command("bootstrap", verbosity=0)

    assert not User.objects.exists(), "bootstrap creates no user"
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    catalog = CourseIndexPage.objects.child_of(home).get()
    assert WorkflowPage.objects.get(page=catalog).workflow.name == "CE course approval"
    assert [c.name for c in Collection.get_first_root_node().get_children()] == list(COLLECTIONS)
    provider = ProviderSettings.load()
    assert provider.name == "Practicum Continuing Education"
    assert provider.privacy_policy_page.live

    first = _state()
    call_command("bootstrap", verbosity=0)
    assert _state() == first, "a second run changes nothing"
    assert not User.objects.exists()

    # An instructor's new course goes to the Administrators for approval.
    instructor = staff_user(group="Instructors")
    author = client_for(instructor)
    response = course_added(
        author, catalog=catalog, instructor_user=instructor, **{"action-publish": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    course = CoursePage.objects.get(slug="working-with-ruptures")
    assert not course.live, "an instructor cannot publish directly"
    assert not course.permissions_for_user(instructor).can_publish()

    response = author.post(
        f"/admin/pages/add/courses/lessonpage/{course.pk}/",
        {**lesson_form(title="Lesson 1", slug="lesson-1", words=5200), "action-submit": "1"},
    )
    assert response.status_code == 302, form_errors(response)
    posttest_build(course=course, publish=False, owner=instructor)
    response = author.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(author, course), "action-submit": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    course.refresh_from_db()
    assert not course.live
    state = course.current_workflow_state
    assert state.status == "in_progress"
    assert list(state.current_task_state.task.specific.groups.values_list("name", flat=True)) == [
        "Administrators"
    ]
