"""What a certificate freezes at issue: the course facts it was earned from,
the participant and the provider as they were, and frozen copies of the
provider's images (the snapshot every rendering prints from)."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.selectors import license_current
from cms.models import ProviderSettings
from courses.models import Accreditor, CourseCompletion, Enrollment

from .. import rendering
from ..models import Certificate, private_storage

LOGO_SPEC = "max-900x300|format-png"
SIGNATURE_SPEC = "max-900x240|format-png"


@dataclass(frozen=True)
class Facts:
    """What a certificate freezes about the course: the completion's snapshot."""

    course: dict
    completed_on: date
    revision_id: int | None
    manual: bool = False


def facts_from_completion(completion: CourseCompletion) -> Facts:
    return Facts(
        course=completion.snapshot,
        completed_on=timezone.localdate(completion.completed_at),
        revision_id=completion.course_revision_id,
    )


def certificate_facts(certificate: Certificate) -> Facts:
    """The course facts a certificate was issued from (for a reissue or release)."""
    if certificate.completion is not None:
        return facts_from_completion(certificate.completion)
    snapshot = certificate.snapshot
    course = {
        "title": snapshot["course_title"],
        "delivery_format": snapshot["delivery_format"],
        "instructors": snapshot["instructors"],
        "credits": [],
    }
    return Facts(
        course=course,
        completed_on=date.fromisoformat(snapshot["completion_date"]),
        revision_id=snapshot.get("course_revision"),
        manual=True,
    )


def snapshot_columns(snapshot: dict) -> dict:
    return {
        "snapshot": snapshot,
        "participant_name": snapshot["participant_name"][:200],
        "course_title": snapshot["course_title"][:255],
        "license_numbers": "; ".join(lic["number"] for lic in snapshot["licenses"])[:500],
        "completion_date": date.fromisoformat(snapshot["completion_date"]),
        "total_hours": Decimal(snapshot["total_hours"]),
        "template_version": snapshot["template_version"],
        "course_revision_id": snapshot["course_revision"],
    }


def verify_url(number: str) -> str:
    return f"{settings.SITE_URL}/verify/{number}/"


def hours_text(hours: Decimal) -> str:
    """``Decimal("1.50")`` → ``"1.5"``, ``Decimal("2.00")`` → ``"2"``."""
    text = f"{hours.quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _credits_for(facts: Facts, accreditor: Accreditor | None) -> list[tuple[str, Decimal]]:
    """(category label, hours) for the accreditor; for attendance, the largest
    hours any accreditor gives each category."""
    rows = facts.course.get("credits", [])
    if accreditor is not None:
        return [
            (c["category_label"], Decimal(c["hours"]))
            for c in rows
            if c["accreditor_id"] == accreditor.pk
        ]
    best: dict[str, Decimal] = {}
    for c in rows:
        best[c["category_label"]] = max(
            best.get(c["category_label"], Decimal(0)), Decimal(c["hours"])
        )
    return list(best.items())


def course_number_for(facts: Facts, accreditor: Accreditor) -> str:
    """The approval (course) number the accreditor gave the course, as the
    completion froze its credit rows: the first one given."""
    for row in facts.course.get("credits", []):
        if row["accreditor_id"] == accreditor.pk and row.get("approval_number"):
            return row["approval_number"]
    return ""


def license_printed(lic) -> dict:
    """A license as certificates and transcripts print it."""
    return {
        "profession": lic.get_profession_display(),
        "number": lic.license_number,
        "region": lic.region,
    }


def participant_facts(*, user, accreditor: Accreditor | None) -> dict:
    """The participant as a certificate prints them now: name and the licenses the
    accreditor's professions cover (a reissue takes these afresh; the admin's
    reissue preview shows them before it is confirmed)."""
    # Expired licenses count for no credit and are not printed (accounts.selectors).
    licenses = license_current(user_id=user.pk)
    if accreditor is not None:
        licenses = licenses.filter(profession__in=accreditor.professions or [])
    return {
        "participant_name": user.full_name or user.email,
        "licenses": [license_printed(lic) for lic in licenses],
    }


