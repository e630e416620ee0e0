"""The publishing check: every CE-required item, named when missing, on every
path that publishes (direct publish, workflow approval, schedule)."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.models import ProviderSettings
from courses.models import (
    CourseCredit,
    CoursePage,
    CreditCategory,
    CreditMethod,
    LearningObjective,
)
from courses.publishing import CoursePublishRefused, course_publish_problems
from courses.selectors import course_credit_check, course_warnings
from courses.wordcount import stream_word_count
from tests.courses.admin_forms import edit_form_of
from tests.courses.conftest import client_for
from tests.factories import (
    AccreditorFactory,
    InstructorFactory,
    catalog_get,
    course_build,
    lessons_of,
    staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def test_an_empty_course_names_every_missing_item():
    catalog = catalog_get()
    course = CoursePage(
        title="Draft", slug="draft", summary=" ", outline="<p></p>", target_audience=" "
    )
    catalog.add_child(instance=course)
    problems = course_publish_problems(course=course)
    assert problems == [
        "Summary is missing",
        "Outline is missing",
        "Target audience is missing",
        "Limitations and risks is missing",
        "Learning objectives: at least 3 are required (the course has 0)",
        "Instructors: at least one instructor is required",
        "Credit hours: at least one accreditor and its hours are required",
        "Lessons: the course has no lessons. Add one under the course (New lesson)",
    ]


def test_a_complete_course_has_no_problems():
    assert course_publish_problems(course=course_build(lessons=2)) == []


def test_instructor_without_credentials_or_disclosure_is_named():
    instructor = InstructorFactory(name="Dana Roe", credentials="", disclosure=" ")
    course = course_build(lessons=2, instructor=instructor, publish=False)
    problems = course_publish_problems(course=course)
    assert "Instructor Dana Roe has no credentials" in problems
    assert "Instructor Dana Roe has no conflict-of-interest disclosure" in problems


def test_accreditor_that_has_not_approved_the_format_is_named():
    course = course_build(lessons=2, publish=False, delivery_format="live_webinar")
    assert (
        "APA has not approved the delivery format “Live interactive webinar”"
        in course_publish_problems(course=course)
    )


def test_accreditor_whose_approval_period_ended_is_named():
    expired = AccreditorFactory(
        short_name="NBCC", approval_start=date(2020, 1, 1), approval_end=date(2021, 12, 31)
    )
    course = course_build(lessons=2, publish=False, accreditors=[expired])
    assert "NBCC approval period ended on 2021-12-31" in course_publish_problems(course=course)


def test_accreditor_whose_approval_period_has_not_started_is_named():
    later = timezone.localdate() + timedelta(days=30)
    future = AccreditorFactory(
        short_name="NBCC", approval_start=later, approval_end=later + timedelta(days=1000)
    )
    course = course_build(lessons=2, publish=False, accreditors=[future])
    assert (
        f"NBCC approval period starts on {later:%Y-%m-%d}: its credit cannot be offered before then"
        in course_publish_problems(course=course)
    )


def test_pilot_test_hours_need_evidence_and_skip_the_word_count_rule():
    course = course_build(
        lessons=1,
        words_per_lesson=100,
        hours="2",
        publish=False,
        credit_method=CreditMethod.PILOT_TEST,
    )
    (problem,) = course_publish_problems(course=course)
    assert problem.startswith("Evidence for the credit-hour method is missing")
    # It names the evidence a pilot test needs, and the way that needs none.
    assert "how many, who, when, and the median time" in problem
    assert "or set the hours by word count (which needs none)" in problem
    course.credit_evidence = "Pilot with 5 clinicians, median 118 minutes (March 2026)."
    assert course_publish_problems(course=course) == []


def test_media_minutes_hours_are_checked_against_reading_plus_running_time():
    course = course_build(
        lessons=1,
        words_per_lesson=2500,  # 15 minutes of reading at 10,000 words per hour
        hours="1",
        publish=False,
        credit_method=CreditMethod.MEDIA_MINUTES,
        credit_evidence="Running times from the video host; reading by the word-count rule.",
    )
    lesson = lessons_of(course)[0]
    text_blocks = list(lesson.body.raw_data)

    def with_video(minutes):
        video = {
            "type": "video",
            "value": {
                "video": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "title": "A consultation, role-played",
                "transcript": "<p>Transcript.</p>",
                "minutes": minutes,
            },
        }
        lesson.body = [*text_blocks, video]
        lesson.save_revision()
        lesson.save()

    words = stream_word_count(lesson.body.raw_data)
    (problem,) = course_publish_problems(course=course)
    assert problem.startswith(
        "APA General credit (1.00 h) exceeds reading plus media time: 60 minutes needed for "
        f"1.00 h; General lessons give 15 (15 of reading for {words:,} words at 10,000 words "
        "per hour, plus 0 media minutes)"
    )
    assert "To satisfy it: add 45 minutes of video" in problem
    assert "or set the hours by a pilot test" in problem
    with_video(44)  # 15 + 44 = 59 minutes: still under the hour
    assert "media minutes" in " ".join(course_publish_problems(course=course))
    with_video(45)
    assert course_publish_problems(course=course) == []
    # The course editor's credit panel shows the running time and what it allows.
    editor = client_for(staff_user(group="Administrators"))
    html = editor.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "Media running time:</strong>\n      General 45 min." in html
    assert "Reading plus media allows:</strong>\n      General 1.00 h" in html
    assert "agree with reading time plus media running time" in html


def test_hours_above_the_word_count_rule_are_named():
    course = course_build(lessons=2, words_per_lesson=2600, hours="1", publish=False)
    first, second = (stream_word_count(lesson.body.raw_data) for lesson in lessons_of(course))
    assert course_publish_problems(course=course) == [
        "APA General credit (1.00 h) exceeds the word-count rule: 10,000 words needed for 1.00 h "
        f"at 10,000 words per hour; this course has {first + second:,} in General lessons "
        f"(“Lesson 1” {first:,}, “Lesson 2” {second:,}), which allow 0.50 h. To satisfy it: add "
        f"{10_000 - first - second:,} words to General lessons, lower the hours to 0.50 h, or "
        "set the hours by media minutes (reading time plus the running time of the video "
        "blocks; evidence: each video's running time and where it was read) or by a pilot test "
        "(people of the intended audience take the course; evidence: how many, who, when, and "
        "the median time they needed, which the hours may not exceed)"
    ]


def test_missing_policy_pages_are_named():
    course = course_build(lessons=2, publish=False)
    settings = ProviderSettings.load()
    settings.grievance_policy_page = None
    settings.save()
    assert course_publish_problems(course=course) == [
        "The site has no grievance policy (Settings → Provider settings)"
    ]


def test_unpublished_policy_pages_are_named():
    course = course_build(lessons=2, publish=False)
    ProviderSettings.load().refund_policy_page.unpublish()
    assert course_publish_problems(course=course) == ["The site's refund policy is not published"]


def test_registered_publish_checks_add_their_items(isolated_registry):
    isolated_registry.register_publish_check(lambda course: ["The course has no post-test"])
    course = course_build(lessons=2, publish=False)
    assert course_publish_problems(course=course) == ["The course has no post-test"]


def test_a_check_taking_for_publish_is_told_whether_the_course_is_submitted_or_published(
    isolated_registry,
):
    told = []

    def post_test_live(course, *, for_publish: bool = True):
        told.append(for_publish)
        return ["The post-test is not live yet"] if for_publish else []

    isolated_registry.register_publish_check(post_test_live)
    course = course_build(lessons=2, publish=False)
    assert course_publish_problems(course=course, for_submission=True) == []
    assert course_publish_problems(course=course) == ["The post-test is not live yet"]
    assert told == [False, True]


def test_a_check_without_for_publish_applies_to_submission_and_publishing(isolated_registry):
    # The registry's original signature, check(course), still works unchanged.
    isolated_registry.register_publish_check(lambda course: ["The course has no post-test"])
    isolated_registry.register_publish_check(lambda course, **options: [f"told {options}"])
    course = course_build(lessons=2, publish=False)
    assert course_publish_problems(course=course, for_submission=True) == [
        "The course has no post-test",
        "told {'for_publish': False}",
    ]
    assert course_publish_problems(course=course) == [
        "The course has no post-test",
        "told {'for_publish': True}",
    ]


def test_publishing_a_revision_of_an_incomplete_course_raises_and_changes_nothing():
    course = course_build(lessons=2)
    live_revision = course.live_revision_id
    LearningObjective.objects.filter(page=course).delete()
    revision = course.save_revision()
    with pytest.raises(CoursePublishRefused) as refused:
        revision.publish()
    assert refused.value.problems == [
        "Learning objectives: at least 3 are required (the course has 0)"
    ]
    course.refresh_from_db()
    assert course.live_revision_id == live_revision


def test_scheduled_publishing_of_an_incomplete_course_is_refused_and_unscheduled():
    incomplete = course_build(title="Incomplete", lessons=2, publish=False)
    incomplete.credits.all().delete()
    incomplete = CoursePage.objects.get(pk=incomplete.pk)
    complete = course_build(title="Complete", lessons=2, publish=False)
    past = timezone.now() - timedelta(minutes=1)
    revisions = {}
    for course in (incomplete, complete):
        course = CoursePage.objects.get(pk=course.pk)
        revision = course.save_revision(approved_go_live_at=past)
        revisions[course.pk] = revision

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("courses.models")
    logger.addHandler(handler)
    try:
        call_command("publish_scheduled")
    finally:
        logger.removeHandler(handler)

    assert not CoursePage.objects.get(pk=incomplete.pk).live
    assert CoursePage.objects.get(pk=complete.pk).live, "other scheduled pages still publish"
    revisions[incomplete.pk].refresh_from_db()
    assert revisions[incomplete.pk].approved_go_live_at is None
    assert any(
        "Credit hours: at least one accreditor and its hours are required" in r.getMessage()
        for r in records
    )


def test_scheduling_an_incomplete_course_in_the_editor_is_refused(administrator):
    course = course_build(lessons=2, publish=False)
    editor = client_for(administrator)
    data = edit_form_of(editor, course)
    data["credits-0-hours"] = "3"
    data["go_live_at"] = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = editor.post(f"/admin/pages/{course.pk}/edit/", {**data, "action-publish": "1"})
    assert response.status_code == 200
    assert "exceeds the word-count rule" in response.content.decode()
    assert not CoursePage.objects.get(pk=course.pk).get_latest_revision().approved_go_live_at


def test_refused_workflow_approval_in_the_modal_returns_to_the_editor_with_the_reasons(
    administrator, instructor_user
):
    from django.contrib.messages import get_messages
    from django.urls import reverse

    course = course_build(lessons=2, publish=False, owner=instructor_user)
    workflow = course.get_workflow()
    assert workflow is not None and workflow.name == "CE course approval"
    LearningObjective.objects.filter(page=course).delete()
    course = CoursePage.objects.get(pk=course.pk)
    course.save_revision(user=instructor_user)  # the revision under review lacks objectives
    workflow.start(course, instructor_user)
    task_state = course.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(course.pk, "approve", task_state.pk))
    reviewer = client_for(administrator)
    response = reviewer.post(url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    edit_url = reverse("wagtailadmin_pages:edit", args=(course.pk,))
    assert response.json() == {"step": "success", "redirect": edit_url}
    messages = [str(m) for m in get_messages(reviewer.get(edit_url).wsgi_request)]
    assert "Learning objectives: at least 3 are required (the course has 0)" in messages
    course.refresh_from_db()
    assert not course.live
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"


def test_approving_from_the_editor_is_refused_naming_the_missing_items(
    administrator, instructor_user
):
    course = course_build(lessons=2, publish=False, owner=instructor_user)
    course.get_workflow().start(course, instructor_user)
    editor = client_for(administrator)
    unchanged = edit_form_of(editor, course)
    approve = {"action-workflow-action": "true", "workflow-action-name": "approve"}
    response = editor.post(
        f"/admin/pages/{course.pk}/edit/", {**unchanged, "target_audience": "", **approve}
    )
    assert response.status_code == 200
    assert "Target audience is missing" in response.content.decode()
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.live
    assert course.current_workflow_task_state.status == "in_progress"
    # The revision under review is complete: approving it as submitted publishes it.
    from django.urls import reverse

    task_state = course.current_workflow_task_state
    editor.post(
        reverse("wagtailadmin_pages:workflow_action", args=(course.pk, "approve", task_state.pk))
    )
    assert CoursePage.objects.get(pk=course.pk).live


# --- Credit increments and minimums, ethics authors, sample courses (issue 21) --------------


def _nasw(**fields):
    return AccreditorFactory(
        short_name="NASW",
        name="National Association of Social Workers",
        credit_increment=Decimal("0.50"),
        credit_minimum=Decimal("1.00"),
        **fields,
    )


def test_credit_outside_an_accreditors_increment_or_under_its_minimum_is_named():
    course = course_build(hours="0.75", words_per_lesson=4000, accreditors=[_nasw()], publish=False)
    problems = course_publish_problems(course=course)
    assert (
        "NASW General credit (0.75 h) is not in half hours: NASW credits multiples of 0.50 h. "
        "To satisfy it: offer 0.50 h or 1.00 h (more hours need more lesson text, or another "
        "way of setting them)" in problems
    )
    assert (
        "NASW credit totals 0.75 h, under NASW's minimum of 1.00 h per course. To satisfy it: "
        "offer at least 1.00 h under NASW in all (which needs the lesson text or other evidence "
        "for them), or remove NASW's credit rows" in problems
    )
    # The same problems are what the editor's credit panel lists.
    assert set(course_credit_check(course=course).problems) >= {
        p for p in problems if p.startswith("NASW")
    }


def test_credit_in_the_increment_and_at_the_minimum_passes():
    course = course_build(hours="1.0", words_per_lesson=5000, accreditors=[_nasw()])
    assert course.live
    assert course_publish_problems(course=course) == []


def test_the_credit_panel_shows_the_increments_and_their_problems(administrator):
    course = course_build(hours="0.75", words_per_lesson=4000, accreditors=[_nasw()], publish=False)
    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "NASW half hours, at least 1.00 h" in html
    assert "NASW credit totals 0.75 h, under NASW" in html


def test_ethics_credit_needs_an_instructor_with_a_license_on_record():
    course = course_build(publish=False, instructor=InstructorFactory(license=""))
    CourseCredit.objects.filter(page=course).update(category=CreditCategory.ETHICS)
    course.refresh_from_db()
    message = next(p for p in course_publish_problems(course=course) if p.startswith("Ethics"))
    assert "no instructor has a professional license on record" in message
    instructor = course.course_instructors.get().instructor
    instructor.license = "LCSW 12345 (MD)"
    instructor.save()
    assert not any(p.startswith("Ethics") for p in course_publish_problems(course=course))


def test_a_sample_course_publishes_but_is_flagged_for_staff_and_on_its_page(client):
    sample = InstructorFactory(name="Sample Author", is_sample=True, license="")
    course = course_build(instructor=sample, estimated_minutes=30)
    assert course.live
    warnings = course_warnings(course=course)
    assert any(w.startswith("Sample Author is a fictional sample instructor") for w in warnings)
    page = client.get(course.url).content.decode()
    assert "Sample course." in page and "a professional license" in page
    # A course with a real instructor carries no such notice.
    real = course_build(slug="real-course")
    assert "data-sample-course" not in client.get(real.url).content.decode()


def test_the_course_page_shows_its_limitations_and_risks(client):
    course = course_build(limitations="<p>Reading this is not supervision.</p>")
    page = client.get(course.url).content.decode()
    assert "Limitations and risks" in page
    assert "Reading this is not supervision." in page


def test_an_estimated_time_that_disagrees_with_the_credit_is_a_warning_not_a_problem():
    course = course_build(hours="0.75", words_per_lesson=4000, estimated_minutes=96)
    assert course.live  # not a publishing problem
    assert course_warnings(course=course)[-1] == (
        "Estimated time (96 min) and credit (0.75 h) disagree: a course credited 0.75 h should "
        "take 45–59 minutes. Correct the time or the credit."
    )
    course.estimated_minutes = 50
    course.save()
    assert not any("Estimated time" in w for w in course_warnings(course=course))
