"""Media permissions by collection (cms.media), through the admin's real views:
the edit page (which also replaces the file), the delete page, the multiple
upload and its JSON edit/delete endpoints, and the bulk delete. Instructors
upload to "Course media" and change or delete only their own uploads, and only
while no live page uses them; files that records need are deleted by nobody."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from cms.media import COURSE_MEDIA, INSTRUCTOR_CVS, PROVIDER_IDENTITY
from cms.models import ProviderSettings
from tests.courses.admin_forms import admin_messages
from tests.courses.conftest import client_for
from tests.factories import InstructorFactory, UserFactory, course_build, staff_user

pytestmark = pytest.mark.django_db

Image = get_image_model()
Document = get_document_model()


def _collection(name: str) -> Collection:
    return Collection.objects.get(name=name, depth=2)


def _image(owner, *, collection=COURSE_MEDIA, title="Diagram") -> Image:
    return Image.objects.create(
        title=title,
        file=get_test_image_file(),
        collection=_collection(collection),
        uploaded_by_user=owner,
    )


def _document(owner, *, collection=COURSE_MEDIA, title="Handout") -> Document:
    return Document.objects.create(
        title=title,
        file=ContentFile(b"%PDF-1.4 handout", name="handout.pdf"),
        collection=_collection(collection),
        uploaded_by_user=owner,
    )


# URL builders for the two kinds; documents' edit and delete URLs put the verb first.
KINDS = {
    "image": {
        "make": _image,
        "edit": "/admin/images/{}/",
        "delete": "/admin/images/{}/delete/",
        "multiple_edit": "/admin/images/multiple/{}/",
        "multiple_delete": "/admin/images/multiple/{}/delete/",
        "bulk_delete": "/admin/bulk/wagtailimages/image/delete/",
        "upload": "/admin/images/multiple/add/",
        "model": Image,
        "new_file": lambda: _png("replaced.png"),
    },
    "document": {
        "make": _document,
        "edit": "/admin/documents/edit/{}/",
        "delete": "/admin/documents/delete/{}/",
        "multiple_edit": "/admin/documents/multiple/{}/",
        "multiple_delete": "/admin/documents/multiple/{}/delete/",
        "bulk_delete": "/admin/bulk/wagtaildocs/document/delete/",
        "upload": "/admin/documents/multiple/add/",
        "model": Document,
        "new_file": lambda: ContentFile(b"%PDF-1.4 replaced", name="replaced.pdf"),
    },
}


def _replace(client, kind: str, obj):
    """POST the edit form with a new file, as the edit page's "Replace file" does."""
    spec = KINDS[kind]
    data = {
        "title": obj.title,
        "collection": str(obj.collection_id),
        "tags": "",
        "file": spec["new_file"](),
    }
    if kind == "image":
        data.update({"alt_text": "", "decorative": "on", "description": ""})
    return client.post(spec["edit"].format(obj.pk), data)


def _png(name: str, colour: str = "red"):
    """A PNG upload the test client can send (read from its start)."""
    upload = get_test_image_file(filename=name, colour=colour)
    upload.seek(0)
    return upload


def _file_name(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).file.name


def _bulk_delete(client, kind: str, *objs):
    url = KINDS[kind]["bulk_delete"] + "?" + "&".join(f"id={o.pk}" for o in objs)
    return client.post(url, {})


@pytest.fixture
def instructor_a(db):
    return staff_user(group="Instructors")


@pytest.fixture
def instructor_b(db):
    return staff_user(group="Instructors")


# --- Another person's file -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("owner_role", ["instructor_b", "administrator"])
def test_an_instructor_cannot_change_replace_or_delete_someone_elses_file(
    request, kind, owner_role, instructor_a
):
    spec = KINDS[kind]
    obj = spec["make"](request.getfixturevalue(owner_role))
    before = _file_name(obj)
    client = client_for(instructor_a)

    assert client.get(spec["edit"].format(obj.pk)).status_code in (302, 403)
    _replace(client, kind, obj)
    client.post(spec["delete"].format(obj.pk))
    response = client.post(
        spec["multiple_edit"].format(obj.pk), {f"{kind}-{obj.pk}-title": "Renamed"}
    )
    assert response.status_code in (302, 403)
    assert client.post(spec["multiple_delete"].format(obj.pk)).status_code in (302, 403)
    _bulk_delete(client, kind, obj)

    obj.refresh_from_db()
    assert (obj.title, obj.file.name) == ("Diagram" if kind == "image" else "Handout", before)


