"""Demo requirement templates, each plainly an example ("verify with the board")
with the public page its numbers were read from, and the demo clinician's
license tracked under one of them. Idempotent: `seed_demo` runs it again.

The numbers were read from the sources below in December 2026. Boards change
their rules; an Administrator checks a template against the board before
unticking "example".
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import ClinicianLicense, Profession

from .models import LicenseRequirement, RequirementTemplate, RequirementTemplateMinimum
from .rules import add_months

READ_ON = date(2026, 12, 4)

_BBS = {
    "board": "California Board of Behavioral Sciences",
    "region": "CA",
    "cycle_months": 24,
    "total_hours": "36",
    "minimums": {"ethics": "6"},
    "home_study_cap": None,
    # 16 CCR §1887.4.1: the board-recognized approval agencies.
    "accepted": [
        "APA",
        "ASWB ACE",
        "ASWB",
        "CAMFT",
        "California Psychological Association",
        "NASP",
        "NASW",
        "NBCC",
    ],
    "source_url": "https://bbs.ca.gov/licensees/cont_ed.html",
    "notes": "36 hours in the two years before each renewal, including 6 hours of law and "
    "ethics (counted here as ethics: the course must cover California law). Approval "
    "agencies from 16 CCR §1887.4.1 "
    "(https://regulations.justia.com/states/california/title-16/division-18/article-8/section-1887-4-1/). "
    "Not tracked: one-time courses (e.g. suicide risk assessment, telehealth) and the first "
    "renewal's 18 hours.",
}

TEMPLATES = [
    {
        "board": "Maryland Board of Examiners of Psychologists",
        "region": "MD",
        "profession": Profession.PSYCHOLOGIST,
        "credential": "Psychologist",
        "cycle_months": 24,
        "total_hours": "40",
        "minimums": {"ethics": "3", "cultural_diversity": "3"},
        "home_study_cap": "20",
        "accepted": [
            "APA",
            "American Psychological Association",
            "Association for Psychological Science",
            "American Medical Association",
            "NASW",
            "NASP",
            "Maryland Department of Health",
            "National Institutes of Health",
        ],
        "source_url": "https://mpa.memberclicks.net/ce-faq-s",
        "notes": "40 hours every two years (deadline March 31); at most 20 hours of home or "
        "independent study; at least 3 hours in laws, ethics or risk management (counted "
        "here as ethics) and 3 in cultural diversity. Sponsors accepted as listed by the "
        "Maryland Psychological Association "
        "(https://www.marylandpsychology.org/new-licensing-requirements-for-2023). Not "
        "tracked: the one-time implicit bias course, and supervisors' supervision hours.",
    },
    {
        "board": "California Board of Psychology",
        "region": "CA",
        "profession": Profession.PSYCHOLOGIST,
        "credential": "Psychologist",
        "cycle_months": 24,
        "total_hours": "36",
        "minimums": {},
        "home_study_cap": "27",
        "accepted": [
            "APA",
            "American Psychological Association",
            "California Psychological Association",
            "ACCME",
            "California Medical Association",
        ],
        "source_url": "https://www.psychology.ca.gov/licensees/ce_faqs.shtml",
        "notes": "36 hours every two years, at least 9 of them live (so at most 27 of home "
        "study). The board has since moved to Continuing Professional Development with "
        "required law-and-ethics and cultural-diversity hours: verify the current rule.",
    },
    {**_BBS, "profession": Profession.SOCIAL_WORKER, "credential": "LCSW"},
    {**_BBS, "profession": Profession.MFT, "credential": "LMFT"},
    {**_BBS, "profession": Profession.COUNSELOR, "credential": "LPCC"},
    {
        "board": "Texas State Board of Social Worker Examiners",
        "region": "TX",
        "profession": Profession.SOCIAL_WORKER,
        "credential": "LCSW",
        "cycle_months": 24,
        "total_hours": "30",
        "minimums": {"ethics": "6", "cultural_diversity": "3"},
        "home_study_cap": None,
        "accepted": ["ASWB ACE", "ASWB", "NASW"],
        "source_url": "https://bhec.texas.gov/texas-state-board-of-social-worker-examiners/renewing-a-social-work-license/",
        "notes": "30 hours each renewal period, including 6 in ethics and 3 in cultural "
        "diversity or competency (22 TAC §781.501). Since January 1, 2024 at least half "
        "the hours must come from a provider listed in §781.501(f): the bodies above are "
        "an example of that list. Not tracked: supervisors' 6 hours in supervision, the "
        "human-trafficking course.",
    },
]


@transaction.atomic
def templates_ensure() -> dict[str, RequirementTemplate]:
    """Create the example templates that are missing (an Administrator's edits
    to an existing one are kept). Each new one gets a first revision."""
    made = {}
    for spec in TEMPLATES:
        template = RequirementTemplate.objects.filter(
            board=spec["board"],
            region=spec["region"],
            profession=spec["profession"],
            credential=spec["credential"],
        ).first()
        if template is None:
            template = RequirementTemplate(
                board=spec["board"],
                region=spec["region"],
                profession=spec["profession"],
                credential=spec["credential"],
                cycle_months=spec["cycle_months"],
                total_hours=Decimal(spec["total_hours"]),
                home_study_cap=(
                    Decimal(spec["home_study_cap"]) if spec["home_study_cap"] else None
                ),
                accepted_accreditors="\n".join(spec["accepted"]),
                source_url=spec["source_url"],
                source_checked_on=READ_ON,
                is_example=True,
                notes=spec["notes"],
            )
            template.minimums = [
                RequirementTemplateMinimum(category=category, hours=Decimal(hours), sort_order=i)
                for i, (category, hours) in enumerate(spec["minimums"].items())
            ]
            template.save()
            template.save_revision(log_action=True)
        made[f"{spec['region']} {spec['credential']}"] = template
    return made


def next_march_31(today: date) -> date:
    """Maryland's deadline: the next March 31 at least 60 days away."""
    deadline = date(today.year, 3, 31)
    while (deadline - today).days < 60:
        deadline = date(deadline.year + 1, 3, 31)
    return deadline


def demo_requirement_ensure(*, user, templates: dict, today: date) -> None:
    """The demo clinician's Maryland license, tracked under the Maryland template."""
    license = ClinicianLicense.objects.filter(
        user=user, profession=Profession.PSYCHOLOGIST, region="MD"
    ).first()
    if license is None or LicenseRequirement.objects.filter(license=license).exists():
        return
    deadline = next_march_31(today)
    LicenseRequirement.objects.create(
        license=license,
        template=templates["MD Psychologist"],
        cycle_start=add_months(deadline, -24) + timedelta(days=1),
        deadline=deadline,
    )
