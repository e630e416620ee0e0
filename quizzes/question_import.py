"""Questions imported into a post-test from a GIFT or CSV file: reading the
upload, reading the CSV (the GIFT reader is quizzes.gift), checking each question
against the post-test's rules and the course's objectives, and the raw
StreamField blocks they become. Pure: nothing here writes (the import itself is
quizzes.services.post_test_questions_import).

CSV columns (a header row names them, in any order; case does not matter):

- ``type``: ``single``, ``multiple`` or ``true_false``;
- ``question``: the stem (or, for true/false, the statement);
- ``choice_1`` … ``choice_8``: the choices, in order (blank ones are skipped;
  none for true/false);
- ``correct``: the number of the right choice (``2``); for ``multiple`` the
  numbers of every right choice (``1;3``); for true/false ``true`` or ``false``;
- ``rationale``: why the right answer is right;
- ``objective`` (optional): the course objective measured, by number (``2``) or
  text; blank takes the import's default;
- ``partial_credit`` (optional, ``multiple`` only): ``yes`` or ``no`` (blank: no).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field

from django.db import models

from cms.refusals import Refusal

from .gift import LineError, ParsedQuestion, gift_parse

#: The largest file (or pasted text) read, in bytes: some 500 questions.
MAX_BYTES = 256 * 1024
#: The most questions one import adds.
MAX_QUESTIONS = 200
#: Limits of the question blocks (quizzes.blocks).
CHOICES = {"single": (2, 8), "multiple": (3, 8)}
CHOICE_MAX_LENGTH = 500

CSV_COLUMNS = (
    "type",
    "question",
    *(f"choice_{n}" for n in range(1, 9)),
    "correct",
    "rationale",
    "objective",
    "partial_credit",
)
CSV_REQUIRED = ("type", "question", "correct", "rationale")
CSV_KINDS = {"single": "single", "multiple": "multiple", "true_false": "true_false"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class QuestionFormat(models.TextChoices):
    GIFT = "gift", "GIFT (Moodle's plain-text format)"
    CSV = "csv", "CSV (one question a row)"


@dataclass
class ImportedQuestion:
    """A question ready to be added: its objective resolved to the course's key."""

    parsed: ParsedQuestion
    objective_key: str
    objective_label: str

    @property
    def line(self) -> int:
        return self.parsed.line


@dataclass
class ImportPreview:
    questions: list[ImportedQuestion] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.questions) and not self.errors


# --- Reading the upload ------------------------------------------------------------------


def question_text_read(data: bytes, *, noun: str = "file") -> str:
    """The text of an upload (or of pasted text, `noun="text"`); refused when it is
    empty, too large, binary or not UTF-8."""
    if len(data) > MAX_BYTES:
        raise Refusal(
            f"The {noun} is too large (more than {MAX_BYTES // 1024} KB): import at most "
            f"{MAX_BYTES // 1024} KB at once, in several parts if need be.",
            kind="too_large",
        )
    if b"\x00" in data:
        raise Refusal(f"The {noun} is not plain text (it holds binary data).", kind="invalid")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refusal(
            f"The {noun} is not UTF-8 text: save it as UTF-8 (plain text or CSV) and try again.",
            kind="invalid",
        ) from None
    if not text.strip():
        raise Refusal(f"The {noun} is empty.", kind="invalid")
    return text


# --- CSV ---------------------------------------------------------------------------------


def _csv_row(row: dict, *, line: int) -> ParsedQuestion:
    kind = CSV_KINDS.get(row["type"].strip().lower().replace(" ", "_").replace("/", "_"))
    if kind is None:
        raise ValueError(f"type “{row['type']}” is not one of single, multiple, true_false")
    stem = row["question"].strip()
    rationale = row["rationale"].strip()
    objective = row.get("objective", "").strip()
    correct = row["correct"].strip().lower()
    if kind == "true_false":
        if correct not in ("true", "false", "t", "f"):
            raise ValueError("a true/false question's “correct” is true or false")
        if any(row.get(f"choice_{n}", "").strip() for n in range(1, 9)):
            raise ValueError("a true/false question has no choices (leave choice_1 … empty)")
        return ParsedQuestion(
            line=line,
            kind=kind,
            stem=stem,
            answer=correct.startswith("t"),
            rationale=rationale,
            objective=objective,
        )
    texts = [(n, row.get(f"choice_{n}", "").strip()) for n in range(1, 9)]
    texts = [(n, text) for n, text in texts if text]
    numbers = [part for part in re.split(r"[;,\s]+", correct) if part]
    if not numbers or not all(part.isdigit() for part in numbers):
        raise ValueError("“correct” gives the number of the right choice (e.g. 2, or 1;3)")
    right = {int(part) for part in numbers}
    given = {n for n, _ in texts}
    if not right <= given:
        missing = ", ".join(str(n) for n in sorted(right - given))
        raise ValueError(f"“correct” names choice {missing}, which is empty")
    if kind == "single" and len(right) != 1:
        raise ValueError("a single-choice question has exactly one right choice")
    partial = row.get("partial_credit", "").strip().lower()
    if partial not in YES | NO:
        raise ValueError("“partial_credit” is yes or no")
    return ParsedQuestion(
        line=line,
        kind=kind,
        stem=stem,
        choices=[(text, n in right) for n, text in texts],
        rationale=rationale,
        objective=objective,
        partial_credit=kind == "multiple" and partial in YES,
    )


