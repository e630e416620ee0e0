"""Reads, by topic; `from quizzes.selectors import X` reaches them all. Bulk selectors
run a constant number of queries, whatever the size.

- claims.py: the accreditors a clinician may claim and has claimed (certificates reads it)
- authoring.py: the post-test publish check, its rules check, questions left without objective
- taking.py: where an enrollment stands with its post-test, attempts and their review
- evaluation.py: the evaluation and attestation, and their aggregates for staff
"""

from .authoring import (
    AccreditorCheck,
    PostTestCheck,
    course_post_test_problems,
    post_test_check,
    post_test_for_course,
    post_test_for_editor,
    questions_without_objective,
)
from .claims import (
    ClaimOption,
    claim_options,
    claimed_accreditors,
    course_accreditors,
)
from .evaluation import (
    EvaluationAggregate,
    EvaluationItem,
    RatingAggregate,
    attestation_get,
    courses_for_aggregates,
    enrollment_has_passed,
    evaluation_aggregate,
    evaluation_counts,
    evaluation_csv_rows,
    evaluation_get,
    evaluation_items,
)
from .taking import (
    SUBMIT_GRACE,
    PostTestStatus,
    attempt_get_for_user,
    attempt_is_overdue,
    attempt_list,
    attempt_questions_public,
    attempt_review,
    attempts_allowed,
    attempts_regular,
    lessons_complete,
    post_test_status,
    review_level,
)

__all__ = [
    "SUBMIT_GRACE",
    "AccreditorCheck",
    "ClaimOption",
    "EvaluationAggregate",
    "EvaluationItem",
    "PostTestCheck",
    "PostTestStatus",
    "RatingAggregate",
    "attempt_get_for_user",
    "attempt_is_overdue",
    "attempt_list",
    "attempt_questions_public",
    "attempt_review",
    "attempts_allowed",
    "attempts_regular",
    "attestation_get",
    "claim_options",
    "claimed_accreditors",
    "course_accreditors",
    "course_post_test_problems",
    "courses_for_aggregates",
    "enrollment_has_passed",
    "evaluation_aggregate",
    "evaluation_counts",
    "evaluation_csv_rows",
    "evaluation_get",
    "evaluation_items",
    "lessons_complete",
    "post_test_check",
    "post_test_for_course",
    "post_test_for_editor",
    "post_test_status",
    "questions_without_objective",
    "review_level",
]
