"""The courses app's models, by topic; `from courses.models import X` reaches them all.

- choices.py: the TextChoices the models share (credit categories, delivery formats ...)
- credit.py: Accreditor, Instructor, and how credit hours add up
- pages.py: CourseIndexPage (the catalog), CoursePage with its inline rows
- lessons.py: LessonPage
- records.py: Enrollment, LessonProgress, JournalEntry, CourseCompletion
- overrides.py: LearnerOverride, what an Administrator grants one clinician for one course
"""

from .choices import (
    CREDIT_INCREMENTS,
    CreditCategory,
    CreditMethod,
    DeliveryFormat,
    Level,
    RuleKind,
    SeatTimePolicy,
)
from .credit import (
    PLACEHOLDER_PROVIDER_NUMBERS,
    STATEMENT_PLACEHOLDERS,
    Accreditor,
    AccreditorForm,
    Instructor,
    credit_hours_by_accreditor,
    credit_minutes_range,
    credit_minutes_shown,
    credit_total_hours,
    statement_template_problem,
)
from .lessons import LessonPage
from .overrides import MAX_EXTRA_ATTEMPTS, MAX_TIME_LIMIT_MINUTES, LearnerOverride
from .pages import (
    CourseCredit,
    CourseIndexPage,
    CourseInstructor,
    CoursePage,
    CoursePagePermissionTester,
    CourseTopic,
    LearningObjective,
)
from .records import CourseCompletion, Enrollment, JournalEntry, LessonProgress

__all__ = [
    "CREDIT_INCREMENTS",
    "MAX_EXTRA_ATTEMPTS",
    "MAX_TIME_LIMIT_MINUTES",
    "PLACEHOLDER_PROVIDER_NUMBERS",
    "STATEMENT_PLACEHOLDERS",
    "Accreditor",
    "AccreditorForm",
    "CourseCompletion",
    "CourseCredit",
    "CourseIndexPage",
    "CourseInstructor",
    "CoursePage",
    "CoursePagePermissionTester",
    "CourseTopic",
    "CreditCategory",
    "CreditMethod",
    "DeliveryFormat",
    "Enrollment",
    "Instructor",
    "JournalEntry",
    "LearnerOverride",
    "LearningObjective",
    "LessonPage",
    "LessonProgress",
    "Level",
    "RuleKind",
    "SeatTimePolicy",
    "credit_hours_by_accreditor",
    "credit_minutes_range",
    "credit_minutes_shown",
    "credit_total_hours",
    "statement_template_problem",
]
