"""The staff groups come from data migrations with the Wagtail permissions their
work needs (media by collection: cms migration 0002); clinicians never get into
the Wagtail admin. What the media permissions allow, view by view, is in
tests/cms/test_media_permissions.py."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, GroupCollectionPermission

from cms.media import COLLECTIONS, COURSE_MEDIA
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

MEDIA = {
    "add_image",
    "change_image",
    "choose_image",
    "add_document",
    "change_document",
    "choose_document",
}


def _collection_codenames(group: Group, collection: Collection) -> set[str]:
    return set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission__codename", flat=True
        )
    )


def test_instructors_may_enter_the_admin_and_add_course_media_but_not_people():
    group = Group.objects.get(name="Instructors")
    assert group.permissions.filter(codename="access_admin").exists()
    course_media = Collection.objects.get(name=COURSE_MEDIA)
    # Adding lets them change and delete what they uploaded (cms.media), nothing else.
    assert _collection_codenames(group, course_media) == {
        "add_image",
        "choose_image",
        "add_document",
        "choose_document",
    }
    assert not GroupCollectionPermission.objects.filter(group=group).exclude(
        collection=course_media
    )
    assert not group.permissions.filter(content_type__app_label="accounts").exists()


def test_administrators_also_manage_users_licenses_and_every_collections_media():
    group = Group.objects.get(name="Administrators")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"access_admin", "view_user", "change_user", "view_clinicianlicense"} <= codenames
    root = Collection.get_first_root_node()
    assert MEDIA | {"delete_image", "delete_document"} <= _collection_codenames(group, root)


def test_the_media_collections_sit_under_the_root():
    root = Collection.get_first_root_node()
    assert [c.name for c in root.get_children().order_by("name")] == sorted(COLLECTIONS)


@pytest.mark.parametrize(
    ("group", "url", "allowed"),
    [
        ("Instructors", "/admin/", True),
        ("Instructors", "/admin/images/", True),
        ("Instructors", "/admin/documents/", True),
        ("Instructors", "/admin/users/", False),
        ("Administrators", "/admin/", True),
        ("Administrators", "/admin/users/", True),
        ("Administrators", "/admin/images/", True),
    ],
)
def test_staff_reach_what_their_group_allows(client, site_tree, group, url, allowed):
    client.force_login(staff_user(group=group))
    response = client.get(url)
    if allowed:
        assert response.status_code == 200, url
    else:
        assert response.status_code in (302, 403), url
        assert response.get("Location", "") in ("", "/admin/")


def test_a_signed_in_clinician_is_sent_back_to_the_site_and_sees_no_admin_page(client, site_tree):
    client.force_login(UserFactory())
    for url in ("/admin/", "/admin/pages/", "/admin/users/", "/admin/images/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/dashboard/", url
    page = client.get("/admin/", follow=True)
    assert page.redirect_chain == [("/dashboard/", 302)]
    assert "You do not have permission to access the admin" in page.content.decode()


def test_an_anonymous_visitor_is_sent_to_allauths_sign_in_and_back(client, site_tree):
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/users/"
