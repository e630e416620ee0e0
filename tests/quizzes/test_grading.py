"""The grader and the draw: pure functions, no database."""

import random
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.grading import answer_key, attempt_grade, question_credit, questions_draw


def single(qid="s", correct=1, n=4, objective=1):
    return {
        "id": qid,
        "kind": "single",
        "objective": objective,
        "partial_credit": False,
        "stem": "?",
        "rationale": "r",
        "choices": [
            {"id": f"{qid}-{i}", "text": str(i), "correct": i == correct} for i in range(n)
        ],
    }


def multiple(qid="m", correct=(0, 1), n=4, partial=False, objective=1):
    return {
        "id": qid,
        "kind": "multiple",
        "objective": objective,
        "partial_credit": partial,
        "stem": "?",
        "rationale": "r",
        "choices": [
            {"id": f"{qid}-{i}", "text": str(i), "correct": i in correct} for i in range(n)
        ],
    }


def true_false(qid="t", answer=True, objective=1):
    return {
        "id": qid,
        "kind": "true_false",
        "objective": objective,
        "partial_credit": False,
        "stem": "?",
        "rationale": "r",
        "choices": [
            {"id": f"{qid}-true", "text": "True", "correct": answer},
            {"id": f"{qid}-false", "text": "False", "correct": not answer},
        ],
    }


def test_single_choice_scores_only_the_correct_choice():
    q = single(correct=2)
    assert question_credit(q, ["s-2"]) == 1
    assert question_credit(q, ["s-1"]) == 0
    assert question_credit(q, []) == 0


def test_true_false_scores_the_right_answer():
    q = true_false(answer=False)
    assert question_credit(q, ["t-false"]) == 1
    assert question_credit(q, ["t-true"]) == 0


def test_multiple_all_or_nothing_needs_exactly_the_correct_set():
    q = multiple(correct=(0, 2))
    assert question_credit(q, ["m-0", "m-2"]) == 1
    assert question_credit(q, ["m-0"]) == 0
    assert question_credit(q, ["m-0", "m-2", "m-3"]) == 0


def test_multiple_partial_credit_gives_shares_and_wrong_picks_cancel_them():
    q = multiple(correct=(0, 1, 2), n=5, partial=True)
    assert question_credit(q, ["m-0", "m-1", "m-2"]) == 1
    assert question_credit(q, ["m-0", "m-1"]) == Fraction(2, 3)
    assert question_credit(q, ["m-0", "m-1", "m-3"]) == Fraction(1, 3)
    assert question_credit(q, ["m-3", "m-4"]) == 0


def test_ticking_every_box_earns_nothing_under_partial_credit():
    q = multiple(correct=(0, 1), n=4, partial=True)
    assert question_credit(q, ["m-0", "m-1", "m-2", "m-3"]) == 0


def test_score_is_rounded_down_and_pass_uses_the_exact_score():
    questions = [single(f"q{i}") for i in range(3)]
    grade = attempt_grade(
        questions, {"q0": ["q0-1"], "q1": ["q1-1"], "q2": ["q2-0"]}, pass_mark=Decimal("66.67")
    )
    assert grade.score == Decimal("66.66")
    assert not grade.passed
    grade = attempt_grade(
        questions, {"q0": ["q0-1"], "q1": ["q1-1"], "q2": ["q2-0"]}, pass_mark=Decimal("66.66")
    )
    assert grade.passed


def test_pass_mark_is_inclusive():
    questions = [single(f"q{i}") for i in range(4)]
    answers = {f"q{i}": [f"q{i}-1"] for i in range(3)}
    assert attempt_grade(questions, answers, pass_mark=Decimal("75")).passed
    assert not attempt_grade(questions, answers, pass_mark=Decimal("75.01")).passed


def test_partial_credit_counts_toward_the_score():
    questions = [single("a"), multiple("b", correct=(0, 1), partial=True)]
    grade = attempt_grade(questions, {"a": ["a-1"], "b": ["b-0"]}, pass_mark=Decimal("75"))
    assert grade.score == Decimal("75.00")
    assert grade.credits == {"a": 1, "b": Fraction(1, 2)}


def test_draw_takes_one_question_per_objective_before_the_rest():
    pool = [single(f"o{o}-{i}", objective=o) for o in (1, 2, 3) for i in range(4)]
    for seed in range(30):
        drawn = questions_draw(
            pool, count=4, shuffle_questions=True, shuffle_choices=True, rng=random.Random(seed)
        )
        assert len(drawn) == 4
        assert len({q["id"] for q in drawn}) == 4
        assert {q["objective"] for q in drawn} == {1, 2, 3}


def test_draw_without_shuffling_keeps_pool_order_and_choice_order():
    pool = [single(f"q{i}") for i in range(6)]
    drawn = questions_draw(
        pool, count=0, shuffle_questions=False, shuffle_choices=False, rng=random.Random(1)
    )
    assert [q["id"] for q in drawn] == [q["id"] for q in pool]
    assert drawn[0]["choices"] == pool[0]["choices"]


def test_draw_never_reorders_true_false_choices_and_leaves_the_pool_untouched():
    pool = [true_false(f"t{i}") for i in range(5)]
    before = [dict(q, choices=list(q["choices"])) for q in pool]
    for seed in range(10):
        drawn = questions_draw(
            pool, count=3, shuffle_questions=True, shuffle_choices=True, rng=random.Random(seed)
        )
        assert all([c["text"] for c in q["choices"]] == ["True", "False"] for q in drawn)
    assert pool == before


# --- Property-based ---------------------------------------------------------------------------


@st.composite
def question_and_answer(draw, index: int):
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    qid = f"q{index}"
    if kind == "true_false":
        question = true_false(qid, answer=draw(st.booleans()))
    else:
        n = draw(st.integers(min_value=2 if kind == "single" else 3, max_value=8))
        if kind == "single":
            question = single(qid, correct=draw(st.integers(0, n - 1)), n=n)
        else:
            correct = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))
            question = multiple(qid, correct=tuple(correct), n=n, partial=draw(st.booleans()))
    ids = [c["id"] for c in question["choices"]]
    picked = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
    return question, picked


@st.composite
def attempts(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    pairs = [draw(question_and_answer(i)) for i in range(size)]
    return [q for q, _ in pairs], {q["id"]: a for q, a in pairs}


@settings(max_examples=200, deadline=None)
@given(attempts(), st.decimals(min_value=0, max_value=100, places=2))
def test_any_answers_score_between_0_and_100(attempt, pass_mark):
    questions, answers = attempt
    grade = attempt_grade(questions, answers, pass_mark=pass_mark)
    assert Decimal("0") <= grade.score <= Decimal("100")
    assert all(0 <= credit <= 1 for credit in grade.credits.values())
    # Pass marks have two decimals, so the rounded-down score tells pass from fail.
    assert grade.passed == (grade.score >= pass_mark)


@settings(max_examples=200, deadline=None)
@given(attempts(), st.decimals(min_value=0, max_value=100, places=2))
def test_the_answer_key_always_scores_100_and_passes(attempt, pass_mark):
    questions, _ = attempt
    grade = attempt_grade(questions, answer_key(questions), pass_mark=pass_mark)
    assert grade.score == Decimal("100")
    assert grade.passed
