"""Authoring a post-test: the rules check, the publishing check, and the
Wagtail editor (instructor writes, workflow approves)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import rich_text, streamfield

from courses.duplicate import course_duplicate
from courses.models import CoursePage, LessonPage
from courses.publishing import CoursePublishRefused, course_publish_problems
from quizzes.models import PostTestPage
from quizzes.selectors import post_test_check
from tests.courses.admin_forms import (
    admin_messages,
    course_added,
    edit_form_of,
    form_errors,
    lesson_form,
    page_form,
    workflow_approve,
)
from tests.factories import (
    AccreditorFactory,
    InstructorFactory,
    catalog_get,
    course_build,
    objectives_keyed,
    posttest_build,
    q_multiple,
    q_single,
    q_true_false,
    staff_user,
)
from tests.quizzes.conftest import aswb_ace, singles

pytestmark = pytest.mark.django_db


def aswb():
    return aswb_ace(
        questions_per_hour=0,
        questions_first_hour=10,
        questions_per_additional_hour=5,
        pass_mark=Decimal("80"),
    )


def check_for(course, **settings):
    post_test = posttest_build(course=course, **settings)
    return post_test_check(post_test=post_test, course=course)


# --- The rules check ------------------------------------------------------------------------


def test_a_post_test_meeting_every_rule_has_no_warnings():
    course = course_build(accreditors=[AccreditorFactory(), aswb()], hours="0.5")
    check = check_for(course, questions=singles(10))
    assert check.warnings == []
    assert [(r.accreditor.short_name, r.minimum_questions) for r in check.rows] == [
        ("APA", 3),
        ("ASWB ACE", 10),
    ]
    assert check.pass_mark == Decimal("80")


def test_too_few_questions_per_attempt_are_warned_per_accreditor():
    course = course_build(
        accreditors=[AccreditorFactory(), aswb()], hours="1.5", words_per_lesson=8000
    )
    check = check_for(course, questions=singles(16), draw_count=8)
    assert check.warnings == [
        "APA requires at least 9 questions per attempt for 1.50 credit hours; this post-test "
        "gives 8.",
        # NASW's rule: 10 for the first hour and 5 more for the further half hour.
        "ASWB ACE requires at least 15 questions per attempt for 1.50 credit hours; "
        "this post-test gives 8.",
    ]
    # The whole pool (16) satisfies both.
    assert check_for(course, questions=singles(16), draw_count=0).warnings == []


def test_a_recommendation_is_worded_as_advice_not_as_a_requirement():
    advisory = AccreditorFactory(post_test_rule_kind="recommendation")
    course = course_build(accreditors=[advisory], hours="1.0", words_per_lesson=5000)
    check = check_for(course, questions=singles(4))
    assert check.warnings == [
        "APA recommends at least 6 questions per attempt for 1.00 credit hours; this post-test "
        "gives 4."
    ]
    assert check.rows[0].required is False


def test_the_true_false_share_is_judged_on_the_worst_possible_draw():
    course = course_build(accreditors=[AccreditorFactory()])
    questions = singles(8) + [q_true_false(f"T{i}.", objective=1) for i in range(2)]
    assert check_for(course, questions=questions).warnings == [
        "APA requires that true/false items be at most 10 % of a post-test; an attempt here can "
        "hold 20.0 % (2 of 10)."
    ]
    # Drawing 8 of the 10 could still draw both true/false items: 25 %.
    check = check_for(course, questions=questions, draw_count=8)
    assert "25.0 % (2 of 8)" in check.warnings[0]


def test_an_objective_without_a_question_is_warned():
    course = course_build()
    check = check_for(course, questions=singles(6, objectives=2))
    assert check.warnings == ["Objective 3 has no question: “Describe key idea number 3.”."]
    assert [n for _, _, n in check.objective_rows] == [3, 3, 0]


def test_a_question_without_a_rationale_is_warned():
    course = course_build()
    questions = singles(3)
    questions[1]["value"]["rationale"] = " "
    assert check_for(course, questions=questions).warnings == ["Question 2 has no rationale."]


# --- Item writing (Haladyna, Downing & Rodriguez, 2002) --------------------------------------


def rotated(n: int) -> list[dict]:
    """n single-choice questions whose key moves through the four positions."""
    return [q_single(f"Rotated {i + 1}?", correct=i % 4, objective=i % 3 + 1) for i in range(n)]


def keyed(n: int, prefix: str, key: str, distractors: list[str]) -> list[dict]:
    """n single-choice questions with this key and these distractors, the key moving
    through the four positions and the objectives 1 to 3 in turn."""
    questions = []
    for i in range(n):
        choices = [{"text": text, "correct": False} for text in distractors]
        choices.insert(i % 4, {"text": key, "correct": True})
        stem, objective = f"{prefix}{i}?", i % 3 + 1
        value = {"stem": stem, "choices": choices, "rationale": "Because.", "objective": objective}
        questions.append({"type": "single", "value": value})
    return questions


def test_a_key_longer_than_every_distractor_in_over_a_third_of_items_is_warned():
    course = course_build()
    long_keys = keyed(5, "Q", "A long, careful and qualified answer.", ["No.", "Yes.", "Maybe."])
    even = keyed(7, "R", "Right answer.", ["Wrong answer.", "Other answer.", "Third answer."])
    check = check_for(course, questions=long_keys + even, draw_count=6)
    assert check.item_stats.key_longest == 5 and check.item_stats.singles == 12
    assert check.item_warnings == [
        "In 5 of 12 single-choice questions the right answer is the longest option: participants "
        "who pick the longest option score without knowing the content. Lengthen a distractor or "
        "shorten the key."
    ]
    # A third is the limit: four long keys in twelve pass.
    assert (
        check_for(course, questions=long_keys[:4] + even + even[:1], draw_count=6).item_warnings
        == []
    )


def test_true_false_items_keyed_one_way_are_warned():
    course = course_build()
    questions = rotated(18) + [q_true_false(f"T{i}.", answer=False) for i in range(2)]
    check = check_for(course, questions=questions, draw_count=10)
    assert check.item_warnings == [
        "The true/false items are keyed 0 “True” and 2 “False”: balance them, or rewrite them "
        "as multiple-choice questions."
    ]
    balanced = [*rotated(18), q_true_false("T.", answer=False), q_true_false("F.", answer=True)]
    assert check_for(course, questions=balanced, draw_count=10).item_warnings == []


def test_a_pool_smaller_than_twice_the_draw_is_warned_when_a_retake_is_allowed():
    course = course_build()
    check = check_for(course, questions=rotated(14), draw_count=10, attempts_allowed=2)
    assert check.item_warnings == [
        "The pool has 14 questions for 10 per attempt: a retake repeats at least 6 of them. A pool "
        "of 20 or more makes a retake a different test."
    ]
    assert check_for(course, questions=rotated(20), draw_count=10).item_warnings == []
    # One attempt only: there is no retake to differ.
    assert (
        check_for(course, questions=rotated(14), draw_count=10, attempts_allowed=1).item_warnings
        == []
    )


def test_keys_piled_in_one_position_and_select_all_items_with_one_count_are_warned():
    course = course_build()
    questions = singles(8) + [
        q_multiple(f"Select all that apply {i}.", correct=(0, 1, 2), objective=i % 3 + 1)
        for i in range(3)
    ]
    check = check_for(course, questions=questions, draw_count=5)
    assert check.item_warnings == [
        "In 8 of 8 single-choice questions the right answer is option 1: vary its position.",
        "All 3 select-all questions have exactly 3 right answers: vary the number, so that it "
        "gives nothing away.",
    ]


# --- The publishing check -------------------------------------------------------------------


def test_a_course_without_a_post_test_cannot_publish():
    course = course_build(publish=False)
    PostTestPage.objects.child_of(course).get().delete()
    course.refresh_from_db()
    assert "Post-test: the course has none (add a post-test page under the course)" in (
        course_publish_problems(course=course)
    )
    with pytest.raises(CoursePublishRefused):
        course.save_revision().publish()
    assert not Page.objects.get(pk=course.pk).live


def test_a_course_whose_post_test_is_a_draft_cannot_publish():
    course = course_build(publish=False)
    post_test = PostTestPage.objects.child_of(course).get()
    post_test.unpublish()
    assert any("not published yet" in p for p in course_publish_problems(course=course))


def test_a_course_may_be_sent_for_approval_with_its_post_test_a_draft_or_awaiting_approval():
    course = course_build(publish=False)
    post_test = PostTestPage.objects.child_of(course).get()
    post_test.unpublish()
    # A draft: accepted for approval (the post-test goes through approval too) ...
    assert course_publish_problems(course=course, for_submission=True) == []
    assert course_publish_problems(course=course) == [
        "Post-test: “Post-test” is not published yet: it is a draft "
        "(submit it for approval, or publish it, first)"
    ]
    # ... and awaiting approval: publishing still names it.
    post_test.get_workflow().start(post_test, staff_user(group="Instructors"))
    assert course_publish_problems(course=course, for_submission=True) == []
    assert course_publish_problems(course=course) == [
        "Post-test: “Post-test” is not published yet: it is awaiting approval (approve it first)"
    ]


def test_sending_a_course_for_approval_needs_a_post_test_with_questions():
    course = course_build(publish=False)
    post_test = PostTestPage.objects.child_of(course).get()
    post_test.unpublish()
    # The draft that would be approved is the latest revision, not the page's row.
    post_test.questions = []
    post_test.save_revision(clean=False)
    assert course_publish_problems(course=course, for_submission=True) == [
        "Post-test: “Post-test” has no questions"
    ]
    post_test.delete()
    assert course_publish_problems(
        course=CoursePage.objects.get(pk=course.pk), for_submission=True
    ) == ["Post-test: the course has none (add a post-test page under the course)"]


def test_rule_shortfalls_do_not_block_publishing():
    course = course_build(publish=False)
    posttest_build(course=course, questions=[q_true_false("Only this.")])
    assert course_publish_problems(course=course) == []
    course.save_revision().publish()
    assert Page.objects.get(pk=course.pk).live


def test_a_course_has_at_most_one_post_test():
    course = course_build()
    assert not PostTestPage.can_create_at(course)


# --- The editor -----------------------------------------------------------------------------


def question_form_data(questions):
    """StreamField form data for raw question blocks, as the editor posts it."""
    items = []
    for block in questions:
        value = dict(block["value"])
        if "choices" in value:
            choices = value.pop("choices")
            value["choices"] = {
                "count": str(len(choices)),
                **{
                    str(i): {
                        "value": {"text": c["text"], "correct": "on" if c["correct"] else ""},
                        "id": "",
                        "order": str(i),
                        "deleted": "",
                    }
                    for i, c in enumerate(choices)
                },
            }
        for flag in ("partial_credit",):
            if flag in value:
                value[flag] = "on" if value[flag] else ""
        value["objective"] = str(value["objective"])
        items.append((block["type"], value))
    return streamfield(items)


def post_test_form(questions, *, course, **overrides):
    """The post-test editor's form for `questions`, their objectives chosen among
    `course`'s (q_* helpers' numbers become the keys the select posts)."""
    data = {
        "title": "Post-test",
        "slug": "post-test",
        "intro": rich_text("<p>Answer every question.</p>"),
        "questions": question_form_data(objectives_keyed(course=course, questions=questions)),
        "draw_count": "0",
        "shuffle_questions": "on",
        "shuffle_choices": "on",
        "pass_mark": "",
        "attempts_allowed": "",
        "wait_minutes": "0",
        "time_limit_minutes": "",
        "review_after_attempt": "wrong",
        "full_review_after_pass": "on",
    }
    return page_form(data, **overrides)


@pytest.fixture
def instructor_course(client):
    user = staff_user(group="Instructors")
    course = course_build(owner=user, instructor=InstructorFactory(user=user))
    PostTestPage.objects.child_of(course).get().delete()
    client.force_login(user)
    return client, course


def test_an_instructor_writes_a_post_test_and_submits_it_for_approval(instructor_course):
    client, course = instructor_course
    questions = [
        q_single("Which one?", objective=1),
        q_multiple("Which ones?", correct=(0, 2), partial_credit=True, objective=2),
        q_true_false("True or not.", answer=False, objective=3),
    ]
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk)),
        {**post_test_form(questions, course=course), "action-submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post_test = PostTestPage.objects.child_of(course).get()
    assert post_test.owner_id == course.owner_id
    assert not post_test.live
    assert post_test.current_workflow_state is not None
    latest = post_test.get_latest_revision_as_object()
    assert [b.block_type for b in latest.questions] == ["single", "multiple", "true_false"]
    assert latest.questions[1].value["partial_credit"] is True
    assert [c["correct"] for c in latest.questions[1].value["choices"]] == [
        True,
        False,
        True,
        False,
    ]
    # Each choice got a stable id an attempt can refer to.
    assert all(child.id for child in latest.questions[0].value["choices"].bound_blocks)


def test_the_editor_refuses_an_objective_the_course_does_not_have(instructor_course):
    client, course = instructor_course
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk)),
        post_test_form([q_single("Which one?", objective=7)], course=course),
    )
    assert response.status_code == 200
    assert "Choose one of the course&#x27;s learning objectives" in response.content.decode()
    assert not PostTestPage.objects.child_of(course).exists()


def test_the_editor_refuses_a_single_choice_question_with_two_correct_choices(instructor_course):
    client, course = instructor_course
    question = q_single("Which one?")
    question["value"]["choices"][1]["correct"] = True
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk)),
        post_test_form([question], course=course),
    )
    assert response.status_code == 200
    assert "Mark exactly one choice as correct (now 2)." in response.content.decode()
    assert not PostTestPage.objects.child_of(course).exists()


def test_the_editor_refuses_drawing_more_than_the_pool(instructor_course):
    client, course = instructor_course
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk)),
        post_test_form([q_single("Which one?")], course=course, draw_count="5"),
    )
    assert response.status_code == 200
    assert "Cannot draw 5 questions from a pool of 1." in response.content.decode()


def test_the_editor_shows_the_rules_check(client):
    admin = staff_user(group="Administrators")
    course = course_build(accreditors=[AccreditorFactory(), aswb()])
    post_test = posttest_build(course=course, questions=singles(4, objectives=2))
    client.force_login(admin)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[post_test.pk])).content.decode()
    assert "data-post-test-check" in html
    assert "ASWB ACE requires at least 10 questions per attempt for 0.50 credit hours" in html
    assert "Item writing" in html
    assert "Objective 3 has no question" in html


def test_the_answer_key_preview_shows_key_and_rationales_only_in_that_mode():
    course = course_build()
    post_test = posttest_build(
        course=course, questions=[q_single("Which?", rationale="SECRET-RATIONALE")]
    )
    key = post_test.make_preview_request(preview_mode="answer_key").content.decode()
    participant = post_test.make_preview_request(preview_mode="").content.decode()
    assert "SECRET-RATIONALE" in key and "(correct)" in key
    assert "SECRET-RATIONALE" not in participant and "(correct)" not in participant


# --- One review round: course, lessons and post-test submitted together --------------------


def test_one_review_round_publishes_a_course_its_lessons_and_its_post_test(client):
    """The instructor writes the course, its lessons and its post-test as drafts and sends
    the course for approval: its pages go with it, and one approval publishes them all."""
    instructor_user = staff_user(group="Instructors")
    administrator = Client()
    administrator.force_login(staff_user(group="Administrators"))
    catalog = catalog_get()
    client.force_login(instructor_user)

    response = course_added(client, catalog=catalog, instructor_user=instructor_user)
    assert response.status_code == 302, form_errors(response)
    course = CoursePage.objects.get(slug="working-with-ruptures")
    for n in (1, 2):
        response = client.post(
            f"/admin/pages/add/courses/lessonpage/{course.pk}/",
            lesson_form(title=f"Lesson {n}", slug=f"lesson-{n}"),
        )
        assert response.status_code == 302, form_errors(response)
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk)),
        post_test_form(singles(3), course=course),
    )
    assert response.status_code == 302, form_errors(response)
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    post_test = PostTestPage.objects.child_of(course).get()
    assert not post_test.live and not post_test.workflow_in_progress

    # Sending the course sends its draft lessons and post-test with it.
    response = client.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(client, course), "action-submit": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    course = CoursePage.objects.get(pk=course.pk)
    assert course.workflow_in_progress and not course.live

    assert all(page.workflow_in_progress for page in (*lessons, post_test))
    assert not any(Page.objects.get(pk=page.pk).live for page in (*lessons, post_test))

    # One approval, of the course, publishes the course, its lessons and its post-test.
    assert workflow_approve(administrator, course).status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live and course.current_workflow_state is None
    assert all(LessonPage.objects.get(pk=lesson.pk).live for lesson in lessons)
    assert PostTestPage.objects.get(pk=post_test.pk).live
    assert WorkflowState.objects.filter(
        object_id=str(course.pk), status=WorkflowState.STATUS_APPROVED
    ).exists()
    assert client.get(course.url).status_code == 200


def test_approving_the_course_publishes_the_post_test_under_review_with_it(client):
    instructor_user = staff_user(group="Instructors")
    course = course_build(publish=False, owner=instructor_user)
    post_test = PostTestPage.objects.child_of(course).get()
    post_test.unpublish()
    course.get_workflow().start(course, instructor_user)
    assert PostTestPage.objects.get(pk=post_test.pk).workflow_in_progress
    client.force_login(staff_user(group="Administrators"))

    assert workflow_approve(client, course).status_code == 302

    assert CoursePage.objects.get(pk=course.pk).live
    assert PostTestPage.objects.get(pk=post_test.pk).live


def test_the_post_test_of_a_live_course_cannot_be_unpublished_on_its_own():
    course = course_build(lessons=1, hours="0.25")
    post_test = PostTestPage.objects.child_of(course).get()
    admin = Client()
    admin.force_login(staff_user(group="Administrators"))

    response = admin.post(f"/admin/pages/{post_test.pk}/unpublish/")

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(post_test.pk,))
    assert "nobody enrolled could complete" in " ".join(admin_messages(response))
    post_test.refresh_from_db()
    assert post_test.live
    # Taking the whole course offline takes the post-test with it.
    response = admin.post(f"/admin/pages/{course.pk}/unpublish/", {"include_descendants": "on"})
    assert response.status_code == 302
    post_test.refresh_from_db()
    course.refresh_from_db()
    assert not course.live and not post_test.live


def course_asking_about(*objectives: int) -> CoursePage:
    """A one-lesson course (0.25 h) whose post-test asks one question on each
    objective named (by number), in that order."""
    course = course_build(lessons=1, hours="0.25")
    questions = [
        q_single(f"Question {i} about objective {n}?", objective=n)
        for i, n in enumerate(objectives, start=1)
    ]
    posttest_build(course=course, questions=questions)
    return course


def test_questions_keep_their_objective_when_objectives_are_reordered():
    """Questions name their objective by its key: swapping objectives 1 and 2 in the
    course editor changes nothing they measure, and the post-test check still counts
    each objective's questions."""
    course = course_asking_about(1, 1, 2)
    admin = Client()
    admin.force_login(staff_user(group="Administrators"))
    texts = [o.text for o in course.objectives.all()]

    data = edit_form_of(admin, course)
    data["objectives-0-ORDER"], data["objectives-1-ORDER"] = "2", "1"
    response = admin.post(f"/admin/pages/{course.pk}/edit/", data)

    assert response.status_code == 302, form_errors(response)
    course = CoursePage.objects.get(pk=course.pk)
    latest = course.get_latest_revision_as_object()
    assert [o.text for o in latest.objectives.all()] == [texts[1], texts[0], texts[2]]
    assert "no longer has" not in " ".join(admin_messages(response))
    post_test = PostTestPage.objects.child_of(course).get().specific
    text_of = {str(o.key): o.text for o in latest.objectives.all()}
    assert [text_of[q.value["objective"]] for q in post_test.questions] == [
        texts[0],
        texts[0],
        texts[1],
    ]
    check = post_test_check(post_test=post_test, course=course)
    assert check.objective_rows == [(1, texts[1], 1), (2, texts[0], 2), (3, texts[2], 0)]
    assert check.warnings == [f"Objective 3 has no question: “{texts[2]}”."]

    # Rewording an objective keeps its questions too.
    data = edit_form_of(admin, course)
    data["objectives-1-text"] = texts[0] + " (reworded)"
    response = admin.post(f"/admin/pages/{course.pk}/edit/", data)
    assert response.status_code == 302, form_errors(response)
    check = post_test_check(post_test=post_test, course=CoursePage.objects.get(pk=course.pk))
    assert check.objective_rows[1] == (2, texts[0] + " (reworded)", 2)


