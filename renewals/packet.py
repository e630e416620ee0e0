"""The renewal packet: a summary laid out by Typst (the certificates' engine and
fonts), then the uploaded certificates appended, PDFs page by page (pypdf) and
images as one page each (Pillow).

As in certificates.rendering, data never becomes Typst markup: the summary's
template (templates/renewals/packet.typ) reads one JSON document from
``sys.inputs`` and places its values as text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings

from certificates.rendering import format_date
from certificates.typst_engine import typst_compiler

from . import rules, selectors
from .models import CATEGORY_LABELS, OutsideCertificate, RenewalPacket

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "renewals" / "packet.typ"
IMAGE_PAGE_DPI = 150


def packet_document(*, license, packet: RenewalPacket) -> dict:
    """What the packet prints: the requirement and its standing in the packet's
    cycle, every credit counted with its certificate number and verification
    link, and the uploads to append (their ids, in the order listed)."""
    requirement = selectors.license_requirement(license)
    spec = selectors.requirement_rules(requirement)
    cycle = rules.Cycle(start=packet.cycle_start, deadline=packet.deadline)
    standing = rules.standing_compute(
        requirement=spec,
        credits=selectors.credits_between(
            user=license.user_id, start=cycle.start, end=cycle.deadline
        ),
        cycle=cycle,
        today=selectors.today(),
        labels=CATEGORY_LABELS,
    )
    counted = [line.credit for line in standing.lines if line.counted]
    appended = [int(c.key.split(":")[1]) for c in counted if c.source == "upload"]
    user = license.user
    template = requirement.template
    return {
        "title": f"Renewal packet — {user.full_name or user.email} — "
        f"{license.get_profession_display()} {license.license_number}",
        "participant_name": user.full_name or user.email,
        "email": user.email,
        "license": f"{license.get_profession_display()} · License {license.license_number} · "
        f"{license.region}",
        "board": str(template) if template else "Requirement entered by the clinician",
        "example": bool(template and template.is_example),
        "source_url": template.source_url if template else "",
        "cycle_start": format_date(cycle.start),
        "deadline": format_date(cycle.deadline),
        "generated_on": format_date(selectors.today()),
        "date": _date_parts(selectors.today()),
        "sentence": rules.standing_sentence(standing),
        "progress": [
            {
                "label": p.label,
                "required": rules.hours_text(p.required),
                "counted": rules.hours_text(p.counted),
                "met": p.met,
            }
            for p in standing.progress
        ],
        "home_study": (
            f"Home-study hours: {rules.hours_text(standing.home_study_completed)} completed, "
            f"{rules.hours_text(standing.home_study_counted)} counted "
            f"(the board counts at most {rules.hours_text(standing.home_study_cap)})."
            if standing.home_study_cap is not None
            else ""
        ),
        "credits": [
            {
                "title": c.title,
                "completed_on": format_date(c.completed_on),
                "provider": c.provider,
                "accreditor": c.accreditor,
                "categories": ", ".join(
                    f"{CATEGORY_LABELS.get(k, k)} {rules.hours_text(h)} h"
                    for k, h in c.hours_by_category.items()
                ),
                "hours": rules.hours_text(c.hours),
                "format": "Home study" if c.home_study else "Live",
                "number": c.number or "—",
                "verify_url": c.verify_url,
                "source": "Practicum" if c.source == "practicum" else "Uploaded (appended)",
            }
            for c in counted
        ],
        "appended": appended,
        "provider": settings.WAGTAIL_SITE_NAME,
    }


def _date_parts(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def render_summary(document: dict) -> bytes:
    data = {k: v for k, v in document.items() if k != "appended"}
    pdf = typst_compiler().compile(
        TEMPLATE.read_bytes(),
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    assert isinstance(pdf, bytes)
    return pdf


def image_page(data: bytes) -> bytes:
    """One PDF page holding an uploaded image (scans are RGB or greyscale)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="PDF", resolution=IMAGE_PAGE_DPI)
    return out.getvalue()


def packet_assemble(*, document: dict, progress: Callable[[int, str], None]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    progress(10, "Laying out the summary")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_summary(document))))
    uploads = OutsideCertificate.objects.in_bulk(document["appended"])
    total = len(document["appended"])
    for index, upload_id in enumerate(document["appended"], start=1):
        upload = uploads.get(upload_id)
        if upload is None:  # deleted since it was counted
            continue
        progress(20 + int(70 * (index - 1) / max(total, 1)), f"Adding upload {index} of {total}")
        with upload.file.open("rb") as handle:
            data = handle.read()
        if upload.content_type != "application/pdf":
            data = image_page(data)
        writer.append(PdfReader(io.BytesIO(data)))
    progress(95, "Saving the packet")
    writer.add_metadata({"/Title": document["title"], "/Author": document["provider"]})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
