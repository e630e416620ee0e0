"""Audit reports (reads only): what an accreditor's audit asks a provider for.

- the **course roster** (`roster`): every participant of a course in a period,
  with what they did (lessons, active time, post-test, evaluation,
  attestation), when they completed, and the certificates they hold;
- the **accreditor report** (`accreditor`): one line per issued, valid
  certificate and license, in the shape of a CE Broker-style upload;
- the **course evidence packet** (`evidence`): the approved course version,
  its credit basis, instructors, post-test rules, and the period's counts.

The reports app sits at the top of the stack (below the cms wiring), so these
modules read every app below it. Each report runs a constant number of
queries whatever the number of participants: the listings page through one
annotated query plus three batched look-ups per page or CSV chunk (licenses,
certificates, overrides; two more when overrides applied). See
docs/certificates.md, "Audit reports". The CSV chunk size is
`reports.selectors.common.CSV_CHUNK_SIZE` (read at call time).
"""

from .accreditor import (
    ACCREDITOR_COLUMNS,
    Reported,
    accreditor_report_csv,
    accreditor_report_lines,
    accreditor_report_queryset,
)
from .common import CSV_CHUNK_SIZE, HOURS_COLUMNS, Period
from .evidence import CourseEvidence, PostTestFacts, course_evidence
from .roster import (
    ROSTER_COLUMNS,
    CertificateLine,
    LicenseLine,
    RosterBasis,
    RosterRow,
    course_live_lesson_ids,
    roster_csv,
    roster_csv_lines,
    roster_queryset,
    roster_rows,
)

__all__ = [
    "ACCREDITOR_COLUMNS",
    "CSV_CHUNK_SIZE",
    "HOURS_COLUMNS",
    "ROSTER_COLUMNS",
    "CertificateLine",
    "CourseEvidence",
    "LicenseLine",
    "Period",
    "PostTestFacts",
    "Reported",
    "RosterBasis",
    "RosterRow",
    "accreditor_report_csv",
    "accreditor_report_lines",
    "accreditor_report_queryset",
    "course_evidence",
    "course_live_lesson_ids",
    "roster_csv",
    "roster_csv_lines",
    "roster_queryset",
    "roster_rows",
]
