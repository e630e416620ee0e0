"""The completion rule and the minimum active time as plain facts (courses.completion,
courses.seat_time): no database. `test_completion.py` and `test_no_dead_ends.py` prove
the services and the heartbeat ask them; here the rules are stated at their edges
(`make mutation` runs mutmut on them)."""

from datetime import date
from decimal import Decimal

import pytest

from courses.completion import completion_due, completion_override
from courses.models import Enrollment, LearnerOverride, SeatTimePolicy
from courses.registry import Step
from courses.seat_time import (
    SeatTimeFlag,
    TimeRequirement,
    minutes_up,
    required_seconds,
    seat_time_flags,
    share_seconds,
)
from courses.selectors import EnrollmentSummary


def summary(*steps: Step, lessons=2, completed=False, status=Enrollment.Status.ACTIVE):
    return EnrollmentSummary(
        enrollment=Enrollment(status=status),
        lessons_total=lessons,
        lessons_done=lessons,
        steps=list(steps),
        completed=completed,
    )


def step(key: str, *, done=True, required=True) -> Step:
    return Step(key=key, label=key, done=done, required=required)


def test_an_enrollment_completes_when_every_required_step_is_done():
    assert completion_due(summary(step("lessons"), step("post-test"), step("evaluation")))


def test_one_required_step_not_done_holds_it_back():
    assert not completion_due(summary(step("lessons"), step("post-test", done=False)))
    assert not completion_due(summary(step("lessons", done=False), step("post-test")))


def test_an_optional_step_never_holds_it_back():
    assert completion_due(summary(step("lessons"), step("journal", done=False, required=False)))


def test_a_course_without_lessons_never_completes():
    assert not completion_due(summary(step("post-test"), lessons=0))
    assert not completion_due(summary(lessons=0))
    assert completion_due(summary(lessons=1))


def test_a_completed_or_ended_enrollment_does_not_complete_again():
    assert not completion_due(summary(step("lessons"), completed=True))
    for status in Enrollment.Status:
        if status != Enrollment.Status.ACTIVE:
            assert not completion_due(summary(step("lessons"), status=status)), status


OVERRIDE = LearnerOverride(minimum_active_minutes=30, expires_on=date(2026, 8, 1))


def time(required: int, active: int, *, standard: int | None = None, override=None):
    return TimeRequirement(
        required_seconds=required,
        active_seconds=active,
        accreditors=("ASWB", "NBCC"),
        standard_seconds=required if standard is None else standard,
        override=override,
    )


def test_the_time_is_met_at_the_required_second():
    assert time(3600, 3600).met
    assert not time(3600, 3599).met
    assert time(0, 0).met


def test_an_override_lowers_the_time_only_where_it_asks_less():
    assert time(1800, 0, standard=3600, override=OVERRIDE).lowered
    assert not time(3600, 0, standard=3600, override=OVERRIDE).lowered
    assert not time(1800, 0, standard=3600).lowered


def test_a_completion_records_the_override_only_where_it_let_the_course_complete():
    # Met under the standard minimum, by the lowered one: recorded.
    assert completion_override(time(1800, 1800, standard=3600, override=OVERRIDE)) is OVERRIDE
    assert time(1800, 3599, standard=3600, override=OVERRIDE).met_only_by_override
    # The standard minimum met anyway: not recorded.
    assert completion_override(time(1800, 3600, standard=3600, override=OVERRIDE)) is None
    # Not met at all, or nothing lowered, or no time asked: nothing.
    assert completion_override(time(1800, 1799, standard=3600, override=OVERRIDE)) is None
    assert completion_override(time(3600, 3600, override=OVERRIDE)) is None
    assert completion_override(time(1800, 1800, standard=3600)) is None
    assert completion_override(None) is None


def test_the_minutes_said_round_up_while_any_second_is_missing():
    requirement = time(1801, 61, standard=3601, override=OVERRIDE)
    assert requirement.required_minutes == 31
    assert requirement.standard_minutes == 61
    assert requirement.active_minutes == 1  # recorded minutes round down
    assert requirement.remaining_minutes == 29  # 1,740 seconds
    assert time(60, 59).remaining_minutes == 1
    assert time(60, 600).remaining_minutes == 0
    assert requirement.asked_by == "ASWB and NBCC"