@pytest.mark.parametrize("kind", KINDS)
def test_instructors_upload_to_course_media_only(kind, instructor_a):
    spec = KINDS[kind]
    client = client_for(instructor_a)
    page = client.get(spec["upload"]).content.decode()
    # The only collection offered (Wagtail then shows no choice at all).
    assert PROVIDER_IDENTITY not in page and INSTRUCTOR_CVS not in page

    for name, expected in (
        (COURSE_MEDIA, True),
        (PROVIDER_IDENTITY, False),
        (INSTRUCTOR_CVS, False),
    ):
        upload = spec["new_file"]()
        upload.name = f"{name.replace(' ', '-')}.{'png' if kind == 'image' else 'pdf'}"
        client.post(spec["upload"], {"files[]": upload, "collection": _collection(name).pk})
        assert spec["model"].objects.filter(collection=_collection(name)).exists() is expected, name


# --- One's own upload ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_an_instructor_changes_replaces_and_deletes_their_own_unused_upload(kind, instructor_a):
    spec = KINDS[kind]
    obj = spec["make"](instructor_a)
    before = _file_name(obj)
    client = client_for(instructor_a)

    assert client.get(spec["edit"].format(obj.pk)).status_code == 200
    response = _replace(client, kind, obj)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _file_name(obj) != before

    assert client.post(spec["delete"].format(obj.pk)).status_code == 302
    assert not spec["model"].objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_an_instructor_bulk_deletes_only_their_own_unused_uploads(kind, instructor_a, instructor_b):
    spec = KINDS[kind]
    own = spec["make"](instructor_a, title="Own")
    theirs = spec["make"](instructor_b, title="Theirs")
    _bulk_delete(client_for(instructor_a), kind, own, theirs)
    assert list(spec["model"].objects.values_list("title", flat=True)) == ["Theirs"]


# --- Files a live page uses -----------------------------------------------------------------


@pytest.fixture
def live_course_image(instructor_a):
    """An instructor's own upload, the hero image of a live course."""
    image = _image(instructor_a, title="Hero")
    course_build(title="Working with ruptures", hero_image=image)
    return image


def test_an_instructor_cannot_change_or_delete_their_own_image_once_a_live_page_uses_it(
    instructor_a, live_course_image
):
    image, before = live_course_image, _file_name(live_course_image)
    client = client_for(instructor_a)

    response = client.get(f"/admin/images/{image.pk}/")
    assert response.status_code == 302
    [message] = admin_messages(response)
    assert "“Working with ruptures”" in message and "Administrator" in message

    _replace(client, "image", image)
    response = client.post(f"/admin/images/{image.pk}/delete/")
    assert response.status_code == 302
    assert "only by an Administrator" in admin_messages(response)[0]
    assert client.post(f"/admin/images/multiple/{image.pk}/delete/").status_code in (302, 403)
    _bulk_delete(client, "image", image)

    assert _file_name(image) == before


def test_an_instructors_draft_page_does_not_lock_their_upload(instructor_a):
    image = _image(instructor_a, title="Hero")
    course_build(title="Draft course", hero_image=image, publish=False)
    client = client_for(instructor_a)
    assert client.get(f"/admin/images/{image.pk}/").status_code == 200
    assert client.post(f"/admin/images/{image.pk}/delete/").status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()


def test_an_administrator_replaces_and_deletes_an_image_a_live_page_uses(
    administrator, live_course_image
):
    image, before = live_course_image, _file_name(live_course_image)
    client = client_for(administrator)
    assert _replace(client, "image", image).status_code == 302
    assert _file_name(image) != before
    assert client.post(f"/admin/images/{image.pk}/delete/").status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()


