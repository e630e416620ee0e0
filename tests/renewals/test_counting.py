"""Credits counted from real records: Practicum's certificates issued by real
completions (their completion dates moved to the days a test needs) and
certificates uploaded through the service, read by renewals.selectors."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from renewals.rules import Reason
from renewals.selectors import license_cards
from tests.factories import (
    LicenseFactory,
    aswb_accreditor,
    certificates_completed_on,
    clinician,
    course_build,
    course_build_in,
    license_tracked,
    outside_certificate,
    requirement_template,
)
from tests.renewals.conftest import DEADLINE, START, md_tracked

pytestmark = pytest.mark.django_db


def _standing(user, on, license=None):
    cards = [c for c in license_cards(user=user, on=on) if c.tracked]
    if license is not None:
        cards = [c for c in cards if c.license == license]
    return cards[0].standing


def _counted(standing) -> dict[str, Decimal]:
    return {p.key: p.counted for p in standing.progress}


def test_certificates_count_by_category_in_the_cycle_of_their_completion_date(
    psychologist, apa, md_template
):
    license = md_tracked(psychologist, md_template)
    ethics = course_build_in(category="ethics", accreditors=[apa], title="Ethics before")
    certificates_completed_on(user=psychologist, course=ethics, day=DEADLINE - timedelta(days=1))
    later = course_build_in(category="ethics", accreditors=[apa], title="Ethics after")
    certificates_completed_on(user=psychologist, course=later, day=DEADLINE + timedelta(days=1))
    general = course_build(accreditors=[apa], title="General", hours="0.5")
    certificates_completed_on(user=psychologist, course=general, day=date(2026, 2, 1))
    outside_certificate(
        user=psychologist, category="cultural_diversity", hours="3", completed_on=date(2026, 11, 1)
    )

    old = _standing(psychologist, date(2027, 3, 1), license)
    assert _counted(old) == {
        "total": Decimal("4"),
        "ethics": Decimal("0.5"),
        "cultural_diversity": Decimal("3"),
    }
    assert [line.credit.title for line in old.lines] == [
        "General",
        "Trauma-informed care",
        "Ethics before",
    ]

    new = _standing(psychologist, date(2027, 4, 15), license)
    assert (new.cycle.start, new.cycle.deadline) == (date(2027, 4, 1), date(2029, 3, 31))
    assert _counted(new) == {
        "total": Decimal("0.5"),
        "ethics": Decimal("0.5"),
        "cultural_diversity": Decimal("0"),
    }
    assert [line.credit.title for line in new.lines] == ["Ethics after"]


def test_a_certificate_under_a_body_the_board_does_not_accept_is_listed_as_not_counted(apa, client):
    aswb = aswb_accreditor()
    user = clinician(professions=("psychologist", "social_worker"))
    psych = user.licenses.get(profession="psychologist")
    license_tracked(
        license=psych,
        template=requirement_template(),
        cycle_start=START,
        deadline=DEADLINE,
    )
    course = course_build(title="Only for social workers", accreditors=[aswb])
    certificates_completed_on(user=user, course=course, day=date(2026, 3, 1))

    standing = _standing(user, date(2026, 6, 1), psych)
    assert standing.total.counted == 0
    assert [(line.credit.accreditor, line.reason) for line in standing.lines] == [
        ("ASWB", Reason.NOT_ACCEPTED)
    ]
    client.force_login(user)
    page = client.get(f"/renewals/licenses/{psych.pk}/").content.decode()
    assert "Example Board of Psychology does not accept ASWB credit." in " ".join(page.split())


def test_the_same_credit_counts_once_on_each_of_two_licenses(apa):
    user = clinician(professions=("psychologist",))
    maryland = user.licenses.get()
    california = LicenseFactory(user=user, region="CA", license_number="PSY 777")
    license_tracked(
        license=maryland, template=requirement_template(), cycle_start=START, deadline=DEADLINE
    )
    license_tracked(
        license=california,
        template=requirement_template(region="CA", home_study_cap=None, minimums={}),
        cycle_start=date(2025, 1, 1),
        deadline=date(2026, 12, 31),
    )
    certificates_completed_on(
        user=user, course=course_build(accreditors=[apa], title="Shared"), day=date(2026, 5, 1)
    )
    outside_certificate(user=user, hours="2", completed_on=date(2026, 5, 2))

    on = date(2026, 6, 1)
    for license in (maryland, california):
        standing = _standing(user, on, license)
        assert standing.total.counted == Decimal("2.5"), license
        assert [line.credit.title for line in standing.lines] == ["Shared", "Trauma-informed care"]


def test_one_course_certified_under_two_accepted_bodies_counts_once(apa):
    aswb = aswb_accreditor()
    user = clinician(professions=("psychologist", "social_worker"))
    social_work = user.licenses.get(profession="social_worker")
    license_tracked(
        license=social_work,
        cycle_start=START,
        deadline=DEADLINE,
        total_hours="30",
        accepted_accreditors="APA\nASWB",
    )
    course = course_build(title="Claimed twice", accreditors=[apa, aswb], hours="0.5")
    certificates = certificates_completed_on(user=user, course=course, day=date(2026, 3, 1))
    assert len(certificates) == 2  # one per accreditor, from one completion

    standing = _standing(user, date(2026, 6, 1), social_work)
    assert standing.total.counted == Decimal("0.5")
    assert sorted(line.reason for line in standing.lines) == [Reason.COUNTED, Reason.SAME_COURSE]


def test_the_home_study_limit_applies_to_uploads_and_certificates_together(
    psychologist, apa, md_template
):
    md_tracked(psychologist, md_template)
    certificates_completed_on(
        user=psychologist, course=course_build(accreditors=[apa]), day=date(2026, 1, 1)
    )
    outside_certificate(user=psychologist, hours="19.5", completed_on=date(2026, 2, 1))
    outside_certificate(user=psychologist, hours="4", completed_on=date(2026, 3, 1))
    outside_certificate(
        user=psychologist, hours="5", completed_on=date(2026, 4, 1), home_study=False
    )
    standing = _standing(psychologist, date(2026, 6, 1))
    assert standing.home_study_completed == Decimal("24")
    assert standing.home_study_counted == Decimal("20")
    assert standing.total.counted == Decimal("25")


def test_courses_that_fill_the_gap_are_suggested_best_fit_first(psychologist, apa, md_template):
    md_tracked(psychologist, md_template)
    outside_certificate(
        user=psychologist, hours="20", completed_on=date(2026, 1, 1), home_study=False
    )
    outside_certificate(
        user=psychologist, hours="16", completed_on=date(2026, 1, 2), home_study=False
    )
    outside_certificate(
        user=psychologist, hours="2.5", category="ethics", completed_on=date(2026, 1, 3)
    )
    # Needed: 0.5 ethics, 3 cultural diversity (and 1.5 more in total).
    fits = course_build_in(category="ethics", hours="0.5", accreditors=[apa], title="Ethics fit")
    course_build_in(
        category="cultural_diversity", hours="0.5", accreditors=[apa], title="Diversity fit"
    )
    course_build(title="General fit", accreditors=[apa], hours="0.5")
    taken = course_build_in(category="ethics", hours="0.5", accreditors=[apa], title="Taken")
    certificates_completed_on(user=psychologist, course=taken, day=date(2024, 1, 1))
    course_build_in(category="ethics", hours="0.5", accreditors=[aswb_accreditor()], title="ASWB")
    too_big = course_build_in(
        category="ethics",
        hours="1",
        accreditors=[apa],
        title="Too long",
        lessons=4,
        estimated_minutes=60,
    )

    card = next(c for c in license_cards(user=psychologist, on=date(2026, 6, 1)) if c.tracked)
    titles = [s.course.title for s in card.suggestions]
    assert titles[:2] == ["Diversity fit", "Ethics fit"] or titles[:2] == [
        "Ethics fit",
        "Diversity fit",
    ]
    assert "Taken" not in titles and "ASWB" not in titles and too_big.title not in titles
    assert fits.pk in {s.course.pk for s in card.suggestions}
