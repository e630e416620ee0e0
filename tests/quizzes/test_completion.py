import pytest

from courses.models import CourseCompletion
from courses.selectors import enrollment_summaries
from courses.services import enrollment_create
from quizzes.selectors import claimed_accreditors
from tests.factories import (
    AccreditorFactory,
    LicenseFactory,
    UserFactory,
    attempt_pass,
    course_build,
    evaluation_submit_default,
    lessons_complete,
    requirements_complete,
)
from tests.quizzes.conftest import aswb_ace

pytestmark = pytest.mark.django_db


def test_requirements_complete_completes_the_course_and_claims_matching_accreditors():
    apa = AccreditorFactory()
    aswb = aswb_ace()
    course = course_build(accreditors=[apa, aswb])
    user = UserFactory()
    LicenseFactory(user=user, profession="psychologist")
    enrollment = enrollment_create(user=user, course=course)

    completion = requirements_complete(enrollment=enrollment)

    assert isinstance(completion, CourseCompletion)
    assert claimed_accreditors(enrollment=enrollment) == [apa]


def test_lessons_alone_do_not_complete_a_course_with_a_post_test():
    course = course_build()
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lessons_complete(enrollment=enrollment)
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    steps = {s.key: s for s in enrollment_summaries(enrollments=[enrollment])[0].steps}
    assert steps["lessons"].done
    assert not steps["post_test"].done and steps["post_test"].available
    assert not steps["evaluation"].available


def test_passing_the_post_test_without_the_evaluation_does_not_complete():
    course = course_build()
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lessons_complete(enrollment=enrollment)
    assert attempt_pass(enrollment=enrollment).passed
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    evaluation_submit_default(enrollment=enrollment)
    # The evaluation without the attestation is not enough either.
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    steps = {s.key: s for s in enrollment_summaries(enrollments=[enrollment])[0].steps}
    assert steps["post_test"].done
    assert steps["evaluation"].available and not steps["evaluation"].done


def test_claiming_no_accreditor_means_attendance():
    course = course_build()
    enrollment = enrollment_create(user=UserFactory(), course=course)
    completion = requirements_complete(enrollment=enrollment, accreditors=[])
    assert completion is not None
    assert claimed_accreditors(enrollment=enrollment) == []
