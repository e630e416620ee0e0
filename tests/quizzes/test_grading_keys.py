"""The frozen key against the authored answer, and the grader's degenerate cases.

The database tests grade an attempt against its frozen copy of the questions,
so a freeze that inverted the key would still grade "correctly" against itself.
These tests freeze real question blocks and compare the frozen key with what the
author ticked.
"""

import copy
import random
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest

from quizzes.blocks import QuestionStreamBlock
from quizzes.grading import (
    answer_key,
    attempt_grade,
    question_credit,
    question_freeze,
    questions_draw,
    true_false_choice_id,
)
from tests.factories import q_multiple, q_single, q_true_false


def blocks_of(*raw_questions):
    """Question blocks as a page's StreamField gives them (with stable block ids)."""
    raw = [dict(q, id=f"block-{i}") for i, q in enumerate(raw_questions)]
    return list(QuestionStreamBlock().to_python(raw))


def correct_texts(frozen):
    return [c["text"] for c in frozen["choices"] if c["correct"]]


@pytest.mark.parametrize(
    ("answer", "right", "wrong"), [(True, "True", "False"), (False, "False", "True")]
)
def test_a_frozen_true_false_item_keeps_the_authored_answer(answer, right, wrong):
    (block,) = blocks_of(q_true_false("Water is wet.", answer=answer, objective=2))
    frozen = question_freeze(block)
    assert [c["text"] for c in frozen["choices"]] == ["True", "False"]
    assert correct_texts(frozen) == [right]
    by_text = {c["text"]: c["id"] for c in frozen["choices"]}
    assert question_credit(frozen, [by_text[right]]) == 1
    assert question_credit(frozen, [by_text[wrong]]) == 0
    assert frozen["kind"] == "true_false"
    assert frozen["objective"] == "2"
    assert frozen["stem"] == "Water is wet."


def test_true_false_choice_ids_are_stable_and_specific_to_the_question():
    # Attempts in progress store these ids: a change would orphan their answers.
    assert true_false_choice_id("block-0", "true") == str(
        uuid.uuid5(uuid.NAMESPACE_URL, "practicum:block-0:true")
    )
    assert true_false_choice_id("block-0", "true") == "e678ab39-5a95-5882-8b24-076e27676eb7"
    assert true_false_choice_id("block-1", "true") != true_false_choice_id("block-0", "true")
    assert true_false_choice_id("block-0", "false") != true_false_choice_id("block-0", "true")
    (block,) = blocks_of(q_true_false())
    ids = [c["id"] for c in question_freeze(block)["choices"]]
    assert ids == [
        true_false_choice_id("block-0", "true"),
        true_false_choice_id("block-0", "false"),
    ]


def test_a_frozen_single_choice_item_keeps_the_authored_choice_and_ids():
    (block,) = blocks_of(q_single("Which?", correct=2, choices=4, rationale="R.", objective=3))
    frozen = question_freeze(block)
    authored = list(block.value["choices"].bound_blocks)
    assert [c["id"] for c in frozen["choices"]] == [str(child.id) for child in authored]
    assert [c["text"] for c in frozen["choices"]] == [child.value["text"] for child in authored]
    assert [c["correct"] for c in frozen["choices"]] == [False, False, True, False]
    assert frozen == {
        "id": "block-0",
        "kind": "single",
        "stem": "Which?",
        "objective": "3",
        "partial_credit": False,
        "rationale": "R.",
        "choices": frozen["choices"],
    }
    assert question_credit(frozen, [authored[2].id]) == 1
    assert question_credit(frozen, [authored[0].id]) == 0


def test_a_frozen_multiple_select_item_keeps_the_key_and_the_partial_credit_setting():
    blocks = blocks_of(
        q_multiple("All?", correct=(0, 2), choices=4, partial_credit=True),
        q_multiple("All?", correct=(1,), choices=3, partial_credit=False),
    )
    partial, whole = (question_freeze(b) for b in blocks)
    assert [c["correct"] for c in partial["choices"]] == [True, False, True, False]
    assert partial["partial_credit"] is True
    assert [c["correct"] for c in whole["choices"]] == [False, True, False]
    assert whole["partial_credit"] is False
    assert all(isinstance(c["correct"], bool) for c in partial["choices"] + whole["choices"])


