"""Retention (writes): after RECORD_RETENTION_YEARS, records lose their
personal data; before it, nobody deletes them (docs/records.md).

Inside the window PostgreSQL refuses DELETE on every CE record table (reports
migration 0002): admin, cascades, shell and services all meet the same
trigger. After it, `records_pseudonymise` (weekly, reports.tasks; and
`manage.py records_pseudonymise --dry-run` to list what would go) replaces the
names and license numbers the records froze, clears the free text of
evaluations, deletes the certificate PDFs (they print the name), and keeps
everything an aggregate needs: dates, scores, hours, ratings, professions and
states. A closed account whose records are all pseudonymised loses the name it
kept for them, and the licenses kept for its certificates. Each run adds one
row to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import ClinicianLicense, User
from audit.models import AuditAction
from audit.services import audit_record
from certificates.models import Certificate
from courses.models import CourseCompletion, Enrollment
from quizzes.models import Evaluation

from .models import PseudonymisedEnrollment
from .retention_rules import (
    account_erased,
    participant_scrub,
    pseudonym,
    retention_cutoff,
    snapshot_scrub,
)
from .selectors.retention import records_past_retention


@dataclass(frozen=True)
class PastRetention:
    """One enrollment whose records are past the window, as the dry run lists it."""

    enrollment_id: int
    user_id: int
    course_title: str
    last_record_at: datetime
    certificates: int

    def __str__(self) -> str:
        return (
            f"enrollment {self.enrollment_id} (person {self.user_id}), "
            f"“{self.course_title}”, last record {self.last_record_at:%Y-%m-%d}, "
            f"{self.certificates} certificate(s)"
        )


def records_past_retention_list(*, now: datetime | None = None) -> list[PastRetention]:
    """What `records_pseudonymise` would do now (the dry run)."""
    cutoff = retention_cutoff(now=now)
    return [
        PastRetention(
            enrollment_id=e.pk,
            user_id=e.user_id,
            course_title=e.course.title,
            last_record_at=e.last_record_at,
            certificates=e.certificates.count(),
        )
        for e in records_past_retention(cutoff=cutoff)
    ]


def _enrollment_pseudonymise(*, enrollment_id: int, cutoff: datetime) -> int | None:
    """One enrollment's records, in one transaction; the number of its
    certificates, or None when it is no longer past the window (or done)."""
    with transaction.atomic():
        enrollment = (
            records_past_retention(cutoff=cutoff)
            .filter(pk=enrollment_id)
            .select_for_update(of=("self",))
            .first()
        )
        if enrollment is None:
            return None
        name = pseudonym(user_id=enrollment.user_id)
        certificates = list(Certificate.objects.select_for_update().filter(enrollment=enrollment))
        for certificate in certificates:
            pdf = certificate.pdf.name
            certificate.participant_name = name
            certificate.license_numbers = ""
            certificate.snapshot = snapshot_scrub(certificate.snapshot, pseudonym=name)
            certificate.pdf = ""
            certificate.save(
                update_fields=["participant_name", "license_numbers", "snapshot", "pdf"]
            )
            if pdf:
                storage = certificate.pdf.storage
                transaction.on_commit(lambda name=pdf, s=storage: s.delete(name))
        for completion in CourseCompletion.objects.select_for_update().filter(
            enrollment=enrollment
        ):
            completion.snapshot = snapshot_scrub(completion.snapshot, pseudonym=name)
            completion.participant = participant_scrub(completion.participant, pseudonym=name)
            completion.save(update_fields=["snapshot", "participant"])
        Evaluation.objects.filter(enrollment=enrollment).update(comments="", bias_details="")
        PseudonymisedEnrollment.objects.create(
            enrollment=enrollment, last_record_at=enrollment.last_record_at
        )
        return len(certificates)


def _closed_accounts_pseudonymise(*, user_ids: set[int]) -> int:
    """Closed accounts (their owner deleted them; the row stayed for the
    records) whose every enrollment is now pseudonymised."""
    done = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=False):
        if not account_erased(user.email):
            continue
        if Enrollment.objects.filter(user=user, pseudonymised__isnull=True).exists():
            continue
        with transaction.atomic():
            ClinicianLicense.objects.filter(user=user).delete()
            User.objects.filter(pk=user.pk).update(
                full_name=pseudonym(user_id=user.pk), first_name="", last_name=""
            )
        done += 1
    return done


def records_pseudonymise(*, now: datetime | None = None, limit: int | None = None) -> dict:
    """Remove the personal data of every enrollment's records past the window
    (at most `limit` enrollments), enrollment by enrollment, and record the run
    in the audit log. Safe to run twice: a done enrollment is not met again."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now)
    candidates = list(
        records_past_retention(cutoff=cutoff).values_list("pk", "user_id")[: limit or None]
    )
    enrollments, certificates, user_ids = [], 0, set()
    for enrollment_id, user_id in candidates:
        count = _enrollment_pseudonymise(enrollment_id=enrollment_id, cutoff=cutoff)
        if count is not None:
            enrollments.append(enrollment_id)
            certificates += count
            user_ids.add(user_id)
    accounts = _closed_accounts_pseudonymise(user_ids=user_ids)
    summary = {
        "cutoff": cutoff.isoformat(),
        "enrollments": len(enrollments),
        "certificates": certificates,
        "closed_accounts": accounts,
        "enrollment_ids": enrollments,
    }
    if enrollments:
        audit_record(
            actor=None,
            action=AuditAction.RECORDS_PSEUDONYMISE,
            object_label=f"{len(enrollments)} enrollment(s) past retention",
            data=summary,
        )
    return summary
