"""The credit rules as plain facts in, problems out (courses.credit_rules): no database.

The numbers are worked by hand at 10,000 words per hour: 2,500 words are a quarter
hour, the word-count rule rounds down to the quarter hour, and the media-minutes rule
adds each video's minutes to the reading time (6 seconds a word). `make mutation` runs
mutmut against these tests, so the messages are pinned whole.
"""

from decimal import Decimal

import pytest

from courses.credit_rules import (
    METHOD_EVIDENCE,
    CreditCheck,
    LessonWords,
    credit_check,
    credit_rule_problems,
    other_methods,
    time_credit_disagreement,
    words_needed,
)
from courses.models import Accreditor, CourseCredit, CreditMethod

WPH = 10_000
MEDIA_EVIDENCE = METHOD_EVIDENCE[CreditMethod.MEDIA_MINUTES]
PILOT_EVIDENCE = METHOD_EVIDENCE[CreditMethod.PILOT_TEST]


def accreditor(short_name="APA", *, pk=1, increment="0.25", minimum="0.25") -> Accreditor:
    return Accreditor(
        pk=pk,
        short_name=short_name,
        credit_increment=Decimal(increment),
        credit_minimum=Decimal(minimum),
    )


def credit(hours: str, *, by: Accreditor | None = None, category="general") -> CourseCredit:
    return CourseCredit(accreditor=by or accreditor(), category=category, hours=Decimal(hours))


INTRO = LessonWords(title="Intro", category="general", words=5000, media_minutes=20)
ETHICS = LessonWords(title="Ethics", category="ethics", words=2600, media_minutes=0)


def check(credits, *, lessons=(INTRO, ETHICS), method=CreditMethod.WORD_COUNT, minutes=None):
    return credit_check(
        lessons=list(lessons),
        credits=credits,
        method=method,
        words_per_hour=WPH,
        estimated_minutes=minutes,
    )


def test_the_check_counts_words_and_media_by_category_and_what_each_rule_allows():
    result = check([credit("0.50")])

    assert result.words_by_category == {"general": 5000, "ethics": 2600}
    assert result.total_words == 7600
    # 5,000 words: half an hour; 2,600: a quarter hour and a little, rounded down.
    assert result.allowed_hours_by_category == {
        "general": Decimal("0.50"),
        "ethics": Decimal("0.25"),
    }
    # Only categories with media are listed: 30 min of reading + 20 min of video = 0.75 h.
    assert result.media_minutes_by_category == {"general": 20}
    assert result.media_hours_by_category == {"general": Decimal("0.75"), "ethics": Decimal("0.25")}
    assert result.credited == [("APA", "General", Decimal("0.50"))]
    assert result.lessons == [INTRO, ETHICS]
    assert result.problems == [] and result.warnings == []


def test_lessons_of_one_category_add_up_and_are_grouped_under_its_label_in_order():
    second = LessonWords(title="More", category="general", words=2500, media_minutes=5)
    result = check([credit("0.75")], lessons=[INTRO, ETHICS, second])

    assert result.words_by_category["general"] == 7500
    assert result.media_minutes_by_category == {"general": 25}
    assert result.problems == [], "7,500 words allow exactly 0.75 h"
    assert result.lessons_by_category() == [("General", [INTRO, second]), ("Ethics", [ETHICS])]


def test_hours_over_the_word_count_rule_are_a_problem_that_says_what_would_satisfy_it():
    result = check([credit("0.75")])

    assert result.problems == [
        "APA General credit (0.75 h) exceeds the word-count rule: 7,500 words needed for "
        "0.75 h at 10,000 words per hour; this course has 5,000 in General lessons "
        "(“Intro” 5,000). Words of Ethics lessons (2,600) count toward their own rows, not "
        "toward General, which allow 0.50 h. To satisfy it: add 2,500 words to General "
        f"lessons, lower the hours to 0.50 h, or set the hours by {MEDIA_EVIDENCE} or by "
        f"{PILOT_EVIDENCE}"
    ]


def test_a_row_whose_category_has_no_lessons_allows_nothing_and_says_how_lessons_count():
    result = check([credit("0.25", category="supervision")], lessons=[INTRO])

    assert result.problems == [
        "APA Clinical supervision credit (0.25 h) exceeds the word-count rule: 2,500 words "
        "needed for 0.25 h at 10,000 words per hour; this course has 0 in Clinical "
        "supervision lessons (no lesson counts toward Clinical supervision: each lesson's "
        "credit category says which row its words count toward). Words of General lessons "
        "(5,000) count toward their own rows, not toward Clinical supervision, which allow "
        "0 h. To satisfy it: add 2,500 words to Clinical supervision lessons, remove this "
        f"row, or set the hours by {MEDIA_EVIDENCE} or by {PILOT_EVIDENCE}"
    ]


