"""The arithmetic of a renewal, on plain values (renewals.rules): cycles and
their roll-over, what counts in which cycle and category, the board's accepted
bodies, the home-study limit, one course counted once, and the card's sentence."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from renewals.models import CATEGORY_LABELS
from renewals.rules import (
    Credit,
    Cycle,
    Reason,
    Requirement,
    add_months,
    cycle_current,
    reminder_threshold,
    standing_compute,
    standing_sentence,
)

D = Decimal
DEADLINE = date(2027, 3, 31)
START = date(2025, 4, 1)
BOARD = Requirement(
    total_hours=D("40"),
    minimums={"ethics": D("3"), "cultural_diversity": D("3")},
    home_study_cap=None,
    accepted=("APA", "NASW"),
    cycle_months=24,
    board="Example Board",
)
_keys = iter(range(1, 10_000))


def credit(day, hours="1", category="general", *, accreditor="APA", home_study=True, group=""):
    key = next(_keys)
    return Credit(
        key=f"certificate:{key}",
        source="practicum",
        title=f"Course {key}",
        completed_on=day,
        hours_by_category={category: D(hours)},
        accreditor=accreditor,
        accreditor_names=(accreditor,),
        home_study=home_study,
        group=group,
    )


def standing(credits, *, on, requirement=BOARD):
    cycle = cycle_current(start=START, deadline=DEADLINE, months=requirement.cycle_months, today=on)
    return standing_compute(
        requirement=requirement, credits=credits, cycle=cycle, today=on, labels=CATEGORY_LABELS
    )


def counted(result) -> dict[str, Decimal]:
    return {p.key: p.counted for p in result.progress}


def test_cycles_include_both_ends_and_roll_over_to_the_next_after_the_deadline():
    assert cycle_current(start=START, deadline=DEADLINE, months=24, today=DEADLINE) == Cycle(
        START, DEADLINE
    )
    after = cycle_current(start=START, deadline=DEADLINE, months=24, today=date(2027, 4, 1))
    assert after == Cycle(date(2027, 4, 1), date(2029, 3, 31), rolled_over=True)
    # Several cycles missed: it rolls over as often as needed.
    later = cycle_current(start=START, deadline=DEADLINE, months=24, today=date(2031, 6, 1))
    assert (later.start, later.deadline) == (date(2031, 4, 1), date(2033, 3, 31))


def test_a_month_later_from_the_end_of_a_month_is_the_end_of_the_shorter_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2027, 3, 31), -24) == date(2025, 3, 31)


def test_credits_count_by_category_in_the_cycle_of_their_completion_date_across_two_cycles():
    day_before = DEADLINE - timedelta(days=1)
    day_after = DEADLINE + timedelta(days=1)
    credits = [
        credit(date(2025, 9, 1), "20"),
        credit(day_before, "2", "ethics"),
        credit(DEADLINE, "1.5", "cultural_diversity"),  # the deadline itself: the old cycle
        credit(day_after, "1", "ethics"),
        credit(date(2027, 6, 1), "3", "cultural_diversity"),
        credit(START - timedelta(days=1), "9"),  # before the first cycle: nowhere
    ]
    old = standing(credits, on=date(2027, 1, 15))
    assert (old.cycle.start, old.cycle.deadline) == (START, DEADLINE)
    assert counted(old) == {"total": D("23.5"), "ethics": D("2"), "cultural_diversity": D("1.5")}
    assert {line.credit.completed_on for line in old.lines} == {
        date(2025, 9, 1),
        day_before,
        DEADLINE,
    }
    assert old.needs == {"total": D("16.5"), "ethics": D("1"), "cultural_diversity": D("1.5")}
    assert old.days_left == 75

    new = standing(credits, on=date(2027, 7, 1))
    assert new.cycle == Cycle(day_after, date(2029, 3, 31), rolled_over=True)
    assert counted(new) == {"total": D("4"), "ethics": D("1"), "cultural_diversity": D("3")}
    assert [line.credit.completed_on for line in new.lines] == [day_after, date(2027, 6, 1)]


def test_a_credit_under_a_body_the_board_does_not_accept_is_not_counted_and_says_why():
    accepted = credit(date(2026, 1, 5), "2", "ethics", accreditor="APA")
    refused = credit(date(2026, 2, 5), "6", "ethics", accreditor="NBCC")
    result = standing([accepted, refused], on=date(2026, 3, 1))
    assert counted(result)["ethics"] == D("2")
    assert counted(result)["total"] == D("2")
    assert [(line.credit.accreditor, line.reason) for line in result.lines] == [
        ("APA", Reason.COUNTED),
        ("NBCC", Reason.NOT_ACCEPTED),
    ]


def test_bodies_are_matched_without_case_spaces_or_punctuation():
    board = Requirement(D("10"), {}, None, ("ASWB ACE",), 24)
    assert board.accepts(("aswb-ace",)) and board.accepts(("", "ASWB  ACE"))
    assert not board.accepts(("ASWB",))


def test_a_certificate_of_attendance_is_listed_but_never_counted():
    result = standing([credit(date(2026, 1, 5), "2", accreditor="")], on=date(2026, 3, 1))
    assert result.total.counted == 0
    assert result.lines[0].reason == Reason.ATTENDANCE


def test_the_home_study_limit_caps_the_hours_counted_and_fills_minimums_first():
    board = Requirement(
        total_hours=D("40"),
        minimums={"ethics": D("3"), "cultural_diversity": D("3")},
        home_study_cap=D("20"),
        accepted=("APA",),
        cycle_months=24,
    )
    credits = [
        credit(date(2025, 5, 1), "18"),  # home study, general
        credit(date(2025, 6, 1), "4"),  # home study, general: past the limit
        credit(date(2025, 7, 1), "3", "ethics"),  # home study, must count for ethics
        credit(date(2025, 8, 1), "2", "cultural_diversity", home_study=False),  # live
        credit(date(2025, 9, 1), "2", "cultural_diversity"),  # home study
    ]
    result = standing(credits, requirement=board, on=date(2026, 1, 1))
    assert result.home_study_completed == D("27")
    assert result.home_study_counted == D("20")
    # 20 home-study hours count, ethics and cultural diversity served first; 2 live hours.
    assert counted(result) == {"total": D("22"), "ethics": D("3"), "cultural_diversity": D("3")}
    assert result.home_study_full
    assert "must be live" in standing_sentence(result)


def test_one_course_counts_once_when_two_of_its_certificates_are_accepted():
    same_course = "enrollment:7"
    apa = credit(date(2026, 1, 5), "1", accreditor="APA", group=same_course)
    nasw = credit(date(2026, 1, 5), "1.5", accreditor="NASW", group=same_course)
    other = credit(date(2026, 2, 5), "1", accreditor="APA", group="enrollment:8")
    result = standing([apa, nasw, other], on=date(2026, 3, 1))
    assert result.total.counted == D("2.5")  # NASW's 1.5 h (the larger) and the other course
    reasons = {line.credit.key: line.reason for line in result.lines}
    assert reasons[apa.key] == Reason.SAME_COURSE
    assert reasons[nasw.key] == reasons[other.key] == Reason.COUNTED


@pytest.mark.parametrize(
    ("credits", "sentence"),
    [
        (
            [credit(date(2026, 1, 1), "40"), credit(date(2026, 1, 1), "1", "cultural_diversity")],
            "You need 2 more cultural diversity hours and 3 more ethics hours by March 31, 2027.",
        ),
        (
            [credit(date(2026, 1, 1), "30"), credit(date(2026, 1, 1), "3", "cultural_diversity")],
            "You need 7 more hours by March 31, 2027, including 3 ethics hours.",
        ),
        (
            [
                credit(date(2026, 1, 1), "34"),
                credit(date(2026, 1, 1), "3", "cultural_diversity"),
                credit(date(2026, 1, 1), "3", "ethics"),
            ],
            "You have met this requirement for the cycle ending March 31, 2027.",
        ),
        (
            [
                credit(date(2026, 1, 1), "35"),
                credit(date(2026, 1, 1), "3", "cultural_diversity"),
                credit(date(2026, 1, 1), "1", "ethics"),
            ],
            "You need 2 more ethics hours by March 31, 2027.",
        ),
    ],
)
def test_the_card_says_in_one_sentence_what_is_missing_and_by_when(credits, sentence):
    board = Requirement(
        D("40"), {"cultural_diversity": D("3"), "ethics": D("3")}, None, ("APA",), 24
    )
    assert standing_sentence(standing(credits, requirement=board, on=date(2026, 6, 1))) == sentence


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(91, None), (90, 90), (31, 90), (30, 30), (20, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_reminder_due_is_the_nearest_threshold_at_or_above_the_days_left(days_left, threshold):
    assert reminder_threshold(days_left=days_left) == threshold
