"""Reads: downloads, verification, the dashboard's status, the transcript and
the administrator's search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from wagtail.images import get_image_model

from accounts.selectors import license_current
from cms.models import ProviderSettings
from courses.models import CourseCompletion, Enrollment

from . import rendering
from .models import Certificate
from .numbers import number_normalize
from .services.snapshot import license_printed, participant_facts

ADMIN_GROUP = "Administrators"


def user_is_certificate_admin(*, user) -> bool:
    """Administrators (the group) and superusers see and act on every certificate."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("certificates.manage_certificates")


def certificate_for_owner_or_admin(*, user, number: str) -> Certificate | None:
    """The certificate `number` if `user` may download it, else None (no hint
    whether it exists)."""
    normalized = number_normalize(number)
    if normalized is None or not user.is_authenticated:
        return None
    certificate = (
        Certificate.objects.select_related("user", "course", "accreditor")
        .filter(number=normalized)
        .first()
    )
    if certificate is None:
        return None
    # The owner downloads a valid certificate; a revoked or replaced one only
    # through an administrator (its verification page says why).
    if certificate.user_id == user.pk and certificate.status == Certificate.Status.VALID:
        return certificate
    if user_is_certificate_admin(user=user):
        return certificate
    return None


# --- Public verification -------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: never an email address or a
    license number."""

    number: str
    status: str  # "valid", "revoked", "reissued"
    participant_name: str
    course_title: str
    completion_date: date
    issue_date: date
    accreditor: str
    credits: list[dict]
    total_hours: str
    kind_label: str
    revoked_at: date | None = None
    replacement_number: str = ""
    #: LinkedIn's "Add to profile" form filled with this certificate (valid ones only).
    linkedin_url: str = ""


LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def linkedin_add_url(
    *, name: str, organization: str, issued: date, verify_url: str, number: str
) -> str:
    """LinkedIn's add-to-profile link for a certification, its form filled in:
    name, issuing organization, issue month and year, the credential's URL (our
    verification page) and its id (the certificate number). No expiry: a CE
    certificate records credit earned, it does not lapse."""
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": name,
            "organizationName": organization,
            "issueYear": issued.year,
            "issueMonth": issued.month,
            "certUrl": verify_url,
            "certId": number,
        }
    )
    return f"{LINKEDIN_ADD_URL}?{query}"


def certificate_verify(*, number: str) -> Verification | None:
    normalized = number_normalize(number)
    if normalized is None:
        return None
    certificate = (
        Certificate.objects.select_related("accreditor")
        .filter(number=normalized)
        .exclude(status=Certificate.Status.HELD)
        .first()
    )
    if certificate is None:
        return None
    replacement = ""
    if certificate.status == Certificate.Status.REISSUED:
        latest = certificate
        # Follow the chain to the certificate that counts now.
        for _ in range(50):
            following = Certificate.objects.filter(supersedes=latest).first()
            if following is None:
                break
            latest = following
        replacement = latest.number if latest.pk != certificate.pk else ""
    snapshot = certificate.snapshot
    accreditor = snapshot.get("accreditor") or {}
    issue_date = date.fromisoformat(snapshot["issue_date"])
    linkedin = ""
    if certificate.status == Certificate.Status.VALID:
        linkedin = linkedin_add_url(
            name=f"{certificate.get_kind_display()}: {certificate.course_title}",
            organization=(snapshot.get("provider") or {}).get("name", ""),
            issued=issue_date,
            verify_url=snapshot.get("verify_url") or "",
            number=certificate.number,
        )
    return Verification(
        number=certificate.number,
        status=certificate.status,
        participant_name=certificate.participant_name,
        course_title=certificate.course_title,
        completion_date=certificate.completion_date,
        issue_date=issue_date,
        accreditor=(
            f"{accreditor.get('name')} ({accreditor.get('short_name')})" if accreditor else ""
        ),
        credits=list(snapshot.get("credits") or []),
        total_hours=snapshot.get("total_hours", ""),
        kind_label=certificate.get_kind_display(),
        revoked_at=certificate.revoked_at.date() if certificate.revoked_at else None,
        replacement_number=replacement,
        linkedin_url=linkedin,
    )


def certificate_public(*, number: str) -> Certificate | None:
    """The certificate whose Open Badge anyone may fetch: issued (valid, revoked or
    reissued), never held."""
    return (
        Certificate.objects.select_related("course")
        .filter(number=number)
        .exclude(status=Certificate.Status.HELD)
        .first()
    )


# --- The clinician's side ------------------------------------------------------------------


def certificate_state(certificate: Certificate) -> str:
    """pending / ready / held / revoked / reissued / failed, for the dashboard."""
    if certificate.status == Certificate.Status.HELD:
        return "held"
    if certificate.status == Certificate.Status.REVOKED:
        return "revoked"
    if certificate.status == Certificate.Status.REISSUED:
        return "reissued"
    if certificate.rendered_at is not None:
        return "ready"
    if certificate.render_error:
        return "failed"
    return "pending"


def certificate_urls(certificate: Certificate) -> dict[str, str]:
    return {
        "pdf": reverse("certificates:pdf", args=[certificate.number]),
        "badge": reverse("certificates:badge", args=[certificate.number]),
        "verify": reverse("certificates:verify", args=[certificate.number]),
    }


def certificates_by_enrollment(*, enrollment_ids: list[int]) -> dict[int, list[Certificate]]:
    """Current certificates (reissued ones left out) per enrollment, in one query."""
    result: dict[int, list[Certificate]] = {}
    for certificate in (
        Certificate.objects.filter(enrollment_id__in=enrollment_ids)
        .exclude(status=Certificate.Status.REISSUED)
        .select_related("accreditor")
        .order_by("enrollment_id", "accreditor__short_name", "pk")
    ):
        result.setdefault(certificate.enrollment_id, []).append(certificate)
    return result


def enrollment_certificate_status(*, user, enrollment_id: int) -> dict | None:
    """The JSON the dashboard polls while a certificate is being prepared."""
    enrollment = Enrollment.objects.filter(pk=enrollment_id, user=user).first()
    if enrollment is None:
        return None
    certificates = certificates_by_enrollment(enrollment_ids=[enrollment.pk]).get(enrollment.pk, [])
    completed = CourseCompletion.objects.filter(enrollment=enrollment).exists()
    items = []
    for certificate in certificates:
        state = certificate_state(certificate)
        item = {
            "number": certificate.number,
            "state": state,
            "label": certificate_label(certificate),
            "message": certificate_message(certificate),
        }
        if state == "ready":
            item["urls"] = certificate_urls(certificate)
        items.append(item)
    pending = completed and (not items or any(i["state"] == "pending" for i in items))
    return {"completed": completed, "pending": pending, "certificates": items}


def certificate_label(certificate: Certificate) -> str:
    accreditor = (certificate.snapshot.get("accreditor") or {}).get("short_name")
    kind = "Certificate" if accreditor else "Certificate of attendance"
    return f"{kind} {certificate.number}" + (f" ({accreditor})" if accreditor else "")


def certificate_message(certificate: Certificate) -> str:
    state = certificate_state(certificate)
    if state == "ready":
        return {
            "emailed": "Ready to download. Emailed to you.",
            "failed": "Ready to download. The email could not be sent; the CE administrator "
            "has been told.",
        }.get(certificate.email_status, "Ready to download. Email pending.")
    if state == "held":
        return (
            "On hold: your completion is outside the period in which the accrediting body "
            "approves our courses. The CE administrator has been told and will contact you."
        )
    if state == "revoked":
        reason = f" Reason: {certificate.clinician_reason}" if certificate.clinician_reason else ""
        if reason and not reason.endswith((".", "!", "?")):
            reason += "."
        return (
            f"Revoked on {certificate.revoked_at:%B %-d, %Y}.{reason} "
            "Contact the CE administrator with any question."
        )
    if state == "failed":
        return "We could not prepare it yet; the CE administrator has been told."
    return "Being prepared — it appears here in a moment."


@dataclass
class Transcript:
    start: date
    end: date
    certificates: list[Certificate]
    rows: list[dict]
    totals: dict

    @property
    def courses_completed(self) -> int:
        return self.totals["courses_completed"]


def transcript_build(*, user, start: date, end: date) -> Transcript:
    """Valid certificates completed within [start, end], with credit hours totalled
    per accreditor and category, never across accreditors, and hours attended
    apart (revoked, held and replaced ones do not count)."""
    certificates = list(
        Certificate.objects.filter(
            user=user,
            status=Certificate.Status.VALID,
            completion_date__gte=start,
            completion_date__lte=end,
        ).order_by("completion_date", "number")
    )
    rows = []
    for certificate in certificates:
        snapshot = certificate.snapshot
        accreditor = (snapshot.get("accreditor") or {}).get("short_name", "")
        for credit in snapshot.get("credits") or []:
            rows.append(
                {
                    "number": certificate.number,
                    "enrollment": certificate.enrollment_id,
                    "course_title": certificate.course_title,
                    "completion_date": certificate.completion_date.isoformat(),
                    "accreditor": accreditor,
                    "category": credit.get("category", ""),
                    "hours": credit.get("hours", ""),
                }
            )
    totals = rendering.transcript_totals(rows)
    return Transcript(start=start, end=end, certificates=certificates, rows=rows, totals=totals)


def transcript_document(*, user, transcript: Transcript) -> dict:
    """The input of rendering.render_transcript_pdf."""
    provider = ProviderSettings.load()
    current = set(license_current(user_id=user.pk).values_list("pk", flat=True))
    return {
        "participant_name": user.full_name or user.email,
        # Current licenses first; an expired one is listed as expired, never as current.
        "licenses": [
            {
                **license_printed(lic),
                "expired_on": "" if lic.pk in current else lic.expires_on.isoformat(),
            }
            for lic in sorted(user.licenses.all(), key=lambda lic: lic.pk not in current)
        ],
        "period_start": transcript.start.isoformat(),
        "period_end": transcript.end.isoformat(),
        "provider": provider.contact_facts(),
        "rows": transcript.rows,
    }


def certificates_for_user(*, user) -> list[Certificate]:
    """Every certificate of a clinician that they can see (held ones show on the
    dashboard with their message, not here)."""
    return list(
        Certificate.objects.filter(user=user)
        .exclude(status=Certificate.Status.HELD)
        .select_related("accreditor")
        .order_by("-completion_date", "-pk")
    )


# --- Administration -----------------------------------------------------------------------


def certificates_search(*, queryset: QuerySet[Certificate], query: str) -> QuerySet[Certificate]:
    """Search by participant name, email, license number or certificate number
    (typed as on paper: O for 0, no dashes…)."""
    query = query.strip()[:200]
    if not query:
        return queryset
    condition = (
        Q(participant_name__icontains=query)
        | Q(user__email__icontains=query)
        | Q(user__full_name__icontains=query)
        | Q(license_numbers__icontains=query)
        | Q(number__icontains=query)
    )
    normalized = number_normalize(query)
    if normalized:
        condition |= Q(number=normalized)
    return queryset.filter(condition)


def certificates_needing_attention() -> dict[str, int]:
    """Held certificates, and valid ones still undelivered: rendering failed, the
    PDF stored but its email pending or failed (four counts, one query)."""
    valid = Q(status=Certificate.Status.VALID)
    stored_not_emailed = valid & Q(rendered_at__isnull=False, emailed_at__isnull=True)
    counts = Certificate.objects.aggregate(
        held=Count("pk", filter=Q(status=Certificate.Status.HELD)),
        failed=Count("pk", filter=valid & Q(rendered_at__isnull=True) & ~Q(render_error="")),
        email_pending=Count("pk", filter=stored_not_emailed & Q(email_error="")),
        email_failed=Count("pk", filter=stored_not_emailed & ~Q(email_error="")),
    )
    return counts


def frozen_image_holds(obj) -> list[str]:
    """cms.media's hold: an image that issued certificates froze as the provider's
    logo or the CE administrator's signature is kept for audits."""
    if not isinstance(obj, get_image_model()) or obj.pk is None:
        return []
    reasons = []
    for role, label in (("logo", "the provider's logo"), ("signature", "the signature")):
        count = Certificate.objects.filter(**{f"snapshot__asset_images__{role}": obj.pk}).count()
        if count:
            reasons.append(
                f"{count} issued certificate{'s' if count != 1 else ''} printed it as {label}"
            )
    return reasons


