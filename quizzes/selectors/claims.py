"""Credit claims: which accreditors a clinician may claim and has claimed (the seam
certificates builds on)."""

from dataclasses import dataclass

from accounts.selectors import license_professions
from courses.models import (
    Accreditor,
    CourseCredit,
    Enrollment,
)

# --- Credit claims (the seam certificates builds on) -----------------------------------------


def claimed_accreditors(*, enrollment: Enrollment) -> list[Accreditor]:
    """The accreditors the clinician claimed credit under in their attestation.
    Empty: no attestation yet, or no credit claimed (a certificate of attendance)."""
    return list(
        Accreditor.objects.filter(claimed_in_attestations__enrollment_id=enrollment.pk).order_by(
            "short_name"
        )
    )


@dataclass
class ClaimOption:
    accreditor: Accreditor
    matches_license: bool


def claim_options(*, enrollment: Enrollment) -> list[ClaimOption]:
    """The course's accreditors, each marked when one of the clinician's current
    (unexpired) licenses is of a profession that accreditor serves (pre-checked)."""
    professions = license_professions(user_id=enrollment.user_id)
    return [
        ClaimOption(
            accreditor=accreditor,
            matches_license=bool(professions & set(accreditor.professions or [])),
        )
        for accreditor in course_accreditors(course_id=enrollment.course_id)
    ]


def course_accreditors(*, course_id: int) -> list[Accreditor]:
    return list(
        Accreditor.objects.filter(
            pk__in=CourseCredit.objects.filter(page_id=course_id).values("accreditor_id")
        ).order_by("short_name")
    )
