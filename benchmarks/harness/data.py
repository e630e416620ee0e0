"""Data at scale, by bulk inserts (issue 19): clinicians, enrollments, post-test
attempts, completions and certificates, each row a copy of one real row that
the services made (``template``: a certificate issued the ordinary way), so the
snapshots, frozen draws and credits look as they do in production.

    scale_data_add(template=certificate, courses=[...], clinicians=10_000,
                   enrollments=50_000, attempts=500_000, certificates=30_000)

Enrollments are spread over the given courses (each clinician in at most one
enrollment per course), attempts over the enrollments (numbered 1, 2 ...,
all submitted), and the certificates go to the first enrollments, one each,
with a completion. Used by benchmarks/scale.py at full size and by the tests of
query counts at two small sizes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import uuid

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from certificates.numbers import ALPHABET, check_character

BATCH = 5_000
# What every copied certificate takes from the template as it is.
CERTIFICATE_COPIED = (
    "kind", "accreditor_id", "course_title", "license_numbers", "completion_date",
    "total_hours", "template_version", "course_revision_id", "status_list",
)  # fmt: skip


def _batched(rows, size=BATCH):
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _certificate_number(run_code: str, i: int, year: int) -> str:
    """A well-formed number (certificates.numbers), unique within a run: two
    characters for the run, five for the counter, and the check character."""
    counter = ""
    for _ in range(5):
        i, digit = divmod(i, 32)
        counter = ALPHABET[digit] + counter
    code = run_code + counter + check_character(f"{year:04d}{run_code}{counter}")
    return f"PRC-{year:04d}-{code[:4]}-{code[4:]}"


def scale_data_add(
    *,
    template,
    courses,
    clinicians: int,
    enrollments: int,
    attempts: int,
    certificates: int,
    questions: list | None = None,
) -> dict:
    """Add the rows; returns the new clinicians' ids and the certificates' numbers.
    ``questions``: the attempts' frozen draw (default: the template attempt's)."""
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from courses.models import CourseCompletion, Enrollment
    from quizzes.models import Attempt

    if enrollments > clinicians * len(courses):
        raise ValueError("More enrollments than clinicians × courses: one per course each.")
    if certificates > enrollments:
        raise ValueError("At most one certificate per enrollment.")
    User = get_user_model()
    run = uuid.uuid4().hex[:6]
    run_code = "".join(secrets.choice(ALPHABET) for _ in range(2))
    now = timezone.now()
    attempt_template = Attempt.objects.filter(enrollment=template.enrollment).first()
    completion_template = template.completion
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=f"scale-{run}-{i}@example.com",
                full_name=f"Scale Clinician {i}",
                password=UNUSABLE_PASSWORD_PREFIX,
                date_joined=now,
            )
            for i in range(clinicians)
        )
        pairs = (
            (users[i % clinicians], courses[(i // clinicians) % len(courses)])
            for i in range(enrollments)
        )
        made = []
        for batch in _batched(pairs):
            made += Enrollment.objects.bulk_create(
                Enrollment(user=user, course=course, last_activity_at=now) for user, course in batch
            )
        per = attempts // len(made) if made else 0
        extra = attempts - per * len(made)
        rows = (
            Attempt(
                enrollment=enrollment,
                post_test_id=attempt_template.post_test_id,
                revision_id=attempt_template.revision_id,
                number=number,
                questions=attempt_template.questions if questions is None else questions,
                pass_mark=attempt_template.pass_mark,
                started_at=now - dt.timedelta(hours=1),
                submitted_at=now,
                status=Attempt.Status.SUBMITTED,
                answers=attempt_template.answers,
                results=attempt_template.results,
                score=attempt_template.score,
                passed=number == (per + (1 if i < extra else 0)),
            )
            for i, enrollment in enumerate(made)
            for number in range(1, per + (1 if i < extra else 0) + 1)
        )
        for batch in _batched(rows):
            Attempt.objects.bulk_create(batch)
        completions = []
        for batch in _batched(made[:certificates]):
            completions += CourseCompletion.objects.bulk_create(
                CourseCompletion(
                    enrollment=enrollment,
                    completed_at=now,
                    course_revision_id=completion_template.course_revision_id,
                    snapshot=completion_template.snapshot,
                    active_seconds=completion_template.active_seconds,
                )
                for enrollment in batch
            )
        index = (Certificate.objects.aggregate(top=Max("status_list_index"))["top"] or 0) + 1
        numbers = []
        for batch in _batched(list(enumerate(completions))):
            rows = []
            for i, completion in batch:
                number = _certificate_number(run_code, i, template.completion_date.year)
                numbers.append(number)
                user = completion.enrollment.user
                rows.append(
                    Certificate(
                        **{name: getattr(template, name) for name in CERTIFICATE_COPIED},
                        number=number,
                        status=Certificate.Status.VALID,
                        enrollment=completion.enrollment,
                        user=user,
                        course=completion.enrollment.course,
                        completion=completion,
                        snapshot={**template.snapshot, "number": number, "participant_name": user.full_name},
                        participant_name=user.full_name,
                        issued_at=now,
                        status_list_index=index + i,
                        rendered_at=now,
                        emailed_at=now,
                    )
                )  # fmt: skip
            Certificate.objects.bulk_create(rows)
    return {"clinicians": [u.pk for u in users], "certificates": numbers}