def licenses_frozen_on_certificates(*, user) -> set[int]:
    """accounts' seam (accounts.registry): the ids of `user`'s licenses that one
    of their certificates printed, which outlive the deletion of their account."""
    printed = {
        (lic.get("profession", ""), lic.get("number", ""), lic.get("region", ""))
        for licenses in Certificate.objects.filter(user=user).values_list(
            "snapshot__licenses", flat=True
        )
        for lic in licenses or []
    }
    return {
        lic.pk
        for lic in user.licenses.all()
        if (lic.get_profession_display(), lic.license_number, lic.region) in printed
    }


@dataclass(frozen=True)
class ReissuePreviewRow:
    label: str
    now: str
    new: str

    @property
    def changes(self) -> bool:
        return self.now != self.new


def certificate_reissue_preview(*, certificate: Certificate) -> list[ReissuePreviewRow]:
    """What the certificate says now and what its reissue would say, fact by fact,
    for the administrator to see before confirming: the participant's name and
    licenses and the provider are taken afresh, what was earned stays as issued
    (services.certificate_reissue)."""
    snapshot = certificate.snapshot
    fresh = participant_facts(user=certificate.user, accreditor=certificate.accreditor)

    def licenses(items) -> str:
        return (
            "; ".join(f"{lic['profession']} {lic['number']} ({lic['region']})" for lic in items)
            or "—"
        )

    accreditor = snapshot.get("accreditor") or {}
    earned = (
        f"{snapshot.get('total_hours', certificate.total_hours)} h, "
        f"{accreditor.get('short_name', '')}".rstrip(", ")
        if accreditor
        else f"{snapshot.get('total_hours', certificate.total_hours)} h attended"
    )
    provider_now = (snapshot.get("provider") or {}).get("name", "")
    completed = certificate.completion_date.strftime("%B %-d, %Y")
    return [
        ReissuePreviewRow("Name", snapshot.get("participant_name", ""), fresh["participant_name"]),
        ReissuePreviewRow(
            "Licenses", licenses(snapshot.get("licenses", [])), licenses(fresh["licenses"])
        ),
        ReissuePreviewRow("Provider", provider_now, ProviderSettings.load().name),
        ReissuePreviewRow("Course", certificate.course_title, certificate.course_title),
        ReissuePreviewRow("Completed", completed, completed),
        ReissuePreviewRow("Credit", earned, earned),
        ReissuePreviewRow("Number", certificate.number, "a new number, drawn on reissue"),
    ]
