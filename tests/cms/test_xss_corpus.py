"""Text typed by people is escaped wherever it is shown: a corpus of script and
markup payloads in names, licenses, a course title, instructors and evaluation
comments never comes back unescaped on the main pages of clinicians, the
public and staff (production settings behind the proxy)."""

import re

import pytest

from courses.models import Instructor
from courses.services import enrollment_create
from quizzes.models import Evaluation
from tests.factories import (
    client_reauthenticated,
    clinician,
    course_build,
    lessons_of,
    requirements_complete,
    staff_user,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<script>alert("xss-1")</script>',
    '"><img src=x onerror=alert("xss-2")>',
    "'><svg onload=alert('xss-3')>",
    '</textarea><script>alert("xss-4")</script>',
    "<a href=\"javascript:alert('xss-5')\">x</a>",
]
# What a payload looks like when it got through: a tag the browser would build.
UNESCAPED = re.compile(r"<(script|img|svg|a)\b[^>]*(alert|onerror|onload|javascript:)", re.I)


def test_no_payload_comes_back_unescaped_on_the_main_pages(proxied_client):
    course = course_build(title=f"Stuck treatments {PAYLOADS[0]}")
    Instructor.objects.filter(pk__in=course.course_instructors.values("instructor")).update(
        name=f"Rowan {PAYLOADS[1]}", credentials=PAYLOADS[2]
    )
    owner = clinician(full_name=f"Dana {PAYLOADS[0]}")
    owner.licenses.update(license_number=PAYLOADS[1][:64], region=PAYLOADS[2])
    enrollment = enrollment_create(user=owner, course=course)
    assert requirements_complete(enrollment=enrollment) is not None
    Evaluation.objects.filter(enrollment=enrollment).update(comments=" ".join(PAYLOADS[3:]))
    lesson = lessons_of(course)[0]
    certificate = enrollment.certificates.get()
    year = certificate.completion_date.year

    pages = {
        "anonymous": ["/", course.url, f"/verify/{certificate.number}/"],
        "owner": [
            "/dashboard/",
            "/profile/",
            "/transcript/",
            course.url,
            lesson.url,
            f"/learn/courses/{course.pk}/evaluation/",
        ],
        "admin": [
            "/admin/",
            "/admin/certificates/",
            f"/admin/certificates/?q={owner.email}",
            f"/admin/certificates/inspect/{certificate.pk}/",
            f"/admin/certificates/{certificate.pk}/reissue/",
            f"/admin/audit-reports/roster/?course={course.pk}&start={year}-01-01&end={year}-12-31",
            f"/admin/evaluations/{course.pk}/",
            "/admin/users/",
            f"/admin/users/edit/{owner.pk}/",
            f"/admin/pages/{course.pk}/edit/",
            "/admin/snippets/courses/instructor/",
        ],
    }
    users = {"owner": owner, "admin": staff_user(group="Administrators", is_superuser=True)}
    seen = 0
    for who, urls in pages.items():
        client = proxied_client("203.0.113.5")
        if who in users:
            client.force_login(users[who])
            client_reauthenticated(client)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            found = UNESCAPED.search(response.content.decode())
            assert found is None, (who, url, found and found.group(0))
            seen += 1
    assert seen == sum(len(urls) for urls in pages.values())