def test_a_share_of_the_hours_is_whole_seconds_rounded_up_in_exact_decimals():
    assert share_seconds(percent=100, hours=Decimal("1")) == 3600
    assert share_seconds(percent=50, hours=Decimal("0.25")) == 450
    # 33 % of 0.01 h is 11.88 seconds: 12. Floats would not be exact here.
    assert share_seconds(percent=33, hours=Decimal("0.01")) == 12
    assert share_seconds(percent=0, hours=Decimal("5")) == 0


def test_the_strictest_enforcing_accreditor_sets_the_time_and_an_override_lowers_it():
    enforcing = [(50, Decimal("2")), (80, Decimal("1")), (100, Decimal("0.5"))]
    assert required_seconds(enforcing=enforcing) == 3600
    assert required_seconds(enforcing=enforcing, lowered_minutes=30) == 1800
    # An override never raises it, and never adds a requirement where none is.
    assert required_seconds(enforcing=enforcing, lowered_minutes=90) == 3600
    assert required_seconds(enforcing=[], lowered_minutes=30) == 0
    assert required_seconds(enforcing=[]) == 0
    assert required_seconds(enforcing=enforcing, lowered_minutes=0) == 0


def test_minutes_up():
    assert [minutes_up(s) for s in (-5, 0, 1, 59, 60, 61, 120)] == [0, 0, 1, 1, 1, 2, 2]


POLICIES = {
    1: ("APA", SeatTimePolicy.FLAG, 80),
    2: ("NBCC", SeatTimePolicy.ENFORCE, 50),
    3: ("NASW", SeatTimePolicy.OFF, 100),
}


def test_a_completion_under_an_accreditors_share_is_flagged_for_each_such_accreditor():
    credits = [
        {"accreditor_id": 2, "hours": "1.00"},
        {"accreditor_id": 1, "hours": "0.50"},
        {"accreditor_id": 1, "hours": "0.50"},  # APA: 1 h in all, 80 %: 48 minutes
        {"accreditor_id": 3, "hours": "1.00"},  # policy off: never flagged
    ]
    flags = seat_time_flags(active_seconds=1799, credits=credits, policies=POLICIES)
    assert [f.active_minutes for f in flags] == [29, 29]  # 1,799 seconds: 29 whole minutes
    assert seat_time_flags(active_seconds=120, credits=credits, policies=POLICIES)[0] == (
        SeatTimeFlag("APA", 80, 60, 48, 2, SeatTimePolicy.FLAG)
    )
    # Accreditor, percent, credited, required and active minutes, policy:
    assert flags == [
        SeatTimeFlag("APA", 80, 60, 48, 29, SeatTimePolicy.FLAG),
        SeatTimeFlag("NBCC", 50, 60, 30, 29, SeatTimePolicy.ENFORCE),
    ]
    assert str(flags[0]) == "APA: 29 min active, under 80 % of 60 min credited (48 min)"


@pytest.mark.parametrize(("active", "flagged"), [(2879, ["APA"]), (2880, []), (1800, ["APA"])])
def test_the_share_reached_to_the_second_is_not_flagged(active, flagged):
    credits = [{"accreditor_id": 1, "hours": "1.00"}, {"accreditor_id": 2, "hours": "1.00"}]
    flags = seat_time_flags(active_seconds=active, credits=credits, policies=POLICIES)
    assert [f.accreditor for f in flags] == flagged


def test_unknown_accreditors_and_rows_without_hours_are_not_flagged():
    credits = [
        {"accreditor_id": 9, "hours": "1.00"},
        {"accreditor_id": 1, "hours": None},
        {"accreditor_id": 1},
    ]
    assert seat_time_flags(active_seconds=0, credits=credits, policies=POLICIES) == []
    assert seat_time_flags(active_seconds=0, credits=None, policies=POLICIES) == []


def test_an_accreditor_not_flagged_does_not_stop_the_others_being_flagged():
    credits = [
        {"accreditor_id": 3, "hours": "1.00"},  # policy off
        {"accreditor_id": 9, "hours": "1.00"},  # not among the policies
        {"accreditor_id": 2, "hours": "0"},  # no hours
        {"accreditor_id": 1, "hours": "1.00"},
    ]
    flags = seat_time_flags(active_seconds=0, credits=credits, policies=POLICIES)
    assert [f.accreditor for f in flags] == ["APA"]