def csv_parse(text: str) -> tuple[list[ParsedQuestion], list[LineError]]:
    """Every question of a CSV text (columns: see the module's docstring), and an
    error for each row refused, by the line where it starts."""
    reader = csv.reader(io.StringIO(text))
    questions: list[ParsedQuestion] = []
    errors: list[LineError] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        return [], [LineError(1, "no header row")]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = []
        if unknown:
            problems.append("unknown column " + ", ".join(f"“{n}”" for n in unknown))
        if missing:
            problems.append("missing column " + ", ".join(f"“{n}”" for n in missing))
        if len(set(header)) != len(header):
            problems.append("a column is named twice")
        return [], [
            LineError(1, "; ".join(problems) + f" (the columns are: {', '.join(CSV_COLUMNS)})")
        ]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(start, f"not readable as CSV ({exc})"))
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(LineError(line, f"{len(cells)} cells for {len(header)} columns"))
            continue
        row = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=True))
        try:
            questions.append(_csv_row(row, line=line))
        except ValueError as exc:
            errors.append(LineError(line, str(exc)))
    return questions, errors


# --- Checking against the post-test and the course ---------------------------------------


def _objective_resolve(written: str, objectives: list, default: str) -> tuple[str, str]:
    """(key, label) of the objective a question names: a number, the text of one, or
    blank for `default` (a key). ValueError when none fits."""
    numbered = {n: o for n, o in enumerate(objectives, start=1)}

    def label(number: int) -> str:
        return f"{number}. {numbered[number].text}"

    if not written:
        for number, objective in numbered.items():
            if str(objective.key) == default:
                return str(objective.key), label(number)
        raise ValueError(
            "no objective: name it in the file (GIFT: “// objective: 2” on the line before "
            "the question; CSV: the objective column) or choose a default objective"
        )
    if written.isdigit() and int(written) in numbered:
        return str(numbered[int(written)].key), label(int(written))

    def simple(text: str) -> str:
        return " ".join(text.split()).casefold().rstrip(".")

    for number, objective in numbered.items():
        if simple(objective.text) == simple(written) or str(objective.key) == written:
            return str(objective.key), label(number)
    raise ValueError(
        f"objective “{written}” is not one of the course's: give its number "
        f"(1 to {len(objectives)}) or its text"
    )


def _question_check(question: ParsedQuestion) -> None:
    if not question.stem:
        raise ValueError("the question has no text")
    if not question.rationale:
        raise ValueError(
            "no rationale (why the right answer is right; learners see it in review): GIFT: "
            "general feedback after “####” inside the braces; CSV: the rationale column"
        )
    if question.kind in CHOICES:
        low, high = CHOICES[question.kind]
        label = "single-choice" if question.kind == "single" else "select-all"
        if not low <= len(question.choices) <= high:
            raise ValueError(
                f"a {label} question has {low} to {high} choices (this one has "
                f"{len(question.choices)})"
            )
        for text, _ in question.choices:
            if len(text) > CHOICE_MAX_LENGTH:
                raise ValueError(f"a choice is longer than {CHOICE_MAX_LENGTH} characters")


def questions_preview(
    *, text: str, file_format: str, objectives: list, default_objective: str = ""
) -> ImportPreview:
    """What importing `text` would add, question by question, with an error for each
    line refused. `objectives`: the course's, in order (courses.selectors.course_objectives)."""
    parse = gift_parse if file_format == QuestionFormat.GIFT else csv_parse
    parsed, errors = parse(text)
    preview = ImportPreview(errors=list(errors))
    for question in parsed:
        try:
            _question_check(question)
            key, label = _objective_resolve(question.objective, objectives, default_objective)
        except ValueError as exc:
            preview.errors.append(LineError(question.line, str(exc)))
            continue
        preview.questions.append(ImportedQuestion(question, key, label))
    if len(preview.questions) > MAX_QUESTIONS:
        preview.errors.append(
            LineError(
                preview.questions[MAX_QUESTIONS].line,
                f"more than {MAX_QUESTIONS} questions: import at most {MAX_QUESTIONS} at once",
            )
        )
    if not parsed and not errors:
        preview.errors.append(LineError(1, "no question found"))
    preview.errors.sort(key=lambda e: e.line)
    return preview


def question_blocks(questions: list[ImportedQuestion]) -> list[dict]:
    """Raw StreamField data for the imported questions, each block and choice with
    an id of its own (attempts refer to them)."""
    blocks = []
    for item in questions:
        question = item.parsed
        value = {
            "stem": question.stem,
            "rationale": question.rationale,
            "objective": item.objective_key,
        }
        if question.kind == "true_false":
            value["correct_answer"] = "true" if question.answer else "false"
        else:
            value["choices"] = [
                {"type": "item", "value": {"text": text, "correct": right}, "id": str(uuid.uuid4())}
                for text, right in question.choices
            ]
            if question.kind == "multiple":
                value["partial_credit"] = question.partial_credit
        blocks.append({"type": question.kind, "value": value, "id": str(uuid.uuid4())})
    return blocks
