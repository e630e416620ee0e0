"""A reader of GIFT, Moodle's plain-text question format, for the question types a
post-test has: multiple choice (one right answer, or several by positive
weights) and true/false. Every other GIFT type is refused by line, with its name.

No GIFT parser on PyPI is kept up (the few there last released years ago, or at
0.0.x), and the subset needed is small: this one is written against Moodle's
documentation of the format (docs.moodle.org, "GIFT format"):

- questions are separated by one or more blank lines; a line starting with ``//``
  is a comment; ``$CATEGORY:`` lines are ignored;
- ``::Title::`` names a question (kept for the preview only); ``[html]``,
  ``[moodle]``, ``[plain]`` or ``[markdown]`` before the text gives its format
  (HTML tags are removed: post-test stems are plain text);
- the answers stand in ``{...}``: ``=right ~wrong ~wrong``; ``~%50%a ~%50%b
  ~%-100%c`` weighs answers (those above 0 % are right: several make a "select
  all that apply" item); ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` is true/false;
  text after the braces makes a "missing word" stem (the braces become _____);
- ``#feedback`` after an answer is that answer's feedback, ``####feedback`` the
  question's general feedback, which becomes the rationale (else the right
  answer's feedback does);
- ``\\~ \\= \\# \\{ \\} \\: \\\\`` stand for the characters themselves, ``\\n`` for a new
  line.

One Practicum addition, a comment Moodle ignores: ``// objective: 2`` (or the
objective's text) on the lines before a question names the course objective it
measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import strip_tags

ESCAPABLE = "~=#{}:\\"
FORMATS = ("[html]", "[moodle]", "[plain]", "[markdown]")
TRUE_WORDS = {"t": True, "true": True, "f": False, "false": False}
OBJECTIVE_COMMENT = re.compile(r"^//\s*objective\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class ParsedQuestion:
    """A question read from a file, before it meets a course: its objective is as
    written (a number, a text, or blank for the import's default)."""

    line: int
    kind: str  # "single", "multiple" or "true_false"
    stem: str
    choices: list[tuple[str, bool]] = field(default_factory=list)
    answer: bool | None = None  # true/false items
    rationale: str = ""
    objective: str = ""
    title: str = ""
    partial_credit: bool = False


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}"


class GiftError(ValueError):
    """A question the reader refuses; the caller adds the line."""


# --- Scanning with escapes ---------------------------------------------------------------


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following in ESCAPABLE:
                out.append(following)
                i += 2
                continue
            if following == "n":
                out.append("\n")
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """`text` cut before each unescaped separator: (separator or "", piece)."""
    pieces, current, mark, i = [], [], "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char in separators:
            pieces.append((mark, "".join(current)))
            current, mark = [], char
        else:
            current.append(char)
        i += 1
    pieces.append((mark, "".join(current)))
    return pieces


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _plain(text: str, markup: str) -> str:
    text = _unescape(text)
    if markup == "[html]":
        text = strip_tags(text)
    return re.sub(r"[ \t]+", " ", text).strip()


# --- One question ------------------------------------------------------------------------


def _answers(block: str) -> tuple[list[tuple[str, str, str, str]], str]:
    """The answers of a brace block, as (mark, weight, text, feedback), and the
    general feedback."""
    general = ""
    cut = _find_unescaped(block, "####")
    if cut >= 0:
        block, general = block[:cut], block[cut + 4 :]
    answers = []
    for mark, piece in _split_unescaped(block, "=~"):
        if not mark:
            if piece.strip():
                raise GiftError(f"text before the first answer: “{_unescape(piece.strip())}”")
            continue
        weight = ""
        match = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", piece)
        if match:
            weight, piece = match.group(1), piece[match.end() :]
        parts = _split_unescaped(piece, "#")
        text = parts[0][1]
        feedback = parts[1][1] if len(parts) > 1 else ""
        if _find_unescaped(text, "->") >= 0:
            raise GiftError("matching questions (“->”) are not supported")
        answers.append((mark, weight, text, feedback))
    return answers, general


