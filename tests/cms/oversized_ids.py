"""Oversized ids sent to every URL, form and filter that takes one: what each
answers. `test_oversized_ids.py` runs `probe()` on PostgreSQL in the test
process and on SQLite (`make run`'s default) in a child process (`main()`),
and compares the answers."""

from __future__ import annotations

import json

# 23 digits: more than any 64-bit integer column holds (2^63 - 1 has 19).
HUGE = "9" * 23
EDGE = str(2**63)  # the smallest number too large


def _requests() -> list[tuple[str, str, str, dict]]:
    """(who, method, URL, data) for every place an id arrives."""
    requests = []
    for number in (HUGE, EDGE):
        requests += [
            ("clinician", "get", f"/learn/courses/{number}/evaluation/", {}),
            ("clinician", "get", f"/learn/attempts/{number}/", {}),
            ("clinician", "post", f"/learn/attempts/{number}/submit/", {}),
            ("clinician", "post", f"/learn/attempts/{number}/answer/", {"question": "x"}),
            ("clinician", "get", f"/courses/?accreditor={number}", {}),
            ("clinician", "get", f"/certificates/status/{number}/", {}),
            ("clinician", "post", f"/profile/licenses/{number}/remove/", {}),
            ("clinician", "get", f"/profile/licenses/{number}/edit/", {}),
            ("clinician", "post", f"/profile/licenses/{number}/edit/", {}),
            ("admin", "get", f"/admin/two-factor/{number}/reset/", {}),
            ("admin", "post", f"/admin/people/{number}/deactivate/", {}),
            ("admin", "get", f"/admin/evaluations/{number}/", {}),
            ("admin", "get", f"/admin/evaluations/{number}/csv/", {}),
            ("admin", "get", f"/admin/course-preview/{number}/", {}),
            ("admin", "post", f"/admin/course-duplicate/{number}/", {"title": "Copy"}),
            ("admin", "get", f"/admin/course-preview/{number}/{number}/", {}),
            ("admin", "get", f"/admin/certificates/inspect/{number}/", {}),
            ("admin", "get", f"/admin/certificates/{number}/revoke/", {}),
            ("admin", "get", f"/admin/certificates/bulk/{number}/", {}),
            ("admin", "get", f"/admin/certificates/bulk/{number}/status/", {}),
            ("admin", "get", f"/admin/certificates/?course={number}", {}),
            ("admin", "get", f"/admin/certificates/export/?course={number}", {}),
            ("admin", "get", f"/admin/certificates/bulk/reissue/?course={number}", {}),
            ("admin", "get", f"/admin/audit-reports/roster/?course={number}", {}),
            ("admin", "get", f"/admin/audit-reports/accreditor/?accreditor={number}", {}),
            ("admin", "get", f"/admin/audit-reports/courses/{number}/", {}),
            ("admin", "post", f"/admin/support/overrides/{number}/end/", {}),
            ("admin", "get", f"/admin/support/overrides/new/?request={number}", {}),
            (
                "admin",
                "post",
                "/admin/support/overrides/new/",
                {"email": "x@example.org", "course": number, "extra_attempts": "1", "reason": "x"},
            ),
            ("admin", "get", f"/admin/audit-reports/courses/{number}/items/csv/", {}),
            ("admin", "get", f"/admin/post-tests/{number}/import/", {}),
            ("admin", "post", "/admin/post-tests/1/import/", {"base_revision": number}),
            (
                "admin",
                "post",
                "/admin/certificates/issue/",
                {"email": "x@example.org", "course": number, "accreditor": number, "reason": "x"},
            ),
        ]
    return requests


def _form_answers() -> dict[str, str]:
    """The choice fields by themselves: their error code for an oversized id."""
    from django.core.exceptions import ValidationError

    from cms.ids import IdModelChoiceField, IdModelMultipleChoiceField
    from courses.models import Accreditor, CoursePage

    answers = {}
    for name, field, value in (
        ("course choice", IdModelChoiceField(queryset=CoursePage.objects.all()), HUGE),
        ("accreditor claim", IdModelMultipleChoiceField(queryset=Accreditor.objects.all()), [HUGE]),
    ):
        try:
            field.clean(value)
        except ValidationError as error:
            answers[name] = error.code
        else:
            answers[name] = "accepted"
    return answers


def probe() -> dict[str, object]:
    """Every request's status code (and the fields' answers), with a clinician
    and an Administrator freshly re-authenticated, on a site with its catalog (so
    the catalog's filters meet the ids, not a 404 for a missing page)."""
    from django.test import Client

    from tests.factories import UserFactory, catalog_get, client_reauthenticated, staff_user

    catalog_get()
    clients = {"clinician": Client(), "admin": Client()}
    clients["clinician"].force_login(UserFactory())
    clients["admin"].force_login(staff_user(group="Administrators"))
    client_reauthenticated(clients["admin"])
    answers: dict[str, object] = {}
    for who, method, url, data in _requests():
        response = getattr(clients[who], method)(url, data)
        answers[f"{method.upper()} {url}"] = response.status_code
    answers.update(_form_answers())
    return answers


def main() -> None:
    """In a child process on a migrated database: print the answers as JSON."""
    import django

    django.setup()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
