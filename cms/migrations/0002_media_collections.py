"""Media permissions by collection (issue 11).

Three collections under the root: "Provider identity" (the logo and the
signature), "Instructor CVs" and "Course media". Instructors lose the media
permissions they held on the root collection and get add and choose on
"Course media" only: there they change and delete what they uploaded, and
cms.media's rules decide the rest. Administrators keep every media permission
on the root, so on every collection.

Existing files move: the provider's logo and signature into "Provider
identity", and what members of Instructors uploaded to the root into
"Course media", so they still manage their own uploads.

Idempotent: `manage.py bootstrap` and the test suite replay it (cms.bootstrap).
"""

from django.db import migrations

# A frozen copy of cms.media.COLLECTIONS (migrations do not import live code).
PROVIDER_IDENTITY = "Provider identity"
INSTRUCTOR_CVS = "Instructor CVs"
COURSE_MEDIA = "Course media"

INSTRUCTOR_MEDIA = {
    ("wagtailimages", "image"): ["add_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "choose_document"],
}

# django-treebeard's materialised path, as Wagtail's Collection uses it.
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_STEPLEN = 4


def _step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[rest] + digits
    return digits.rjust(_STEPLEN, "0")


def _child_ensure(Collection, root, name: str):
    children = Collection.objects.filter(depth=root.depth + 1, path__startswith=root.path)
    child = children.filter(name=name).first()
    if child is None:
        last = children.order_by("-path").first()
        number = int(last.path[-_STEPLEN:], len(_ALPHABET)) + 1 if last else 1
        child = Collection.objects.create(
            name=name, depth=root.depth + 1, path=root.path + _step(number), numchild=0
        )
        root.numchild = children.count()
        root.save(update_fields=["numchild"])
    return child


def setup(apps, schema_editor):
    from accounts.migrations._groups import grant

    grant(apps, {})  # the permission rows exist even on a database with none yet
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Image = apps.get_model("wagtailimages", "Image")
    Document = apps.get_model("wagtaildocs", "Document")
    ProviderSettings = apps.get_model("cms", "ProviderSettings")

    root = Collection.objects.filter(depth=1).first()
    if root is None:
        root = Collection.objects.create(name="Root", path=_step(1), depth=1, numchild=0)
    identity = _child_ensure(Collection, root, PROVIDER_IDENTITY)
    _child_ensure(Collection, root, INSTRUCTOR_CVS)
    course_media = _child_ensure(Collection, root, COURSE_MEDIA)

    instructors, _ = Group.objects.get_or_create(name="Instructors")
    GroupCollectionPermission.objects.filter(
        group=instructors,
        permission__content_type__app_label__in=["wagtailimages", "wagtaildocs"],
    ).exclude(collection=course_media).delete()
    for (app_label, model), codenames in INSTRUCTOR_MEDIA.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=instructors,
                collection=course_media,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, content_type__model=model, codename=codename
                ),
            )
    GroupCollectionPermission.objects.filter(
        group=instructors,
        collection=course_media,
        permission__content_type__app_label__in=["wagtailimages", "wagtaildocs"],
    ).exclude(permission__codename__in=[c for cs in INSTRUCTOR_MEDIA.values() for c in cs]).delete()

    provider_images = [
        pk
        for row in ProviderSettings.objects.values_list("logo_id", "signature_id")
        for pk in row
        if pk is not None
    ]
    Image.objects.filter(pk__in=provider_images).update(collection=identity)
    for model in (Image, Document):
        model.objects.filter(collection=root, uploaded_by_user__groups=instructors).update(
            collection=course_media
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
