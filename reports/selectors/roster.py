"""The course roster: every participant of a course in a period, with what they
did (lessons, active time, post-test, evaluation, attestation), when they
completed, and the certificates they hold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Lower, NullIf

from accounts.models import ClinicianLicense
from certificates.models import Certificate
from courses.models import Accreditor, CoursePage, Enrollment, LessonPage, LessonProgress
from courses.seat_time import SeatTimeFlag
from quizzes.models import Attempt, Attestation

from . import common
from .common import HOURS_COLUMNS, Period, chunks, hours_by_column, local_date
from .overrides import OverrideLine, override_lines
from .seat_time import accreditor_policies, completion_flags, flags_text


class RosterBasis(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled in the period"
    COMPLETED = "completed", "Completed in the period"


@dataclass(frozen=True)
class LicenseLine:
    profession: str
    number: str
    state: str

    def __str__(self) -> str:
        return f"{self.profession} {self.number} ({self.state})"


@dataclass(frozen=True)
class CertificateLine:
    """A certificate as the roster shows it: as issued, with its current status."""

    number: str
    status: str
    status_label: str
    accreditor: str  # short name, or "" for a certificate of attendance
    credits: list[dict]  # [{"category": label, "hours": "0.50"}], as issued
    total_hours: Decimal
    revoked_on: date | None = None
    replaced_by: str = ""

    @property
    def accreditor_label(self) -> str:
        return self.accreditor or "Attendance"


@dataclass
class RosterRow:
    enrollment_id: int
    participant_name: str
    email: str
    enrolled_on: date
    enrollment_status: str
    lessons_done: int
    lessons_total: int
    active_seconds: int
    attempts: int
    best_score: Decimal | None
    passed_on: date | None
    evaluation_on: date | None
    attested_on: date | None
    completed_on: date | None
    licenses: list[LicenseLine] = field(default_factory=list)
    certificates: list[CertificateLine] = field(default_factory=list)
    overrides: list[OverrideLine] = field(default_factory=list)
    seat_time: list[SeatTimeFlag] = field(default_factory=list)

    @property
    def active_minutes(self) -> int:
        return round(self.active_seconds / 60)

    @property
    def active_time(self) -> str:
        """ "1 h 05 min", "12 min", "0 min"."""
        hours, minutes = divmod(self.active_minutes, 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


#: The roster CSV: one line per participant and certificate (a participant
#: without a certificate has one line with the certificate columns empty).
ROSTER_COLUMNS = [
    "Participant (name on certificates)",
    "Email",
    "Licenses",
    "Enrolled on",
    "Enrollment status",
    "Lessons completed",
    "Lessons in course",
    "Active minutes",
    "Seat time",
    "Post-test attempts",
    "Best score (%)",
    "Passed on",
    "Evaluation submitted",
    "Evaluation date",
    "Attested on",
    "Completed on",
    "Overrides",
    "Certificate number",
    "Accreditor",
    "Certificate status",
    "Revoked on",
    "Replaced by",
    *[column for _, column in HOURS_COLUMNS],
    "Other categories",
    "Total hours",
]


def course_live_lesson_ids(*, course: CoursePage) -> list[int]:
    return list(LessonPage.objects.child_of(course).live().values_list("pk", flat=True))


def _per_enrollment(queryset, expression, output_field=None):
    """A correlated subquery: `expression` aggregated over `queryset`'s rows of the
    outer enrollment (one value per roster row, no join fan-out)."""
    return Subquery(
        queryset.filter(enrollment_id=OuterRef("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(value=expression)
        .values("value")[:1],
        output_field=output_field,
    )


def _participant_name():
    """The name as certified at completion (frozen), else the account's name now."""
    return Coalesce(
        NullIf(KeyTextTransform("name", "completion__participant"), models.Value("")),
        "user__full_name",
        output_field=models.CharField(),
    )


def _frozen_licenses(participant: dict) -> list[LicenseLine]:
    return [
        LicenseLine(
            profession=lic.get("profession", ""),
            number=lic.get("number", ""),
            state=lic.get("region", ""),
        )
        for lic in participant.get("licenses") or []
    ]


