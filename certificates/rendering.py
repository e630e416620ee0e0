"""Certificate and transcript PDF rendering with Typst.

Pure Python: no Django imports, so the benchmark and tests can use it
without a configured project.

Data never becomes Typst markup: each render passes a JSON document (and,
for a certificate, the QR code as SVG text and images as file paths) as
Typst string literals before the template (certificates.typst_engine, which
also holds the compiler and its fonts). A participant called ``Ann #set [x]``
is printed as exactly that.

Output is a tagged PDF conforming to PDF/UA-1 and PDF/A-2a (Typst can do
both at once for PDF 1.7), with the document title, language and an XMP
packet, and with fonts subset and embedded.

Templates are read once per process (and again after a fork). A certificate
is laid out once at the standard size; only one whose text overflows the
page is laid out again with smaller type. Images reach Typst as files named
by content hash, so each is decoded once per process.

Typst caches layout between compilations in a process (comemo), keyed by
what each piece of the page reads. Two things would defeat it, and the
certificate avoids both: ``sys.inputs`` (changing them rebuilds Typst's
standard library, which every cached result depends on: so the data is in
the source instead) and a ``set document(...)`` rule before the content
(the title and number differ per certificate, and a set rule is part of the
style chain of everything after it: so the template sets the document's
metadata last). Then only the parts that differ from the certificate before
(name, licenses, number, verification) are laid out again: about half the
CPU a render (docs/certificates.md).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno

from .transcript_totals import _s, _transcript_rows, transcript_totals
from .typst_engine import PDF_STANDARDS, page_count, typst_compiler, typst_preamble

if TYPE_CHECKING:
    import typst

__all__ = [
    "CERTIFICATE_TEMPLATE_VERSION",
    "TEMPLATE_DIR",
    "format_date",
    "render_certificate_pdf",
    "render_transcript_pdf",
]

CERTIFICATE_TEMPLATE_VERSION: int = 2

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "certificates"

QR_MASK = 2

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


# ---------------------------------------------------------------------------
# Process-wide: the templates and image files (the compiler and fonts: typst_engine).
# ---------------------------------------------------------------------------


class _Engine:
    def __init__(self) -> None:
        self.pid = os.getpid()
        # Images are written here once, named by content hash, and read by Typst
        # as files under its root: it decodes each one once per process.
        self.asset_dir = tempfile.mkdtemp(prefix="practicum-typst-")
        atexit.register(shutil.rmtree, self.asset_dir, True)
        self._assets: dict[bytes, str] = {}
        self.templates = {
            name: (TEMPLATE_DIR / f"{name}.typ").read_bytes()
            for name in ("certificate", "transcript")
        }

    def compiler(self) -> typst.Compiler:
        return typst_compiler(root=self.asset_dir)

    def asset_path(self, data: bytes) -> str:
        """The root-relative path of an image file with these bytes."""
        digest = hashlib.sha256(data).digest()
        path = self._assets.get(digest)
        if path is None:
            name = digest.hex()[:32] + _image_extension(data)
            target = Path(self.asset_dir) / name
            if not target.exists():
                partial = target.with_suffix(".part")
                partial.write_bytes(data)
                partial.replace(target)
            path = self._assets[digest] = "/" + name
        return path

    def compile(self, template: str, inputs: dict[str, str]) -> bytes:
        """The template's PDF, preceded by ``#let inputs = (key: "value", …)``.
        ``sys.inputs`` is left as it is (empty), so Typst's layout cache keeps
        serving whatever did not change since the last render."""
        # The source is passed on every call: typst-py 0.15 cannot compile a
        # second time a Compiler that was *constructed* from bytes.
        pdf = self.compiler().compile(
            typst_preamble(inputs) + self.templates[template],
            format="pdf",
            pdf_standards=PDF_STANDARDS,
        )
        assert isinstance(pdf, bytes)
        return pdf


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    engine = _engine
    if engine is None or engine.pid != os.getpid():
        with _engine_lock:
            engine = _engine
            if engine is None or engine.pid != os.getpid():
                engine = _engine = _Engine()
    return engine


def warm_up() -> None:
    """Load fonts and templates now rather than on the first render."""
    render_certificate_pdf(_WARM_UP_SNAPSHOT)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_s(value)[:10])
    except ValueError:
        return None


def format_date(value: Any) -> str:
    """``2026-11-25`` → ``November 25, 2026``; anything unparsable verbatim."""
    d = _parse_date(value)
    if d is None:
        return _s(value)
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def _image_extension(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"\xff\xd8"):
        return ".jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if b"<svg" in data[:1024]:
        return ".svg"
    return ".png"


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as SVG (segno, error correction M, 4-module
    quiet zone). The mask pattern is fixed: every mask gives a valid code, and
    letting segno score all eight costs more than the rest of the QR code."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False, mask=QR_MASK).save(
        buf, kind="svg", xmldecl=False, svgns=True, nl=False, border=4
    )
    return buf.getvalue().decode("ascii")


def _date_parts(d: dt.date) -> dict[str, int]:
    return {"year": d.year, "month": d.month, "day": d.day}


# ---------------------------------------------------------------------------
# Certificate
# ---------------------------------------------------------------------------


def certificate_title(snapshot: dict) -> str:
    """The PDF document title: ``CE certificate <number> — <name>``."""
    return f"CE certificate {_s(snapshot.get('number'))} — {_s(snapshot.get('participant_name'))}"


def _certificate_view(snapshot: dict) -> dict[str, Any]:
    attendance = snapshot.get("kind") == "attendance"
    accreditor = None if attendance else snapshot.get("accreditor")
    provider = snapshot.get("provider") or {}
    admin = snapshot.get("ce_administrator") or {}
    issued = (
        _parse_date(snapshot.get("issue_date"))
        or _parse_date(snapshot.get("completion_date"))
        or dt.date.today()
    )
    number = _s(snapshot.get("number"))
    name = _s(snapshot.get("participant_name"))
    course = _s(snapshot.get("course_title"))
    heading = "Certificate of Attendance" if attendance else "Certificate of Completion"
    accreditor_view = None
    if accreditor:
        full = _s(accreditor.get("name"))
        short = _s(accreditor.get("short_name"))
        accreditor_view = {
            "display": f"{full} ({short})" if short and short != full else full,
            "short_name": short,
            "provider_number": _s(accreditor.get("provider_number")),
        }
    credit_heading = "Hours attended" if attendance else "CE credit hours"
    if accreditor_view and accreditor_view["short_name"]:
        credit_heading += " · " + accreditor_view["short_name"]
    return {
        "title": certificate_title(snapshot),
        "description": f"{heading} for {name}: {course}",
        "heading": heading,
        "kind": "attendance" if attendance else "accredited",
        "certifies": "This certifies that",
        "completed_phrase": (
            "attended the continuing education course"
            if attendance
            else "has successfully completed the continuing education course"
        ),
        "number": number,
        "participant_name": name,
        "licenses": [
            {
                "profession": _s(lic.get("profession")),
                "number": _s(lic.get("number")),
                "region": _s(lic.get("region")),
            }
            for lic in snapshot.get("licenses") or []
        ],
        "course_title": course,
        "completion_date": format_date(snapshot.get("completion_date")),
        "issue_date": format_date(snapshot.get("issue_date")),
        "date": _date_parts(issued),
        "credits": [
            {"category": _s(c.get("category")), "hours": _s(c.get("hours"))}
            for c in snapshot.get("credits") or []
        ],
        "total_hours": _s(snapshot.get("total_hours")),
        "credit_heading": credit_heading,
        "accreditor": accreditor_view,
        "statement": "" if attendance else _s(snapshot.get("statement")),
        "attendance_note": (
            "None: a record of attendance from the provider, not issued under an "
            "accrediting body's approval."
            if attendance
            else ""
        ),
        "delivery_format": _s(snapshot.get("delivery_format")),
        "instructors": [
            {"name": _s(i.get("name")), "credentials": _s(i.get("credentials"))}
            for i in snapshot.get("instructors") or []
        ],
        "provider": {
            "name": _s(provider.get("name")),
            "contact": [
                _s(provider.get(k))
                for k in ("address", "phone", "email", "website")
                if _s(provider.get(k))
            ],
        },
        "ce_administrator": {"name": _s(admin.get("name")), "title": _s(admin.get("title"))},
        "verify_url": _s(snapshot.get("verify_url")),
        "revision_note": (
            f"Template v{_s(snapshot.get('template_version') or CERTIFICATE_TEMPLATE_VERSION)}"
            f" · course revision {_s(snapshot.get('course_revision'))}"
        ),
    }


def render_certificate_pdf(
    snapshot: dict, *, logo: bytes | None = None, signature: bytes | None = None
) -> bytes:
    """Render a certificate snapshot (see ``certificates`` docs) to a
    one-page landscape US Letter PDF (PDF/UA-1 + PDF/A-2a).

    ``logo`` and ``signature`` are PNG, JPEG or SVG bytes, or ``None``.
    """
    view = _certificate_view(snapshot)
    engine = _get_engine()
    inputs = {
        "data": json.dumps(view, ensure_ascii=False),
        "qr": qr_svg(view["verify_url"] or view["number"] or "-"),
        "logo": engine.asset_path(bytes(logo)) if logo else "",
        "signature": engine.asset_path(bytes(signature)) if signature else "",
        "fit": "fixed",
    }
    # The standard layout is laid out once; only a certificate whose text
    # overflows one page is laid out again, shrinking the type to fit.
    pdf = engine.compile("certificate", inputs)
    if page_count(pdf) != 1:
        pdf = engine.compile("certificate", inputs | {"fit": "shrink"})
    return pdf


# ---------------------------------------------------------------------------
# Transcript
# ---------------------------------------------------------------------------


def transcript_title(transcript: dict) -> str:
    return (
        f"CE transcript — {_s(transcript.get('participant_name'))}"
        f" ({format_date(transcript.get('period_start'))} – {format_date(transcript.get('period_end'))})"
    )


def render_transcript_pdf(transcript: dict) -> bytes:
    """Render a clinician's CE transcript (portrait US Letter, as many pages
    as needed, PDF/UA-1 + PDF/A-2a).

    ``transcript``::

        {"participant_name": str, "licenses": [{"profession", "number", "region",
                                                "expired_on": "YYYY-MM-DD" or ""}],
         "period_start": "YYYY-MM-DD", "period_end": "YYYY-MM-DD",
         "generated_on": "YYYY-MM-DD",            # optional, default today
         "provider": {"name", "address", "email", "phone", "website"},  # optional
         "rows": [{"number", "course_title", "completion_date",
                   "accreditor" (short name, "" for attendance),
                   "enrollment",                   # optional: counts courses completed
                   "category", "hours"}]}          # or "credits": [{"category", "hours"}]

    Totals by accreditor and category (never across accreditors), hours attended
    and the courses completed are computed here from the rows.
    """
    rows = _transcript_rows(transcript)
    generated = _parse_date(transcript.get("generated_on")) or dt.date.today()
    provider = transcript.get("provider") or {}
    view = {
        "title": transcript_title(transcript),
        "participant_name": _s(transcript.get("participant_name")),
        "licenses": [
            " · ".join(
                p
                for p in (
                    _s(lic.get("profession")),
                    f"License {_s(lic.get('number'))}" if lic.get("number") else "",
                    _s(lic.get("region")),
                    f"expired {format_date(lic['expired_on'])}" if lic.get("expired_on") else "",
                )
                if p
            )
            for lic in transcript.get("licenses") or []
        ],
        "period_start": format_date(transcript.get("period_start")),
        "period_end": format_date(transcript.get("period_end")),
        "generated_on": format_date(generated),
        "date": _date_parts(generated),
        "provider": {
            "name": _s(provider.get("name")) or "Practicum",
            "contact": [
                _s(provider.get(k))
                for k in ("address", "phone", "email", "website")
                if _s(provider.get(k))
            ],
        },
        "rows": [r | {"completion_date": format_date(r["completion_date"])} for r in rows],
        "totals": transcript_totals(rows),
    }
    return _get_engine().compile("transcript", {"data": json.dumps(view, ensure_ascii=False)})


_WARM_UP_SNAPSHOT: dict[str, Any] = {
    "number": "PRC-0000-WARM-UP00",
    "kind": "accredited",
    "participant_name": "Warm Up 李",
    "licenses": [],
    "course_title": "Warm-up",
    "completion_date": "2026-01-01",
    "issue_date": "2026-01-01",
    "credits": [{"category": "General", "hours": "1.00"}],
    "total_hours": "1.00",
    "accreditor": {"name": "Accreditor", "short_name": "ACC", "provider_number": "0"},
    "statement": "Statement.",
    "delivery_format": "Self-paced online",
    "instructors": [{"name": "Instructor", "credentials": "PhD"}],
    "provider": {"name": "Practicum"},
    "ce_administrator": {"name": "Administrator", "title": "CE administrator"},
    "verify_url": "https://practicum.example/verify/PRC-0000-WARM-UP00/",
    "template_version": CERTIFICATE_TEMPLATE_VERSION,
    "course_revision": 0,
}
