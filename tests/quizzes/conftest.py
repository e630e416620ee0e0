import pytest

from courses.services import enrollment_create
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    course_build,
    lessons_complete,
    posttest_build,
    q_single,
)


@pytest.fixture
def enrollment_for(db):
    """An enrollment with every lesson complete, in a course whose post-test has
    `questions` (default: the factories' four, one of each kind) and `settings`."""

    def make(*, questions=None, lessons_done=True, accreditors=None, **settings):
        course = course_build(**({"accreditors": accreditors} if accreditors else {}))
        posttest_build(course=course, questions=questions, **settings)
        enrollment = enrollment_create(user=UserFactory(), course=course)
        if lessons_done:
            lessons_complete(enrollment=enrollment)
        return enrollment

    return make


def aswb_ace(**fields):
    """The Association of Social Work Boards (ASWB ACE), whose credit is for social
    workers, with `fields` over the factory's defaults."""
    return AccreditorFactory(
        short_name="ASWB ACE",
        name="Association of Social Work Boards",
        professions=["social_worker"],
        **fields,
    )


def singles(n: int, *, objectives: int = 3, prefix: str = "Question") -> list[dict]:
    """n single-choice questions, the first choice correct, spread over the objectives."""
    return [
        q_single(f"{prefix} {i + 1}?", correct=0, objective=i % objectives + 1) for i in range(n)
    ]
