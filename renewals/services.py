"""Writes: a license's requirement, uploaded certificates, reminder emails and
their opt-out, the calendar feed's address, renewal packets.

Every refusal is a cms.refusals.Refusal whose message is for the clinician; nothing is
written when one is raised.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClinicianLicense
from cms.emails import email_from_templates
from cms.refusals import Refusal

from . import packet as packet_pdf
from . import rules, selectors
from .models import (
    CATEGORY_LABELS,
    MAX_HOURS,
    REMINDER_THRESHOLDS,
    CalendarFeed,
    LicenseRequirement,
    OutsideCertificate,
    ReminderSent,
    RenewalPacket,
    RequirementTemplate,
    accepted_lines,
)
from .uploads import UploadRefused, upload_check

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "renewals.reminders.unsubscribe"
MAX_CYCLE_YEARS = 10


# --- A license's requirement ----------------------------------------------------------------


def _hours(value, *, what: str, minimum: Decimal = Decimal("0")) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise Refusal(f"{what}: “{value}” is not a number of hours.") from exc
    if not hours.is_finite() or hours < minimum:
        raise Refusal(f"{what} cannot be less than {rules.hours_text(minimum)} hours.")
    if hours > MAX_HOURS:
        raise Refusal(
            f"{what}: {rules.hours_text(hours)} hours is more than any board asks "
            f"(at most {rules.hours_text(MAX_HOURS)})."
        )
    return hours


def _cycle_check(*, cycle_start: date, deadline: date) -> None:
    if deadline <= cycle_start:
        raise Refusal("The renewal deadline must come after the cycle's start.")
    if (deadline - cycle_start).days > 366 * MAX_CYCLE_YEARS:
        raise Refusal(f"A renewal cycle longer than {MAX_CYCLE_YEARS} years is not plausible.")


@transaction.atomic
def requirement_save(
    *,
    license: ClinicianLicense,
    cycle_start: date,
    deadline: date,
    template: RequirementTemplate | None = None,
    cycle_months: int = 24,
    total_hours=None,
    minimums: dict | None = None,
    home_study_cap=None,
    accepted_accreditors: str = "",
) -> LicenseRequirement:
    """Track `license`: under a board's template, or with the clinician's own numbers."""
    _cycle_check(cycle_start=cycle_start, deadline=deadline)
    fields: dict = {"cycle_start": cycle_start, "deadline": deadline, "template": template}
    if template is not None:
        if template.profession != license.profession:
            raise Refusal(
                f"“{template}” is for {template.get_profession_display().lower()} licenses, "
                f"not a {license.get_profession_display().lower()} license."
            )
        fields.update(
            cycle_months=template.cycle_months,
            total_hours=Decimal("0"),
            minimums={},
            home_study_cap=None,
            accepted_accreditors="",
        )
    else:
        if not 1 <= int(cycle_months) <= 120:
            raise Refusal("A renewal cycle is between 1 and 120 months long.")
        if total_hours in (None, ""):
            raise Refusal("Enter the total hours the board asks for in a cycle.")
        total = _hours(total_hours, what="Total hours", minimum=Decimal("0.25"))
        clean_minimums = {}
        for category, hours in (minimums or {}).items():
            if category not in CATEGORY_LABELS:
                raise Refusal(
                    f"“{category}” is not a category the tracker knows: use "
                    + ", ".join(CATEGORY_LABELS.values())
                    + "."
                )
            if hours in (None, ""):
                continue
            label = CATEGORY_LABELS[category]
            value = _hours(hours, what=f"{label} hours")
            if value > total:
                raise Refusal(f"{label} hours cannot exceed the total hours.")
            if value:
                clean_minimums[category] = str(value)
        cap = None
        if home_study_cap not in (None, ""):
            cap = _hours(home_study_cap, what="The home-study limit")
            if cap > total:
                raise Refusal("The home-study limit cannot exceed the total hours.")
        accepted = accepted_lines(accepted_accreditors or "")
        if not accepted:
            raise Refusal(
                "Name the approving bodies whose credit your board accepts (e.g. APA, NBCC)."
            )
        fields.update(
            cycle_months=int(cycle_months),
            total_hours=total,
            minimums=clean_minimums,
            home_study_cap=cap,
            accepted_accreditors="\n".join(accepted),
        )
    requirement, _ = LicenseRequirement.objects.update_or_create(license=license, defaults=fields)
    return requirement


def requirement_remove(*, license: ClinicianLicense) -> None:
    LicenseRequirement.objects.filter(license=license).delete()


def reminders_set(*, requirement: LicenseRequirement, enabled: bool) -> LicenseRequirement:
    LicenseRequirement.objects.filter(pk=requirement.pk).update(reminders_enabled=enabled)
    requirement.reminders_enabled = enabled
    return requirement


# --- Certificates from other providers ------------------------------------------------------


def upload_max_bytes() -> int:
    return settings.RENEWAL_UPLOAD_MAX_BYTES


def outside_certificate_add(
    *,
    user,
    data: bytes,
    original_name: str,
    title: str,
    provider: str,
    accreditor: str,
    category: str,
    hours,
    completed_on: date,
    home_study: bool,
    certificate_number: str = "",
) -> OutsideCertificate:
    if category not in CATEGORY_LABELS:
        raise Refusal(f"“{category}” is not a category the tracker knows.")
    value = _hours(hours, what="Hours", minimum=Decimal("0.25"))
    if completed_on > timezone.localdate():
        raise Refusal("The completion date cannot be in the future.")
    for name, text in (
        ("course title", title),
        ("provider", provider),
        ("approving body", accreditor),
    ):
        if not (text or "").strip():
            raise Refusal(f"Enter the {name} as the certificate prints it.")
    try:
        content_type = upload_check(data=data, max_bytes=upload_max_bytes())
    except UploadRefused as exc:
        raise Refusal(str(exc)) from exc
    upload = OutsideCertificate(
        user=user,
        title=title.strip()[:255],
        provider=provider.strip()[:200],
        accreditor=accreditor.strip()[:120],
        category=category,
        hours=value,
        completed_on=completed_on,
        home_study=home_study,
        certificate_number=(certificate_number or "").strip()[:80],
        original_name=(original_name or "certificate")[:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    upload.file.save("upload", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    return upload


def outside_certificate_delete(*, user, upload_id: int) -> None:
    upload = OutsideCertificate.objects.filter(pk=upload_id, user=user).first()
    if upload is None:
        raise Refusal("There is no such certificate among your uploads.")
    upload.delete()  # its file goes on commit (renewals.receivers)


# --- Reminders ------------------------------------------------------------------------------


def unsubscribe_token(*, license: ClinicianLicense) -> str:
    return signing.dumps({"l": license.pk, "u": license.user_id}, salt=UNSUBSCRIBE_SALT)


def _requirement_from_token(token: str) -> LicenseRequirement:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise Refusal(
            "This link is not valid: it may have been cut short. Open it again from the email, "
            "or turn reminders off on your dashboard."
        ) from exc
    requirement = (
        LicenseRequirement.objects.select_related("license")
        .filter(license_id=data.get("l"), license__user_id=data.get("u"))
        .first()
    )
    if requirement is None:
        raise Refusal("This license is no longer tracked: there are no reminders to stop.")
    return requirement


def reminders_unsubscribe(*, token: str) -> LicenseRequirement:
    """The signed link in every reminder: no sign-in, stops that license's reminders."""
    return reminders_set(requirement=_requirement_from_token(token), enabled=False)


