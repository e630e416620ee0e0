"""The publish gate's rules, pure: every CE-required item a course still lacks, decided
from plain facts (docs/ce-rules.md).

`publish_problems` reads nothing: the course's own fields and rows (`CourseFacts`),
whether each lesson under it is live, the credit check, the site's policy pages and
the date are given. `courses.publishing.course_publish_problems`, the gate's one entry
point, reads them and adds the checks higher apps register. Its tests state the
rules without a database, and `make mutation` tests them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .credit_rules import METHOD_EVIDENCE, CreditCheck, credit_rule_problems
from .models.choices import CreditCategory, CreditMethod, DeliveryFormat
from .wordcount import text_word_count

if TYPE_CHECKING:
    from .models import CourseCredit

# The text fields a course needs, with the names the problems give them.
REQUIRED_TEXT = {
    "title": "Title",
    "summary": "Summary",
    "outline": "Outline",
    "target_audience": "Target audience",
    "limitations": "Limitations and risks",
    "level": "Level",
    "delivery_format": "Delivery format",
}


@dataclass
class CourseFacts:
    """What the gate judges, apart from the pages under the course: the course's own
    fields and inline rows. Read from the saved course (`course_facts`) or, in the
    editor, from what was typed (`CoursePageForm.publish_facts`)."""

    fields: dict[str, object]  # the REQUIRED_TEXT fields
    objectives: list[str]
    instructors: list = field(default_factory=list)  # Instructor rows
    credits: list[CourseCredit] = field(default_factory=list)  # with their accreditors
    credit_method: str = CreditMethod.WORD_COUNT
    credit_evidence: str = ""
    words_per_credit_hour: int | None = None
    estimated_minutes: int | None = None


@dataclass(frozen=True)
class SitePolicy:
    """A policy page every course page links to, as the provider's settings name it."""

    label: str  # "refund policy"
    page_id: int | None  # None: not chosen
    live: bool


def publish_problems(
    *,
    facts: CourseFacts,
    lessons_live: list[bool],
    check: CreditCheck | None,
    policies: list[SitePolicy],
    today: date,
    for_submission: bool = False,
) -> list[str]:
    """Every CE-required item still missing, but the registered checks of higher apps.

    `lessons_live`: one entry per lesson under the course (is it live?). `check`: the
    credit check on those lessons (None without lessons). `for_submission` (sending the
    course for approval) accepts lessons that are all still drafts: they go through
    approval too; publishing needs at least one published lesson."""
    return [
        *_text_problems(facts),
        *_instructor_problems(facts),
        *_accreditor_problems(facts, today=today),
        *_lesson_and_credit_problems(
            facts, lessons_live=lessons_live, check=check, for_submission=for_submission
        ),
        *_policy_problems(policies),
    ]


def _text_problems(facts: CourseFacts) -> list[str]:
    problems = [
        f"{label} is missing"
        for name, label in REQUIRED_TEXT.items()
        if not _has_text(facts.fields.get(name))
    ]
    objectives = [text for text in facts.objectives if text.strip()]
    if len(objectives) < 3:
        problems.append(
            f"Learning objectives: at least 3 are required (the course has {len(objectives)})"
        )
    return problems


def _instructor_problems(facts: CourseFacts) -> list[str]:
    instructors = facts.instructors
    problems = []
    if not instructors:
        problems.append("Instructors: at least one instructor is required")
    for instructor in instructors:
        if not instructor.credentials.strip():
            problems.append(f"Instructor {instructor.name} has no credentials")
        if not instructor.disclosure.strip():
            problems.append(f"Instructor {instructor.name} has no conflict-of-interest disclosure")
    real_instructors = [i for i in instructors if not i.is_sample]
    ethics_credit = any(c.category == CreditCategory.ETHICS for c in facts.credits)
    # A sample course (fictional instructors only) is flagged by course_warnings instead.
    if ethics_credit and real_instructors and not any(i.license.strip() for i in instructors):
        problems.append(
            "Ethics credit: no instructor has a professional license on record (ASWB ACE expects "
            "ethics content developed or presented by a licensed social worker; state boards "
            "ask the same of their licensees)"
        )
    return problems


def _accreditor_problems(facts: CourseFacts, *, today: date) -> list[str]:
    problems = []
    if not facts.credits:
        problems.append("Credit hours: at least one accreditor and its hours are required")
    delivery_format = facts.fields["delivery_format"]
    for accreditor in {c.accreditor.pk: c.accreditor for c in facts.credits}.values():
        if delivery_format not in (accreditor.delivery_formats or []):
            problems.append(
                f"{accreditor.short_name} has not approved the delivery format "
                f"“{dict(DeliveryFormat.choices).get(delivery_format, delivery_format)}”"
            )
        if accreditor.approval_end < today:
            problems.append(
                f"{accreditor.short_name} approval period ended on {accreditor.approval_end:%Y-%m-%d}"
            )
        elif accreditor.approval_start > today:
            # Offering credit before the approval begins is advertising an approval
            # the provider does not hold yet.
            problems.append(
                f"{accreditor.short_name} approval period starts on "
                f"{accreditor.approval_start:%Y-%m-%d}: its credit cannot be offered before then"
            )
    if facts.credit_method != CreditMethod.WORD_COUNT and not _has_text(facts.credit_evidence):
        problems.append(
            f"Evidence for the credit-hour method is missing: the hours are set by "
            f"{METHOD_EVIDENCE.get(facts.credit_method, facts.credit_method)}. Write it under "
            "Credit evidence, or set the hours by word count (which needs none)"
        )
    return problems


def _lesson_and_credit_problems(
    facts: CourseFacts, *, lessons_live: list[bool], check: CreditCheck | None, for_submission: bool
) -> list[str]:
    problems = []
    if not lessons_live:
        problems.append("Lessons: the course has no lessons. Add one under the course (New lesson)")
    elif not for_submission and not any(lessons_live):
        problems.append(
            "Lessons: none is published yet. Send the course for approval: its lessons go with "
            "it, and approving the course publishes them together"
        )
    if check is not None:
        problems.extend(check.problems)
    else:
        # Without lessons there is no word count, but the accreditors' increments still apply.
        problems.extend(credit_rule_problems(credits=facts.credits))
    return problems


def _policy_problems(policies: list[SitePolicy]) -> list[str]:
    problems = []
    for policy in policies:
        if policy.page_id is None:
            problems.append(f"The site has no {policy.label} (Settings → Provider settings)")
        elif not policy.live:
            # The course page would show no link to it: participants must be able to read it.
            problems.append(f"The site's {policy.label} is not published")
    return problems


def _has_text(value) -> bool:
    """Rich text counts as empty when it holds only markup."""
    return bool(text_word_count(str(value or "")))
