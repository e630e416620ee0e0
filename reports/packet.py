"""The audit packet's parts: what an accreditor's audit asks for about one
course and one period, each part a file of the ZIP (docs/records.md).

`packet_parts(course, period)` lists the parts (path, builder); each builder
returns the file's bytes. The build (reports.services.packet_build) stores each
part as it is made, so a build that stops resumes with the next part. Documents
are laid out by Typst with the certificates' fonts (certificates.typst_engine's
font folders; sample certificates by certificates.rendering itself); data never
becomes Typst markup."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from html import unescape
from pathlib import Path

from django.utils.text import slugify
from wagtail.models import Revision

from certificates.models import Certificate
from certificates.rendering import render_certificate_pdf
from certificates.typst_engine import typst_compiler
from cms.spreadsheet import csv_cell, xlsx_write
from courses.models import CourseCompletion, CourseCredit, CourseInstructor, CoursePage, LessonPage
from courses.selectors import course_objectives
from quizzes.models import PostTestPage

from .selectors import Period, RosterBasis, accreditor_report_csv, roster_csv
from .selectors.course_stats import course_stats
from .selectors.evidence import course_evidence
from .selectors.overrides import overrides_csv
from .selectors.seat_time import course_seat_time

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "reports" / "packet_document.typ"
Part = tuple[str, Callable[[], bytes]]


def document_pdf(*, title: str, subtitle: str, sections: list[dict]) -> bytes:
    data = {"title": title, "subtitle": subtitle, "sections": sections}
    pdf = typst_compiler().compile(
        TEMPLATE.read_bytes(), format="pdf", sys_inputs={"data": json.dumps(data)}
    )
    assert isinstance(pdf, bytes)
    return pdf


def csv_bytes(lines: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        writer.writerow([csv_cell(value) for value in line])
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_bytes(lines: Iterable[list]) -> bytes:
    out = io.BytesIO()
    xlsx_write(lines, out, sheet_title="Roster")
    return out.getvalue()


def _text(value) -> str:
    """A block value as plain text (rich text's tags removed)."""
    import re

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(value or ""))).split())


def _block_lines(raw_blocks) -> list[str]:
    lines = []
    for block in raw_blocks or []:
        value = block.get("value")
        if isinstance(value, dict):
            for key, part in value.items():
                if isinstance(part, list):
                    lines += [_text(i.get("value") if isinstance(i, dict) else i) for i in part]
                elif isinstance(part, str) and key not in ("id", "url"):
                    lines.append(_text(part))
        else:
            lines.append(_text(value))
    return [line for line in lines if line]


# --- The course as delivered, per revision ------------------------------------------------


def delivered_revisions(*, course: CoursePage, period: Period) -> list[int]:
    """The course revisions completions in the period happened under (the live
    revision when none is recorded)."""
    ids = set(
        CourseCompletion.objects.filter(
            enrollment__course=course,
            completed_at__gte=period.since,
            completed_at__lt=period.until,
            course_revision__isnull=False,
        ).values_list("course_revision_id", flat=True)
    )
    return sorted(ids) or ([course.live_revision_id] if course.live_revision_id else [])


def _lesson_as_of(lesson: LessonPage, when) -> LessonPage:
    revision = (
        Revision.page_revisions.filter(object_id=str(lesson.pk), created_at__lte=when)
        .order_by("-created_at")
        .first()
    )
    return revision.as_object() if revision else lesson


def course_pdf(*, course: CoursePage, revision_id: int) -> bytes:
    revision = Revision.objects.get(pk=revision_id)
    as_delivered = revision.as_object()
    sections = [
        {
            "heading": "Course",
            "lines": [
                f"Title: {as_delivered.title}",
                f"Revision {revision.pk}, saved {revision.created_at:%Y-%m-%d %H:%M}",
                f"Format: {as_delivered.get_delivery_format_display()}",
                f"Estimated time: {as_delivered.estimated_minutes} minutes",
            ],
        }
    ]
    for lesson in LessonPage.objects.child_of(course).order_by("path"):
        shown = _lesson_as_of(lesson, revision.created_at)
        sections.append(
            {"heading": f"Lesson: {shown.title}", "lines": _block_lines(shown.body.raw_data)}
        )
    return document_pdf(
        title=f"{as_delivered.title} — as delivered",
        subtitle=f"Course {course.pk}, revision {revision.pk}",
        sections=sections,
    )


