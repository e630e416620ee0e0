"""Reads, by topic; `from courses.selectors import X` reaches them all. Each selector
runs a constant number of queries, whatever the size.

- authoring.py: the credit check and the warnings staff see about a course
- batch.py: the step providers' reads of a page in one statement (on PostgreSQL)
- catalog.py: the catalog: filters, relevance, pages of results, snippets
- credits.py: the credit terms of many enrollments' courses (for their steps)
- dashboard.py: a person's enrollments, and each one's progress and steps, for the dashboard
- learning.py: an enrollment, the outline, lesson reading and progress, where to resume
- overrides.py: per-learner overrides in force, and who may grant them
- records.py: files kept for the records (cms.media's seam)
- seat_time.py: the minimum active time each enrollment still needs (courses.seat_time)

The publish gate is not here: it is `courses.publishing.course_publish_problems`.
"""

from ..credit_rules import CreditCheck, credit_rule_problems, time_credit_disagreement
from ..seat_time import TimeRequirement
from .authoring import (
    REAL_AUTHOR_NEEDS,
    accreditor_warnings,
    course_credit_check,
    course_objectives,
    course_warnings,
)
from .batch import batch_enrollment_ids, batch_today, instances, json_text
from .catalog import (
    CATALOG_PAGE_SIZE,
    CatalogFilters,
    CatalogResult,
    catalog_accreditors,
    catalog_page,
    catalog_topics,
    home_courses,
)
from .credits import CreditTerms, course_credit_terms
from .dashboard import EnrollmentSummary, dashboard_enrollments, enrollment_summaries
from .learning import (
    LessonReading,
    OutlineItem,
    course_at,
    course_credits,
    course_instructors,
    course_outline,
    course_statements,
    enrollment_active_seconds,
    enrollment_get,
    journal_entries,
    lesson_list,
    lesson_progress,
    lesson_reading,
    lessons_complete_ids,
    resume_lesson,
)
from .overrides import (
    override_in_force,
    override_list,
    overrides_in_force,
    user_may_grant_overrides,
)
from .records import instructor_cv_holds
from .seat_time import course_time_requirement, time_requirements

__all__ = [
    "CATALOG_PAGE_SIZE",
    "REAL_AUTHOR_NEEDS",
    "CatalogFilters",
    "CatalogResult",
    "CreditCheck",
    "CreditTerms",
    "EnrollmentSummary",
    "LessonReading",
    "OutlineItem",
    "TimeRequirement",
    "accreditor_warnings",
    "batch_enrollment_ids",
    "batch_today",
    "catalog_accreditors",
    "catalog_page",
    "catalog_topics",
    "course_at",
    "course_credit_check",
    "course_credit_terms",
    "course_credits",
    "course_instructors",
    "course_objectives",
    "course_outline",
    "course_statements",
    "course_time_requirement",
    "course_warnings",
    "credit_rule_problems",
    "dashboard_enrollments",
    "enrollment_active_seconds",
    "enrollment_get",
    "enrollment_summaries",
    "home_courses",
    "instances",
    "instructor_cv_holds",
    "journal_entries",
    "json_text",
    "lesson_list",
    "lesson_progress",
    "lesson_reading",
    "lessons_complete_ids",
    "override_in_force",
    "override_list",
    "overrides_in_force",
    "resume_lesson",
    "time_credit_disagreement",
    "time_requirements",
    "user_may_grant_overrides",
]
