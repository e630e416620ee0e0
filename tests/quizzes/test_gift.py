"""The GIFT reader (quizzes.gift) and the CSV reader (quizzes.question_import): what
each question becomes, and which lines are refused with which message."""

import pytest

from cms.refusals import Refusal
from quizzes.gift import gift_parse
from quizzes.question_import import csv_parse, question_text_read

# --- GIFT --------------------------------------------------------------------------------


def test_a_multiple_choice_question_keeps_its_title_choices_right_answer_and_rationale():
    (question,), errors = gift_parse(
        "::Alliance::Which marker signals a withdrawal rupture? {\n"
        "  =The client falls silent and agrees too readily#Right: a withdrawal.\n"
        "  ~The client criticises the therapist#That is a confrontation.\n"
        "  ~The client arrives early\n"
        "####Withdrawal ruptures show as deference and silence.}\n"
    )
    assert errors == []
    assert question.line == 1
    assert question.title == "Alliance"
    assert question.kind == "single"
    assert question.stem == "Which marker signals a withdrawal rupture?"
    assert question.choices == [
        ("The client falls silent and agrees too readily", True),
        ("The client criticises the therapist", False),
        ("The client arrives early", False),
    ]
    assert question.rationale == "Withdrawal ruptures show as deference and silence."


def test_without_general_feedback_the_right_answers_feedback_is_the_rationale():
    (question,), _ = gift_parse("Two plus two? {~three#No. =four#Since 2+2\\=4. ~five}")
    assert question.rationale == "Since 2+2=4."
    # Unescaped, the "=" starts another answer, as in Moodle.
    _, (error,) = gift_parse("Two plus two? {~three#No. =four#Since 2+2=4. ~five}")
    assert "more than one “=” answer" in error.message


@pytest.mark.parametrize(
    ("answer", "expected"), [("T", True), ("TRUE", True), ("f", False), ("False", False)]
)
def test_true_false_questions_take_each_spelling(answer, expected):
    (question,), errors = gift_parse(f"Ruptures are rare.{{{answer}####They are common.}}")
    assert errors == []
    assert (question.kind, question.answer, question.choices) == ("true_false", expected, [])
    assert question.rationale == "They are common."


def test_a_true_false_question_uses_the_feedback_for_a_right_answer_when_no_general_one():
    (question,), _ = gift_parse("The sky is green.{F#Look again.#Right: it is blue.}")
    assert (question.answer, question.rationale) == (False, "Right: it is blue.")


def test_weights_above_zero_make_a_select_all_question():
    (question,), errors = gift_parse(
        "Which are repair strategies? {~%50%Naming the rupture ~%50%Inviting the client's view "
        "~%-100%Ignoring it ####Both open the rupture for discussion.}"
    )
    assert errors == []
    assert question.kind == "multiple"
    assert question.partial_credit is True
    assert question.choices == [
        ("Naming the rupture", True),
        ("Inviting the client's view", True),
        ("Ignoring it", False),
    ]


def test_escapes_comments_formats_and_the_missing_word_form():
    (first, second), errors = gift_parse(
        "// a comment Moodle ignores\n"
        "$CATEGORY: Module 1\n"
        "\n"
        "[html]What does <b>\\{x\\}</b> mean\\: set or \\= sign? {=a set \\~ of x ~an equation"
        "####Braces \\# mark sets.}\n"
        "\n"
        "The alliance has three parts: goals, tasks and {=bond ~money ~time####Bordin, 1979.}.\n"
    )
    assert errors == []
    assert first.line == 4
    assert first.stem == "What does {x} mean: set or = sign?"
    assert first.choices == [("a set ~ of x", True), ("an equation", False)]
    assert first.rationale == "Braces # mark sets."
    assert second.line == 6
    assert second.stem == "The alliance has three parts: goals, tasks and _____ ."


def test_an_objective_comment_names_the_objective_of_the_next_question_only():
    questions, errors = gift_parse(
        "// objective: 2\n"
        "First? {=a ~b####R.}\n"
        "\n"
        "Second? {=a ~b####R.}\n"
        "\n"
        "// Objective: Describe rupture markers.\n"
        "Third? {T####R.}\n"
    )
    assert errors == []
    assert [q.objective for q in questions] == ["2", "", "Describe rupture markers."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Write an essay. {}", "essay questions ({}) are not supported"),
        ("How many? {#3:1}", "numerical questions ({#…}) are not supported"),
        ("Capital of France? {=Paris =paris}", "short-answer questions"),
        ("Name it. {=cat}", "short-answer questions"),
        ("Match. {=a -> 1 =b -> 2 =c -> 3}", "matching questions (“->”) are not supported"),
        ("Just a description, no answers.", "no answers in braces"),
        ("Which? {=a ~b", "has no closing “}”"),
        ("::Title Which? {=a ~b}", "the title has no closing “::”"),
        ("Which? {~a ~b}", "no right answer"),
        ("Which? {=a =b ~c}", "more than one “=” answer"),
        ("{=a ~b}", "the question has no text"),
        ("Which? {=a ~b} and {=c ~d}", "more than one answer block"),
    ],
)
def test_other_question_types_and_malformed_questions_are_refused_by_line(text, message):
    questions, errors = gift_parse("Fine? {=yes ~no####R.}\n\n" + text)
    assert [q.stem for q in questions] == ["Fine?"]
    assert len(errors) == 1
    assert errors[0].line == 3
    assert message in errors[0].message