def reminders_resubscribe(*, token: str) -> LicenseRequirement:
    return reminders_set(requirement=_requirement_from_token(token), enabled=True)


def reminders_send(*, on: date | None = None) -> int:
    """Email each tracked license whose deadline is 90, 30 or 7 days away (or
    less, up to the next threshold) while a requirement is unmet. Once per
    license, cycle and threshold, however many runs overlap: the ReminderSent
    row is inserted in the transaction that sends, so a concurrent run waits on
    its unique key and then skips. A failed send rolls the row back for the next
    run. Returns the number of emails sent."""
    on = on or selectors.today()
    horizon = on + timedelta(days=max(REMINDER_THRESHOLDS))
    requirements = (
        # A deadline that passed counts too: its cycle may have rolled over into the horizon.
        LicenseRequirement.objects.filter(
            reminders_enabled=True, license__user__is_active=True, deadline__lte=horizon
        )
        .select_related("license__user", "template")
        .order_by("pk")
    )
    sent = 0
    for requirement in requirements:
        cycle = selectors.requirement_cycle(requirement, on=on)
        threshold = rules.reminder_threshold(
            days_left=(cycle.deadline - on).days, thresholds=REMINDER_THRESHOLDS
        )
        if threshold is None:
            continue
        if ReminderSent.objects.filter(
            license_id=requirement.license_id, deadline=cycle.deadline, threshold=threshold
        ).exists():
            continue
        card = selectors.license_card(license=requirement.license, on=on)
        if card.standing.met:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    license_id=requirement.license_id, deadline=cycle.deadline, threshold=threshold
                )
                _reminder_email(card=card, threshold=threshold).send()
        except IntegrityError:
            continue  # another run sent this one
        sent += 1
    return sent