def test_a_choice_without_an_id_gets_one_from_its_block_and_position():
    (block,) = blocks_of(q_single(correct=1, choices=3))
    for child in block.value["choices"].bound_blocks:
        child.id = None
    frozen = question_freeze(block)
    assert [c["id"] for c in frozen["choices"]] == ["block-0-0", "block-0-1", "block-0-2"]


def test_a_question_without_an_objective_is_frozen_with_none():
    (block,) = blocks_of(q_single(objective=None))
    assert question_freeze(block)["objective"] == ""


def test_the_frozen_key_of_a_whole_post_test_scores_the_authored_answers():
    """Answers picked from the authored blocks (not from the frozen key) score 100,
    and the authored wrong answers score 0."""
    blocks = blocks_of(
        q_true_false(answer=True),
        q_true_false(answer=False),
        q_single(correct=3),
        q_multiple(correct=(0, 1)),
    )
    frozen = [question_freeze(b) for b in blocks]
    right, wrong = {}, {}
    for block in blocks:
        if block.block_type == "true_false":
            answer = block.value["correct_answer"]
            other = "false" if answer == "true" else "true"
            right[block.id] = [true_false_choice_id(block.id, answer)]
            wrong[block.id] = [true_false_choice_id(block.id, other)]
        else:
            children = list(block.value["choices"].bound_blocks)
            right[block.id] = [str(c.id) for c in children if c.value["correct"]]
            wrong[block.id] = [str(c.id) for c in children if not c.value["correct"]][:1]
    assert attempt_grade(frozen, right, pass_mark=Decimal("100")).score == Decimal("100")
    assert attempt_grade(frozen, wrong, pass_mark=Decimal("0")).score == Decimal("0")
    assert answer_key(frozen) == right


# --- Degenerate cases -------------------------------------------------------------------------


def bare(kind: str, correct: list[bool], *, partial: bool = False) -> dict:
    """A frozen question with only what the grader reads; choice ids "0", "1", ..."""
    choices = [{"id": str(i), "correct": flag} for i, flag in enumerate(correct)]
    return {"id": "q", "kind": kind, "partial_credit": partial, "choices": choices}


def test_an_attempt_with_no_questions_never_passes():
    grade = attempt_grade([], {}, pass_mark=Decimal("0"))
    assert grade.passed is False
    assert grade.score == Decimal("0")
    assert grade.credits == {}


def test_a_question_with_no_correct_choice_gives_no_credit():
    for kind in ("single", "multiple", "true_false"):
        question = bare(kind, [False, False], partial=kind == "multiple")
        assert question_credit(question, []) == 0
        assert question_credit(question, ["0"]) == 0
        assert question_credit(question, ["0", "1"]) == 0


def test_partial_credit_only_for_multiple_select():
    # A single-choice item marked partial_credit (it cannot be authored so) stays all-or-nothing.
    question = bare("single", [True, True, False], partial=True)
    assert question_credit(question, ["0"]) == 0
    assert question_credit(question, ["0", "1"]) == 1


def test_partial_credit_is_exact_and_never_negative():
    question = bare("multiple", [i < 3 for i in range(6)], partial=True)
    assert question_credit(question, ["0"]) == Fraction(1, 3)
    assert question_credit(question, ["0", "1", "3"]) == Fraction(1, 3)
    assert question_credit(question, ["0", "3", "4"]) == 0
    assert question_credit(question, ["3", "4", "5"]) == 0
    assert question_credit(question, ("0", "1", "2")) == 1


