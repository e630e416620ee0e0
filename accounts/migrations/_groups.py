"""Shared by data migrations that grant permissions to the staff groups."""

from django.contrib.auth.management import create_permissions


def grant(apps, groups: dict) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_collection = Collection.objects.filter(depth=1).first()
    for name, perms in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in perms:
            permission = Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
            if app_label in ("wagtailimages", "wagtaildocs"):
                # Wagtail grants media permissions per collection.
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
            else:
                group.permissions.add(permission)