def test_removing_an_objective_that_questions_measure_warns_the_editor():
    course = course_asking_about(1, 2, 3, 3)
    admin = Client()
    admin.force_login(staff_user(group="Administrators"))
    data = edit_form_of(admin, course)
    data["objectives-2-DELETE"] = "1"
    data["objectives-TOTAL_FORMS"] = "4"
    data.update(
        {
            "objectives-3-text": "Apply a fourth idea.",
            "objectives-3-key": "",
            "objectives-3-id": "",
            "objectives-3-ORDER": "4",
            "objectives-3-DELETE": "",
        }
    )
    response = admin.post(f"/admin/pages/{course.pk}/edit/", data)

    assert response.status_code == 302, form_errors(response)
    warning = " ".join(admin_messages(response))
    assert "In “Post-test”, questions 3, 4 measure an objective the course no longer has" in (
        warning
    )
    check = post_test_check(
        post_test=PostTestPage.objects.child_of(course).get().specific,
        course=CoursePage.objects.get(pk=course.pk),
    )
    assert "Question 3 measures no objective of the course: choose the one it measures." in (
        check.warnings
    )
    assert "Objective 3 has no question: “Apply a fourth idea.”." in check.warnings


def test_the_question_editor_offers_the_course_objectives_by_name(instructor_course):
    client, course = instructor_course
    response = client.get(
        reverse("wagtailadmin_pages:add", args=("quizzes", "posttestpage", course.pk))
    )
    html = response.content.decode()
    for number, objective in enumerate(course.objectives.all(), start=1):
        # The select's options travel in the block definition (escaped JSON).
        assert f"{objective.key}" in html
        assert f"{number}. {objective.text}" in html


def test_a_duplicated_course_keeps_its_questions_on_its_own_objectives():
    course = course_build(lessons=1, hours="0.25")
    copy = course_duplicate(
        course_id=course.pk, user=staff_user(group="Administrators"), title="A copy"
    )
    copied = PostTestPage.objects.child_of(copy).get().specific
    copied = copied.get_latest_revision_as_object()
    texts = {str(o.key): o.text for o in copy.objectives.all()}
    originals = {str(o.key): o.text for o in course.objectives.all()}
    assert texts == originals  # the same keys, now on the copy's own rows
    assert set(copy.objectives.values_list("pk", flat=True)).isdisjoint(
        course.objectives.values_list("pk", flat=True)
    )
    assert all(q.value["objective"] in texts for q in copied.questions)
    assert post_test_check(post_test=copied, course=copy).objective_rows == [
        (n, o.text, 2 if n == 1 else 1) for n, o in enumerate(copy.objectives.all(), start=1)
    ]