# --- Provider identity and CVs: Administrators only ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "collection"), [("image", PROVIDER_IDENTITY), ("document", INSTRUCTOR_CVS)]
)
def test_only_administrators_see_provider_identity_and_cvs(
    kind, collection, instructor_a, administrator
):
    spec = KINDS[kind]
    obj = spec["make"](administrator, collection=collection, title="Admin only")
    listing = spec["edit"].split("{}")[0].replace("edit/", "")
    assert "Admin only" not in client_for(instructor_a).get(listing).content.decode()
    assert "Admin only" in client_for(administrator).get(listing).content.decode()
    assert client_for(administrator).get(spec["edit"].format(obj.pk)).status_code == 200


# --- Files that records need ---------------------------------------------------------------


@pytest.fixture
def held_cv(administrator):
    """The CV of an instructor who teaches a live course."""
    cv = _document(administrator, collection=INSTRUCTOR_CVS, title="Dana Roe CV")
    course_build(instructor=InstructorFactory(name="Dana Roe", cv=cv))
    return cv


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_nobody_deletes_the_cv_of_an_instructor_whose_course_is_live(request, who, held_cv):
    client = client_for(request.getfixturevalue(who))
    for attempt in (client.get, client.post):
        response = attempt(f"/admin/documents/delete/{held_cv.pk}/")
        assert response.status_code == 302
        assert response["Location"] == f"/admin/documents/edit/{held_cv.pk}/"
        message = admin_messages(response)[-1]
        assert "“Dana Roe CV” cannot be deleted" in message
        assert "the CV of Dana Roe, who teaches a live course" in message
    _bulk_delete(client, "document", held_cv)
    assert Document.objects.filter(pk=held_cv.pk).exists()


def test_the_file_of_a_held_cv_cannot_be_replaced(administrator, held_cv):
    before = _file_name(held_cv)
    response = _replace(client_for(administrator), "document", held_cv)
    assert response.status_code == 200
    assert "This file cannot be replaced" in response.content.decode()
    assert _file_name(held_cv) == before


def test_a_cv_stays_held_for_the_retention_period_after_the_last_completion(
    settings, administrator, django_capture_on_commit_callbacks
):
    from courses.models import CoursePage
    from tests.factories import clinician, course_completed_by

    cv = _document(administrator, collection=INSTRUCTOR_CVS, title="Old CV")
    course = course_build(instructor=InstructorFactory(name="Sam Lee", cv=cv))
    with django_capture_on_commit_callbacks(execute=False):
        course_completed_by(user=clinician(), course=course)
    CoursePage.objects.get(pk=course.pk).unpublish()
    client = client_for(administrator)

    response = client.post(f"/admin/documents/delete/{cv.pk}/")
    assert "course completions are kept 7 years" in admin_messages(response)[0]
    assert Document.objects.filter(pk=cv.pk).exists()

    settings.RECORD_RETENTION_YEARS = 0  # the period has run
    client.post(f"/admin/documents/delete/{cv.pk}/")
    assert not Document.objects.filter(pk=cv.pk).exists()


def test_nobody_deletes_a_signature_that_a_certificate_froze(
    administrator, superuser, django_capture_on_commit_callbacks
):
    from tests.factories import certificate_issued

    signature = _image(administrator, collection=PROVIDER_IDENTITY, title="Signature")
    provider = ProviderSettings.load()
    provider.signature = signature
    provider.save()
    with django_capture_on_commit_callbacks(execute=False):
        certificate = certificate_issued()
    assert certificate.snapshot["asset_images"]["signature"] == signature.pk

    for user in (administrator, superuser):
        response = client_for(user).post(f"/admin/images/{signature.pk}/delete/")
        [message] = admin_messages(response)
        assert "1 issued certificate printed it as the signature" in message
    _bulk_delete(client_for(superuser), "image", signature)
    assert Image.objects.filter(pk=signature.pk).exists()


def test_an_unused_provider_image_is_deleted_by_an_administrator(administrator):
    logo = _image(administrator, collection=PROVIDER_IDENTITY, title="Old logo")
    assert client_for(administrator).post(f"/admin/images/{logo.pk}/delete/").status_code == 302
    assert not Image.objects.filter(pk=logo.pk).exists()


def test_the_admin_api_offers_no_way_to_change_or_delete_media(instructor_a, instructor_b):
    image = _image(instructor_b)
    client = client_for(instructor_a)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.generic(method, f"/admin/api/main/images/{image.pk}/", "{}")
        assert response.status_code in (403, 405), method
    assert Image.objects.filter(pk=image.pk).exists()
