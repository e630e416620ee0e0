"""A clinician's copy of their own records ("My records", docs/records.md): the
transcript as CSV (the PDF is certificates' own rendering), every certificate
PDF in one ZIP, and a machine-readable JSON export of their data. Reads only:
everything here is filtered by the signed-in person, never by an id they send."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import ClinicianLicense
from certificates.models import Certificate
from certificates.selectors import transcript_build
from courses.models import Enrollment, JournalEntry, LessonProgress
from quizzes.models import Attempt, Attestation, Evaluation

from .models import LicenseRequirement, OutsideCertificate, RenewalPacket

EXPORT_FORMAT = "practicum-data-export/1"

TRANSCRIPT_HEADER = [
    "Certificate number",
    "Course",
    "Completed on",
    "Accreditor",
    "Category",
    "Credit hours",
]


def transcript_csv_lines(*, user, start: date, end: date) -> Iterator[list]:
    """The transcript's rows (certificates.selectors.transcript_build: valid
    certificates completed in the period, one line per credit category), the
    header first, for cms.spreadsheet.csv_response."""
    yield TRANSCRIPT_HEADER
    for row in transcript_build(user=user, start=start, end=end).rows:
        yield [
            row["number"],
            row["course_title"],
            row["completion_date"],
            row["accreditor"] or "Attendance",
            row["category"],
            row["hours"],
        ]


def certificates_downloadable(*, user) -> list[Certificate]:
    """The clinician's certificates with a stored PDF, that they may download:
    valid, revoked (marked so in the ZIP's name) and replaced ones; never held ones."""
    return list(
        Certificate.objects.filter(user=user)
        .exclude(status=Certificate.Status.HELD)
        .exclude(pdf="")
        .order_by("completion_date", "number")
    )


def _zip_name(certificate: Certificate) -> str:
    status = "" if certificate.status == Certificate.Status.VALID else f"-{certificate.status}"
    return f"{certificate.completion_date.isoformat()}-{certificate.number}{status}.pdf"


def certificates_zip(*, user):
    """Every downloadable certificate PDF in one ZIP with a README listing them,
    written to a temporary file (a file at a time in memory); returns the open
    file, positioned at the start, and how many certificates it holds."""
    certificates = certificates_downloadable(user=user)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- handed to the response, which closes it
    lines = ["Your Practicum certificates", ""]
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            name = _zip_name(certificate)
            with certificate.pdf.open("rb") as pdf, archive.open(name, "w") as member:
                for chunk in iter(lambda f=pdf: f.read(1 << 16), b""):
                    member.write(chunk)
            lines.append(
                f"{name}: {certificate.get_kind_display()}, {certificate.course_title}, "
                f"{certificate.get_status_display().lower()}"
            )
        if not certificates:
            lines.append("No certificate has been issued to you yet.")
        archive.writestr("README.txt", "\n".join(lines) + "\n")
    spool.seek(0)
    return spool, len(certificates)


# --- The data export --------------------------------------------------------------------------

#: Fields never exported: secrets, and what would reveal a post-test's key.
_NEVER = {"password", "questions", "results", "token", "status_list", "status_list_index"}


def _value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1] if value else None
    return value


def _row(obj: Model, *, skip=(), extra=None) -> dict:
    """The object's own columns (a foreign key as its id), as JSON values."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in _NEVER or field.name in skip:
            continue
        data[field.attname] = _value(field.value_from_object(obj))
    data.update(extra or {})
    return data


def data_export(*, user) -> dict:
    """Everything Practicum keeps about the person, as JSON-ready data: the
    account, licenses, enrollments with their progress, attempts (the answers
    given and the score, never the key), evaluations, attestations, certificates,
    private journal reflections and the renewal tracker's rows."""
    enrollments = list(Enrollment.objects.filter(user=user).select_related("course"))
    enrollment_ids = [e.pk for e in enrollments]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": _row(
            user,
            skip={"is_superuser", "is_staff", "last_login"},
            extra={"email": user.email},
        ),
        "licenses": [
            _row(lic, skip={"user"}, extra={"expired": lic.is_expired()})
            for lic in ClinicianLicense.objects.filter(user=user)
        ],
        "enrollments": [
            _row(e, skip={"user"}, extra={"course_title": e.course.title}) for e in enrollments
        ],
        "lesson_progress": [
            _row(p) for p in LessonProgress.objects.filter(enrollment_id__in=enrollment_ids)
        ],
        "post_test_attempts": [
            _row(a, skip={"revision"})
            for a in Attempt.objects.filter(enrollment_id__in=enrollment_ids)
        ],
        "evaluations": [
            _row(ev, extra={"ratings": [_row(r, skip={"evaluation"}) for r in ev.ratings.all()]})
            for ev in Evaluation.objects.filter(enrollment_id__in=enrollment_ids).prefetch_related(
                "ratings"
            )
        ],
        "attestations": [
            _row(at, extra={"credit_claimed_under": [a.short_name for a in at.accreditors.all()]})
            for at in Attestation.objects.filter(enrollment_id__in=enrollment_ids).prefetch_related(
                "accreditors"
            )
        ],
        "certificates": [
            _row(
                c,
                skip={"user", "participant_name", "last_error", "render_error", "email_error"},
            )
            for c in Certificate.objects.filter(user=user).order_by("issued_at")
        ],
        "journal_entries": [_row(j, skip={"user"}) for j in JournalEntry.objects.filter(user=user)],
        "renewal_requirements": [
            _row(r) for r in LicenseRequirement.objects.filter(license__user=user)
        ],
        "outside_certificates": [
            _row(o, skip={"user"}) for o in OutsideCertificate.objects.filter(user=user)
        ],
        "renewal_packets": [
            _row(p, skip={"user"}) for p in RenewalPacket.objects.filter(user=user)
        ],
    }


def data_export_json(*, user) -> bytes:
    return json.dumps(data_export(user=user), indent=2, ensure_ascii=False).encode("utf-8")
