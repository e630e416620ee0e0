"""Audit reports (reads only): what an accreditor's audit asks a provider for.

- the **course roster**: every participant of a course in a period, with what
  they did (lessons, active time, post-test, evaluation, attestation), when
  they completed, and the certificates they hold;
- the **accreditor report**: one line per issued, valid certificate and
  license, in the shape of a CE Broker-style upload;
- the **course evidence packet**: the approved course version, its credit
  basis, instructors, post-test rules, and the period's counts.

The reports app sits at the top of the stack (below the cms wiring), so this
module reads every app below it. Each report runs a constant number of
queries whatever the number of participants: the listings page through one
annotated query plus two batched look-ups per page (or per CSV chunk). See
docs/certificates.md, "Audit reports".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from accounts.models import ClinicianLicense
from certificates.models import Certificate
from cms.models import ProviderSettings
from courses.models import (
    Accreditor,
    CourseCompletion,
    CourseCredit,
    CourseInstructor,
    CoursePage,
    CreditCategory,
    Enrollment,
    LearningObjective,
    LessonPage,
    LessonProgress,
)
from courses.wordcount import hours_from_words, stream_word_count
from quizzes.models import Attempt, Attestation, Evaluation, PostTestPage

from .models import AccreditorUploadItem
from .names import name_split

#: Rows fetched per round trip of a CSV export (a server-side cursor on PostgreSQL).
CSV_CHUNK_SIZE = 1000

#: Hours columns of the CSV exports, in this order; a category label a snapshot
#: holds that is none of these goes to "Other categories" (as "label hours").
HOURS_COLUMNS = [(label, f"{label} hours") for label in CreditCategory.labels]


@dataclass(frozen=True)
class Period:
    """Calendar days from `start` to `end`, both included, in the site's time zone."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


class RosterBasis(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled in the period"
    COMPLETED = "completed", "Completed in the period"


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def _hours_by_column(credits: list[dict]) -> tuple[dict[str, Decimal], list[str]]:
    """A snapshot's credits ({"category": label, "hours": "0.50"}) by CSV column, and
    the ones no column holds."""
    known = dict(HOURS_COLUMNS)
    by_column: dict[str, Decimal] = {}
    other = []
    for credit in credits or []:
        label, hours = credit.get("category", ""), Decimal(str(credit.get("hours") or "0"))
        if label in known:
            by_column[known[label]] = by_column.get(known[label], Decimal("0")) + hours
        else:
            other.append(f"{label} {hours}")
    return by_column, other


# --- 1. The course roster ------------------------------------------------------------------


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
    "Post-test attempts",
    "Best score (%)",
    "Passed on",
    "Evaluation submitted",
    "Evaluation date",
    "Attested on",
    "Completed on",
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
        enrollments = enrollments.filter(
            Exists(Attestation.objects.filter(enrollment=OuterRef("pk"), accreditors=accreditor))
            | Exists(Certificate.objects.filter(enrollment=OuterRef("pk"), accreditor=accreditor))
            | Exists(
                ClinicianLicense.objects.filter(
                    user=OuterRef("user"), profession__in=accreditor.professions or []
                )
            )
        )
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
        )
        .order_by(Lower("user__full_name"), "user__email", "pk")
    )


