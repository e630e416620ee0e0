"""Approving a course with two lessons and a post-test: one review round against
the page-by-page round it replaced (issue 17).

Both rounds run on the same code through the admin's own workflow-action view
(Django's test client, a signed-in Administrator): "one approval" approves the
course only (its pages are approved and published with it); "page by page"
approves each lesson and the post-test, then the course, as before issue 17.
Each round on a fresh course; the median of the rounds is reported.

Run: ``.venv/bin/python benchmarks/course_review.py`` (PostgreSQL from
``DATABASE_URL``; it creates and drops its own test database).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from benchmarks.report import report_publish

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from wagtail.models import Page

        from courses.models import CoursePage
        from tests.factories import course_build, staff_user

        instructor = staff_user(group="Instructors")
        admin = Client()
        admin.force_login(staff_user(group="Administrators"))

        def approve(page) -> float:
            page = Page.objects.get(pk=page.pk)
            state = page.current_workflow_task_state
            url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.pk))
            started = time.perf_counter()
            response = admin.post(url, {"comment": ""})
            elapsed = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            return elapsed

        def fresh_course():
            course = course_build(publish=False, publish_lessons=False, owner=instructor)
            for child in Page.objects.child_of(course):
                if child.live:
                    child.specific.unpublish()
            course.get_workflow().start(course, instructor)  # its pages go with it
            return course

        one, each = [], []
        for _ in range(ROUNDS):
            course = fresh_course()
            one.append(approve(course))
            assert CoursePage.objects.get(pk=course.pk).live
            course = fresh_course()
            children = list(Page.objects.child_of(course).order_by("path"))
            total = sum(approve(child) for child in children) + approve(course)
            each.append(total)
            assert CoursePage.objects.get(pk=course.pk).live
        pages = len(children)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    body = f"""Command: `.venv/bin/python benchmarks/course_review.py`; {ROUNDS} rounds, median.
A course with {pages} pages under it (two lessons, the post-test), through the admin's
workflow-action view.

| Round | Approvals | Time to publish the course (median) |
|---|---|---|
| One review round (issue 17) | 1 | {statistics.median(one) * 1000:.0f} ms |
| Page by page (before) | {pages + 1} | {statistics.median(each) * 1000:.0f} ms |
"""
    report_publish(section="course_review", title="Course approval", body=body)


if __name__ == "__main__":
    main()
