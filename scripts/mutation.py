"""``make mutation``: mutmut over the core rule modules ([tool.mutmut] in pyproject.toml).

Runs mutmut against the tests named there (with the same private services as
``make test``), then checks the outcome: at least 90 % of the mutants the tests
reach are killed, and every survivor is one of EQUIVALENT below, each with the
reason it cannot be told apart from the original. A new survivor fails the run:
kill it with a test, or add it here with its reason (and to docs/reliability.md).

Mutant names (``module.x_function__mutmut_N``) are numbered per function by
mutmut: an edit to a function renumbers its mutants, so the list is checked
again whenever a module under test changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import PROJECT_ROOT, ServiceError, ensure_services

MUTMUT = Path(sys.executable).with_name("mutmut")
THRESHOLD = 0.90

EQUIVALENT = {
    "quizzes.grading.x_questions_draw__mutmut_4": (
        "`count >= len(pool)` to `count > len(pool)`: a draw of the whole pool then goes "
        "through the stratified branch, which also returns every question once; only the "
        "random order of a shuffled draw differs, and no order is promised"
    ),
    "quizzes.grading.x_attempt_grade__mutmut_30": (
        "`sum(credits, Fraction(0))` to `sum(credits)`: 0 + Fraction is a Fraction, and "
        "the sum is only taken when there is at least one question"
    ),
    "certificates.numbers.x_number_normalize__mutmut_12": (
        '`(raw or "")` to `(raw or "XXXX")`: four characters are refused by the length '
        "check just as the empty string is"
    ),
    "certificates.numbers.x_number_normalize__mutmut_17": (
        "`len <= 18` to `len <= 19`: the length check is a cheap guard in front of the "
        "shape pattern, which allows at most 6 + 4 + 8 = 18 characters itself"
    ),
    "courses.credit_rules.x__word_count_problem__mutmut_18": (
        "`minutes=False` to `minutes=None`: `_lessons_counted` only asks whether `minutes` is "
        "true, and None is as false as False"
    ),
    "courses.credit_rules.x__word_count_problem__mutmut_29": (
        "`other_methods(CreditMethod.WORD_COUNT)` to `other_methods(None)`: the word count "
        "needs no evidence, so it is not among METHOD_EVIDENCE's keys that `other_methods` "
        "leaves out; both name the media minutes and the pilot test"
    ),
}


def log(message: str) -> None:
    print(f"[mutation] {message}", file=sys.stderr, flush=True)


def results(env: dict) -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(re.findall(r"^\s*(\S+__mutmut_\d+): (.+)$", out, flags=re.MULTILINE))


def main() -> int:
    try:
        with ensure_services(mode="test", root=PROJECT_ROOT) as services_env:
            env = {**os.environ, **services_env, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
            processes = str(min(2, os.cpu_count() or 1))
            subprocess.run(
                [str(MUTMUT), "run", "--max-children", processes], cwd=PROJECT_ROOT, env=env
            )
            outcome = results(env)
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1
    reached = {name: status for name, status in outcome.items() if status != "no tests"}
    killed = [n for n, s in reached.items() if s == "killed"]
    survivors = sorted(n for n, s in reached.items() if s != "killed")
    unexplained = [n for n in survivors if n not in EQUIVALENT]
    score = len(killed) / len(reached) if reached else 0.0
    log(
        f"{len(outcome)} mutants, {len(reached)} reached by the tests, {len(killed)} killed "
        f"({score:.1%}); {len(survivors)} survive, {len(survivors) - len(unexplained)} of them "
        "listed as equivalent"
    )
    for name in survivors:
        log(f"  {name}: {reached[name]} — {EQUIVALENT.get(name, 'NOT EXPLAINED')}")
    if score < THRESHOLD or unexplained:
        log(f"failed: the score must be at least {THRESHOLD:.0%} and every survivor explained")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