def question_parse(text: str, *, line: int, objective: str = "") -> ParsedQuestion:
    """One GIFT question (its lines joined, comments removed)."""
    text = text.strip()
    title = ""
    if text.startswith("::"):
        end = _find_unescaped(text, "::", 2)
        if end < 0:
            raise GiftError("the title has no closing “::”")
        title, text = _unescape(text[2:end]).strip(), text[end + 2 :].lstrip()
    markup = ""
    for candidate in FORMATS:
        if text.lower().startswith(candidate):
            markup, text = candidate, text[len(candidate) :]
            break
    opening = _find_unescaped(text, "{")
    if opening < 0:
        raise GiftError(
            "no answers in braces: a description or text without answers is not a question "
            "(write the answers as {=right ~wrong})"
        )
    closing = _find_unescaped(text, "}", opening + 1)
    if closing < 0:
        raise GiftError("the answers’ “{” has no closing “}”")
    if _find_unescaped(text, "{", closing + 1) >= 0:
        raise GiftError("more than one answer block {…} in one question")
    before, block, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    stem = _plain(before, markup)
    if after.strip():
        stem = f"{stem} _____ {_plain(after, markup)}".strip()
    if not stem:
        raise GiftError("the question has no text")
    body = block.strip()
    if not body:
        raise GiftError("essay questions ({}) are not supported")
    if body.startswith("#"):
        raise GiftError("numerical questions ({#…}) are not supported")
    head, general = body, ""
    cut = _find_unescaped(body, "####")
    if cut >= 0:
        head, general = body[:cut], body[cut + 4 :]
    parts = _split_unescaped(head, "#")
    word = parts[0][1].strip().lower()
    if word in TRUE_WORDS:
        # {T#feedback when answered wrongly#feedback when answered rightly####general}
        feedbacks = [piece for _, piece in parts[1:]]
        rationale = _plain(general, markup) or (_plain(feedbacks[-1], markup) if feedbacks else "")
        return ParsedQuestion(
            line=line,
            kind="true_false",
            stem=stem,
            answer=TRUE_WORDS[word],
            rationale=rationale,
            objective=objective,
            title=title,
        )
    answers, general = _answers(body)
    return _choice_question(
        answers, general, line=line, stem=stem, markup=markup, objective=objective, title=title
    )


def _choice_question(answers, general, *, line, stem, markup, objective, title) -> ParsedQuestion:
    if any(mark == "=" and weight for mark, weight, _, _ in answers):
        raise GiftError("a weight (%…%) goes after “~”, not after “=”")
    equals = [a for a in answers if a[0] == "="]
    tildes = [a for a in answers if a[0] == "~"]
    if equals and not tildes:
        raise GiftError(
            "short-answer questions (only “=” answers) are not supported: mark wrong "
            "choices with “~”"
        )
    if len(equals) > 1:
        raise GiftError("more than one “=” answer: use weights (~%50%) for several right answers")
    choices, rationale_fallback = [], ""
    for mark, weight, text, feedback in answers:
        right = mark == "=" or (weight != "" and float(weight) > 0)
        plain = _plain(text, markup)
        if not plain:
            raise GiftError("an answer has no text")
        choices.append((plain, right))
        if right and not rationale_fallback:
            rationale_fallback = _plain(feedback, markup)
    right_count = sum(1 for _, right in choices if right)
    if right_count == 0:
        raise GiftError("no right answer: mark it with “=” (or a weight above 0 %)")
    kind = "single" if right_count == 1 else "multiple"
    return ParsedQuestion(
        line=line,
        kind=kind,
        stem=stem,
        choices=choices,
        rationale=_plain(general, markup) or rationale_fallback,
        objective=objective,
        title=title,
        partial_credit=kind == "multiple",
    )


# --- A file ------------------------------------------------------------------------------


def gift_parse(text: str) -> tuple[list[ParsedQuestion], list[LineError]]:
    """Every question of a GIFT text, and an error for each one refused (by the
    line where it starts)."""
    questions: list[ParsedQuestion] = []
    errors: list[LineError] = []
    record: list[str] = []
    start, objective, pending_objective = 0, "", ""

    def close():
        nonlocal record, objective
        if record:
            try:
                questions.append(question_parse("\n".join(record), line=start, objective=objective))
            except GiftError as exc:
                errors.append(LineError(start, str(exc)))
        record, objective = [], ""

    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            close()
            continue
        if stripped.startswith("//"):
            match = OBJECTIVE_COMMENT.match(stripped)
            if match:
                pending_objective = match.group(1).strip()
            continue
        if not record and stripped.startswith("$CATEGORY:"):
            continue
        if not record:
            start, objective, pending_objective = number, pending_objective, ""
        record.append(raw)
    close()
    return questions, errors