def test_exactly_the_hours_the_words_allow_is_no_problem_and_a_quarter_more_is():
    lessons = [LessonWords(title="A", category="general", words=2500, media_minutes=0)]
    assert check([credit("0.25")], lessons=lessons).problems == []
    (problem,) = check([credit("0.50")], lessons=lessons).problems
    assert problem.startswith("APA General credit (0.50 h) exceeds the word-count rule: 5,000")
    assert "this course has 2,500 in General lessons (“A” 2,500), which allow 0.25 h." in problem
    assert "add 2,500 words to General lessons, lower the hours to 0.25 h, or" in problem


def test_the_lower_hours_offered_fit_the_accreditors_increment():
    nasw = accreditor("NASW", increment="0.50", minimum="0.25")
    lessons = [LessonWords(title="A", category="general", words=7500, media_minutes=0)]
    (problem,) = check([credit("1.00", by=nasw)], lessons=lessons).problems
    # 7,500 words allow 0.75 h; NASW credits half hours, so 0.50 h is the most that fits.
    assert "which allow 0.75 h. To satisfy it: add 2,500 words to General lessons, lower " in (
        problem
    )
    assert "lower the hours to 0.50 h, or set the hours by" in problem


def test_hours_over_reading_plus_media_time_are_a_problem_under_the_media_minutes_method():
    result = check([credit("1.00")], method=CreditMethod.MEDIA_MINUTES)

    assert result.problems == [
        "APA General credit (1.00 h) exceeds reading plus media time: 60 minutes needed for "
        "1.00 h; General lessons give 50 (30 of reading for 5,000 words at 10,000 words per "
        "hour, plus 20 media minutes) (“Intro” 5,000 + 20 min). Words of Ethics lessons "
        "(2,600) count toward their own rows, not toward General, which allow 0.75 h. To "
        "satisfy it: add 10 minutes of video (each video block's minutes) or 1,667 words to "
        f"General lessons, lower the hours to 0.75 h, or set the hours by {PILOT_EVIDENCE}"
    ]


def test_media_minutes_allow_what_the_word_count_rule_does_not():
    assert check([credit("0.75")], method=CreditMethod.MEDIA_MINUTES).problems == []
    assert check([credit("0.75")], method=CreditMethod.WORD_COUNT).problems != []


def test_a_media_row_without_lessons_in_its_category_asks_at_least_a_minute():
    # 0.25 h of ethics: 15 minutes needed; 2,600 words give 15.6: met. Supervision: none.
    lessons = [ETHICS]
    assert (
        check([credit("0.25", category="ethics")], lessons=lessons, method="media_minutes").problems
        == []
    )
    (problem,) = check(
        [credit("0.25", category="supervision")], lessons=lessons, method="media_minutes"
    ).problems
    assert "15 minutes needed for 0.25 h; Clinical supervision lessons give 0 (0 of " in problem
    assert "reading for 0 words at 10,000 words per hour, plus 0 media minutes)" in problem
    assert "which allow 0 h. To satisfy it: add 15 minutes of video" in problem
    assert "or 2,500 words to Clinical supervision lessons, remove this row, or" in problem


def test_a_media_gap_of_a_fraction_of_a_minute_asks_one_whole_minute():
    # 2,499 words: 14.994 minutes of reading, under a quarter hour by 0.006 minutes.
    lessons = [LessonWords(title="A", category="general", words=2499, media_minutes=0)]
    (problem,) = check([credit("0.25")], lessons=lessons, method="media_minutes").problems
    assert "General lessons give 14 (14 of reading for 2,499 words" in problem
    assert "add 1 minutes of video (each video block's minutes) or 167 words" in problem


def test_a_pilot_test_is_judged_by_its_evidence_not_by_the_words():
    assert check([credit("5.00")], method=CreditMethod.PILOT_TEST).problems == []


@pytest.mark.parametrize("method", [CreditMethod.WORD_COUNT, CreditMethod.PILOT_TEST])
def test_every_method_must_fit_the_accreditors_increment_and_minimum(method):
    nasw = accreditor("NASW", pk=2, increment="0.50", minimum="1.00")
    lessons = [LessonWords(title="A", category="general", words=10000, media_minutes=0)]
    result = check([credit("0.75", by=nasw)], lessons=lessons, method=method)

    assert result.problems == [
        "NASW General credit (0.75 h) is not in half hours: NASW credits multiples of 0.50 h. "
        "To satisfy it: offer 0.50 h or 1.00 h (more hours need more lesson text, or another "
        "way of setting them)",
        "NASW credit totals 0.75 h, under NASW's minimum of 1.00 h per course. To satisfy it: "
        "offer at least 1.00 h under NASW in all (which needs the lesson text or other "
        "evidence for them), or remove NASW's credit rows",
    ]