# --- Instructors, post-test, evaluation ---------------------------------------------------


def _instructors(course: CoursePage) -> list:
    return [
        ci.instructor
        for ci in CourseInstructor.objects.filter(page=course)
        .select_related("instructor", "instructor__cv")
        .order_by("sort_order")
    ]


def instructors_csv(course: CoursePage) -> bytes:
    header = ["Name", "Credentials", "Disclosure", "CV file"]
    rows = [
        [
            i.name,
            i.credentials,
            i.disclosure,
            _cv_name(i) or "",
        ]
        for i in _instructors(course)
    ]
    return csv_bytes([header, *rows])


def _cv_name(instructor) -> str | None:
    cv = getattr(instructor, "cv", None)
    if not cv or not cv.file:
        return None
    return (
        f"instructors/cv-{instructor.pk}-{slugify(instructor.name)[:40]}{Path(cv.file.name).suffix}"
    )


def _cv_bytes(instructor) -> bytes:
    with instructor.cv.file.open("rb") as f:
        return f.read()


def post_test_csv(course: CoursePage) -> bytes:
    header = ["Question", "Type", "Choice", "Correct", "Rationale", "Objective"]
    rows = []
    page = PostTestPage.objects.child_of(course).live().first()
    # Questions name their objective by its key: the packet says it by number and text.
    objectives = {
        str(o.key): f"{n}. {o.text}"
        for n, o in enumerate(course_objectives(course=course, draft=False), start=1)
    }
    for number, block in enumerate(page.questions.raw_data if page else [], start=1):
        value = block.get("value") or {}
        choices = value.get("choices")
        if choices is None:  # true / false
            choices = [
                {"text": label, "correct": value.get("correct_answer") == key}
                for key, label in (("true", "True"), ("false", "False"))
            ]
        for choice in choices:
            choice = choice.get("value", choice) if isinstance(choice, dict) else {}
            rows.append(
                [
                    f"{number}. {_text(value.get('stem'))}",
                    block.get("type"),
                    _text(choice.get("text")),
                    "yes" if choice.get("correct") else "no",
                    _text(value.get("rationale")),
                    objectives.get(str(value.get("objective") or ""), ""),
                ]
            )
    return csv_bytes([header, *rows])


def evaluation_lines(course: CoursePage, period: Period) -> list[list]:
    stats = course_stats(course=course, period=period)
    return [
        ["Item", "Average (1 to 5)", "Ratings"],
        *[[label, average, n] for label, average, n in stats.evaluation_items],
        ["Evaluations in the period", "", stats.evaluations],
    ]


def evaluation_pdf(course: CoursePage, period: Period) -> bytes:
    lines = evaluation_lines(course, period)
    return document_pdf(
        title=f"Evaluation summary — {course.title}",
        subtitle=f"{period.start} to {period.end}",
        sections=[{"heading": "Averages", "rows": [[str(c) for c in row] for row in lines]}],
    )


