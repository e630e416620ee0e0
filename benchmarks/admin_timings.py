"""The admin's two slowest pages for authors and reviewers (issue 17): opening a
course in the page editor (GET /admin/pages/<course>/edit/) and approving a course
sent for review with its lessons and post-test (the workflow-action view).

The course is a launch module as `seed_demo` loads it (its long lessons, its
post-test and its credit rows), opened by its owner; the
approval is of a copy of it whose pages are drafts in review with it. Django's
test client, a fresh test database; the median of the rounds, with the queries
and the process's CPU time of one round.

Run: ``.venv/bin/python benchmarks/admin_timings.py`` (PostgreSQL from
``DATABASE_URL``; it creates and drops its own test database).
``--profile`` prints cProfile's slowest functions of one editor open and one
approval instead of writing docs/benchmarks.md.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SLUG = "countertransference-as-information"


def _timed(call) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, queries) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, len(queries.captured_queries)


def _profile(call, label: str) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(25)
    # Our own code, apart from Django's and Wagtail's.
    stats.print_stats(
        r"/(courses|quizzes|certificates|cms|accounts|audit|reports)/(?!.*site-packages)", 40
    )
    stats.print_stats(r"(wagtail|modelsearch|django_tasks|modelcluster)/", 40)
    stats.sort_stats("tottime").print_stats(25)
    print(f"===== {label} =====\n{out.getvalue()}")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from benchmarks.report import report_publish

    profile = "--profile" in sys.argv
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from wagtail.models import Page

        from courses.duplicate import course_duplicate
        from courses.models import CoursePage, LessonPage
        from tests.factories import launch_module_as_seeded, staff_user

        course = launch_module_as_seeded(SLUG)
        instructor = staff_user(group="Instructors")
        Page.objects.descendant_of(course, inclusive=True).update(owner=instructor)
        author, reviewer = Client(), Client()
        author.force_login(instructor)
        administrator = staff_user(group="Administrators")
        reviewer.force_login(administrator)
        edit_url = f"/admin/pages/{course.pk}/edit/"
        lessons = LessonPage.objects.child_of(course).count()

        def editor_open():
            response = author.get(edit_url)
            assert response.status_code == 200, response.status_code

        def in_review() -> CoursePage:
            copy = course_duplicate(course_id=course.pk, user=instructor, title="Copy")
            copy.get_workflow().start(copy, instructor)  # its pages go with it
            return copy

        def approve(copy):
            page = Page.objects.get(pk=copy.pk)
            state = page.current_workflow_task_state
            url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.pk))
            response = reviewer.post(url, {"comment": ""})
            assert response.status_code == 302, response.status_code
            assert CoursePage.objects.get(pk=copy.pk).live

        editor_open()  # the first request of a process loads templates and panels
        if profile:
            _profile(editor_open, "editor open")
            copy = in_review()
            _profile(lambda: approve(copy), "approval")
            return
        opens = [_timed(editor_open) for _ in range(ROUNDS)]
        approvals = []
        for _ in range(ROUNDS):
            copy = in_review()
            approvals.append(_timed(lambda copy=copy: approve(copy)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    def row(label, rounds):
        wall = statistics.median(r[0] for r in rounds) * 1000
        cpu = statistics.median(r[1] for r in rounds) * 1000
        return f"| {label} | {wall:.0f} ms | {cpu:.0f} ms | {rounds[-1][2]} | ≤ 1000 ms | {'meets' if wall <= 1000 else 'misses'} |"

    load = os.getloadavg()[0]
    body = f"""Command: `.venv/bin/python benchmarks/admin_timings.py` ({ROUNDS} rounds, median; `--profile` for cProfile).
The launch module “{SLUG}” as `seed_demo` loads it ({lessons} lessons, its post-test
and its credit rows), opened by its owner (an instructor); the approval is of a copy of it
sent for review with its {lessons + 1} pages, through the admin's workflow-action view.
Load average (1 min) at the end: {load:.2f} (a shared machine: wall-clock times are
upper bounds; the CPU column is this process's own time, PostgreSQL not counted).

| Page | Wall (median) | CPU (median) | Queries | Target | |
|---|---|---|---|---|---|
{row("Open the course editor (GET /admin/pages/&lt;course&gt;/edit/)", opens)}
{row("Approve the course with its pages (one review round)", approvals)}
"""
    report_publish(section="admin_timings", title="Admin: course editor and approval", body=body)


if __name__ == "__main__":
    main()
