"""Reads: each license's requirement and standing, the credits that count, the
courses that would close the gap, the dashboard's cards, the calendar.

The dashboard's cards cost a fixed number of queries whatever the number of
licenses and certificates: the licenses with their requirements and templates
(one, and one for the templates' minimums), the certificates and the uploads of
every cycle at once (one each), the courses that fill the gaps (one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClinicianLicense
from certificates.models import Certificate
from cms.prepared import PreparedStatement
from courses.models import CourseCredit, CreditCategory, DeliveryFormat

from . import rules
from .models import (
    CATEGORY_LABELS,
    CalendarFeed,
    LicenseRequirement,
    OutsideCertificate,
    RenewalPacket,
    RequirementTemplate,
    RequirementTemplateMinimum,
    accepted_lines,
)

#: Certificates print category labels; the rules count by category.
_CATEGORY_BY_LABEL = {label: value for value, label in CreditCategory.choices}
_LIVE_FORMATS = {DeliveryFormat.LIVE_WEBINAR.label, DeliveryFormat.LIVE_WEBINAR.value}
#: What the counting reads of a certificate's frozen snapshot (not its images).
_SNAPSHOT_KEYS = ("credits", "accreditor", "delivery_format", "provider", "verify_url")
SUGGESTIONS_PER_LICENSE = 3
SUGGESTION_ROWS_MAX = 200


def today() -> date:
    return timezone.localdate()


# --- Requirements ---------------------------------------------------------------------------


def requirement_rules(requirement: LicenseRequirement) -> rules.Requirement:
    """The numbers a license is held to: its template's, or the clinician's own."""
    template = requirement.template
    if template is not None:
        return rules.Requirement(
            total_hours=template.total_hours,
            minimums={m.category: m.hours for m in template.minimums.all()},
            home_study_cap=template.home_study_cap,
            accepted=tuple(accepted_lines(template.accepted_accreditors)),
            cycle_months=template.cycle_months,
            board=template.board,
        )
    return rules.Requirement(
        total_hours=requirement.total_hours,
        minimums={k: Decimal(str(v)) for k, v in (requirement.minimums or {}).items()},
        home_study_cap=requirement.home_study_cap,
        accepted=tuple(accepted_lines(requirement.accepted_accreditors)),
        cycle_months=requirement.cycle_months,
        board="",
    )


def requirement_cycle(requirement: LicenseRequirement, *, on: date) -> rules.Cycle:
    return rules.cycle_current(
        start=requirement.cycle_start,
        deadline=requirement.deadline,
        months=requirement_rules(requirement).cycle_months,
        today=on,
    )


def templates_for(*, profession: str | None = None) -> QuerySet[RequirementTemplate]:
    templates = RequirementTemplate.objects.prefetch_related("minimums")
    if profession:
        templates = templates.filter(profession=profession)
    return templates


def template_in_use_count(*, template: RequirementTemplate) -> int:
    return LicenseRequirement.objects.filter(template=template).count()


def _licenses(*, user) -> QuerySet[ClinicianLicense]:
    return (
        ClinicianLicense.objects.filter(user=user)
        .select_related("renewal_requirement__template")
        .prefetch_related(
            Prefetch(
                "renewal_requirement__template__minimums",
                queryset=RequirementTemplateMinimum.objects.order_by("sort_order", "pk"),
            )
        )
        .order_by("profession", "region", "license_number")
    )


def _licenses_read(*, user) -> list[ClinicianLicense]:
    """`_licenses(user=user)` as the dashboard reads it on every visit: the
    licenses with their requirements and templates from one statement whose SQL
    is made once per process (Django compiles the select_related query anew on
    every request), then the templates' minimums as the prefetch reads them.
    PostgreSQL only: psycopg gives each column its Python type, SQLite does not."""
    statement, widths = _licenses_statement()
    with connection.cursor() as cursor:
        statement.execute(cursor, [user.pk])  # planned once per database session
        rows = cursor.fetchall()
    licenses, templates = [], {}
    models = (ClinicianLicense, LicenseRequirement, RequirementTemplate)
    for row in rows:
        parts, start = [], 0
        for model, width in zip(models, widths, strict=True):
            values, start = row[start : start + width], start + width
            parts.append(None if values[0] is None else _from_row(model, values))
        license, requirement, template = parts
        if template is not None:
            template = templates.setdefault(template.pk, template)
        if requirement is not None:
            LicenseRequirement.license.field.set_cached_value(requirement, license)
            LicenseRequirement.template.field.set_cached_value(requirement, template)
        ClinicianLicense.renewal_requirement.related.set_cached_value(license, requirement)
        licenses.append(license)
    prefetch_related_objects(
        list(templates.values()),
        Prefetch(
            "minimums", queryset=RequirementTemplateMinimum.objects.order_by("sort_order", "pk")
        ),
    )
    return licenses


def _from_row(model, values):
    """The instance the ORM would make of a row of all the model's columns, with
    the fields' own conversions from the database (a JSON field's text parsed)."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [f.attname for f in fields],
        [
            f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
            for f, v in zip(fields, values, strict=True)
        ],
    )


