"""The CE credit model: accreditors (statements, approval periods, post-test
rules, placeholder provider numbers), as seeded and as administrators edit them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Accreditor
from courses.seed import PLACEHOLDER_NUMBER, accreditors_ensure
from courses.selectors import accreditor_warnings
from tests.courses.conftest import client_for
from tests.factories import AccreditorFactory, course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

# The statements docs/ce-rules.md gives ("The approval statement"), verbatim.
REQUIRED_STATEMENTS = {
    "APA": (
        "{Provider} is approved by the American Psychological Association to sponsor continuing "
        "education for psychologists. {Provider} maintains responsibility for this program and its content."
    ),
    "ASWB ACE": (
        "{Provider}, provider #{number}, is approved to offer social work continuing education by the "
        "Association of Social Work Boards (ASWB) Approved Continuing Education (ACE) program. "
        "Organizations, not individual courses, are approved as ACE providers. State and provincial "
        "regulatory boards have the final authority to determine whether an individual course may be "
        "accepted for continuing education credit. {Provider} maintains responsibility for this course. "
        "ACE provider approval period: {start}–{end}. Social workers completing this course receive "
        "{credits} continuing education credits."
    ),
    "NASW": (
        "This program is Approved by the National Association of Social Workers (Approval # "
        "{number}) for {credits} continuing education contact hours."
    ),
    "NBCC": (
        "{Provider} has been approved by NBCC as an Approved Continuing Education Provider, ACEP No. "
        "{number}. Programs that do not qualify for NBCC credit are clearly identified. {Provider} is "
        "solely responsible for all aspects of the programs."
    ),
}


def test_seeded_accreditors_carry_the_required_statements_and_a_placeholder_number():
    seeded = {a.short_name: a for a in accreditors_ensure()}
    assert set(seeded) == {"APA", "ASWB ACE", "NASW", "NBCC"}
    for short_name, statement in REQUIRED_STATEMENTS.items():
        accreditor = seeded[short_name]
        assert accreditor.statement_template == statement.replace("{Provider}", "{provider}")
        assert accreditor.provider_number == PLACEHOLDER_NUMBER
        assert accreditor.has_placeholder_number
        accreditor.full_clean()
    assert seeded["APA"].professions == ["psychologist"]
    assert seeded["ASWB ACE"].professions == ["social_worker"]
    assert seeded["NASW"].professions == ["social_worker"]
    assert seeded["NBCC"].professions == ["counselor"]


def test_each_seeded_rule_belongs_to_the_body_whose_source_states_it():
    seeded = {a.short_name: a for a in accreditors_ensure()}
    rules = {
        name: (
            a.minimum_questions(Decimal("1")),
            a.minimum_questions(Decimal("1.5")),
            a.max_true_false_percent,
            a.post_test_rule_kind,
            a.pass_mark,
            a.credit_increment,
            a.credit_minimum,
        )
        for name, a in seeded.items()
    }
    # NASW (socialworkers.org): 10 questions for the first hour, 5 more per further hour
    # or half hour, at most 10 % true/false, 80 % to pass; whole or half hours, 1 h minimum.
    assert rules["NASW"] == (
        10,
        15,
        10,
        "requirement",
        Decimal("80"),
        Decimal("0.50"),
        Decimal("1.00"),
    )
    # APA's sponsor FAQ recommends 6-8 per credit and 75 %: a recommendation, no T/F rule.
    assert rules["APA"] == (
        6,
        9,
        100,
        "recommendation",
        Decimal("75"),
        Decimal("0.25"),
        Decimal("0.25"),
    )
    # No written size or true/false rule found for ASWB ACE or NBCC: none is seeded.
    for name in ("ASWB ACE", "NBCC"):
        assert rules[name] == (
            0,
            0,
            100,
            "requirement",
            Decimal("75"),
            Decimal("0.25"),
            Decimal("0.25"),
        )


def test_seeding_again_moves_the_rules_of_unconfigured_rows_to_their_sources():
    aswb = next(a for a in accreditors_ensure() if a.short_name == "ASWB ACE")
    # What an earlier seed wrote: the NASW rule on ASWB ACE.
    Accreditor.objects.filter(pk=aswb.pk).update(
        questions_first_hour=10, questions_per_additional_hour=5
    )
    accreditors_ensure()
    aswb.refresh_from_db()
    assert aswb.minimum_questions(Decimal("1")) == 0


def test_seeding_again_keeps_what_an_administrator_entered():
    apa = next(a for a in accreditors_ensure() if a.short_name == "APA")
    apa.provider_number = "APA-7781"
    apa.save()
    apa.questions_per_hour = 8
    apa.save()
    accreditors_ensure()
    assert Accreditor.objects.count() == 4
    apa.refresh_from_db()
    assert (apa.provider_number, apa.questions_per_hour) == ("APA-7781", 8)


def test_statement_renders_provider_number_period_and_credits():
    aswb = next(a for a in accreditors_ensure() if a.short_name == "ASWB ACE")
    aswb.provider_number = "1234"
    aswb.approval_start, aswb.approval_end = date(2026, 1, 1), date(2028, 12, 31)
    text = aswb.render_statement(provider="Practicum CE", credits=Decimal("1.50"))
    assert text.startswith("Practicum CE, provider #1234, is approved to offer")
    assert "ACE provider approval period: January 1, 2026–December 31, 2028." in text
    assert text.endswith(
        "Social workers completing this course receive 1.50 continuing education credits."
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{provider} is approved under {licence}.", "Unknown placeholder {licence}."),
        ("{provider} is approved {", "Unbalanced braces"),
        ("{provider.__class__} is approved.", "Unknown placeholder {provider.__class__}."),
        ("{} is approved.", "Unknown placeholder {}."),
    ],
)
def test_a_statement_template_that_cannot_render_is_refused(template, message):
    accreditor = AccreditorFactory.build(statement_template=template)
    with pytest.raises(ValidationError) as error:
        accreditor.full_clean()
    assert message in str(error.value.message_dict["statement_template"])


def test_an_approval_period_must_end_after_it_starts():
    accreditor = AccreditorFactory.build(
        approval_start=date(2027, 1, 1), approval_end=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        accreditor.full_clean()
    assert error.value.message_dict["approval_end"] == [
        "The approval period must end after it starts."
    ]


def test_post_test_size_rules():
    apa = AccreditorFactory.build(questions_per_hour=6)
    nasw = AccreditorFactory.build(
        questions_per_hour=0, questions_first_hour=10, questions_per_additional_hour=5
    )
    assert apa.minimum_questions(Decimal("1")) == 6
    assert apa.minimum_questions(Decimal("2.5")) == 15
    assert nasw.minimum_questions(Decimal("1")) == 10
    # each further hour or half hour adds 5 (NASW: "such as 1.5 CEs requested")
    assert nasw.minimum_questions(Decimal("1.5")) == 15
    assert nasw.minimum_questions(Decimal("2")) == 15
    assert nasw.minimum_questions(Decimal("2.5")) == 20
    assert nasw.minimum_questions(Decimal("3")) == 20
    assert nasw.minimum_questions(Decimal("0.5")) == 10


def test_placeholder_numbers_are_flagged_on_the_administrators_dashboard(
    administrator, instructor_user
):
    accreditors_ensure()
    html = client_for(administrator).get("/admin/").content.decode()
    assert "Accreditor records need attention" in html
    assert "APA: the provider number is still the placeholder “REPLACE-ME”." in html
    assert reverse("wagtailsnippets_courses_accreditor:list") in html
    assert (
        "Accreditor records need attention"
        not in client_for(instructor_user).get("/admin/").content.decode()
    )

    Accreditor.objects.update(provider_number="REAL-1")
    assert (
        "Accreditor records need attention"
        not in client_for(administrator).get("/admin/").content.decode()
    )


def test_placeholder_numbers_are_flagged_in_the_course_editor_without_blocking_publishing(
    administrator,
):
    seeded = accreditors_ensure()
    # One hour: NASW credits no less (its minimum), and 2 x 5,000 words allow it.
    course = course_build(lessons=2, words_per_lesson=5000, hours="1.0", accreditors=seeded)
    assert course.live, "demo content publishes with placeholder numbers"
    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "NBCC: the provider number is still the placeholder" in html


def test_approvals_ending_soon_are_warned_about():
    AccreditorFactory(approval_end=timezone.localdate() + timedelta(days=30))
    assert any("the approval period ends on" in w for w in accreditor_warnings())


def test_administrators_add_an_accreditor_through_the_snippet_editor(administrator):
    response = client_for(administrator).post(
        reverse("wagtailsnippets_courses_accreditor:add"),
        {
            "name": "California Board of Behavioral Sciences",
            "short_name": "CA BBS",
            "professions": ["mft", "social_worker"],
            "provider_number": "PCE 1234",
            "approval_start": "2026-01-01",
            "approval_end": "2027-12-31",
            "statement_template": "{provider} is approved by the CA BBS, provider {number}.",
            "delivery_formats": ["self_paced_reading"],
            "pass_mark": "70",
            "attempts_allowed": "2",
            "questions_per_hour": "6",
            "questions_first_hour": "0",
            "questions_per_additional_hour": "0",
            "max_true_false_percent": "10",
            "post_test_rule_kind": "requirement",
            "credit_increment": "1.00",
            "credit_minimum": "1.00",
            "seat_time_policy": "flag",
            "minimum_time_percent": "80",
        },
    )
    assert response.status_code == 302
    bbs = Accreditor.objects.get(short_name="CA BBS")
    # Its credit rules as entered: whole hours, at least one.
    assert (bbs.credit_increment, bbs.credit_minimum) == (Decimal("1.00"), Decimal("1.00"))
    assert bbs.professions == ["mft", "social_worker"]
    assert bbs.delivery_formats == ["self_paced_reading"]
    assert bbs.pass_mark == Decimal("70")