def certificate_snapshot_build(
    *,
    enrollment: Enrollment,
    facts: Facts,
    accreditor: Accreditor | None,
    number: str,
    issued_at: datetime,
) -> dict:
    """Everything the certificate prints, frozen: later edits of the course,
    the profile, the provider settings or the template change nothing issued."""
    provider = ProviderSettings.load()
    credits = _credits_for(facts, accreditor)
    total = sum((hours for _, hours in credits), Decimal(0))
    return {
        "number": number,
        "kind": (Certificate.Kind.ACCREDITED if accreditor else Certificate.Kind.ATTENDANCE).value,
        **participant_facts(user=enrollment.user, accreditor=accreditor),
        "course_id": enrollment.course_id,
        "course_title": facts.course.get("title", ""),
        # None for a completion frozen before completions kept the URL.
        "course_url": facts.course.get("url"),
        "completion_date": facts.completed_on.isoformat(),
        "issue_date": timezone.localdate(issued_at).isoformat(),
        "credits": [
            {"category": label, "hours": f"{hours.quantize(Decimal('0.01'))}"}
            for label, hours in credits
        ],
        "total_hours": f"{total.quantize(Decimal('0.01'))}",
        "accreditor": (
            {
                "id": accreditor.pk,
                "name": accreditor.name,
                "short_name": accreditor.short_name,
                "provider_number": accreditor.provider_number,
                "course_number": course_number_for(facts, accreditor),
            }
            if accreditor
            else None
        ),
        "statement": (
            accreditor.render_statement(provider=provider.name, credits=hours_text(total))
            if accreditor
            else ""
        ),
        "delivery_format": facts.course.get("delivery_format", ""),
        "instructors": [
            {"name": i.get("name", ""), "credentials": i.get("credentials", "")}
            for i in facts.course.get("instructors", [])
        ],
        "provider": provider.contact_facts(),
        "ce_administrator": {
            "name": provider.ce_administrator_name,
            "title": provider.ce_administrator_title,
        },
        "assets": {
            "logo": _frozen_asset(provider.logo, LOGO_SPEC),
            "signature": _frozen_asset(provider.signature, SIGNATURE_SPEC),
        },
        # Which Wagtail images those copies came from: cms.media keeps them undeletable
        # (certificates.selectors.frozen_image_holds).
        "asset_images": {"logo": provider.logo_id, "signature": provider.signature_id},
        "verify_url": verify_url(number),
        "template_version": rendering.CERTIFICATE_TEMPLATE_VERSION,
        "course_revision": facts.revision_id,
        "manual": facts.manual,
    }


_asset_cache: dict[tuple, str] = {}
_asset_lock = threading.Lock()


def _frozen_asset(image, spec: str) -> str:
    """A copy of a provider image (logo, signature) in private storage, named by
    its content hash, so a later change of the setting leaves issued
    certificates as they were. Returns the storage name, or "" for no image."""
    if image is None:
        return ""
    key = (image.pk, image.file.name, spec)
    with _asset_lock:
        if key in _asset_cache:
            return _asset_cache[key]
    source = image if image.is_svg() else image.get_rendition(spec)
    with source.file.open("rb") as handle:
        data = handle.read()
    extension = os.path.splitext(source.file.name)[1].lower() or ".png"
    name = f"certificates/assets/{hashlib.sha256(data).hexdigest()}{extension}"
    storage = private_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(data))
    with _asset_lock:
        _asset_cache[key] = name
    return name


#: Snapshot keys that describe what was earned; a reissue keeps them.
EARNED = (
    "course_id",
    "course_title",
    "course_url",
    "completion_date",
    "credits",
    "total_hours",
    "accreditor",
    "statement",
    "delivery_format",
    "instructors",
    "course_revision",
    "kind",
)