def _under_accreditor(accreditor: Accreditor) -> Q:
    """Enrollments that belong on an accreditor's roster: the participant claimed
    credit under it or holds a certificate under it (both records), or holds a
    license of a profession it serves — as frozen at completion once the course is
    completed, and as the profile says today only while it is still in progress."""
    professions = accreditor.professions or []
    licensed_now = Exists(
        ClinicianLicense.objects.filter(user=OuterRef("user"), profession__in=professions)
    )
    licensed_then = Q(completion__participant__professions__has_any_keys=professions)
    return (
        Exists(Attestation.objects.filter(enrollment=OuterRef("pk"), accreditors=accreditor))
        | Exists(Certificate.objects.filter(enrollment=OuterRef("pk"), accreditor=accreditor))
        | (Q(completion__isnull=True) & licensed_now)
        | (licensed_then if professions else Q(pk__in=[]))
    )


def roster_queryset(
    *,
    course: CoursePage,
    period: Period,
    basis: str = RosterBasis.ENROLLED,
    accreditor: Accreditor | None = None,
    lesson_ids: list[int],
):
    """The roster's enrollments as dicts, one query, sorted by participant name."""
    enrollments = Enrollment.objects.filter(course=course)
    if basis == RosterBasis.COMPLETED:
        enrollments = enrollments.filter(
            completion__completed_at__gte=period.since, completion__completed_at__lt=period.until
        )
    else:
        enrollments = enrollments.filter(
            enrolled_at__gte=period.since, enrolled_at__lt=period.until
        )
    if accreditor is not None:
        enrollments = enrollments.filter(_under_accreditor(accreditor))
    attempts = Attempt.objects.all()
    return (
        enrollments.annotate(
            lessons_done=Coalesce(
                _per_enrollment(
                    LessonProgress.objects.filter(
                        completed_at__isnull=False, lesson_id__in=lesson_ids
                    ),
                    Count("pk"),
                ),
                0,
                output_field=IntegerField(),
            ),
            active_seconds=Coalesce(
                _per_enrollment(LessonProgress.objects.all(), Sum("active_seconds")),
                0,
                output_field=IntegerField(),
            ),
            attempt_count=Coalesce(
                _per_enrollment(attempts, Count("pk")), 0, output_field=IntegerField()
            ),
            best_score=_per_enrollment(attempts, Max("score")),
            passed_at=_per_enrollment(attempts.filter(passed=True), Min("submitted_at")),
        )
        .values(
            "pk",
            "user_id",
            "course_id",
            "user__full_name",
            "user__email",
            "enrolled_at",
            "status",
            "lessons_done",
            "active_seconds",
            "attempt_count",
            "best_score",
            "passed_at",
            "evaluation__submitted_at",
            "attestation__attested_at",
            "completion__completed_at",
            "completion__participant",
            "completion__active_seconds",
            "completion__snapshot__credits",
        )
        .order_by(Lower(_participant_name()), "user__email", "pk")
    )


