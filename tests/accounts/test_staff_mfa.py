"""Staff need an authenticator app (TOTP) before any admin page or staff action
answers (accounts.admin_gate); clinicians may turn it on and are never forced.
Administrators see who has it and reset it, with a reason that is logged."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from wagtail.models import ModelLogEntry

from accounts.selectors import user_has_mfa, user_requires_mfa
from accounts.services import MFA_RESET_ACTION, mfa_reset
from cms.refusals import Refusal
from tests.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    client_reauthenticated,
    course_build,
    lessons_of,
    staff_user,
)

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"
ADMIN_URLS = [
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/account/",
    "/admin/reports/site-history/",
]
ADMINISTRATOR_URLS = ["/admin/users/", "/admin/certificates/", "/admin/two-factor/"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(kind: str, **kwargs):
    if kind == "superuser":
        return UserFactory(is_staff=True, is_superuser=True, **kwargs)
    return staff_user(group=kind, **kwargs)


@pytest.mark.parametrize("kind", ["Instructors", "Administrators", "superuser"])
def test_staff_without_totp_are_sent_to_set_it_up_from_every_admin_url(site_tree, kind):
    staff = _staff(kind, mfa=False)
    assert user_requires_mfa(user=staff) and not user_has_mfa(user=staff)
    client = _client(staff)
    urls = ADMIN_URLS + (ADMINISTRATOR_URLS if kind != "Instructors" else [])
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"] == SETUP, (method, url)
    page = client.get("/admin/", follow=True)
    assert "Staff accounts need two-factor authentication" in page.content.decode()
    # Background requests of the admin's pages get a refusal, not a page.
    assert client.get("/admin/", headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


def test_staff_without_totp_get_no_staff_action_outside_the_admin_either(site_tree):
    """Staff read unpublished and unenrolled lessons to review them: not without MFA."""
    course = course_build()
    lesson = lessons_of(course)[0]
    staff = staff_user(group="Instructors", mfa=False)
    client = _client(staff)
    for url in (lesson.url, "/dashboard/", "/profile/"):
        assert client.get(url)["Location"] == SETUP, url
    # What setting it up needs stays open, and so does signing out.
    for url in ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/"):
        assert client.get(url).status_code == 200, url
    assert client.post("/admin/logout/")["Location"] == "/"


@pytest.mark.parametrize("kind", ["Instructors", "Administrators", "superuser"])
def test_staff_with_totp_get_in(site_tree, kind):
    client = _client(_staff(kind))
    urls = [u for u in ADMIN_URLS if u != "/admin/pages/"]  # it redirects to their section
    if kind != "Instructors":
        urls += ADMINISTRATOR_URLS
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_clinician_without_mfa_is_not_forced(site_tree):
    clinician = UserFactory()
    assert not user_requires_mfa(user=clinician)
    client = _client(clinician)
    for url in ("/dashboard/", "/profile/", "/transcript/", "/accounts/2fa/"):
        assert client.get(url).status_code == 200, url


def test_a_new_staff_member_sets_up_totp_and_then_gets_in(client, site_tree):
    """Signed in with the password, sent to the setup page, asked for the password
    again (allauth's rule for adding an authenticator), shown the secret: the code
    from it turns MFA on, with recovery codes, and the admin answers."""
    from tests.factories import totp_code

    staff = staff_user(group="Instructors", mfa=False)
    login = client.post("/accounts/login/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert login["Location"] == "/dashboard/"
    assert client.get("/dashboard/")["Location"] == SETUP
    ask = client.get(SETUP)
    assert ask["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(ask["Location"], {"password": DEFAULT_PASSWORD})["Location"] == SETUP
    page = client.get(SETUP)
    assert "Staff accounts need two-factor authentication" in page.content.decode()
    secret = page.context["form"].secret
    assert secret in page.content.decode()
    done = client.post(SETUP, {"code": totp_code(secret, who="setup")})
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    assert user_has_mfa(user=staff)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/admin/").status_code == 200


# --- Administrators reset MFA ----------------------------------------------------------------


def test_administrators_see_who_among_the_staff_has_mfa(site_tree):
    admin = staff_user(group="Administrators", full_name="Avery Admin")
    with_app = staff_user(group="Instructors", full_name="Robin With-App")
    without = staff_user(group="Instructors", full_name="Sam Without", mfa=False)
    clinician = UserFactory(full_name="Casey Clinician")
    html = _client(admin).get("/admin/two-factor/").content.decode()
    rows = {
        name: html.split(name, 1)[1].split("</tr>", 1)[0]
        for name in (with_app.full_name, without.full_name)
    }
    assert "Set up" in rows[with_app.full_name]
    assert f"/admin/two-factor/{with_app.pk}/reset/" in rows[with_app.full_name]
    assert "Not set up" in rows[without.full_name]
    assert clinician.full_name not in html
    # Their own row has no reset: that is done on their own two-factor page.
    assert f"/admin/two-factor/{admin.pk}/reset/" not in html


def test_an_administrators_reset_removes_the_authenticators_and_is_logged_with_the_reason(
    site_tree,
):
    admin = staff_user(group="Administrators")
    instructor = staff_user(group="Instructors")
    client = client_reauthenticated(_client(admin))
    url = f"/admin/two-factor/{instructor.pk}/reset/"
    assert client.get(url).status_code == 200

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert Authenticator.objects.filter(user=instructor).count() == 2

    response = client.post(url, {"reason": "Lost phone; identity confirmed by a call."})
    assert response.status_code == 302 and response["Location"] == "/admin/two-factor/"
    assert not Authenticator.objects.filter(user=instructor).exists()
    entry = ModelLogEntry.objects.get(action=MFA_RESET_ACTION)
    assert entry.object_id == str(instructor.pk)
    assert entry.user_id == admin.pk
    assert entry.data["reason"] == "Lost phone; identity confirmed by a call."
    assert sorted(entry.data["removed"]) == ["recovery_codes", "totp"]
    assert "Lost phone" in entry.message
    # The instructor is sent to set it up again before the admin answers.
    assert _client(instructor).get("/admin/")["Location"] == SETUP


def test_a_reset_asks_the_administrator_for_the_password_first(site_tree):
    admin = staff_user(group="Administrators")
    instructor = staff_user(group="Instructors")
    response = _client(admin).post(
        f"/admin/two-factor/{instructor.pk}/reset/", {"reason": "Lost phone."}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=instructor).count() == 2


def test_an_instructor_cannot_reach_the_mfa_list_or_reset(site_tree):
    instructor = staff_user(group="Instructors")
    other = staff_user(group="Instructors")
    client = client_reauthenticated(_client(instructor))
    for url in ("/admin/two-factor/", f"/admin/two-factor/{other.pk}/reset/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    client.post(f"/admin/two-factor/{other.pk}/reset/", {"reason": "Because."})
    assert Authenticator.objects.filter(user=other).count() == 2
    # Nor does the menu offer it.
    assert "/admin/two-factor/" not in client.get("/admin/").content.decode()
    # An unknown id answers as a known one does: nothing tells what exists.
    assert client.get("/admin/two-factor/999999/reset/")["Location"] == "/admin/"


def test_mfa_reset_refuses_ones_own_a_superusers_by_an_administrator_and_no_reason():
    admin = staff_user(group="Administrators")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    instructor = staff_user(group="Instructors")
    for actor, user, reason in [
        (admin, admin, "Mine."),
        (admin, superuser, "Lost phone."),
        (admin, instructor, " "),
        (instructor, admin, "Lost phone."),
    ]:
        with pytest.raises(Refusal):
            mfa_reset(actor=actor, user=user, reason=reason)
    assert Authenticator.objects.count() == 6
    assert mfa_reset(actor=superuser, user=admin, reason="New phone.") == [
        "recovery_codes",
        "totp",
    ]