_LICENSES_SQL = """
SELECT {columns} FROM {license} l
LEFT JOIN {requirement} r ON r.license_id = l.id
LEFT JOIN {template} t ON t.id = r.template_id
WHERE l.user_id = %s
ORDER BY l.profession, l.region, l.license_number
"""


@lru_cache(maxsize=1)
def _licenses_statement() -> tuple[PreparedStatement, tuple[int, int, int]]:
    """_LICENSES_SQL for these tables, and how many columns each model fills."""
    tables = ((ClinicianLicense, "l"), (LicenseRequirement, "r"), (RequirementTemplate, "t"))
    columns = [
        f'{alias}."{f.column}"' for model, alias in tables for f in model._meta.concrete_fields
    ]
    sql = _LICENSES_SQL.format(
        columns=", ".join(columns),
        license=ClinicianLicense._meta.db_table,
        requirement=LicenseRequirement._meta.db_table,
        template=RequirementTemplate._meta.db_table,
    )
    return PreparedStatement(sql), tuple(len(model._meta.concrete_fields) for model, _ in tables)


def license_for_owner(*, user, license_id: int) -> ClinicianLicense | None:
    """The license if it is `user`'s own, with its requirement; None otherwise."""
    if not user.is_authenticated:
        return None
    return _licenses(user=user).filter(pk=license_id).first()


def license_requirement(license: ClinicianLicense) -> LicenseRequirement | None:
    try:
        return license.renewal_requirement
    except LicenseRequirement.DoesNotExist:
        return None


# --- Credits --------------------------------------------------------------------------------


def _certificate_credit(row: dict) -> rules.Credit:
    accreditor = row["accreditor"] or {}
    hours: dict[str, Decimal] = {}
    for credit in row["credits"] or []:
        category = _CATEGORY_BY_LABEL.get(credit.get("category", ""), CreditCategory.GENERAL)
        hours[category] = hours.get(category, Decimal("0")) + Decimal(credit.get("hours") or "0")
    number = row["number"]
    return rules.Credit(
        key=f"certificate:{row['pk']}",
        source="practicum",
        title=row["course_title"],
        completed_on=row["completion_date"],
        hours_by_category=hours,
        accreditor=accreditor.get("short_name", ""),
        accreditor_names=(accreditor.get("short_name", ""), accreditor.get("name", "")),
        home_study=(row["delivery_format"] or "") not in _LIVE_FORMATS,
        provider=(row["provider"] or {}).get("name", ""),
        number=number,
        verify_url=row["verify_url"]
        or f"{settings.SITE_URL}{reverse('certificates:verify', args=[number])}",
        group=f"enrollment:{row['enrollment_id']}",
    )


def upload_credit(upload: OutsideCertificate) -> rules.Credit:
    return rules.Credit(
        key=f"upload:{upload.pk}",
        source="upload",
        title=upload.title,
        completed_on=upload.completed_on,
        hours_by_category={upload.category: upload.hours},
        accreditor=upload.accreditor,
        accreditor_names=(upload.accreditor,),
        home_study=upload.home_study,
        provider=upload.provider,
        number=upload.certificate_number,
    )


