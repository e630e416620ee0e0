"""Heartbeats as a reader sends them, on whichever database this process has:
`test_heartbeats.py` runs `probe()` on PostgreSQL in the test process and, through
`main()`, on SQLite (`make run`'s default, where the beat is the ORM's few
statements instead of PostgreSQL's one) in a child process."""

from __future__ import annotations

import json
from datetime import timedelta


def probe() -> dict:
    """Open a lesson, beat, beat again 30 s later, then beat another lesson: what
    each beat answered and what was recorded."""
    from django.db import connection
    from django.utils import timezone

    from courses.models import Enrollment, LessonProgress
    from courses.services import enrollment_create
    from tests.courses.conftest import client_for
    from tests.factories import UserFactory, course_build, lessons_of

    course = course_build(lessons=2)
    reader = UserFactory()
    enrollment = enrollment_create(user=reader, course=course)
    first, second = lessons_of(course)
    client = client_for(reader)

    def beat(lesson, seconds: int) -> dict:
        response = client.post(
            "/learn/heartbeat/",
            {"lesson": lesson.pk, "seconds": seconds},
            headers={"accept": "application/json"},
        )
        return {"status": response.status_code, **response.json()}

    def thirty_seconds_pass() -> None:
        LessonProgress.objects.filter(enrollment=enrollment).update(
            last_heartbeat_at=timezone.now() - timedelta(seconds=30)
        )

    answers = [beat(first, 0)]
    thirty_seconds_pass()
    answers.append(beat(first, 30))
    answers.append(beat(first, 3600))  # at once again, claiming an hour
    answers.append(beat(second, 0))
    thirty_seconds_pass()
    answers.append(beat(second, 30))
    resume = Enrollment.objects.get(pk=enrollment.pk).last_lesson_id
    return {
        "vendor": connection.vendor,
        "answers": answers,
        "active": [
            LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).active_seconds
            for lesson in (first, second)
        ],
        "resume_is_second": resume == second.pk,
    }


def main() -> None:
    """In a child process on a migrated database: print the answers as JSON."""
    import django

    django.setup()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
