"""Model permissions of the courses app for the staff groups; and the course
approval workflow: instructors submit, Administrators approve."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {
    "Instructors": [
        ("courses", "instructor", "view_instructor"),
        ("courses", "accreditor", "view_accreditor"),
    ],
    "Administrators": [
        *[("courses", "accreditor", f"{action}_accreditor") for action in ("add", "change", "delete", "view")],
        *[("courses", "instructor", f"{action}_instructor") for action in ("add", "change", "delete", "view")],
        ("cms", "providersettings", "change_providersettings"),
        ("courses", "enrollment", "view_enrollment"),
        ("courses", "coursecompletion", "view_coursecompletion"),
    ],
}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")
    administrators = Group.objects.get(name="Administrators")
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="CE administrator approval", defaults={"content_type": task_type, "active": True}
    )
    task.groups.add(administrators)
    workflow, _ = Workflow.objects.get_or_create(name="CE course approval", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # The workflow is assigned to the catalog page by courses.seed.catalog_ensure
    # (pages are content, not schema); the rest of the site keeps Wagtail's default.


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("cms", "0001_initial"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
