"""The publish gate's rules as plain facts in, problems out (courses.publish_rules): no
database. `test_publishing.py` proves every path that publishes asks them; here each rule
is stated, at its edges, with its message pinned (`make mutation` runs mutmut on them).
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from courses.credit_rules import METHOD_EVIDENCE, CreditCheck
from courses.models import Accreditor, CourseCredit, CreditMethod, DeliveryFormat, Instructor
from courses.publish_rules import REQUIRED_TEXT, CourseFacts, SitePolicy, publish_problems

TODAY = date(2026, 6, 1)
READING = DeliveryFormat.SELF_PACED_READING


def accreditor(short_name="APA", *, pk=1, start=date(2026, 1, 1), end=date(2027, 1, 1), **kw):
    return Accreditor(
        pk=pk,
        short_name=short_name,
        approval_start=start,
        approval_end=end,
        delivery_formats=kw.pop("formats", [READING]),
        credit_increment=Decimal("0.25"),
        credit_minimum=Decimal("0.25"),
        **kw,
    )


def instructor(name="Dr. Rivera", **kw) -> Instructor:
    values = {"credentials": "PhD", "disclosure": "None", "license": "PSY 1", "is_sample": False}
    return Instructor(name=name, **{**values, **kw})


def facts(**changes) -> CourseFacts:
    """A course that lacks nothing."""
    base = CourseFacts(
        fields={name: f"<p>Some {name}</p>" for name in REQUIRED_TEXT}
        | {"delivery_format": READING},
        objectives=["One", "Two", "Three"],
        instructors=[instructor()],
        credits=[CourseCredit(accreditor=accreditor(), category="general", hours=Decimal("1"))],
    )
    return replace(base, **changes)


POLICIES = [
    SitePolicy(label="refund policy", page_id=1, live=True),
    SitePolicy(label="grievance policy", page_id=2, live=True),
]


def problems(course=None, *, lessons=(True,), check=None, policies=POLICIES, **kw):
    return publish_problems(
        facts=course or facts(),
        lessons_live=list(lessons),
        check=check,
        policies=policies,
        today=kw.pop("today", TODAY),
        **kw,
    )


def test_a_course_that_lacks_nothing_may_publish():
    assert problems() == []
    assert problems(for_submission=True) == []


def test_each_required_text_missing_is_named_and_markup_alone_counts_as_missing():
    fields = {name: "" for name in REQUIRED_TEXT} | {"summary": "<p> </p>", "level": None}
    fields["delivery_format"] = READING
    assert problems(facts(fields=fields)) == [
        "Title is missing",
        "Summary is missing",
        "Outline is missing",
        "Target audience is missing",
        "Limitations and risks is missing",
        "Level is missing",
    ]


def test_three_learning_objectives_are_required_and_blank_ones_do_not_count():
    assert problems(facts(objectives=["One", "Two", " "])) == [
        "Learning objectives: at least 3 are required (the course has 2)"
    ]
    assert problems(facts(objectives=["One", "Two", "Three", "Four"])) == []


def test_an_instructor_is_required_each_with_credentials_and_a_disclosure():
    assert problems(facts(instructors=[])) == ["Instructors: at least one instructor is required"]
    assert problems(facts(instructors=[instructor(credentials=" ", disclosure="")])) == [
        "Instructor Dr. Rivera has no credentials",
        "Instructor Dr. Rivera has no conflict-of-interest disclosure",
    ]


def ethics(**kw) -> CourseFacts:
    credit = CourseCredit(accreditor=accreditor(), category="ethics", hours=Decimal("1"))
    return facts(credits=[credit], **kw)


ETHICS_LICENSE = (
    "Ethics credit: no instructor has a professional license on record (ASWB ACE expects "
    "ethics content developed or presented by a licensed social worker; state boards ask "
    "the same of their licensees)"
)


def test_ethics_credit_needs_an_instructor_with_a_license():
    assert problems(ethics(instructors=[instructor(license=" ")])) == [ETHICS_LICENSE]
    unlicensed, licensed = instructor(license=""), instructor("Dr. Chen")
    assert problems(ethics(instructors=[unlicensed, licensed])) == []
    # Other categories do not ask for one.
    assert problems(facts(instructors=[instructor(license="")])) == []


def test_a_sample_course_of_fictional_instructors_is_left_to_the_warnings():
    sample = instructor(license="", is_sample=True)
    assert problems(ethics(instructors=[sample])) == []
    real = instructor("Dr. Chen", license="")
    assert problems(ethics(instructors=[sample, real])) == [ETHICS_LICENSE]


def test_credit_rows_are_required():
    assert problems(facts(credits=[])) == [
        "Credit hours: at least one accreditor and its hours are required"
    ]


def test_each_accreditor_must_approve_the_delivery_format_and_be_within_its_approval():
    webinar = accreditor("NBCC", pk=2, formats=[DeliveryFormat.LIVE_WEBINAR])
    late = accreditor("NASW", pk=3, start=date(2026, 6, 2))
    ended = accreditor("ASWB", pk=4, end=date(2026, 5, 31))
    credits = [
        CourseCredit(accreditor=a, category="general", hours=Decimal("1"))
        for a in (webinar, late, ended, webinar)
    ]
    assert problems(facts(credits=credits)) == [
        "NBCC has not approved the delivery format “Self-paced online, reading-based”",
        "NASW approval period starts on 2026-06-02: its credit cannot be offered before then",
        "ASWB approval period ended on 2026-05-31",
    ]


def test_the_approval_periods_first_and_last_days_count():
    first_day = accreditor(start=TODAY, end=date(2027, 1, 1))
    last_day = accreditor(start=date(2025, 1, 1), end=TODAY)
    for a in (first_day, last_day):
        credits = [CourseCredit(accreditor=a, category="general", hours=Decimal("1"))]
        assert problems(facts(credits=credits)) == []


def test_an_unknown_delivery_format_is_named_as_it_is():
    no_formats = accreditor(formats=None)
    credits = [CourseCredit(accreditor=no_formats, category="general", hours=Decimal("1"))]
    fields = facts().fields | {"delivery_format": "carrier_pigeon"}
    assert problems(facts(credits=credits, fields=fields)) == [
        "APA has not approved the delivery format “carrier_pigeon”"
    ]


@pytest.mark.parametrize("method", [CreditMethod.MEDIA_MINUTES, CreditMethod.PILOT_TEST])
def test_hours_set_other_than_by_word_count_need_their_evidence(method):
    expected = [
        "Evidence for the credit-hour method is missing: the hours are set by "
        f"{METHOD_EVIDENCE[method]}. Write it under Credit evidence, or set the hours by "
        "word count (which needs none)"
    ]
    assert problems(facts(credit_method=method, credit_evidence="<p></p>")) == expected
    assert problems(facts(credit_method=method, credit_evidence="12 people, May 2026")) == []


def test_an_unknown_method_is_named_as_it_is():
    (problem,) = problems(facts(credit_method="guesswork"))
    assert problem.startswith(
        "Evidence for the credit-hour method is missing: the hours are set by guesswork."
    )


def test_a_course_needs_lessons_and_publishing_needs_one_of_them_live():
    no_lessons = "Lessons: the course has no lessons. Add one under the course (New lesson)"
    assert problems(lessons=[]) == [no_lessons]
    assert problems(lessons=[], for_submission=True) == [no_lessons]
    none_live = (
        "Lessons: none is published yet. Send the course for approval: its lessons go with "
        "it, and approving the course publishes them together"
    )
    assert problems(lessons=[False, False]) == [none_live]
    assert problems(lessons=[False, False], for_submission=True) == []
    assert problems(lessons=[False, True]) == []


def test_the_credit_checks_problems_are_the_gates():
    check = CreditCheck(
        words_by_category={},
        allowed_hours_by_category={},
        credited=[],
        problems=["too many hours"],
        warnings=["a warning is not a problem"],
    )
    assert problems(check=check) == ["too many hours"]


def test_without_lessons_the_accreditors_increments_still_apply():
    nasw = Accreditor(
        pk=2,
        short_name="NASW",
        approval_start=date(2026, 1, 1),
        approval_end=date(2027, 1, 1),
        delivery_formats=[READING],
        credit_increment=Decimal("0.50"),
        credit_minimum=Decimal("1.00"),
    )
    credits = [CourseCredit(accreditor=nasw, category="general", hours=Decimal("1.25"))]
    assert problems(facts(credits=credits), lessons=[]) == [
        "Lessons: the course has no lessons. Add one under the course (New lesson)",
        "NASW General credit (1.25 h) is not in half hours: NASW credits multiples of 0.50 h. "
        "To satisfy it: offer 1.00 h or 1.50 h (more hours need more lesson text, or another "
        "way of setting them)",
    ]


def test_each_site_policy_must_be_chosen_and_published():
    policies = [
        SitePolicy(label="refund policy", page_id=None, live=False),
        SitePolicy(label="grievance policy", page_id=7, live=False),
        SitePolicy(label="accommodation-request page", page_id=8, live=True),
    ]
    assert problems(policies=policies) == [
        "The site has no refund policy (Settings → Provider settings)",
        "The site's grievance policy is not published",
    ]


def test_the_problems_come_in_the_checklists_order():
    course = facts(fields=facts().fields | {"title": ""}, instructors=[], credits=[])
    policies = [SitePolicy(label="refund policy", page_id=None, live=False)]
    assert problems(course, lessons=[], policies=policies) == [
        "Title is missing",
        "Instructors: at least one instructor is required",
        "Credit hours: at least one accreditor and its hours are required",
        "Lessons: the course has no lessons. Add one under the course (New lesson)",
        "The site has no refund policy (Settings → Provider settings)",
    ]
