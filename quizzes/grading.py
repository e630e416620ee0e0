"""Pure functions: freezing questions, drawing them, grading answers.

A frozen question is a plain dict, the same shape in an attempt's stored draw
and in the grader:

    {"id": "<block id>", "kind": "single" | "multiple" | "true_false",
     "stem": str, "objective": str (the objective's key; a number in attempts
     drawn before objectives had keys), "partial_credit": bool, "rationale": str,
     "choices": [{"id": str, "text": str, "correct": bool}, ...]}
"""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
ONE_ANSWER_KINDS = (SINGLE, TRUE_FALSE)


def true_false_choice_id(question_id: str, value: str) -> str:
    """Stable, question-specific ids for the two answers of a true/false item, so a
    “true” of one question is never a valid answer to another."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"practicum:{question_id}:{value}"))


def question_freeze(block) -> dict:
    """A plain copy of a question block (a StreamField child) with its key."""
    value = block.value
    if block.block_type == TRUE_FALSE:
        correct = value["correct_answer"]
        choices = [
            {"id": true_false_choice_id(block.id, v), "text": label, "correct": correct == v}
            for v, label in (("true", "True"), ("false", "False"))
        ]
    else:
        choices = [
            {
                "id": str(child.id or f"{block.id}-{index}"),
                "text": child.value["text"],
                "correct": bool(child.value["correct"]),
            }
            for index, child in enumerate(value["choices"].bound_blocks)
        ]
    return {
        "id": str(block.id),
        "kind": block.block_type,
        "stem": value["stem"],
        "objective": str(value.get("objective") or ""),
        "partial_credit": bool(value.get("partial_credit")),
        "rationale": value["rationale"],
        "choices": choices,
    }


def questions_draw(
    pool: list[dict],
    *,
    count: int,
    shuffle_questions: bool,
    shuffle_choices: bool,
    rng: random.Random,
) -> list[dict]:
    """Draw `count` questions for one attempt.

    The draw is stratified by learning objective: one question for each
    objective first (as far as `count` allows), the rest at random, so that
    every attempt measures every objective whenever it can. True/false
    choices keep their True, False order.
    """
    if count <= 0 or count >= len(pool):
        chosen = list(pool)
    else:
        by_objective: dict[str, list[dict]] = defaultdict(list)
        for question in pool:
            by_objective[question["objective"]].append(question)
        objectives = sorted(by_objective)
        rng.shuffle(objectives)
        chosen = [rng.choice(by_objective[o]) for o in objectives[:count]]
        taken = {q["id"] for q in chosen}
        rest = [q for q in pool if q["id"] not in taken]
        chosen += rng.sample(rest, count - len(chosen))
    if shuffle_questions:
        rng.shuffle(chosen)
    else:
        position = {q["id"]: i for i, q in enumerate(pool)}
        chosen.sort(key=lambda q: position[q["id"]])
    result = []
    for question in chosen:
        question = {**question, "choices": [dict(c) for c in question["choices"]]}
        if shuffle_choices and question["kind"] != TRUE_FALSE:
            rng.shuffle(question["choices"])
        result.append(question)
    return result


def question_credit(question: dict, chosen: list[str] | set[str]) -> Fraction:
    """Credit for one question, 0 to 1.

    Single choice and true/false: 1 for the correct choice alone.
    Multiple select, all-or-nothing: 1 when the picks are exactly the correct set.
    Multiple select, partial credit: (correct picks - wrong picks) / correct
    choices, never below 0, so ticking every box earns nothing.
    """
    chosen = set(chosen)
    correct = {c["id"] for c in question["choices"] if c["correct"]}
    if not correct:
        return Fraction(0)
    if question["kind"] == MULTIPLE and question.get("partial_credit"):
        hits = len(chosen & correct)
        wrong = len(chosen - correct)
        return max(Fraction(0), Fraction(hits - wrong, len(correct)))
    return Fraction(1) if chosen == correct else Fraction(0)


@dataclass(frozen=True)
class Grade:
    score: Decimal  # percent, rounded down to 2 places
    passed: bool
    credits: dict[str, Fraction]


def attempt_grade(
    questions: list[dict], answers: dict[str, list[str]], *, pass_mark: Decimal
) -> Grade:
    """Score a set of answers against the frozen questions. Unanswered questions
    earn 0. The pass decision uses the exact score, the shown score is rounded
    down, so a shown 75.00 never fails a 75 % pass mark."""
    credits = {q["id"]: question_credit(q, answers.get(q["id"], [])) for q in questions}
    if not questions:
        return Grade(score=Decimal("0"), passed=False, credits=credits)
    exact = sum(credits.values(), Fraction(0)) * 100 / len(questions)
    score = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_FLOOR
    )
    return Grade(score=score, passed=exact >= Fraction(pass_mark), credits=credits)


def answer_key(questions: list[dict]) -> dict[str, list[str]]:
    """The correct choice ids of each question (used by tests and the seed walk-through)."""
    return {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in questions}