def credits_between(*, user, start: date, end: date) -> list[rules.Credit]:
    """Every credit of `user` completed in [start, end]: Practicum's valid
    certificates (attendance ones too: the rules say why they do not count) and
    the uploads. Two queries; the certificates' frozen images are not loaded."""
    rows = (
        Certificate.objects.filter(
            user=user,
            status=Certificate.Status.VALID,
            completion_date__gte=start,
            completion_date__lte=end,
        )
        .order_by("completion_date", "pk")
        .values(
            "pk",
            "number",
            "course_title",
            "completion_date",
            "enrollment_id",
            *(f"snapshot__{key}" for key in _SNAPSHOT_KEYS),
        )
    )
    credits = [
        _certificate_credit(row | {key: row[f"snapshot__{key}"] for key in _SNAPSHOT_KEYS})
        for row in rows
    ]
    uploads = OutsideCertificate.objects.filter(
        user=user, completed_on__gte=start, completed_on__lte=end
    ).order_by("completed_on", "pk")
    credits.extend(upload_credit(upload) for upload in uploads)
    return credits


def outside_certificates(*, user) -> QuerySet[OutsideCertificate]:
    return OutsideCertificate.objects.filter(user=user).order_by("-completed_on", "-pk")


def outside_certificate_for(*, user, upload_id: int) -> OutsideCertificate | None:
    """The upload if `user` owns it or holds the permission to open uploads."""
    if not user.is_authenticated or not user.is_active:
        return None
    upload = OutsideCertificate.objects.filter(pk=upload_id).first()
    if upload is None:
        return None
    if upload.user_id == user.pk:
        return upload
    if user.has_perm("renewals.view_outside_certificate_files"):
        return upload
    return None


# --- Standing and the dashboard's cards -----------------------------------------------------


@dataclass
class CourseSuggestion:
    course: object  # courses.CoursePage
    category: str
    category_label: str
    hours: Decimal
    accreditor: str


@dataclass
class LicenseCard:
    license: ClinicianLicense
    requirement: LicenseRequirement | None
    standing: rules.Standing | None = None
    sentence: str = ""
    suggestions: list[CourseSuggestion] = field(default_factory=list)

    @property
    def template(self) -> RequirementTemplate | None:
        return self.requirement.template if self.requirement else None

    @property
    def tracked(self) -> bool:
        return self.requirement is not None

    def _lines(self, source: str) -> list[rules.CreditLine]:
        lines = self.standing.lines if self.standing else []
        return [line for line in lines if line.credit.source == source]

    @property
    def practicum_lines(self) -> list[rules.CreditLine]:
        return self._lines("practicum")

    @property
    def upload_lines(self) -> list[rules.CreditLine]:
        return self._lines("upload")


def license_cards(*, user, on: date | None = None, suggest: bool = True) -> list[LicenseCard]:
    """One card per license of `user`, each with its standing in its current cycle
    and (with `suggest`) the Practicum courses that would fill its gaps."""
    on = on or today()
    cards = [
        LicenseCard(license=lic, requirement=license_requirement(lic))
        for lic in (
            _licenses_read(user=user) if connection.vendor == "postgresql" else _licenses(user=user)
        )
    ]
    tracked = [card for card in cards if card.tracked]
    if not tracked:
        return cards
    cycles = {card.license.pk: requirement_cycle(card.requirement, on=on) for card in tracked}
    credits = credits_between(
        user=user,
        start=min(c.start for c in cycles.values()),
        end=max(c.deadline for c in cycles.values()),
    )
    for card in tracked:
        card.standing = rules.standing_compute(
            requirement=requirement_rules(card.requirement),
            credits=credits,
            cycle=cycles[card.license.pk],
            today=on,
            labels=CATEGORY_LABELS,
        )
        card.sentence = rules.standing_sentence(card.standing)
    if suggest:
        _suggest_courses(user=user, cards=[c for c in tracked if not c.standing.met])
    return cards


