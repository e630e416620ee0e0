"""Item analysis of a course's post-test, as Moodle's quiz statistics give it: for
each question, how many took it, the facility index, the discrimination index,
and the share of takers choosing each answer; with flags for items too easy,
too hard, or discriminating negatively.

- **Which attempts**: the *first* graded attempt of each participant submitted in
  the period (Moodle's "first attempt" setting). Later attempts follow a review of
  the first (and, with full review, its key): counting them would make items look
  easier and blur who knew what. Attempts closed because time ran out before the
  answers arrived are left out (their answers were never graded).
- **Facility index**: the mean credit on the item, 0 to 100 % (for all-or-nothing
  items the share answering correctly; partial credit counts its share).
- **Discrimination index**: the Pearson correlation, times 100, between the credit on
  the item and the score on the *rest of the test* (the mean credit on the
  attempt's other questions), over the attempts that drew the item — Moodle's
  discrimination index. The item is left out of the rest so that it does not
  correlate with itself. Not computed ("—") for fewer than 2 attempts, or when
  every taker scored alike on the item or on the rest.
- **Each answer's share**: the share of the item's takers who chose it (for
  select-all items, who ticked it), and of those who left the item blank.

Since each attempt draws its own questions, each item has its own number of
takers; figures from a handful of attempts are unstable, so the table shows it.
One query, whatever the number of attempts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from courses.models import CoursePage
from quizzes.models import Attempt, PostTestPage

from .common import Period

#: An item answered correctly by more than this share is flagged too easy, by less
#: than HARD too hard (percent).
TOO_EASY = Decimal("90")
TOO_HARD = Decimal("30")

KIND_LABELS = {"single": "Single choice", "multiple": "Select all", "true_false": "True / false"}


@dataclass
class ChoiceShare:
    text: str
    correct: bool
    chosen: int
    share: Decimal | None  # percent of the item's takers


@dataclass
class ItemStats:
    question_id: str
    number: int | None  # position in the live post-test; None: no longer in it
    kind: str
    stem: str
    takers: int
    facility: Decimal | None
    discrimination: Decimal | None
    choices: list[ChoiceShare] = field(default_factory=list)
    blank: int = 0
    blank_share: Decimal | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.facility is not None and self.facility > TOO_EASY:
            flags.append("too easy")
        if self.facility is not None and self.facility < TOO_HARD:
            flags.append("too hard")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("discriminates negatively")
        return flags


@dataclass
class ItemAnalysis:
    course: CoursePage
    period: Period
    attempts: int  # first attempts analysed
    items: list[ItemStats]

    @property
    def flagged(self) -> int:
        return sum(1 for item in self.items if item.flags)


def _percent(part: float, whole: int) -> Decimal | None:
    if not whole:
        return None
    return Decimal(100 * part / whole).quantize(Decimal("0.1"))


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def _live_positions(course: CoursePage) -> dict[str, int]:
    post_test = PostTestPage.objects.child_of(course).live().specific().first()
    if post_test is None:
        return {}
    return {str(block.id): n for n, block in enumerate(post_test.questions, start=1)}


def item_analysis(*, course: CoursePage, period: Period) -> ItemAnalysis:
    attempts = list(
        Attempt.objects.filter(
            enrollment__course=course,
            number=1,
            status=Attempt.Status.SUBMITTED,
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        )
        .order_by("submitted_at", "pk")
        .values_list("questions", "answers", "results")
    )
    frozen: dict[str, dict] = {}  # question id -> its latest frozen form
    credits: dict[str, list[float]] = {}
    rests: dict[str, list[float | None]] = {}
    picks: dict[str, list[list[str]]] = {}
    for questions, answers, results in attempts:
        scores = {qid: float(value) for qid, value in (results or {}).items()}
        total = sum(scores.values())
        for question in questions:
            qid = question["id"]
            frozen[qid] = question
            credit = scores.get(qid, 0.0)
            others = len(scores) - 1
            credits.setdefault(qid, []).append(credit)
            rests.setdefault(qid, []).append(
                100 * (total - credit) / others if others > 0 else None
            )
            picks.setdefault(qid, []).append(list((answers or {}).get(qid, [])))
    positions = _live_positions(course)
    order = sorted(frozen, key=lambda qid: positions.get(qid, len(positions) + 1))
    items = []
    for qid in order:
        question, item_credits = frozen[qid], credits[qid]
        takers = len(item_credits)
        paired = [(c, r) for c, r in zip(item_credits, rests[qid], strict=True) if r is not None]
        r = _correlation([c for c, _ in paired], [r for _, r in paired])
        chosen = picks[qid]
        blank = sum(1 for ids in chosen if not ids)
        counts = {
            choice["id"]: sum(1 for ids in chosen if choice["id"] in ids)
            for choice in question.get("choices", [])
        }
        items.append(
            ItemStats(
                question_id=qid,
                number=positions.get(qid),
                kind=question.get("kind", ""),
                stem=question.get("stem", ""),
                takers=takers,
                facility=_percent(sum(item_credits), takers),
                discrimination=None if r is None else Decimal(100 * r).quantize(Decimal("0.1")),
                choices=[
                    ChoiceShare(
                        text=choice["text"],
                        correct=bool(choice["correct"]),
                        chosen=counts[choice["id"]],
                        share=_percent(counts[choice["id"]], takers),
                    )
                    for choice in question.get("choices", [])
                ],
                blank=blank,
                blank_share=_percent(blank, takers),
            )
        )
    return ItemAnalysis(course=course, period=period, attempts=len(attempts), items=items)


ITEM_COLUMNS = [
    "Question",
    "Type",
    "Stem",
    "Takers",
    "Facility index (%)",
    "Discrimination index (%)",
    "Flags",
    "Answer",
    "Right answer",
    "Chosen by",
    "Share of takers (%)",
]


def item_analysis_csv_lines(analysis: ItemAnalysis) -> list[list]:
    """One line per answer of each item (and its blanks), the item's figures repeated."""
    lines: list[list] = [ITEM_COLUMNS]
    for item in analysis.items:
        head = [
            f"Q{item.number}" if item.number else "(no longer in the post-test)",
            item.kind_label,
            item.stem,
            item.takers,
            item.facility,
            item.discrimination,
            "; ".join(item.flags),
        ]
        for choice in item.choices:
            lines.append(
                [*head, choice.text, "yes" if choice.correct else "no", choice.chosen, choice.share]
            )
        lines.append([*head, "(no answer)", "", item.blank, item.blank_share])
    return lines