def roster_rows(
    *, values: list[dict], lessons_total: int, accreditor: Accreditor | None = None
) -> list[RosterRow]:
    """RosterRows for a page (or CSV chunk) of roster_queryset: a constant number
    of queries more: the participants' licenses, their certificates, their
    overrides (reports.selectors.overrides) and the accreditors' seat-time policies."""
    if not values:
        return []
    enrollment_ids = [v["pk"] for v in values]
    licenses: dict[int, list[LicenseLine]] = defaultdict(list)
    professions = dict(ClinicianLicense._meta.get_field("profession").choices)
    for user_id, profession, number, region in (
        ClinicianLicense.objects.filter(user_id__in={v["user_id"] for v in values})
        .order_by("user_id", "profession", "region", "license_number")
        .values_list("user_id", "profession", "license_number", "region")
    ):
        licenses[user_id].append(
            LicenseLine(
                profession=professions.get(profession, profession), number=number, state=region
            )
        )
    certificates = Certificate.objects.filter(enrollment_id__in=enrollment_ids)
    if accreditor is not None:
        certificates = certificates.filter(accreditor=accreditor)
    by_enrollment: dict[int, list[dict]] = defaultdict(list)
    replaced_by: dict[int, str] = {}
    for cert in certificates.order_by(
        "enrollment_id", "accreditor__short_name", "issued_at", "pk"
    ).values(
        "pk",
        "enrollment_id",
        "number",
        "status",
        "total_hours",
        "revoked_at",
        "supersedes_id",
        "accreditor__short_name",
        "snapshot__credits",
    ):
        by_enrollment[cert["enrollment_id"]].append(cert)
        if cert["supersedes_id"]:
            replaced_by[cert["supersedes_id"]] = cert["number"]
    overrides = override_lines(
        user_ids={v["user_id"] for v in values}, course_ids={v["course_id"] for v in values}
    )
    policies = accreditor_policies()
    status_labels = dict(Certificate.Status.choices)
    enrollment_statuses = dict(Enrollment.Status.choices)
    rows = []
    for v in values:
        # A completed participant is shown as frozen at completion (courses 0006):
        # later changes of name or licenses do not reach the roster.
        frozen = v.get("completion__participant") or {}
        rows.append(
            RosterRow(
                enrollment_id=v["pk"],
                participant_name=frozen.get("name") or v["user__full_name"],
                email=frozen.get("email") or v["user__email"],
                enrolled_on=local_date(v["enrolled_at"]),
                enrollment_status=enrollment_statuses.get(v["status"], v["status"]),
                lessons_done=v["lessons_done"],
                lessons_total=lessons_total,
                active_seconds=v["active_seconds"],
                attempts=v["attempt_count"],
                best_score=v["best_score"],
                passed_on=local_date(v["passed_at"]),
                evaluation_on=local_date(v["evaluation__submitted_at"]),
                attested_on=local_date(v["attestation__attested_at"]),
                completed_on=local_date(v["completion__completed_at"]),
                licenses=(_frozen_licenses(frozen) if frozen else licenses.get(v["user_id"], [])),
                certificates=[
                    CertificateLine(
                        number=c["number"],
                        status=c["status"],
                        status_label=status_labels.get(c["status"], c["status"]),
                        accreditor=c["accreditor__short_name"] or "",
                        credits=list(c["snapshot__credits"] or []),
                        total_hours=c["total_hours"],
                        revoked_on=local_date(c["revoked_at"]),
                        replaced_by=replaced_by.get(c["pk"], ""),
                    )
                    for c in by_enrollment.get(v["pk"], [])
                ],
                overrides=overrides.get((v["user_id"], v["course_id"]), []),
                # Below an accreditor's stated share of the credited hours (courses.seat_time).
                seat_time=completion_flags(
                    active_seconds=v["completion__active_seconds"],
                    credits=v["completion__snapshot__credits"],
                    policies=policies,
                    claimed=frozen.get("accreditors") if frozen else None,
                ),
            )
        )
    return rows


def roster_csv_lines(row: RosterRow) -> Iterator[list]:
    """The CSV lines of one participant: one per certificate, or one without."""
    participant = [
        row.participant_name,
        row.email,
        "; ".join(str(lic) for lic in row.licenses),
        row.enrolled_on,
        row.enrollment_status,
        row.lessons_done,
        row.lessons_total,
        row.active_minutes,
        flags_text(row.seat_time),
        row.attempts,
        row.best_score,
        row.passed_on,
        "yes" if row.evaluation_on else "no",
        row.evaluation_on,
        row.attested_on,
        row.completed_on,
        " | ".join(str(line) for line in row.overrides),
    ]
    if not row.certificates:
        yield participant + [""] * (len(ROSTER_COLUMNS) - len(participant))
        return
    for cert in row.certificates:
        hours, other = hours_by_column(cert.credits)
        yield [
            *participant,
            cert.number,
            cert.accreditor_label,
            cert.status,
            cert.revoked_on,
            cert.replaced_by,
            *[hours.get(column, "") for _, column in HOURS_COLUMNS],
            "; ".join(other),
            cert.total_hours,
        ]


def roster_csv(
    *,
    course: CoursePage,
    period: Period,
    basis: str = RosterBasis.ENROLLED,
    accreditor: Accreditor | None = None,
    chunk_size: int | None = None,
) -> Iterator[list]:
    """The header, then every roster line: the enrollments come from a
    server-side cursor, in chunks of `chunk_size`, each chunk with its two
    look-ups; memory stays flat whatever the course's size."""
    chunk_size = chunk_size or common.CSV_CHUNK_SIZE
    yield ROSTER_COLUMNS
    lesson_ids = course_live_lesson_ids(course=course)
    values = roster_queryset(
        course=course, period=period, basis=basis, accreditor=accreditor, lesson_ids=lesson_ids
    ).iterator(chunk_size=chunk_size)
    for chunk in chunks(values, chunk_size):
        for row in roster_rows(values=chunk, lessons_total=len(lesson_ids), accreditor=accreditor):
            yield from roster_csv_lines(row)
