"""Authoring through the Wagtail admin's real views: an instructor writes a
course and its lessons, submits them; an Administrator approves them through
the workflow; publishing is refused, naming each missing item, while the course
lacks something an accreditor requires."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState

from courses.models import Accreditor, CoursePage, LessonPage
from courses.publishing import course_children_pending
from tests.courses.admin_forms import (
    admin_messages,
    course_added,
    course_form,
    edit_form_of,
    form_errors,
    lesson_form,
    workflow_approve,
)
from tests.courses.conftest import client_for
from tests.factories import AccreditorFactory, InstructorFactory, catalog_get, course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def _instructor_drafts_course(client, *, instructor, accreditor, catalog, **form):
    response = client.post(
        f"/admin/pages/add/courses/coursepage/{catalog.pk}/",
        course_form(instructors=[instructor], credits=[(accreditor, "0.5")], **form),
    )
    assert response.status_code == 302, form_errors(response)
    return CoursePage.objects.get(slug=form.get("slug", "working-with-ruptures"))


def test_instructor_writes_and_submits_a_course_and_an_administrator_approves_it(
    instructor_user, administrator
):
    catalog = catalog_get()
    accreditor = AccreditorFactory()
    instructor = InstructorFactory(user=instructor_user)
    author = client_for(instructor_user)

    course = _instructor_drafts_course(
        author, instructor=instructor, accreditor=accreditor, catalog=catalog
    )
    assert course.owner == instructor_user
    assert not course.live
    assert course.objectives.first().text == "Identify rupture marker number 1."

    # Two lessons, each submitted for approval as it is created.
    for n in (1, 2):
        response = author.post(
            f"/admin/pages/add/courses/lessonpage/{course.pk}/",
            {**lesson_form(title=f"Lesson {n}", slug=f"lesson-{n}"), "action-submit": "1"},
        )
        assert response.status_code == 302, form_errors(response)
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    assert [lesson.title for lesson in lessons] == ["Lesson 1", "Lesson 2"]
    assert all(lesson.owner == instructor_user and not lesson.live for lesson in lessons)
    assert all(lesson.workflow_in_progress for lesson in lessons)

    # Preview works for the author.
    response = author.post(
        reverse("wagtailadmin_pages:preview_on_edit", args=(course.pk,)),
        edit_form_of(author, course),
    )
    assert response.status_code == 200
    assert (
        author.get(reverse("wagtailadmin_pages:preview_on_edit", args=(course.pk,))).status_code
        == 200
    )

    # The course goes to approval from its editor.
    response = author.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(author, course), "action-submit": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    course.refresh_from_db()
    assert course.workflow_in_progress
    assert course.current_workflow_state.workflow.name == "CE course approval"
    assert course.revisions.count() >= 2, "revisions are kept"

    reviewer = client_for(administrator)
    # One approval, of the course, publishes its lessons with it.
    response = workflow_approve(reviewer, course)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.live
    assert course.current_workflow_state is None
    assert WorkflowState.objects.filter(
        object_id=str(course.pk), status=WorkflowState.STATUS_APPROVED
    ).exists()
    assert all(LessonPage.objects.get(pk=lesson.pk).live for lesson in lessons)
    assert client_for(instructor_user).get(course.url).status_code == 200


def test_instructor_cannot_submit_a_course_with_two_objectives_and_is_told_why(
    instructor_user,
):
    catalog = catalog_get()
    instructor = InstructorFactory(user=instructor_user)
    author = client_for(instructor_user)
    course = _instructor_drafts_course(
        author,
        instructor=instructor,
        accreditor=AccreditorFactory(),
        catalog=catalog,
        objectives=2,
    )
    author.post(
        f"/admin/pages/add/courses/lessonpage/{course.pk}/",
        lesson_form(title="Lesson 1", slug="lesson-1", words=5200),
    )
    response = author.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(author, course), "action-submit": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Learning objectives: at least 3 are required (the course has 2)" in html
    course.refresh_from_db()
    assert not course.workflow_in_progress


def test_publishing_a_course_without_objectives_is_refused_naming_them(administrator):
    course = course_build(lessons=2)
    live_revision = course.live_revision_id
    editor = client_for(administrator)
    data = edit_form_of(editor, course)
    for i in range(3):
        data[f"objectives-{i}-DELETE"] = "1"
    data["summary"] = ""
    response = editor.post(f"/admin/pages/{course.pk}/edit/", {**data, "action-publish": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Learning objectives: at least 3 are required (the course has 0)" in html
    assert "Summary is missing" in html
    course.refresh_from_db()
    assert course.live_revision_id == live_revision
    assert course.objectives.count() == 3


def test_instructor_cannot_publish_directly(instructor_user):
    catalog = catalog_get()
    author = client_for(instructor_user)
    response = course_added(
        author, catalog=catalog, instructor_user=instructor_user, **{"action-publish": "1"}
    )
    assert response.status_code == 302
    course = CoursePage.objects.get(slug="working-with-ruptures")
    assert not course.live
    assert not course.permissions_for_user(instructor_user).can_publish()
    # Nor through the workflow's approve action, which is the Administrators' alone.
    author.post(
        f"/admin/pages/add/courses/lessonpage/{course.pk}/",
        {**lesson_form(title="Lesson 1", slug="lesson-1", words=5200), "action-submit": "1"},
    )
    lesson = LessonPage.objects.child_of(course).get()
    response = workflow_approve(author, lesson)
    lesson.refresh_from_db()
    assert not lesson.live
    assert response.status_code in (302, 403)


def test_instructor_cannot_edit_or_add_lessons_to_another_instructors_course(instructor_user):
    owner = InstructorFactory(user=instructor_user)
    other_course = course_build(lessons=1, hours="0.25", owner=instructor_user, instructor=owner)
    from tests.factories import staff_user

    intruder = client_for(staff_user(group="Instructors"))
    response = intruder.get(f"/admin/pages/{other_course.pk}/edit/")
    assert response.status_code in (302, 403)
    assert "page-edit-form" not in response.content.decode()
    title = other_course.title
    response = intruder.post(
        f"/admin/pages/{other_course.pk}/edit/",
        {**course_form(title="Hijacked"), "action-submit": "1"},
    )
    assert response.status_code in (302, 403)
    other_course.refresh_from_db()
    assert other_course.title == title
    assert other_course.get_latest_revision().as_object().title == title

    before = LessonPage.objects.child_of(other_course).count()
    response = intruder.post(
        f"/admin/pages/add/courses/lessonpage/{other_course.pk}/",
        lesson_form(title="Sneaky lesson", slug="sneaky"),
    )
    assert response.status_code in (302, 403)
    assert LessonPage.objects.child_of(other_course).count() == before
    # The owner may add one.
    response = client_for(instructor_user).post(
        f"/admin/pages/add/courses/lessonpage/{other_course.pk}/",
        lesson_form(title="Own lesson", slug="own-lesson"),
    )
    assert response.status_code == 302, form_errors(response)


def test_instructor_cannot_copy_another_instructors_course_but_can_copy_their_own(
    instructor_user, administrator
):
    owner = InstructorFactory(user=instructor_user)
    course = course_build(lessons=2, hours="0.25", owner=instructor_user, instructor=owner)
    catalog = catalog_get()
    from tests.factories import staff_user

    def copy(client, slug):
        return client.post(
            f"/admin/pages/{course.pk}/copy/",
            {
                "new_title": "Copied course",
                "new_slug": slug,
                "new_parent_page": str(catalog.pk),
                "copy_subpages": "on",
            },
        )

    pages_before = Page.objects.count()
    response = copy(client_for(staff_user(group="Instructors")), "stolen-copy")
    assert response.status_code == 302
    assert Page.objects.count() == pages_before
    # Wagtail's own rule: copying needs edit permission on the page copied.
    assert "do not have permission" in " ".join(admin_messages(response))

    assert copy(client_for(instructor_user), "own-copy").status_code == 302
    own_copy = CoursePage.objects.get(slug="own-copy")
    assert LessonPage.objects.child_of(own_copy).count() == 2
    assert copy(client_for(administrator), "admin-copy").status_code == 302
    assert CoursePage.objects.filter(slug="admin-copy").exists()


def test_instructor_cannot_copy_or_move_their_pages_into_another_instructors_course(
    instructor_user,
):
    from tests.factories import staff_user

    mine = course_build(lessons=2, hours="0.25", owner=instructor_user)
    own_lesson = LessonPage.objects.child_of(mine).first()
    other_owner = staff_user(group="Instructors")
    theirs = course_build(lessons=1, hours="0.25", owner=other_owner)
    before = sorted(Page.objects.child_of(theirs).values_list("pk", flat=True))
    client = client_for(instructor_user)

    response = client.post(
        f"/admin/pages/{own_lesson.pk}/copy/",
        {"new_title": "Planted", "new_slug": "planted", "new_parent_page": str(theirs.pk)},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "permission" in form_errors(response).lower()
    response = client.post(f"/admin/pages/{own_lesson.pk}/move/{theirs.pk}/confirm/")
    assert response.status_code in (302, 403)
    assert sorted(Page.objects.child_of(theirs).values_list("pk", flat=True)) == before
    assert Page.objects.get(pk=own_lesson.pk).get_parent().pk == mine.pk
    # Nor is "Add child page" offered there; into their own course all three work.
    assert not theirs.permissions_for_user(instructor_user).can_add_subpage()
    assert mine.permissions_for_user(instructor_user).can_add_subpage()
    response = client.post(
        f"/admin/pages/{own_lesson.pk}/copy/",
        {"new_title": "Copy", "new_slug": "lesson-copy", "new_parent_page": str(mine.pk)},
    )
    assert response.status_code == 302, form_errors(response)
    assert LessonPage.objects.child_of(mine).filter(slug="lesson-copy").exists()
    assert theirs.permissions_for_user(other_owner).can_add_subpage()


def test_pages_with_learner_records_are_not_deleted_and_the_superuser_is_told_why():
    # Only superusers may delete pages (the Administrators group has no delete_page).
    from courses.models import Enrollment
    from courses.services import enrollment_create, lesson_visit
    from tests.factories import UserFactory, clinician

    taken = course_build(lessons=2, hours="0.25")
    enrollment = enrollment_create(user=clinician(), course=taken)
    lesson_visit(enrollment=enrollment, lesson=LessonPage.objects.child_of(taken).first())
    untaken = course_build(title="Never taken", slug="never-taken", lessons=1, hours="0.25")
    client = client_for(UserFactory(is_staff=True, is_superuser=True))

    for page in (taken, LessonPage.objects.child_of(taken).first()):
        response = client.post(f"/admin/pages/{page.pk}/delete/")
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))
        assert "kept for audits" in " ".join(admin_messages(response))
        assert Page.objects.filter(pk=page.pk).exists()
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()

    response = client.post(f"/admin/pages/{untaken.pk}/delete/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk=untaken.pk).exists()


def test_instructor_cannot_edit_accreditors(instructor_user, administrator):
    accreditor = AccreditorFactory(provider_number="APA-1234")
    author = client_for(instructor_user)
    edit_url = reverse("wagtailsnippets_courses_accreditor:edit", args=(accreditor.pk,))
    response = author.get(edit_url)
    assert response.status_code in (302, 403)
    response = author.post(edit_url, {"provider_number": "HIJACKED"})
    assert response.status_code in (302, 403)
    accreditor.refresh_from_db()
    assert accreditor.provider_number == "APA-1234"
    add_url = reverse("wagtailsnippets_courses_accreditor:add")
    assert author.get(add_url).status_code in (302, 403)
    # Administrators manage them.
    assert client_for(administrator).get(edit_url).status_code == 200


def test_clinician_is_turned_away_from_the_admin(clinician):
    response = client_for(clinician).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    response = client_for(clinician).get("/admin/pages/")
    assert response.status_code == 302


def test_course_editor_shows_word_count_and_credit_check(administrator):
    course = course_build(lessons=2, words_per_lesson=2600, hours="0.5")
    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "data-credit-check" in html
    assert "Computed lesson word count:" in html
    assert "<span data-word-count>5,204</span>" in html
    assert "(General: 5,204)" in html  # categories by their labels
    assert "✓ The credited hours agree with the word-count rule." in html
    assert "data-publish-checklist" in html


def test_course_editor_flags_hours_beyond_the_word_count_rule(administrator):
    course = course_build(lessons=1, words_per_lesson=2600, hours="0.5", publish=False)
    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert (
        "APA General credit (0.50 h) exceeds the word-count rule: 5,000 words needed for 0.50 h "
        "at 10,000 words per hour; this course has 2,604 in General lessons (“Lesson 1” 2,604), "
        "which allow 0.25 h. To satisfy it: add 2,396 words to General lessons, lower the hours "
        "to 0.25 h, or set the hours by media minutes"
    ) in html


def test_instructor_can_choose_instructors_and_accreditors_in_the_course_editor(instructor_user):
    AccreditorFactory()
    InstructorFactory(name="Rowan Ellery")
    author = client_for(instructor_user)
    for model in ("instructor", "accreditor"):
        response = author.get(f"/admin/snippets/choose/courses/{model}/")
        assert response.status_code == 200, model
    assert (
        "Rowan Ellery" in author.get("/admin/snippets/choose/courses/instructor/").content.decode()
    )


def test_lesson_editor_shows_the_computed_word_count(administrator):
    course = course_build(lessons=1, words_per_lesson=2600, hours="0.25")
    lesson = LessonPage.objects.child_of(course).get()
    html = client_for(administrator).get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert "data-lesson-word-count" in html
    assert "<span data-word-count>2,604</span> words of lesson text" in html


def test_administrator_requests_changes_and_the_instructor_resubmits(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, owner=instructor_user)
    author = client_for(instructor_user)
    response = author.post(
        f"/admin/pages/{course.pk}/edit/", {**edit_form_of(author, course), "action-submit": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    course = CoursePage.objects.get(pk=course.pk)
    task_state = course.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(course.pk, "reject", task_state.pk))
    response = client_for(administrator).post(url, {"comment": "Cite the 2018 meta-analysis."})
    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.live
    task_state.refresh_from_db()
    assert task_state.status == "rejected"
    assert task_state.comment == "Cite the 2018 meta-analysis."
    assert course.current_workflow_state.status == "needs_changes"
    # The instructor edits and resubmits; the administrator approves.
    data = edit_form_of(author, course)
    data["summary"] = "Revised after review."
    response = author.post(
        f"/admin/pages/{course.pk}/edit/", {**data, "action-restart-workflow": "1"}
    )
    assert response.status_code == 302, form_errors(response)
    assert workflow_approve(client_for(administrator), course).status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live
    assert course.summary == "Revised after review."


def test_the_course_editor_links_the_pages_under_it_still_to_be_reviewed(
    instructor_user, administrator
):
    course = course_build(lessons=3, publish=False, publish_lessons=False, owner=instructor_user)
    first, second, third = LessonPage.objects.child_of(course).order_by("path")
    first.save_revision(user=instructor_user).publish()
    second.get_workflow().start(second, instructor_user)

    pending = course_children_pending(course=course)
    assert [(child.title, child.kind, child.status) for child in pending] == [
        ("Lesson 2", "lesson page", "awaiting approval"),
        ("Lesson 3", "lesson page", "draft, not submitted for approval"),
    ]
    html = client_for(administrator).get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "Pages under this course still to be reviewed:" in html
    assert (
        f'<a href="/admin/pages/{second.pk}/edit/">Lesson 2</a> (lesson page): awaiting approval'
    ) in html
    assert f'<a href="/admin/pages/{third.pk}/edit/">Lesson 3</a>' in html
    assert f'href="/admin/pages/{first.pk}/edit/"' not in html, "a live lesson is not listed"

    # A live lesson whose changes are in moderation is listed as such.
    first = LessonPage.objects.get(pk=first.pk)
    first.save_revision(user=instructor_user)
    first.get_workflow().start(first, instructor_user)
    assert course_children_pending(course=course)[0].status == "live; changes awaiting approval"


def test_a_refused_approval_links_the_pages_under_the_course_still_to_be_reviewed(
    instructor_user, administrator
):
    course = course_build(lessons=2, publish=False, publish_lessons=False, owner=instructor_user)
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    course.get_workflow().start(course, instructor_user)
    # The accreditor's approval period ended after the course was sent.
    Accreditor.objects.update(approval_end=date.today() - timedelta(days=1))

    response = workflow_approve(client_for(administrator), course, follow=True)

    messages = admin_messages(response)
    assert "This course was not published. Still missing:" in messages
    assert any("approval" in m for m in messages), messages
    links = next(m for m in messages if "Pages under this course still to be reviewed" in m)
    assert (
        "Pages under this course still to be reviewed: Lesson 1 (awaiting approval); "
        "Lesson 2 (awaiting approval)."
    ) in links
    for lesson in lessons:
        assert f'href="/admin/pages/{lesson.pk}/edit/"' in links
        assert not LessonPage.objects.get(pk=lesson.pk).live, "the lessons' approvals rolled back"
    assert f"Review {lessons[0].title}" in links
    assert not CoursePage.objects.get(pk=course.pk).live
