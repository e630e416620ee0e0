"""The two staff groups. Page permissions on the catalog are granted by
seed_demo (the catalog page is content, not schema); model permissions of
higher apps are added by their own migrations."""

from django.db import migrations

from accounts.migrations._groups import grant

GROUPS = {
    "Instructors": [
        ("wagtailadmin", "admin", "access_admin"),
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "change_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
        ("wagtaildocs", "document", "choose_document"),
    ],
    "Administrators": [
        ("wagtailadmin", "admin", "access_admin"),
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "change_image"),
        ("wagtailimages", "image", "delete_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
        ("wagtaildocs", "document", "delete_document"),
        ("wagtaildocs", "document", "choose_document"),
        ("accounts", "user", "view_user"),
        ("accounts", "user", "change_user"),
        ("accounts", "clinicianlicense", "view_clinicianlicense"),
        ("accounts", "clinicianlicense", "change_clinicianlicense"),
    ],
}


def create_groups(apps, schema_editor):
    grant(apps, GROUPS)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
