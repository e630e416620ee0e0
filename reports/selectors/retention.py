"""Which records are past the retention window (RECORD_RETENTION_YEARS).

An enrollment's records (its progress, attempts, evaluation, attestation,
completion, certificates and their events) are kept together: the window runs
from the latest date any of them carries, and only when that date is older
than the window do they all lose their personal data (reports.retention).
PostgreSQL refuses to delete any of them inside the window (reports migration
0002, docs/records.md)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from certificates.models import Certificate, CertificateEvent
from courses.models import Enrollment
from quizzes.models import Attempt


def _latest(queryset, field: str, enrollment: str = "enrollment_id"):
    return Subquery(
        queryset.filter(**{enrollment: OuterRef("pk")})
        .order_by()
        .values(enrollment)
        .annotate(latest=Max(field))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )


def enrollments_with_last_record():
    """Every enrollment with `last_record_at`: the latest date of its records."""
    enrolled = "enrolled_at"
    return Enrollment.objects.annotate(
        last_record_at=Greatest(
            enrolled,
            Coalesce("last_activity_at", enrolled),
            Coalesce("unenrolled_at", enrolled),
            Coalesce("completion__completed_at", enrolled),
            Coalesce("evaluation__submitted_at", enrolled),
            Coalesce("attestation__attested_at", enrolled),
            Coalesce(_latest(Attempt.objects.all(), "started_at"), enrolled),
            Coalesce(_latest(Certificate.objects.all(), "issued_at"), enrolled),
            Coalesce(_latest(Certificate.objects.all(), "revoked_at"), enrolled),
            Coalesce(
                _latest(CertificateEvent.objects.all(), "created_at", "certificate__enrollment_id"),
                enrolled,
            ),
            output_field=DateTimeField(),
        )
    )


def records_past_retention(*, cutoff: datetime):
    """Enrollments whose every record is older than `cutoff` and whose personal
    data is still there, oldest first."""
    return (
        enrollments_with_last_record()
        .filter(last_record_at__lt=cutoff, pseudonymised__isnull=True)
        .select_related("user", "course")
        .order_by("last_record_at", "pk")
    )
