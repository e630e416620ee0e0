"""Bad input everywhere (issue 20): generated requests to every form, filter and JSON
endpoint never give a 5xx, never change data when refused, and always say what was
wrong. The URL patterns are walked, so a new endpoint without a target fails here.

Example counts are small (each target gets FUZZ_EXAMPLES generated requests, default
6): the point is breadth over every endpoint on each run; hypothesis varies the
examples from run to run. FUZZ_EXAMPLES=200 for a long hunt.
"""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, note, settings

from tests.factories import (
    LicenseFactory,
    client_reauthenticated,
    clinician,
    course_build,
    course_completed_by,
    lessons_of,
    license_tracked,
    outside_certificate,
    staff_user,
)
from tests.sqlite import ROOT, sqlite_database, sqlite_env

from .fuzz import fingerprint, fingerprint_sql, project_apps, requests, says_what_was_wrong
from .fuzz_targets import NOT_FUZZED, TARGETS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 6)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def project_routes() -> set[str]:
    """Every route whose view is the project's own code (Wagtail's, Django's and allauth's
    views are tested by their projects; the ones the brief names are targets anyway)."""
    routes = set()
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", callback)
        if view.__module__.split(".")[0] in {c.name.split(".")[0] for c in project_apps()}:
            routes.add(route)
    return routes


def test_every_url_of_the_project_has_a_fuzz_target():
    targeted = {t.route for t in TARGETS}
    missing = project_routes() - targeted - set(NOT_FUZZED)
    assert not missing, (
        f"URLs without a fuzz target (add them to fuzz_targets.py): {sorted(missing)}"
    )
    stale = {r for r in targeted | set(NOT_FUZZED) if ":" not in r.split("/")[0]} - project_routes()
    assert not stale - {"accounts/signup/"}, f"targets of URLs that are gone: {sorted(stale)}"


@dataclass
class World:
    """One clinician with a completed course (enrollment, passed attempt, certificate),
    a tracked license, an uploaded certificate and a second license; an Administrator."""

    clients: dict = field(default_factory=dict)
    real_values: list = field(default_factory=list)


def world_build(site_tree) -> World:
    from quizzes.models import Attempt, PostTestPage

    world = World()
    person = clinician()
    enrollment, _ = course_completed_by(user=person)
    course = enrollment.course
    certificate = enrollment.certificates.first()
    other_course = course_build(title="Another course")
    license = person.licenses.first()
    license_tracked(
        license=license,
        cycle_start=date(2025, 1, 1),
        deadline=date(2027, 1, 1),
        total_hours=40,
        accepted_accreditors="APA",
    )
    upload = outside_certificate(user=person)
    lesson = lessons_of(course)[0]
    post_test = PostTestPage.objects.child_of(course).first()
    attempt = Attempt.objects.filter(enrollment=enrollment).first()
    world.__dict__.update(
        course_pk=course.pk,
        course_url=course.url,
        lesson_url=lesson.url,
        lesson_pk=lesson.pk,
        post_test_url=post_test.url,
        post_test_pk=post_test.pk,
        enrollment_pk=enrollment.pk,
        attempt_pk=attempt.pk,
        open_attempt_pk=attempt.pk,
        certificate_pk=certificate.pk,
        certificate_number=certificate.number,
        license_pk=license.pk,
        other_license_pk=LicenseFactory(user=person, profession="counselor").pk,
        upload_pk=upload.pk,
        clinician_pk=person.pk,
    )
    world.real_values = [
        str(v)
        for v in (course.pk, other_course.pk, lesson.pk, enrollment.pk, attempt.pk, certificate.pk)
    ] + [certificate.number, "on", "true", "1", "2026-01-01", "psychologist", "accommodation"]
    clinician_client = Client()
    clinician_client.force_login(person)
    admin_client = Client()
    admin_client.force_login(staff_user(group="Administrators"))
    client_reauthenticated(admin_client)
    world.clients = {"clinician": clinician_client, "admin": admin_client, "anonymous": Client()}
    return world


GROUPS = {
    "anonymous": [t for t in TARGETS if t.who == "anonymous"],
    "clinician-learning": [
        t
        for t in TARGETS
        if t.who == "clinician" and not t.route.startswith(("renewals", "support"))
    ],
    "clinician-renewals-support": [
        t for t in TARGETS if t.who == "clinician" and t.route.startswith(("renewals", "support"))
    ],
    "admin-listings": [t for t in TARGETS if t.who == "admin" and t.method == "get"],
    "admin-actions": [t for t in TARGETS if t.who == "admin" and t.method == "post"],
}


def test_the_groups_cover_every_target():
    assert sum(len(g) for g in GROUPS.values()) == len(TARGETS)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.django_db
def test_generated_input_never_fails_never_changes_data_when_refused_and_says_why(
    group, site_tree, settings_fast_passwords, monkeypatch
):
    world = world_build(site_tree)
    sql = fingerprint_sql()
    for target in GROUPS[group]:
        fuzz(target, world.clients[target.who], world, sql)


def fuzz(target, client, world, sql):
    """EXAMPLES generated requests to one target, each checked."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=requests(target, world))
    def hit(request):
        method, url, body, content_type = request
        note(f"{target.route}: {method.upper()} {url[:300]!r} {content_type} {body[:300]!r}")
        before = fingerprint(sql)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data=body, content_type=content_type)
        status = response.status_code
        assert status < 500, f"{target.route} answered {status}"
        if status >= 400:
            after = fingerprint(sql)
            changed = sorted(t for t in before if before[t] != after[t])
            assert not changed, f"{target.route} refused ({status}) but changed {changed}"
            assert says_what_was_wrong(response), f"{target.route} refused ({status}) silently"

    hit()


@pytest.fixture
def settings_fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # allauth's own limits (signup 20 a minute) would answer 429 to the generated signups.
    settings.ACCOUNT_RATE_LIMITS = False
    return SimpleNamespace()


#: Generated requests per target in the SQLite pass (a smaller pass: the breadth is the point).
SQLITE_EXAMPLES = int(os.environ.get("FUZZ_SQLITE_EXAMPLES") or 2)


def test_the_same_generated_input_on_sqlite(tmp_path):
    """Every target again, on SQLite (`make run`'s default), which differs where input
    reaches the database: integers beyond 64 bits, text comparisons, NUL. A child pytest
    runs the test above on a migrated SQLite file (tests/sqlite.py)."""
    database = sqlite_database(tmp_path)
    env = sqlite_env(
        tmp_path / "unused.sqlite3",
        TEST_DATABASE_NAME=str(database),
        FUZZ_EXAMPLES=str(SQLITE_EXAMPLES),
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--reuse-db",
            "-q",
            "--no-header",
            "-o",
            "log_level=WARNING",
            f"{Path(__file__).resolve()}::{test_generated_input_never_fails_never_changes_data_when_refused_and_says_why.__name__}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-8000:]
    assert f"{len(GROUPS)} passed" in run.stdout, run.stdout[-2000:]
