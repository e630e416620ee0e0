"""An audit row for every administrative action that exists today, written by
the service or the Wagtail view that does it: who, from where, what, on which
object, and why."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.test.utils.form_data import querydict_from_html

from accounts import services as account_services
from audit.models import AuditAction, AuditEvent
from certificates import services
from certificates.models import Certificate
from courses.models import Accreditor, CourseCredit
from courses.services import enrollment_create
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    certificate_issued,
    client_reauthenticated,
    clinician,
    completion_record,
    course_build,
    staff_user,
)

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


@pytest.fixture
def superuser(db):
    return staff_user(group="Administrators", email="root@example.org", is_superuser=True)


def only_row(action, **filters) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(action=action, **filters))
    assert len(rows) == 1, [str(r) for r in AuditEvent.objects.all()]
    return rows[0]


# --- Services (no request: the actor is recorded, the address is not) ----------------------


def _issue(administrator):
    certificate = certificate_issued()
    return certificate, None, ""


def _hold(administrator):
    old = AccreditorFactory(short_name="OLD")
    course = course_build(accreditors=[old])
    # Its approval period ends after the course was published, before this completion.
    Accreditor.objects.filter(pk=old.pk).update(
        approval_start=date(2000, 1, 1), approval_end=date(2000, 12, 31)
    )
    certificate = certificate_issued(course=course, accreditors=[old])
    assert certificate.status == Certificate.Status.HELD
    return certificate, None, "outside OLD's approval period"


def _release(administrator):
    certificate, _, _ = _hold(administrator)
    services.certificate_release(
        certificate=certificate, actor=administrator, reason="Board agreed"
    )
    return certificate, administrator, "Board agreed"


def _issue_manual(administrator):
    enrollment = enrollment_create(user=clinician(), course=course_build())
    completion_record(enrollment=enrollment)
    certificate = services.certificate_issue_manual(
        enrollment=enrollment,
        accreditor=enrollment.course.credits.get().accreditor,
        actor=administrator,
        reason="Issuing failed during the outage",
    )
    return certificate, administrator, "Issuing failed during the outage"


def _reissue(administrator):
    old = certificate_issued()
    services.certificate_reissue(certificate=old, actor=administrator, reason="Name corrected")
    return old, administrator, "Name corrected"


def _revoke(administrator):
    certificate = certificate_issued()
    services.certificate_revoke(
        certificate=certificate, actor=administrator, reason="False attestation"
    )
    return certificate, administrator, "False attestation"


def _restore(administrator):
    certificate = certificate_issued()
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Mistake")
    services.certificate_restore(
        certificate=certificate, actor=administrator, reason="Revoked in error"
    )
    return certificate, administrator, "Revoked in error"


def _bulk_job(administrator):
    certificate = certificate_issued()
    job = services.bulk_reissue_create(
        certificate_ids=[certificate.pk], actor=administrator, reason="New logo", filters={"q": "x"}
    )
    return job, administrator, "New logo"


def _mfa_reset(administrator):
    person = staff_user(group="Instructors")
    account_services.mfa_reset(actor=administrator, user=person, reason="Lost phone")
    return person, administrator, "Lost phone"


def _deactivate(administrator):
    person = clinician()
    account_services.user_deactivate(user=person, actor=administrator)
    return person, administrator, ""


def _delete_self(administrator):
    person = certificate_issued().user  # records keep the row: erased, not deleted
    account_services.user_delete_self(user=person)
    return person, person, ""


@pytest.mark.parametrize(
    ("act", "action"),
    [
        (_issue, AuditAction.CERTIFICATE_ISSUE),
        (_hold, AuditAction.CERTIFICATE_HOLD),
        (_release, AuditAction.CERTIFICATE_RELEASE),
        (_issue_manual, AuditAction.CERTIFICATE_ISSUE_MANUAL),
        (_reissue, AuditAction.CERTIFICATE_REISSUE),
        (_revoke, AuditAction.CERTIFICATE_REVOKE),
        (_restore, AuditAction.CERTIFICATE_RESTORE),
        (_bulk_job, AuditAction.BULK_JOB_CREATE),
        (_mfa_reset, AuditAction.MFA_RESET),
        (_deactivate, AuditAction.USER_DEACTIVATE),
        (_delete_self, AuditAction.USER_DELETE),
    ],
    ids=lambda value: getattr(value, "value", None) or value.__name__,
)
def test_each_service_action_adds_one_row_naming_actor_object_and_reason(
    administrator, act, action
):
    obj, actor, reason = act(administrator)
    row = only_row(action)
    meta = obj._meta
    assert (row.object_type, row.object_id) == (f"{meta.app_label}.{meta.model_name}", str(obj.pk))
    assert row.actor_id == (actor.pk if actor else None)
    assert row.actor_label == (actor.email if actor else "")
    assert reason in row.reason
    assert row.ip_address is None  # no request: a service called from a test or a worker


def test_a_reissue_row_names_the_new_certificate(administrator):
    old, _, _ = _reissue(administrator)
    new = Certificate.objects.get(supersedes=old)
    assert only_row(AuditAction.CERTIFICATE_REISSUE).data == {"new_number": new.number}


# --- Through the admin (the request gives the address) -------------------------------------


def _signed_in_from_address(proxied_client, user):
    client = proxied_client(ADDRESS)
    client.force_login(user)
    return client_reauthenticated(client)


@pytest.fixture
def admin_client(proxied_client, administrator):
    return _signed_in_from_address(proxied_client, administrator)


@pytest.fixture
def superuser_client(proxied_client, superuser):
    return _signed_in_from_address(proxied_client, superuser)


def test_a_revoke_in_the_admin_records_the_address_behind_the_proxy(admin_client, administrator):
    certificate = certificate_issued()
    response = admin_client.post(
        f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "False attestation"}
    )
    assert response.status_code == 302
    row = only_row(AuditAction.CERTIFICATE_REVOKE)
    assert (row.actor_id, row.ip_address, row.reason) == (
        administrator.pk,
        ADDRESS,
        "False attestation",
    )


def _form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return querydict_from_html(response.content.decode(), form_id="w-editor-form")


def _person_form(client, url: str) -> dict:
    data = _form(client, url)
    # A checked box without a value attribute is sent as "on" by browsers.
    data.update({"is_active": "on", "first_name": "Rowan", "last_name": "Ellery"})
    return data


def test_adding_a_person_to_a_group_in_the_admin_records_their_groups_before_and_after(
    admin_client, administrator
):
    person = UserFactory(email="rowan@example.org")
    url = f"/admin/users/edit/{person.pk}/"
    data = _person_form(admin_client, url)
    data.setlist("groups", [str(Group.objects.get(name="Instructors").pk)])
    assert admin_client.post(url, data).status_code == 302
    row = only_row(AuditAction.USER_ROLES_EDIT, object_id=str(person.pk))
    assert row.data["changed"] == ["groups"]
    assert (row.data["before"]["groups"], row.data["after"]["groups"]) == ([], ["Instructors"])
    assert (row.actor_id, row.ip_address) == (administrator.pk, ADDRESS)


def test_saving_a_person_unchanged_adds_no_row(admin_client):
    person = UserFactory()
    url = f"/admin/users/edit/{person.pk}/"
    assert admin_client.post(url, _person_form(admin_client, url)).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.USER_ROLES_EDIT).exists()


def test_deleting_a_person_in_the_admin_records_who_they_were(superuser_client, superuser):
    person = UserFactory(email="gone@example.org", full_name="Gone Person")
    pk = person.pk
    response = superuser_client.post(f"/admin/users/delete/{pk}/")
    assert response.status_code == 302
    row = only_row(AuditAction.USER_DELETE)
    assert (row.object_type, row.object_id, row.object_label) == (
        "accounts.user",
        str(pk),
        "Gone Person",
    )
    assert row.data["email"] == "gone@example.org"


def test_deactivating_people_in_bulk_records_each(admin_client):
    people = [UserFactory(), UserFactory()]
    ids = "&".join(f"id={p.pk}" for p in people)
    response = admin_client.post(
        f"/admin/bulk/accounts/user/set_active_state/?{ids}", {"mark_as_active": "False"}
    )
    assert response.status_code == 302
    rows = AuditEvent.objects.filter(action=AuditAction.USER_ROLES_EDIT)
    assert {row.object_id for row in rows} == {str(p.pk) for p in people}
    assert all(row.data["after"]["is_active"] is False for row in rows)


def test_a_group_permission_change_in_the_admin_records_what_it_granted_before_and_after(
    superuser_client,
):
    group = Group.objects.get(name="Instructors")
    url = f"/admin/groups/edit/{group.pk}/"
    data = _form(superuser_client, url)
    view_log = Permission.objects.get(codename="view_auditevent")
    data.appendlist("permissions", str(view_log.pk))
    assert superuser_client.post(url, data).status_code == 302
    row = only_row(AuditAction.GROUP_EDIT)
    assert "permissions" in row.data["changed"]
    added = set(row.data["after"]["permissions"]) - set(row.data["before"]["permissions"])
    assert added == {"audit.view_auditevent"}
    assert row.ip_address == ADDRESS


def test_creating_and_deleting_a_group_in_the_admin_are_recorded(superuser_client):
    data = _form(superuser_client, "/admin/groups/new/")
    data["name"] = "Reviewers"
    assert superuser_client.post("/admin/groups/new/", data).status_code == 302
    group = Group.objects.get(name="Reviewers")
    assert only_row(AuditAction.GROUP_CREATE).data["after"]["name"] == "Reviewers"
    response = superuser_client.post(f"/admin/groups/delete/{group.pk}/")
    assert response.status_code == 302
    row = only_row(AuditAction.GROUP_DELETE)
    assert (row.object_label, row.ip_address) == ("Reviewers", ADDRESS)


def test_editing_an_accreditor_records_the_fields_that_changed(admin_client):
    apa = AccreditorFactory()
    url = f"/admin/snippets/courses/accreditor/edit/{apa.pk}/"
    data = _form(admin_client, url)
    data["provider_number"] = "APA-9999"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = only_row(AuditAction.ACCREDITOR_EDIT)
    assert row.data["before"] == {"provider_number": "APA-1234"}
    assert row.data["after"] == {"provider_number": "APA-9999"}


def test_adding_an_accreditor_is_recorded_with_its_fields(admin_client, administrator):
    # The add form takes the same fields as an existing accreditor's edit form.
    model = AccreditorFactory()
    data = _form(admin_client, f"/admin/snippets/courses/accreditor/edit/{model.pk}/")
    data.update({"name": "National Board for Certified Counselors", "short_name": "NBCC"})
    data["provider_number"] = "NBCC-7001"
    response = admin_client.post("/admin/snippets/courses/accreditor/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Accreditor.objects.get(short_name="NBCC")
    row = only_row(AuditAction.ACCREDITOR_CREATE)
    assert (row.object_id, row.actor_id, row.ip_address) == (
        str(added.pk),
        administrator.pk,
        ADDRESS,
    )
    assert set(row.data["before"].values()) == {None}  # nothing before it was added
    assert row.data["after"]["short_name"] == "NBCC"
    assert row.data["after"]["provider_number"] == "NBCC-7001"


def test_deleting_an_accreditor_is_recorded(admin_client):
    unused = AccreditorFactory(short_name="UNUSED")
    pk = unused.pk
    response = admin_client.post(f"/admin/snippets/courses/accreditor/delete/{pk}/")
    assert response.status_code == 302
    row = only_row(AuditAction.ACCREDITOR_DELETE)
    assert (row.object_id, row.data["fields"]["short_name"]) == (str(pk), "UNUSED")


def test_publishing_a_course_with_other_credit_rows_is_recorded():
    course = course_build(hours="0.5")
    first = only_row(AuditAction.CREDIT_EDIT)
    assert first.data["after"] == {"credits": ["APA General 0.50 h"]}
    CourseCredit.objects.filter(page=course).update(hours=Decimal("0.25"))
    course.refresh_from_db()
    course.save_revision().publish()
    latest = AuditEvent.objects.filter(action=AuditAction.CREDIT_EDIT).first()
    assert latest.data["before"] == {"credits": ["APA General 0.50 h"]}
    assert latest.data["after"] == {"credits": ["APA General 0.25 h"]}
    course.save_revision().publish()  # the same credit again: no row
    assert AuditEvent.objects.filter(action=AuditAction.CREDIT_EDIT).count() == 2


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_approval_submissions_and_decisions_are_recorded(administrator, decision):
    instructor = staff_user(group="Instructors")
    course = course_build(publish=False, owner=instructor)
    course.get_workflow().start(course, instructor)
    submitted = only_row(AuditAction.COURSE_SUBMIT)
    assert (submitted.actor_id, submitted.object_id) == (instructor.pk, str(course.pk))
    task_state = course.current_workflow_task_state
    getattr(task_state, decision)(user=administrator, comment="Objectives measurable")
    action = AuditAction.COURSE_APPROVE if decision == "approve" else AuditAction.COURSE_REJECT
    row = only_row(action)
    assert (row.actor_id, row.object_type, row.reason) == (
        administrator.pk,
        "courses.coursepage",
        "Objectives measurable",
    )