def _reminder_email(*, card, threshold: int) -> EmailMultiAlternatives:
    license = card.license
    token = unsubscribe_token(license=license)
    unsubscribe_url = settings.SITE_URL + reverse("renewals:unsubscribe", args=[token])
    context = {
        "card": card,
        "license": license,
        "standing": card.standing,
        "threshold": threshold,
        "deadline": rules.long_date(card.standing.cycle.deadline),
        "days_left": card.standing.days_left,
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "license_url": settings.SITE_URL + reverse("renewals:license", args=[license.pk]),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
    }
    return email_from_templates(
        "renewal_reminder",
        context,
        to=[license.user.email],
        headers={
            # RFC 8058: mail clients offer their own one-click "unsubscribe".
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# --- Calendar feed --------------------------------------------------------------------------


def calendar_feed_ensure(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new address; the old one stops answering at once."""
    feed, _ = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


# --- Renewal packets ------------------------------------------------------------------------


def packet_request(*, user, license: ClinicianLicense) -> RenewalPacket:
    """Queue a packet for the license's current cycle (or return the one queued)."""
    from .tasks import packet_build  # tasks import the services: a cycle

    requirement = selectors.license_requirement(license)
    if requirement is None or license.user_id != user.pk:
        raise Refusal("Set up renewal tracking for this license first.")
    cycle = selectors.requirement_cycle(requirement, on=selectors.today())
    with transaction.atomic():
        ClinicianLicense.objects.select_for_update().filter(pk=license.pk).first()
        pending = RenewalPacket.objects.filter(
            license=license,
            cycle_start=cycle.start,
            deadline=cycle.deadline,
            status__in=[RenewalPacket.Status.QUEUED, RenewalPacket.Status.RUNNING],
        ).first()
        if pending is not None:
            return pending
        packet = RenewalPacket.objects.create(
            user=user,
            license=license,
            cycle_start=cycle.start,
            deadline=cycle.deadline,
            step="Waiting for a worker",
            heartbeat_at=timezone.now(),
        )
        transaction.on_commit(lambda: packet_build.delay(packet.pk))
    return packet


def packet_progress(*, packet_id: int, progress: int, step: str) -> None:
    RenewalPacket.objects.filter(pk=packet_id).update(
        progress=progress, step=step[:200], heartbeat_at=timezone.now()
    )


def packet_started(*, packet_id: int) -> RenewalPacket | None:
    """Mark a packet running (one more attempt); None when it is already finished."""
    with transaction.atomic():
        packet = RenewalPacket.objects.select_for_update().filter(pk=packet_id).first()
        if packet is None or packet.is_finished:
            return None
        packet.status = RenewalPacket.Status.RUNNING
        packet.attempts += 1
        packet.progress = 0
        packet.step = "Counting your credits"
        packet.heartbeat_at = timezone.now()
        packet.save(update_fields=["status", "attempts", "progress", "step", "heartbeat_at"])
    return packet


def packet_build(*, packet_id: int) -> str:
    """Count the cycle's credits, lay out the summary and append the uploads;
    store the PDF privately. Safe to run twice: a finished packet is left alone."""
    packet = packet_started(packet_id=packet_id)
    if packet is None:
        return "nothing to do"
    license = selectors.license_for_owner(user=packet.user, license_id=packet.license_id)
    document = packet_pdf.packet_document(license=license, packet=packet)

    def progress(percent: int, step: str) -> None:
        packet_progress(packet_id=packet.pk, progress=percent, step=step)

    pdf = packet_pdf.packet_assemble(document=document, progress=progress)
    with transaction.atomic():
        locked = RenewalPacket.objects.select_for_update().get(pk=packet.pk)
        if locked.is_finished:
            return "already finished"
        locked.pdf.save("packet.pdf", ContentFile(pdf), save=False)
        locked.status = RenewalPacket.Status.DONE
        locked.progress = 100
        locked.step = "Ready"
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save()
        # A packet replaces the finished ones before it (their PDFs go on commit).
        RenewalPacket.objects.filter(
            license_id=locked.license_id,
            status__in=[RenewalPacket.Status.DONE, RenewalPacket.Status.FAILED],
            created_at__lt=locked.created_at,
        ).delete()
    return "built"


def packet_failed(*, packet_id: int, error: str, final: bool) -> None:
    fields = {"error": error[:2000], "heartbeat_at": timezone.now()}
    if final:
        fields.update(
            status=RenewalPacket.Status.FAILED,
            step="We could not prepare the packet",
            finished_at=timezone.now(),
        )
    RenewalPacket.objects.filter(pk=packet_id).exclude(status=RenewalPacket.Status.DONE).update(
        **fields
    )


def packets_sweep(*, min_age: timedelta, max_attempts: int) -> int:
    """Queue again the packets whose task was lost (a broker down at request,
    a worker gone without a trace); give up after `max_attempts`."""
    from .tasks import packet_build  # tasks import the services: a cycle

    stale = timezone.now() - min_age
    count = 0
    for packet in RenewalPacket.objects.filter(
        status__in=[RenewalPacket.Status.QUEUED, RenewalPacket.Status.RUNNING],
        heartbeat_at__lt=stale,
    ).only("pk", "attempts"):
        if packet.attempts >= max_attempts:
            packet_failed(packet_id=packet.pk, error="Gave up after repeated attempts.", final=True)
            continue
        RenewalPacket.objects.filter(pk=packet.pk).update(heartbeat_at=timezone.now())
        packet_build.delay(packet.pk)
        count += 1
    return count