def roster_rows(
    *, values: list[dict], lessons_total: int, accreditor: Accreditor | None = None
) -> list[RosterRow]:
    """RosterRows for a page (or CSV chunk) of roster_queryset: two more queries,
    the participants' licenses and their certificates."""
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
    status_labels = dict(Certificate.Status.choices)
    enrollment_statuses = dict(Enrollment.Status.choices)
    rows = []
    for v in values:
        rows.append(
            RosterRow(
                enrollment_id=v["pk"],
                participant_name=v["user__full_name"],
                email=v["user__email"],
                enrolled_on=_local_date(v["enrolled_at"]),
                enrollment_status=enrollment_statuses.get(v["status"], v["status"]),
                lessons_done=v["lessons_done"],
                lessons_total=lessons_total,
                active_seconds=v["active_seconds"],
                attempts=v["attempt_count"],
                best_score=v["best_score"],
                passed_on=_local_date(v["passed_at"]),
                evaluation_on=_local_date(v["evaluation__submitted_at"]),
                attested_on=_local_date(v["attestation__attested_at"]),
                completed_on=_local_date(v["completion__completed_at"]),
                licenses=licenses.get(v["user_id"], []),
                certificates=[
                    CertificateLine(
                        number=c["number"],
                        status=c["status"],
                        status_label=status_labels.get(c["status"], c["status"]),
                        accreditor=c["accreditor__short_name"] or "",
                        credits=list(c["snapshot__credits"] or []),
                        total_hours=c["total_hours"],
                        revoked_on=_local_date(c["revoked_at"]),
                        replaced_by=replaced_by.get(c["pk"], ""),
                    )
                    for c in by_enrollment.get(v["pk"], [])
                ],
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
        row.attempts,
        row.best_score,
        row.passed_on,
        "yes" if row.evaluation_on else "no",
        row.evaluation_on,
        row.attested_on,
        row.completed_on,
    ]
    if not row.certificates:
        yield participant + [""] * (len(ROSTER_COLUMNS) - len(participant))
        return
    for cert in row.certificates:
        hours, other = _hours_by_column(cert.credits)
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
    chunk_size = chunk_size or CSV_CHUNK_SIZE
    yield ROSTER_COLUMNS
    lesson_ids = course_live_lesson_ids(course=course)
    values = roster_queryset(
        course=course, period=period, basis=basis, accreditor=accreditor, lesson_ids=lesson_ids
    ).iterator(chunk_size=chunk_size)
    for chunk in _chunks(values, chunk_size):
        for row in roster_rows(values=chunk, lessons_total=len(lesson_ids), accreditor=accreditor):
            yield from roster_csv_lines(row)


# --- 2. The accreditor report (CE Broker-style upload) ----------------------------------------


#: One line per issued, valid certificate and license it carries (a certificate
#: carrying no license has one line with the license columns empty).
ACCREDITOR_COLUMNS = [
    "Provider number",
    "Course number",
    "Course title",
    "Certificate number",
    "First name",
    "Last name",
    "License number",
    "License state",
    "Profession",
    "Completion date",
    *[column for _, column in HOURS_COLUMNS],
    "Other categories",
    "Total hours",
    "Reported on",
]

_ACCREDITOR_FIELDS = (
    "number",
    "course_id",
    "course_title",
    "participant_name",
    "completion_date",
    "total_hours",
    "snapshot__accreditor__provider_number",
    "snapshot__licenses",
    "snapshot__credits",
    "course_number",
    "reported_at",
)


class Reported(models.TextChoices):
    NOT_YET = "no", "Not reported yet"
    REPORTED = "yes", "Reported"


def _course_number():
    """The approval (course) number frozen on the certificate at issue; for
    certificates issued before numbers were frozen, the course's credit row's
    number today. Never the page id: without a number the column is empty."""
    current = (
        CourseCredit.objects.filter(
            page_id=OuterRef("course_id"), accreditor_id=OuterRef("accreditor_id")
        )
        .exclude(approval_number="")
        .order_by("sort_order", "pk")
        .values("approval_number")[:1]
    )
    return Coalesce(
        NullIf(KT("snapshot__accreditor__course_number"), models.Value("")),
        Subquery(current),
        models.Value(""),
        output_field=models.CharField(),
    )


def accreditor_report_queryset(
    *,
    accreditor: Accreditor,
    period: Period,
    course: CoursePage | None = None,
    within_days: int | None = None,
    today: date | None = None,
    reported: str = "",
):
    """The valid certificates issued under `accreditor` for completions in the
    period (revoked, held and replaced ones are not reportable), as dicts;
    `reported` "no" keeps those no confirmed upload holds, "yes" the others."""
    certificates = Certificate.objects.filter(
        accreditor=accreditor,
        kind=Certificate.Kind.ACCREDITED,
        status=Certificate.Status.VALID,
        completion_date__gte=period.start,
        completion_date__lte=period.end,
    )
    if course is not None:
        certificates = certificates.filter(course=course)
    if within_days:
        today = today or timezone.localdate()
        certificates = certificates.filter(completion_date__gte=today - timedelta(days=within_days))
    if reported:
        certificates = certificates.filter(accreditor_upload__isnull=(reported == Reported.NOT_YET))
    uploads = AccreditorUploadItem.objects.filter(certificate_id=OuterRef("pk"))
    return (
        certificates.annotate(
            course_number=_course_number(),
            reported_at=Subquery(uploads.values("upload__confirmed_at")[:1]),
        )
        .order_by("completion_date", "participant_name", "number")
        .values(*_ACCREDITOR_FIELDS)
    )


def accreditor_report_lines(certificate: dict) -> list[list]:
    """The report's lines of one certificate (a dict of accreditor_report_queryset)."""
    hours, other = _hours_by_column(certificate["snapshot__credits"])
    tail = [
        certificate["completion_date"],
        *[hours.get(column, "") for _, column in HOURS_COLUMNS],
        "; ".join(other),
        certificate["total_hours"],
        _local_date(certificate["reported_at"]),
    ]
    head = [
        certificate["snapshot__accreditor__provider_number"] or "",
        certificate["course_number"],
        certificate["course_title"],
        certificate["number"],
        *name_split(certificate["participant_name"]),
    ]
    licenses = certificate["snapshot__licenses"] or [{}]
    return [
        [*head, lic.get("number", ""), lic.get("region", ""), lic.get("profession", ""), *tail]
        for lic in licenses
    ]


def accreditor_report_csv(*, chunk_size: int | None = None, **filters) -> Iterator[list]:
    """The header, then every line: one query, read through a server-side cursor
    (every column comes from the certificate's frozen snapshot)."""
    yield ACCREDITOR_COLUMNS
    for certificate in accreditor_report_queryset(**filters).iterator(
        chunk_size=chunk_size or CSV_CHUNK_SIZE
    ):
        yield from accreditor_report_lines(certificate)


# --- 3. The course evidence packet -----------------------------------------------------------


@dataclass
class PostTestFacts:
    page: PostTestPage
    question_count: int
    per_attempt: int
    pass_mark: Decimal
    attempts_allowed: int


@dataclass
class CourseEvidence:
    course: CoursePage
    period: Period
    provider: ProviderSettings
    approval: TaskState | None
    objectives: list[str]
    credits: list[CourseCredit]
    accreditors: list[Accreditor]
    words_by_category: list[tuple[str, int, Decimal]]  # (category label, words, hours allowed)
    instructors: list
    post_test: PostTestFacts | None
    evaluations_in_period: int
    evaluation_url: str
    enrollments_in_period: int
    completions_in_period: int
    certificates_by_status: list[tuple[str, int]]
    certificates_by_accreditor: list[tuple[str, int]]
    retention_years: int

    @property
    def total_words(self) -> int:
        return sum(words for _, words, _ in self.words_by_category)

    @property
    def keep_until(self) -> date:
        """Records of this period are kept at least until this day."""
        end = self.period.end
        try:
            return end.replace(year=end.year + self.retention_years)
        except ValueError:  # 29 February
            return end.replace(year=end.year + self.retention_years, day=28)


def course_evidence(*, course: CoursePage, period: Period) -> CourseEvidence:
    """Everything an auditor asks about one course, as approved (the live
    version), with the period's counts: about twenty queries, whatever the number
    of participants."""
    course = CoursePage.objects.select_related("live_revision", "live_revision__user").get(
        pk=course.pk
    )
    approval = (
        TaskState.objects.filter(
            revision_id=course.live_revision_id, status=TaskState.STATUS_APPROVED
        )
        .select_related("finished_by", "task")
        .order_by("-finished_at")
        .first()
        if course.live_revision_id
        else None
    )
    credits = list(
        CourseCredit.objects.filter(page=course)
        .select_related("accreditor")
        .order_by("accreditor__short_name", "category")
    )
    accreditors = list({c.accreditor_id: c.accreditor for c in credits}.values())
    words: dict[str, int] = defaultdict(int)
    for lesson in LessonPage.objects.child_of(course).live().only("credit_category", "body"):
        words[lesson.credit_category] += stream_word_count(lesson.body.raw_data)
    labels = dict(CreditCategory.choices)
    words_by_category = [
        (
            labels.get(category, category),
            count,
            hours_from_words(count, words_per_hour=course.words_per_credit_hour),
        )
        for category, count in sorted(words.items())
    ]
    post_test_page = PostTestPage.objects.child_of(course).live().first()
    post_test = None
    if post_test_page is not None:
        post_test = PostTestFacts(
            page=post_test_page,
            question_count=len(post_test_page.questions.raw_data),
            per_attempt=post_test_page.questions_per_attempt(),
            pass_mark=post_test_page.effective_pass_mark(course),
            attempts_allowed=post_test_page.effective_attempts_allowed(course),
        )
    in_period = Certificate.objects.filter(
        course=course, completion_date__gte=period.start, completion_date__lte=period.end
    )
    by_status = dict(
        in_period.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    by_accreditor = (
        in_period.filter(status=Certificate.Status.VALID)
        .order_by("accreditor__short_name")
        .values("accreditor__short_name")
        .annotate(n=Count("pk"))
        .values_list("accreditor__short_name", "n")
    )
    return CourseEvidence(
        course=course,
        period=period,
        provider=ProviderSettings.load(),
        approval=approval,
        objectives=list(
            LearningObjective.objects.filter(page=course)
            .order_by("sort_order")
            .values_list("text", flat=True)
        ),
        credits=credits,
        accreditors=accreditors,
        words_by_category=words_by_category,
        instructors=[
            ci.instructor
            for ci in CourseInstructor.objects.filter(page=course)
            .select_related("instructor", "instructor__cv")
            .order_by("sort_order")
        ],
        post_test=post_test,
        evaluations_in_period=Evaluation.objects.filter(
            enrollment__course=course,
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        ).count(),
        evaluation_url=reverse("quizzes_admin:course", args=[course.pk]),
        enrollments_in_period=Enrollment.objects.filter(
            course=course, enrolled_at__gte=period.since, enrolled_at__lt=period.until
        ).count(),
        completions_in_period=CourseCompletion.objects.filter(
            enrollment__course=course,
            completed_at__gte=period.since,
            completed_at__lt=period.until,
        ).count(),
        certificates_by_status=[
            (label, by_status.get(value, 0)) for value, label in Certificate.Status.choices
        ],
        certificates_by_accreditor=[(name or "Attendance", n) for name, n in by_accreditor],
        retention_years=settings.RECORD_RETENTION_YEARS,
    )