def test_a_score_is_the_mean_credit_rounded_down():
    questions = [
        {"id": str(i), "kind": "single", "choices": [{"id": "y", "correct": True}]}
        for i in range(3)
    ]
    grade = attempt_grade(questions, {"0": ["y"]}, pass_mark=Decimal("33.33"))
    assert grade.score == Decimal("33.33")
    assert grade.passed
    assert not attempt_grade(questions, {"0": ["y"]}, pass_mark=Decimal("33.34")).passed
    grade = attempt_grade(questions, {"0": ["y"], "1": ["y"]}, pass_mark=Decimal("66.67"))
    assert grade.score == Decimal("66.66")
    assert not grade.passed


# --- The draw ---------------------------------------------------------------------------------


def pool_of(n, *, objectives=3):
    kinds = ["single", "multiple"]
    return [
        {
            "id": f"q{i}",
            "kind": kinds[i % 2],
            "objective": i % objectives + 1,
            "partial_credit": False,
            "choices": [{"id": f"q{i}-{c}", "text": str(c), "correct": c == 0} for c in range(5)],
        }
        for i in range(n)
    ]


def test_a_draw_never_changes_the_callers_pool_or_its_choices():
    pool = pool_of(8)
    before = copy.deepcopy(pool)
    for seed in range(20):
        for count in (0, 1, 3, 8):
            drawn = questions_draw(
                pool,
                count=count,
                shuffle_questions=True,
                shuffle_choices=True,
                rng=random.Random(seed),
            )
            for question in drawn:
                question["choices"].append({"id": "extra"})
                question["choices"][0]["text"] = "changed"
    assert pool == before


def test_shuffled_choices_are_a_permutation_and_do_get_shuffled():
    pool = pool_of(4)
    orders = set()
    for seed in range(20):
        drawn = questions_draw(
            pool, count=0, shuffle_questions=False, shuffle_choices=True, rng=random.Random(seed)
        )
        for question, original in zip(drawn, pool, strict=True):
            assert sorted(c["id"] for c in question["choices"]) == sorted(
                c["id"] for c in original["choices"]
            )
            orders.add(tuple(c["id"] for c in question["choices"]))
    assert len(orders) > 4


def test_shuffled_questions_do_get_shuffled_and_unshuffled_keep_pool_order():
    pool = pool_of(6)
    orders = {
        tuple(
            q["id"]
            for q in questions_draw(
                pool,
                count=4,
                shuffle_questions=True,
                shuffle_choices=False,
                rng=random.Random(seed),
            )
        )
        for seed in range(20)
    }
    assert len(orders) > 5
    for seed in range(20):
        drawn = questions_draw(
            pool, count=4, shuffle_questions=False, shuffle_choices=False, rng=random.Random(seed)
        )
        ids = [q["id"] for q in drawn]
        assert ids == sorted(ids, key=lambda qid: int(qid[1:]))
        assert [c["id"] for c in drawn[0]["choices"]] == [f"{ids[0]}-{c}" for c in range(5)]


@pytest.mark.parametrize("count", [1, 2, 5, 6, 7, 0, -1])
def test_a_draw_of_n_returns_n_distinct_questions(count):
    pool = pool_of(6)
    expected = count if 0 < count < len(pool) else len(pool)
    for seed in range(10):
        drawn = questions_draw(
            pool, count=count, shuffle_questions=True, shuffle_choices=True, rng=random.Random(seed)
        )
        assert len(drawn) == expected
        assert len({q["id"] for q in drawn}) == expected


def test_a_draw_smaller_than_the_objectives_takes_distinct_objectives():
    pool = pool_of(12, objectives=4)
    seen = set()
    for seed in range(30):
        drawn = questions_draw(
            pool, count=2, shuffle_questions=False, shuffle_choices=False, rng=random.Random(seed)
        )
        objectives = [q["objective"] for q in drawn]
        assert len(set(objectives)) == 2
        seen.update(objectives)
        seen.update(q["id"] for q in drawn)
    # Every objective, and more than one question of each, comes up over the seeds.
    assert {1, 2, 3, 4} <= seen
    assert len(seen - {1, 2, 3, 4}) > 6