def license_card(*, license: ClinicianLicense, on: date | None = None) -> LicenseCard:
    """The card of one license (already loaded with its requirement)."""
    on = on or today()
    card = LicenseCard(license=license, requirement=license_requirement(license))
    if card.tracked:
        cycle = requirement_cycle(card.requirement, on=on)
        card.standing = rules.standing_compute(
            requirement=requirement_rules(card.requirement),
            credits=credits_between(user=license.user_id, start=cycle.start, end=cycle.deadline),
            cycle=cycle,
            today=on,
            labels=CATEGORY_LABELS,
        )
        card.sentence = rules.standing_sentence(card.standing)
        if not card.standing.met:
            _suggest_courses(user=license.user_id, cards=[card])
    return card


def _wants(card: LicenseCard) -> tuple[dict[str, Decimal], Decimal]:
    """What a card's courses may fill: {category: hours short}, and hours short
    in any category (when the total needs more than the categories do)."""
    standing = card.standing
    by_category = {p.key: p.needed for p in standing.category_needs}
    spare = standing.hours_needed - sum(by_category.values(), Decimal("0"))
    return by_category, spare


def _suggest_courses(*, user, cards: list[LicenseCard]) -> None:
    """Published Practicum courses not yet taken whose credit in a needed category
    fits within the gap, under a body the board accepts; best fit first."""
    wants = {card.license.pk: _wants(card) for card in cards}
    wanted_categories = set()
    any_category = False
    largest = Decimal("0")
    for by_category, spare in wants.values():
        wanted_categories |= set(by_category)
        any_category = any_category or spare > 0
        largest = max([largest, spare, *by_category.values()])
    if not cards or largest <= 0:
        return
    credit_rows = (
        CourseCredit.objects.filter(page__live=True, hours__lte=largest)
        .exclude(page__enrollments__user=user)
        .select_related("page", "accreditor")
        .order_by("-hours", "page__title", "pk")
    )
    if not any_category:
        credit_rows = credit_rows.filter(category__in=wanted_categories)
    credit_rows = list(credit_rows[:SUGGESTION_ROWS_MAX])
    for card in cards:
        requirement = requirement_rules(card.requirement)
        by_category, spare = wants[card.license.pk]
        live_only = card.standing.home_study_full
        best: dict[int, tuple] = {}
        for row in credit_rows:
            accreditor = row.accreditor
            if not requirement.accepts((accreditor.short_name, accreditor.name)):
                continue
            if live_only and row.page.delivery_format != DeliveryFormat.LIVE_WEBINAR:
                continue
            fills_minimum = row.hours <= by_category.get(row.category, Decimal("0"))
            if not fills_minimum and not row.hours <= spare + by_category.get(
                row.category, Decimal("0")
            ):
                continue
            # A needed category first, then the most hours within the gap.
            score = (0 if row.category in by_category else 1, -row.hours, row.page.title)
            if row.page_id not in best or score < best[row.page_id][0]:
                best[row.page_id] = (score, row)
        card.suggestions = [
            CourseSuggestion(
                course=row.page,
                category=row.category,
                category_label=CATEGORY_LABELS.get(row.category, row.category),
                hours=row.hours,
                accreditor=row.accreditor.short_name,
            )
            for _, row in sorted(best.values(), key=lambda item: item[0])[:SUGGESTIONS_PER_LICENSE]
        ]


# --- Packets and the calendar ----------------------------------------------------------------


def latest_packet(*, license: ClinicianLicense) -> RenewalPacket | None:
    return RenewalPacket.objects.filter(license=license).order_by("-created_at", "-pk").first()


def packet_for_owner(*, user, packet_id: int) -> RenewalPacket | None:
    if not user.is_authenticated:
        return None
    return RenewalPacket.objects.filter(pk=packet_id, user=user).first()


def packet_state(packet: RenewalPacket) -> dict:
    """The JSON the license page polls while a packet is prepared."""
    state = {
        "id": packet.pk,
        "status": packet.status,
        "label": packet.get_status_display(),
        "progress": packet.progress,
        "step": packet.step,
    }
    if packet.status == RenewalPacket.Status.DONE:
        state["url"] = reverse("renewals:packet_pdf", args=[packet.pk])
    return state


def calendar_feed_for(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token).first()
