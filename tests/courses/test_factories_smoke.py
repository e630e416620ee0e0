import pytest

from courses.publishing import course_publish_problems
from tests.factories import course_build, lessons_of

pytestmark = pytest.mark.django_db


def test_course_build_makes_a_live_course_that_passes_the_publishing_check():
    course = course_build(lessons=3)
    assert course.live
    assert len(lessons_of(course)) == 3
    assert course_publish_problems(course=course) == []
