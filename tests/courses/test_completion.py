"""The one completion rule (courses.services.completion_evaluate): every lesson,
every required step the higher apps register, and a minimum active time where an
accreditor asks for it; announced once through `course_completed`; frozen
against the course revision it was completed under."""

import pytest

from courses.models import CourseCompletion, CoursePage, Enrollment, LessonProgress
from courses.services import completion_evaluate, enrollment_create
from courses.signals import course_completed
from tests.courses.conftest import StandInSteps
from tests.factories import AccreditorFactory, course_build, lesson_done, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, completion, **kwargs):
        received.append(completion)

    course_completed.connect(receiver, weak=False)
    yield received
    course_completed.disconnect(receiver)


def _complete_lessons(user, course):
    for lesson in lessons_of(course):
        lesson_done(user=user, lesson=lesson)


def test_all_lessons_complete_the_course_when_nothing_else_is_required(
    course, clinician, announcements
):
    enrollment = enrollment_create(user=clinician, course=course)
    *first, last = lessons_of(course)
    for lesson in first:
        lesson_done(user=clinician, lesson=lesson)
    assert not CourseCompletion.objects.exists()
    lesson_done(user=clinician, lesson=last)
    completion = CourseCompletion.objects.get(enrollment=enrollment)
    assert announcements == [completion]


def test_required_steps_of_registered_providers_gate_completion(
    isolated_registry, clinician, announcements
):
    post_test = StandInSteps("post_test")
    evaluation = StandInSteps("evaluation")
    optional = StandInSteps("badge", required=False)
    for provider in (post_test, evaluation, optional):
        isolated_registry.register_step_provider(provider)
    course = course_build(lessons=2)
    enrollment = enrollment_create(user=clinician, course=course)
    _complete_lessons(clinician, course)
    assert completion_evaluate(enrollment_id=enrollment.pk) is None

    post_test.done.add(enrollment.pk)
    assert completion_evaluate(enrollment_id=enrollment.pk) is None
    evaluation.done.add(enrollment.pk)
    completion = completion_evaluate(enrollment_id=enrollment.pk)
    assert completion is not None, "the optional step does not block"
    # Evaluating again returns the same record and announces nothing new.
    assert completion_evaluate(enrollment_id=enrollment.pk) == completion
    assert announcements == [completion]


def test_lessons_are_required_even_when_every_other_step_is_done(isolated_registry, clinician):
    provider = StandInSteps("post_test")
    isolated_registry.register_step_provider(provider)
    course = course_build(lessons=2)
    enrollment = enrollment_create(user=clinician, course=course)
    provider.done.add(enrollment.pk)
    lesson_done(user=clinician, lesson=lessons_of(course)[0])
    assert completion_evaluate(enrollment_id=enrollment.pk) is None


def test_minimum_active_time_is_required_only_where_an_accreditor_asks(
    isolated_registry, clinician
):
    strict = AccreditorFactory(
        short_name="STATE", seat_time_policy="enforce", minimum_time_percent=50
    )
    course = course_build(
        lessons=2, estimated_minutes=30, accreditors=[AccreditorFactory(), strict]
    )
    enrollment = enrollment_create(user=clinician, course=course)
    _complete_lessons(clinician, course)
    assert completion_evaluate(enrollment_id=enrollment.pk) is None, "no active time yet"

    LessonProgress.objects.filter(enrollment=enrollment).update(active_seconds=449)
    assert completion_evaluate(enrollment_id=enrollment.pk) is None, "898 s < 50% of 30 min"
    LessonProgress.objects.filter(enrollment=enrollment).update(active_seconds=450)
    completion = completion_evaluate(enrollment_id=enrollment.pk)
    assert completion is not None
    assert completion.active_seconds == 900


def test_a_course_one_left_is_not_completed(isolated_registry, clinician):
    provider = StandInSteps("post_test")
    isolated_registry.register_step_provider(provider)
    course = course_build(lessons=1, hours="0.25")
    enrollment = enrollment_create(user=clinician, course=course)
    _complete_lessons(clinician, course)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.UNENROLLED)
    provider.done.add(enrollment.pk)
    assert completion_evaluate(enrollment_id=enrollment.pk) is None


def test_a_completion_is_frozen_against_later_edits_of_the_course(course, clinician):
    enrollment = enrollment_create(user=clinician, course=course)
    revision_at_completion = course.live_revision_id
    _complete_lessons(clinician, course)
    completion = CourseCompletion.objects.get(enrollment=enrollment)
    snapshot = dict(completion.snapshot)
    assert completion.course_revision_id == revision_at_completion
    assert snapshot["title"] == "Understanding stuck treatments"
    assert snapshot["revision_id"] == revision_at_completion
    assert snapshot["credits"] == [
        {
            "accreditor_id": course.credits.get().accreditor_id,
            "accreditor": "APA",
            "accreditor_name": "American Psychological Association",
            "provider_number": "APA-1234",
            "category": "general",
            "category_label": "General",
            "hours": "0.50",
            "approval_number": "",
        }
    ]
    assert snapshot["objectives"] == [f"Describe key idea number {i}." for i in (1, 2, 3)]
    assert len(snapshot["instructors"]) == 1

    # The course is edited and republished: new title, fewer hours, new objectives.
    course = CoursePage.objects.get(pk=course.pk)
    course.title = "Understanding stuck treatments (2nd edition)"
    credit = course.credits.get()
    credit.hours = "0.25"
    credit.save()
    for objective in course.objectives.all():
        objective.text = objective.text.replace("Describe", "List")
        objective.save()
    course.save_revision().publish()
    course.refresh_from_db()
    assert course.live_revision_id != revision_at_completion

    completion.refresh_from_db()
    assert completion.course_revision_id == revision_at_completion
    assert completion.snapshot == snapshot
    # The revision it points to still holds the course as it was completed.
    assert completion.course_revision.as_object().title == "Understanding stuck treatments"
