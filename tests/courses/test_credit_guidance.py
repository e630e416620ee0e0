"""Credit guidance: every credit message says what would satisfy it (the words
needed per row, which lessons count toward which row, the other ways to set the
hours and the evidence each needs), counting the author's drafts."""

from decimal import Decimal

import pytest

from courses.models import CoursePage, CreditCategory, CreditMethod, LessonPage
from courses.publishing import course_publish_problems
from courses.selectors import course_credit_check
from tests.courses.conftest import client_for
from tests.factories import AccreditorFactory, course_build, lesson_body, lessons_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def _word_count_problem(course) -> str:
    (problem,) = [p for p in course_publish_problems(course=course) if "word-count rule" in p]
    return problem


def test_a_short_course_is_told_the_words_needed_for_its_hours_and_the_other_ways():
    # 277 words and the first lesson's reflection prompt (4 words): 281.
    course = course_build(lessons=1, words_per_lesson=277, hours="0.25", publish=False)

    problem = _word_count_problem(course)

    assert "2,500 words needed for 0.25 h at 10,000 words per hour" in problem
    assert "this course has 281 in General lessons (“Lesson 1” 281), which allow 0.00 h" in problem
    # Nothing lower fits the smallest credit: the row goes, or the words come.
    assert "add 2,219 words to General lessons, remove this row, or set the hours by" in problem
    assert "media minutes (reading time plus the running time of the video blocks" in problem
    assert "a pilot test (people of the intended audience take the course; evidence:" in problem


def test_ethics_words_are_said_not_to_count_toward_the_general_row():
    course = course_build(lessons=2, words_per_lesson=2600, hours="0.5", publish=False)
    ethics = lessons_of(course)[1]
    LessonPage.objects.filter(pk=ethics.pk).update(credit_category=CreditCategory.ETHICS)

    problem = _word_count_problem(course)

    assert problem.startswith("APA General credit (0.50 h) exceeds the word-count rule: 5,000")
    assert (
        "(“Lesson 1” 2,604). Words of Ethics lessons (2,600) count toward their own rows, "
        "not toward General" in problem
    )
    assert "Lesson 2" not in problem.split("Words of")[0], "an ethics lesson is not counted"


def test_a_row_without_lessons_in_its_category_says_how_lessons_are_assigned():
    course = course_build(lessons=1, words_per_lesson=2600, hours="0.25", publish=False)
    course.credits.update(category=CreditCategory.ETHICS)
    course = CoursePage.objects.get(pk=course.pk)

    problem = _word_count_problem(course)

    assert (
        "this course has 0 in Ethics lessons (no lesson counts toward Ethics: each lesson's "
        "credit category says which row its words count toward)" in problem
    )
    assert "Words of General lessons (2,604) count toward their own rows" in problem


def test_the_hours_to_lower_to_fit_the_accreditors_increment():
    nasw = AccreditorFactory(
        short_name="NASW", credit_increment=Decimal("0.50"), credit_minimum=Decimal("0.50")
    )
    # 7,600 words allow 0.75 h; NASW credits half hours, so 0.50 h is what fits.
    course = course_build(
        lessons=1, words_per_lesson=7600, hours="1.0", accreditors=[nasw], publish=False
    )

    assert "lower the hours to 0.50 h" in _word_count_problem(course)


def test_a_draft_saved_since_the_lesson_was_created_counts():
    course = course_build(lessons=1, words_per_lesson=281, hours="0.25", publish=False)
    lesson = lessons_of(course)[0]
    draft = lesson.get_latest_revision_as_object()
    draft.body = lesson_body(2600)
    draft.save_revision()  # a draft: the page's row keeps the text it was created with

    assert course_credit_check(course=CoursePage.objects.get(pk=course.pk)).problems == []
    assert course_publish_problems(course=CoursePage.objects.get(pk=course.pk)) == []


def test_publishing_without_a_live_lesson_points_to_the_one_review_round():
    course = course_build(lessons=2, publish=False, publish_lessons=False)

    problems = course_publish_problems(course=course)

    assert (
        "Lessons: none is published yet. Send the course for approval: its lessons go with it, "
        "and approving the course publishes them together"
    ) in problems
    assert not any("publish or approve its lessons first" in p for p in problems)
    assert course_publish_problems(course=course, for_submission=True) == []


def test_media_minutes_evidence_names_what_to_measure():
    course = course_build(
        lessons=1, hours="0.25", publish=False, credit_method=CreditMethod.MEDIA_MINUTES
    )

    assert (
        "Evidence for the credit-hour method is missing: the hours are set by media minutes "
        "(reading time plus the running time of the video blocks; evidence: each video's running "
        "time and where it was read). Write it under Credit evidence, or set the hours by word "
        "count (which needs none)"
    ) in course_publish_problems(course=course)


def test_the_credit_panel_lists_the_lessons_of_each_category_and_the_words_needed(
    administrator,
):
    course = course_build(lessons=2, words_per_lesson=2600, hours="0.5", publish=False)
    LessonPage.objects.filter(pk=lessons_of(course)[1].pk).update(
        credit_category=CreditCategory.ETHICS
    )

    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()

    assert "<li>General: “Lesson 1” 2,604 words</li>" in html
    assert "<li>Ethics: “Lesson 2” 2,600 words</li>" in html
    assert "APA General 0.50 h needs 5,000 words" in html
    assert "by a pilot test (people of the intended audience take the course" in html