def test_windows_line_endings_and_several_blank_lines_are_read_alike():
    questions, errors = gift_parse("A? {=a ~b####R.}\r\n\r\n\r\n\r\nB? {T####R.}\r\n")
    assert errors == []
    assert [(q.line, q.stem) for q in questions] == [(1, "A?"), (5, "B?")]


# --- CSV ---------------------------------------------------------------------------------

HEADER = "type,question,choice_1,choice_2,choice_3,correct,rationale,objective,partial_credit\n"


def test_csv_rows_become_questions_with_their_line():
    questions, errors = csv_parse(
        HEADER + "single,Which one?,A,B,C,2,Because B.,1,\n"
        'multiple,"Which, of these?",A,B,C,1;3,A and C.,Describe it,yes\n'
        "true_false,It is true.,,,,true,It is.,,\n"
    )
    assert errors == []
    assert [(q.line, q.kind) for q in questions] == [
        (2, "single"),
        (3, "multiple"),
        (4, "true_false"),
    ]
    assert questions[0].choices == [("A", False), ("B", True), ("C", False)]
    assert questions[1].stem == "Which, of these?"
    assert questions[1].choices == [("A", True), ("B", False), ("C", True)]
    assert questions[1].partial_credit is True
    assert questions[1].objective == "Describe it"
    assert (questions[2].answer, questions[2].objective) == (True, "")


def test_a_csv_row_spanning_lines_is_reported_where_it_starts():
    questions, errors = csv_parse(
        HEADER + 'single,"A question\nover two lines?",A,B,,1,R.,,\nsingle,Bad?,A,B,,9,R.,,\n'
    )
    assert [q.line for q in questions] == [2]
    assert questions[0].stem == "A question\nover two lines?"
    assert [(e.line, e.message) for e in errors] == [
        (4, "“correct” names choice 9, which is empty")
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("essay,Write.,,,,,R.,,", "type “essay” is not one of single, multiple, true_false"),
        ("single,Which?,A,B,,1;2,R.,,", "exactly one right choice"),
        ("single,Which?,A,B,,B,R.,,", "the number of the right choice"),
        ("true_false,True?,A,,,yes,R.,,", "true/false question's “correct” is true or false"),
        ("true_false,True?,A,,,true,R.,,", "has no choices"),
        ("multiple,Which?,A,B,C,1,R.,,maybe", "“partial_credit” is yes or no"),
        ("single,Which?,A,B,,1,R.,,,,extra", "cells for 9 columns"),
    ],
)
def test_malformed_csv_rows_are_refused_by_line(row, message):
    questions, errors = csv_parse(HEADER + "single,Fine?,A,B,,1,R.,,\n" + row + "\n")
    assert len(questions) == 1
    assert [e.line for e in errors] == [3]
    assert message in errors[0].message


def test_a_csv_header_with_unknown_or_missing_columns_is_refused_on_line_1():
    questions, errors = csv_parse("kind,question,answer\nsingle,Q?,A\n")
    assert questions == []
    assert [e.line for e in errors] == [1]
    assert "unknown column “kind”, “answer”" in errors[0].message
    assert "missing column “type”, “correct”, “rationale”" in errors[0].message


# --- The upload --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message", "kind"),
    [
        (b"", "The file is empty.", "invalid"),
        (b"  \n\n ", "The file is empty.", "invalid"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not plain text", "invalid"),
        ("Question? {=Ä ~B}".encode("latin-1"), "not UTF-8 text", "invalid"),
        (b"x" * (256 * 1024 + 1), "too large", "too_large"),
    ],
)
def test_empty_binary_non_utf8_or_oversized_uploads_are_refused(data, message, kind):
    with pytest.raises(Refusal) as refused:
        question_text_read(data)
    assert message in refused.value.message
    assert refused.value.kind == kind


def test_a_utf8_upload_with_a_byte_order_mark_is_read():
    assert question_text_read("\ufeffÄ? {T}".encode()) == "Ä? {T}"
