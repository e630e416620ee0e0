"""Totals of a CE transcript: credit hours per accreditor and category, hours
attended apart, courses completed (pure Python, no Django; certificates.rendering
prints them, certificates.selectors shows them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(_s(value) or "0")
    except InvalidOperation:
        return Decimal(0)


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _transcript_rows(transcript: dict) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for row in transcript.get("rows") or []:
        base = {
            "number": _s(row.get("number")),
            "course_title": _s(row.get("course_title") or row.get("course")),
            "completion_date": _s(row.get("completion_date")),
            "accreditor": _s(row.get("accreditor") or row.get("accreditor_short_name")),
            "enrollment": _s(row.get("enrollment")),
        }
        credits = row.get("credits")
        if credits:  # one row per credit category of a certificate
            for c in credits:
                rows.append(base | {"category": _s(c.get("category")), "hours": _s(c.get("hours"))})
        else:
            rows.append(base | {"category": _s(row.get("category")), "hours": _s(row.get("hours"))})
    return rows


def _course_key(row: dict[str, str]) -> tuple[str, ...]:
    # One completion of a course gives one certificate per accreditor claimed:
    # they are one course completed, whatever the number of certificates.
    if row.get("enrollment"):
        return ("enrollment", row["enrollment"])
    return ("course", row.get("course_title", ""), row.get("completion_date", ""))


def _hours_group(cats: dict[str, Decimal]) -> dict[str, Any]:
    return {
        "categories": [{"category": c, "hours": _hours(h)} for c, h in cats.items()],
        "total": _hours(sum(cats.values(), Decimal(0))),
    }


def transcript_totals(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Credit hours totalled per accreditor and, within it, per category; hours
    attended (certificates of attendance) apart; the number of courses completed.

    There is deliberately no total across accreditors: one course claimed under
    APA and ASWB earns 0.5 h of APA credit and 0.5 h of ASWB credit, not 1 h of
    anything, and hours attended are not CE credit at all. A single figure would
    be one a clinician could wrongly report to a board.
    """
    by_acc: dict[str, dict[str, Decimal]] = {}
    attended: dict[str, Decimal] = {}
    for r in rows:
        cats = by_acc.setdefault(r["accreditor"], {}) if r["accreditor"] else attended
        cats[r["category"]] = cats.get(r["category"], Decimal(0)) + _decimal(r["hours"])
    return {
        "groups": [
            {"accreditor": acc} | _hours_group(by_acc[acc])
            for acc in sorted(by_acc, key=str.casefold)
        ],
        "attendance": _hours_group(attended) if attended else None,
        "courses_completed": len({_course_key(r) for r in rows}),
    }
