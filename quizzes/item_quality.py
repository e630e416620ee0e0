"""Item-writing statistics of a post-test pool, after the multiple-choice item-writing
guidelines of Haladyna, Downing and Rodriguez (2002): a key that is the longest option
(in more than a third of items), keys piled in one position (more than half), true/false
items keyed mostly one way, select-all items that always have the same number of right
answers, and a pool smaller than twice the draw, so that a retake is not a different
test. Pure functions over the StreamField's raw data, so that the post-test editor and
the launch modules' YAML are measured the same way."""

from collections import Counter
from dataclasses import dataclass, field

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"


@dataclass
class ItemStats:
    singles: int = 0
    #: Single-choice items whose key is longer (in characters) than every other option.
    key_longest: int = 0
    #: Single-choice items whose key is longer than the mean of the other options.
    key_longer_than_mean: int = 0
    key_positions: Counter = field(default_factory=Counter)
    true_false_true: int = 0
    true_false_false: int = 0
    #: How many select-all items have each number of correct choices.
    multiple_correct_counts: Counter = field(default_factory=Counter)
    pool: int = 0

    @property
    def true_false(self) -> int:
        return self.true_false_true + self.true_false_false

    def warnings(self, *, per_attempt: int, retakes: bool) -> list[str]:
        """Shortfalls against the guidelines, as advice for the author."""
        found = []
        if self.singles and self.key_longest * 3 > self.singles:
            found.append(
                f"In {self.key_longest} of {self.singles} single-choice questions the right answer "
                "is the longest option: participants who pick the longest option score without "
                "knowing the content. Lengthen a distractor or shorten the key."
            )
        if self.singles >= 4:
            position, count = self.key_positions.most_common(1)[0]
            if count * 2 > self.singles:
                found.append(
                    f"In {count} of {self.singles} single-choice questions the right answer is "
                    f"option {position + 1}: vary its position."
                )
        multiples = sum(self.multiple_correct_counts.values())
        if multiples >= 3 and len(self.multiple_correct_counts) == 1:
            (right,) = self.multiple_correct_counts
            found.append(
                f"All {multiples} select-all questions have exactly {right} right answers: vary "
                "the number, so that it gives nothing away."
            )
        if abs(self.true_false_true - self.true_false_false) > 1:
            found.append(
                f"The true/false items are keyed {self.true_false_true} “True” and "
                f"{self.true_false_false} “False”: balance them, or rewrite them as "
                "multiple-choice questions."
            )
        if retakes and per_attempt and self.pool < 2 * per_attempt:
            found.append(
                f"The pool has {self.pool} questions for {per_attempt} per attempt: a retake "
                f"repeats at least {2 * per_attempt - self.pool} of them. A pool of "
                f"{2 * per_attempt} or more makes a retake a different test."
            )
        return found


def item_stats(blocks) -> ItemStats:
    """Statistics of raw question blocks ({"type": ..., "value": {...}})."""
    stats = ItemStats()
    for block in blocks or []:
        kind, value = block.get("type"), block.get("value") or {}
        stats.pool += 1
        if kind == TRUE_FALSE:
            if str(value.get("correct_answer")) == "true":
                stats.true_false_true += 1
            else:
                stats.true_false_false += 1
            continue
        choices = [_choice(c) for c in value.get("choices") or []]
        if kind == MULTIPLE:
            stats.multiple_correct_counts[sum(1 for c in choices if c["correct"])] += 1
            continue
        if kind != SINGLE or not choices:
            continue
        keys = [i for i, c in enumerate(choices) if c["correct"]]
        if len(keys) != 1 or len(choices) < 2:
            continue
        stats.singles += 1
        stats.key_positions[keys[0]] += 1
        key = len(str(choices[keys[0]]["text"]).strip())
        others = [len(str(c["text"]).strip()) for c in choices if not c["correct"]]
        stats.key_longest += key > max(others)
        stats.key_longer_than_mean += key > sum(others) / len(others)
    return stats


def _choice(item) -> dict:
    # ListBlock items are stored as {"type": "item", "value": {...}, "id": ...}.
    if isinstance(item, dict) and "value" in item and isinstance(item["value"], dict):
        return item["value"]
    return item
