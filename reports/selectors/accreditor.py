"""The accreditor report: one line per issued, valid certificate and license, in
the shape of a CE Broker-style upload (every column from the certificate's
frozen snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Accreditor, CourseCredit, CoursePage, SeatTimePolicy
from courses.seat_time import minutes_up, share_seconds

from ..models import AccreditorUploadItem
from ..names import name_split
from . import common
from .common import HOURS_COLUMNS, Period, hours_by_column, local_date

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
    "Active minutes",
    "Seat time",
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
    "enrollment__completion__active_seconds",
    "accreditor__seat_time_policy",
    "accreditor__minimum_time_percent",
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
    hours, other = hours_by_column(certificate["snapshot__credits"])
    active = certificate["enrollment__completion__active_seconds"]
    tail = [
        certificate["completion_date"],
        *[hours.get(column, "") for _, column in HOURS_COLUMNS],
        "; ".join(other),
        certificate["total_hours"],
        local_date(certificate["reported_at"]),
        "" if active is None else active // 60,
        _seat_time(certificate, active),
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


def _seat_time(certificate: dict, active: int | None) -> str:
    """ "flagged: 1 min of the 24 min stated (80 % of 0.50 h)" when the completion's
    active time is under the accreditor's stated share of the hours on this
    certificate (courses.seat_time); "" otherwise or when its policy is off."""
    policy = certificate["accreditor__seat_time_policy"]
    percent = certificate["accreditor__minimum_time_percent"]
    if active is None or policy in (None, SeatTimePolicy.OFF):
        return ""
    required = share_seconds(percent=percent, hours=certificate["total_hours"])
    if active >= required:
        return ""
    return (
        f"flagged: {active // 60} min of the {minutes_up(required)} min stated "
        f"({percent} % of {certificate['total_hours']} h)"
    )


def accreditor_report_csv(*, chunk_size: int | None = None, **filters) -> Iterator[list]:
    """The header, then every line: one query, read through a server-side cursor
    (every column comes from the certificate's frozen snapshot)."""
    yield ACCREDITOR_COLUMNS
    for certificate in accreditor_report_queryset(**filters).iterator(
        chunk_size=chunk_size or common.CSV_CHUNK_SIZE
    ):
        yield from accreditor_report_lines(certificate)