def test_the_increment_and_minimum_count_each_accreditors_rows_together_in_name_order():
    nasw = accreditor("NASW", pk=2, increment="0.50", minimum="1.00")
    apa = accreditor("APA", pk=1, increment="1.00", minimum="0.25")
    credits = [
        credit("0.50", by=nasw),
        credit("0.50", by=nasw, category="ethics"),  # 1.00 h in all: the minimum is met
        credit("0.50", by=apa),
        credit("0.25", by=apa),  # the same category: 0.75 h, not whole hours
    ]
    problems = credit_rule_problems(credits=credits)
    assert problems == [
        "APA General credit (0.75 h) is not in whole hours: APA credits multiples of 1.00 h. "
        "To satisfy it: offer 1.00 h (more hours need more lesson text, or another way of "
        "setting them)"
    ]


def test_no_credit_rows_no_problems_and_no_warning():
    assert credit_rule_problems(credits=[]) == []
    assert check([], minutes=45).warnings == []


def test_an_estimated_time_that_disagrees_with_the_credit_is_a_warning_not_a_problem():
    assert check([credit("0.50")], minutes=30).warnings == []
    assert check([credit("0.50")], minutes=44).warnings == []
    expected = [
        "Estimated time (45 min) and credit (0.50 h) disagree: a course credited 0.50 h "
        "should take 30–44 minutes. Correct the time or the credit."
    ]
    assert check([credit("0.50")], minutes=45).warnings == expected
    assert check([credit("0.50")], minutes=29).warnings[0].startswith("Estimated time (29 min)")
    assert check([credit("0.50")], minutes=None).warnings == []


def test_the_time_is_compared_with_the_largest_accreditor_total():
    other = accreditor("NBCC", pk=2)
    credits = [credit("0.50"), credit("0.25", category="ethics"), credit("0.50", by=other)]
    # APA: 0.75 h in all, NBCC 0.50 h: 45 to 59 minutes agree.
    assert check(credits, minutes=45).warnings == []
    assert time_credit_disagreement(minutes=44, totals={1: Decimal("0.75"), 2: Decimal("0.5")})
    assert time_credit_disagreement(minutes=59, totals={1: Decimal("0.75")}) == []
    assert time_credit_disagreement(minutes=60, totals={1: Decimal("0.75")}) != []


def test_words_needed_round_up():
    assert words_needed(Decimal("0.25"), WPH) == 2500
    assert words_needed(Decimal("0.5"), 3) == 2
    assert words_needed(Decimal("0.25"), 4001) == 1001


def test_other_methods_name_every_method_with_evidence_but_the_one_in_use():
    assert other_methods(CreditMethod.WORD_COUNT) == (
        f"set the hours by {MEDIA_EVIDENCE} or by {PILOT_EVIDENCE}"
    )
    assert other_methods(CreditMethod.PILOT_TEST) == f"set the hours by {MEDIA_EVIDENCE}"


def test_a_check_without_lessons_allows_nothing():
    result = check([credit("0.25")], lessons=[])
    assert result.words_by_category == {} and result.total_words == 0
    assert result.lessons_by_category() == []
    assert isinstance(result, CreditCheck)
    assert "exceeds the word-count rule" in result.problems[0]


def test_several_lessons_and_other_categories_are_each_named():
    more = LessonWords(title="More", category="general", words=1000, media_minutes=0)
    supervision = LessonWords(title="Sup", category="supervision", words=300, media_minutes=0)
    (problem,) = check([credit("1.00")], lessons=[INTRO, more, ETHICS, supervision]).problems
    assert (
        "this course has 6,000 in General lessons (“Intro” 5,000, “More” 1,000). Words of "
        "Ethics lessons (2,600) and Clinical supervision lessons (300) count toward their own "
        "rows, not toward General, which allow 0.50 h." in problem
    )


def test_a_category_without_a_label_is_named_by_its_code():
    legacy = LessonWords(title="Old", category="legacy", words=2500, media_minutes=0)
    result = check([credit("0.50", category="legacy")], lessons=[INTRO, legacy])
    assert result.credited == [("APA", "legacy", Decimal("0.50"))]
    assert result.lessons_by_category() == [("General", [INTRO]), ("legacy", [legacy])]
    (problem,) = result.problems
    assert problem.startswith(
        "APA legacy credit (0.50 h) exceeds the word-count rule: 5,000 words needed for 0.50 h "
        "at 10,000 words per hour; this course has 2,500 in legacy lessons (“Old” 2,500). "
        "Words of General lessons (5,000) count toward their own rows, not toward legacy"
    )
    (problem,) = check([credit("1.00")], lessons=[INTRO, legacy]).problems
    assert "Words of legacy lessons (2,500) count toward their own rows" in problem