def evidence_txt(course: CoursePage, period: Period) -> bytes:
    evidence = course_evidence(course=course, period=period)
    lines = [
        f"Course: {course.title} (id {course.pk})",
        f"Period: {period.start} to {period.end}",
        f"Provider: {evidence.provider}",
        "",
        "Learning objectives:",
        *[f"  {n}. {text}" for n, text in enumerate(evidence.objectives, start=1)],
        "",
        "Credits:",
        *[
            f"  {c.accreditor.short_name}: {c.get_category_display()} {c.hours} h"
            f" (approval number {c.approval_number or '—'})"
            for c in evidence.credits
        ],
        "",
        f"Enrollments in the period: {evidence.enrollments_in_period}",
        f"Completions in the period: {evidence.completions_in_period}",
        "",
        "Seat time (active time against each accreditor's stated share of the credited",
        "hours; the flagged completions are marked in the roster and accreditor reports):",
        *[
            f"  {c.accreditor}: "
            + (
                "off, active time recorded only"
                if c.policy == "off"
                else f"{c.policy_label.lower()} under {c.percent} %: {c.flagged} of "
                f"{c.completions} completion{'s' * (c.completions != 1)} flagged"
            )
            for c in course_seat_time(course=course, period=period)
        ],
        "",
        f"Records kept until at least: {evidence.keep_until}",
    ]
    return ("\n".join(lines) + "\n").encode()


def sample_certificate(course: CoursePage, period: Period, accreditor_id: int) -> bytes:
    """One valid certificate of the period under this accreditor: its stored PDF,
    or rendered from its frozen snapshot when none is stored yet."""
    certificate = (
        Certificate.objects.filter(
            course=course,
            accreditor_id=accreditor_id,
            status=Certificate.Status.VALID,
            completion_date__gte=period.start,
            completion_date__lte=period.end,
        )
        .order_by("issued_at", "pk")
        .first()
    )
    if certificate.pdf:
        with certificate.pdf.open("rb") as f:
            return f.read()
    return render_certificate_pdf(certificate.snapshot)


# --- The list of parts --------------------------------------------------------------------


def packet_parts(*, course: CoursePage, period: Period) -> list[Part]:
    """Every file of the packet but the manifest, in the ZIP's order."""
    parts: list[Part] = [("course/summary.txt", lambda: evidence_txt(course, period))]
    for revision_id in delivered_revisions(course=course, period=period):
        parts.append(
            (
                f"course/as-delivered-revision-{revision_id}.pdf",
                lambda r=revision_id: course_pdf(course=course, revision_id=r),
            )
        )
    parts.append(("instructors/instructors.csv", lambda: instructors_csv(course)))
    for instructor in _instructors(course):
        if name := _cv_name(instructor):
            parts.append((name, lambda i=instructor: _cv_bytes(i)))
    parts += [
        ("post-test/post-test-with-key.csv", lambda: post_test_csv(course)),
        ("evaluation/evaluation-summary.csv", lambda: csv_bytes(evaluation_lines(course, period))),
        ("evaluation/evaluation-summary.pdf", lambda: evaluation_pdf(course, period)),
    ]

    def roster_lines():
        return roster_csv(course=course, period=period, basis=RosterBasis.COMPLETED)

    parts += [
        ("roster/roster.csv", lambda: csv_bytes(roster_lines())),
        ("roster/roster.xlsx", lambda: xlsx_bytes(roster_lines())),
        ("overrides/overrides.csv", lambda: csv_bytes(overrides_csv(course=course, period=period))),
    ]
    credits = (
        CourseCredit.objects.filter(page=course)
        .select_related("accreditor")
        .order_by("accreditor__short_name")
    )
    accreditors = list({c.accreditor_id: c.accreditor for c in credits}.values())
    for accreditor in accreditors:
        short = slugify(accreditor.short_name)[:30] or str(accreditor.pk)
        parts.append(
            (
                f"accreditor-report/{short}.csv",
                lambda a=accreditor: csv_bytes(
                    accreditor_report_csv(accreditor=a, period=period, course=course)
                ),
            )
        )
        has_sample = Certificate.objects.filter(
            course=course,
            accreditor=accreditor,
            status=Certificate.Status.VALID,
            completion_date__gte=period.start,
            completion_date__lte=period.end,
        ).exists()
        if has_sample:
            parts.append(
                (
                    f"sample-certificates/{short}.pdf",
                    lambda a=accreditor.pk: sample_certificate(course, period, a),
                )
            )
    return parts
