"""No cross-user access: every URL that names one person's object (an attempt,
an enrollment, a license, a certificate, a course's evaluations, an account),
asked by each of seven roles that may not see it, answers without it, on
production settings behind the proxy."""

from dataclasses import dataclass

import pytest

from certificates import services
from certificates.models import Certificate
from courses.services import enrollment_create
from quizzes.models import Attempt
from quizzes.services import attempt_start
from tests.factories import (
    client_reauthenticated,
    clinician,
    course_build,
    course_completed_by,
    lessons_complete,
    staff_user,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "owner",
    "other clinician",
    "instructor",
    "course instructor",
    "administrator",
    "superuser",
)
ADMINS = {"administrator", "superuser"}
COMMENT = "owner-private-comment-7163"


@dataclass
class World:
    owner: object
    course: object
    certificate: Certificate
    attempt: Attempt
    license_id: int
    job_id: int
    users: dict


@pytest.fixture
def world():
    course_instructor = staff_user(group="Instructors")
    course = course_build(owner=course_instructor)
    owner = clinician(full_name="Owner Ostrander", email="owner@example.org")
    enrollment, _ = course_completed_by(user=owner, course=course)
    enrollment.evaluation.comments = COMMENT
    enrollment.evaluation.save(update_fields=["comments"])
    certificate = Certificate.objects.get(enrollment=enrollment)
    second_course = course_build(title="A second course", owner=course_instructor)
    second = enrollment_create(user=owner, course=second_course)
    lessons_complete(enrollment=second)
    attempt = attempt_start(enrollment=second)
    administrator = staff_user(group="Administrators")
    job = services.bulk_reissue_create(
        certificate_ids=[certificate.pk], actor=administrator, reason="Test", filters={}
    )
    users = {
        "owner": owner,
        "other clinician": clinician(full_name="Other Person", email="other@example.org"),
        "instructor": staff_user(group="Instructors"),
        "course instructor": course_instructor,
        "administrator": administrator,
        "superuser": staff_user(group="Administrators", is_superuser=True),
    }
    return World(
        owner=owner,
        course=course,
        certificate=certificate,
        attempt=attempt,
        license_id=owner.licenses.get().pk,
        job_id=job.pk,
        users=users,
    )


def _object_urls(w: World) -> list[tuple[str, str, set[str]]]:
    """(method, URL, the roles that may see it)."""
    owner_only = {"owner"}
    c = w.certificate
    return [
        ("get", f"/learn/attempts/{w.attempt.pk}/", owner_only),
        ("post", f"/learn/attempts/{w.attempt.pk}/submit/", owner_only),
        ("get", f"/learn/courses/{w.course.pk}/evaluation/", owner_only),
        ("get", f"/certificates/status/{c.enrollment_id}/", owner_only),
        ("post", f"/profile/licenses/{w.license_id}/remove/", owner_only),
        ("get", f"/certificates/{c.number}/pdf/", owner_only | ADMINS),
        ("get", f"/certificates/{c.number}/badge/", owner_only | ADMINS),
        ("get", f"/admin/certificates/inspect/{c.pk}/", ADMINS),
        ("get", f"/admin/certificates/{c.pk}/revoke/", ADMINS),
        ("post", f"/admin/certificates/{c.pk}/revoke/", ADMINS),
        ("get", f"/admin/certificates/bulk/{w.job_id}/", ADMINS),
        ("get", f"/admin/certificates/bulk/{w.job_id}/status/", ADMINS),
        ("get", f"/admin/certificates/export/?q={w.owner.email}", ADMINS),
        ("get", f"/admin/audit-reports/roster/?course={w.course.pk}", ADMINS),
        ("get", f"/admin/evaluations/{w.course.pk}/", {"course instructor"} | ADMINS),
        ("get", f"/admin/evaluations/{w.course.pk}/csv/", {"course instructor"} | ADMINS),
        ("get", f"/admin/users/edit/{w.owner.pk}/", ADMINS),
        ("get", f"/admin/users/{w.owner.pk}/history/", ADMINS),
    ]


def _secrets(w: World) -> list[str]:
    return [
        w.owner.email,
        w.owner.full_name,
        w.owner.licenses.get().license_number,
        w.certificate.number,
        COMMENT,
    ]


def test_nobody_reaches_another_persons_objects(proxied_client, world):
    clients = {}
    for role in ROLES:
        client = proxied_client("203.0.113.5")
        if role != "anonymous":
            client.force_login(world.users[role])
            client_reauthenticated(client)
        clients[role] = client
    checked = 0
    for method, url, allowed in _object_urls(world):
        for role in set(ROLES) - allowed:
            response = getattr(clients[role], method)(
                url, {"reason": "x"} if method == "post" else {}
            )
            where = f"{role}: {method.upper()} {url} -> {response.status_code}"
            assert response.status_code in (302, 400, 403, 404, 405), where
            if response.status_code == 302:
                assert not response["Location"].startswith(url), where
            body = b"".join(response) if response.streaming else response.content
            for secret in _secrets(world):
                assert secret.encode() not in body, f"{where} shows {secret!r}"
            checked += 1
    assert checked >= 80
    # Nothing changed on the way.
    world.certificate.refresh_from_db()
    world.attempt.refresh_from_db()
    assert world.certificate.status == Certificate.Status.VALID
    assert world.attempt.status == Attempt.Status.IN_PROGRESS
    assert world.owner.licenses.filter(pk=world.license_id).exists()


def test_the_owner_and_the_allowed_roles_do_reach_them(proxied_client, world):
    """The other side of the matrix, on the read-only URLs: the rule is not
    simply "everybody is refused"."""
    for role, url in (
        ("owner", f"/learn/attempts/{world.attempt.pk}/"),
        ("owner", f"/certificates/status/{world.certificate.enrollment_id}/"),
        ("administrator", f"/admin/certificates/inspect/{world.certificate.pk}/"),
        ("superuser", f"/admin/users/edit/{world.owner.pk}/"),
        ("course instructor", f"/admin/evaluations/{world.course.pk}/"),
    ):
        client = proxied_client("203.0.113.5")
        client.force_login(world.users[role])
        client_reauthenticated(client)
        assert client.get(url).status_code == 200, (role, url)
