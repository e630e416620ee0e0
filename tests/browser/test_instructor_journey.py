"""Journey 2: the demo instructor writes a course in the Wagtail admin through its
real editor (inline panels, snippet choosers, Draftail, StreamField blocks; each
question's objective chosen by name), imports one more question from GIFT
(pasted, previewed, confirmed into a draft), previews it, finds it on My courses
(the dashboard panel and the listing, its status a draft), walks the whole
course in the course preview (the course page, each lesson, the post-test's
questions without their key) and sends it for approval (My courses then says it
is in review); the administrator approves it; it is in
the catalog, and a clinician takes its timed post-test, whose timer speaks
politely.

One review round: the instructor sends the course for approval and its lessons
and post-test go with it. The administrator finds the course once in "Awaiting
your review", with its pages listed under it, opens the course review screen
(every page and its changes, the publishing check) and approves once: the
course, its lessons and its post-test are published together.

Admin pages are checked with axe-core like every other page. On our own admin
views (My courses, the course preview, the question import, the course review
screen: `PROJECT_ADMIN_PATHS` in conftest.py) a serious or critical violation
fails the journey; on Wagtail's own pages (the page editor, the explorer, the
users) violations are recorded only (Wagtail's markup; see
docs/accessibility.md)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from accounts.demo import DEMO_TOTP_SECRET
from tests.browser.walks import Login, log_in

# The demo accounts (seed_demo); staff sign in with the demo's authenticator app.
INSTRUCTOR = Login("instructor@example.com", "practicum-demo", DEMO_TOTP_SECRET)
ADMINISTRATOR = Login("admin@example.com", "practicum-demo", DEMO_TOTP_SECRET)
CLINICIAN = Login("clinician@example.com", "practicum-demo")
TIME_LIMIT_MINUTES = 10

LESSONS = [
    (
        "Markers of rupture",
        "A rupture is a strain in the collaborative bond between client and therapist. " * 4,
    ),
    (
        "First steps of repair",
        "Repair begins with naming, without blame, what happened between us. " * 4,
    ),
]
QUESTIONS = [
    # stem, right answer, wrong answer, objective
    (
        "Which moment marks an alliance rupture?",
        "A strain in the collaborative bond",
        "A scheduled holiday break",
        1,
    ),
    (
        "What does repair begin with?",
        "Naming what happened between us",
        "Changing the subject",
        2,
    ),
    (
        "Who should raise a suspected rupture?",
        "The therapist, openly and without blame",
        "Nobody: it passes by itself",
        3,
    ),
]


def admin_footer_action(page, name: str) -> None:
    """A page editor action from the footer's "More actions" menu."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=name).click()


def add_child_page(j, *, parent_id: int, page_type: str | None, check: bool = False) -> None:
    """From the page explorer's listing of the parent: "Add child page" (then the type)."""
    page = j.page
    j.goto(f"/admin/pages/{parent_id}/", check="page explorer" if check else None)
    page.get_by_role("link", name="Add child page").first.click()
    if page_type:
        if check:
            j.check("choose a page type")
        page.get_by_role("link", name=page_type, exact=True).click()
    page.wait_for_load_state("networkidle")


def choose_snippet(page, button: str, choice: str) -> None:
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog")
    # The choice's whole label from its start: "APA — American Psychological
    # Association" is not "APA-1F2E — American Psychological Association".
    dialog.get_by_role("link", name=re.compile(r"^\s*" + re.escape(choice))).click()
    expect(dialog).to_be_hidden()


def rich_text_type(page, editor, text: str) -> None:
    """Type into a Draftail editor once it holds the focus, and see the text in it:
    on a busy machine the editor can take the click before it is ready, and the
    keys typed then go nowhere (a required field left blank)."""
    editor.click()
    expect(editor).to_be_focused()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)


def expect_saved(page, title: str, *, submitted: bool = False) -> None:
    """The admin's message says the new page `title` was saved (and `submitted` for
    moderation); a form refused names its fields' errors. Wagtail's autosave may
    have created the page a moment before the click, and the save then went to
    the page's edit view (cms/static/cms/save-after-autosave.js): "has been
    updated" ("has been submitted") instead of "created" ("created and submitted")."""
    quoted = re.escape(f"Page '{title}' ")
    done = (
        "(created and submitted|has been submitted) for moderation"
        if submitted
        else "(created|has been updated)"
    )
    messages = page.locator(".messages")
    expect(messages).to_contain_text(re.compile(quoted + done + "|validation errors"))
    if "validation errors" in messages.inner_text():
        fields = page.locator(".w-field:has(.error-message)").all_inner_texts()
        raise AssertionError(f"the editor refused the page: {fields}")


def insert_block(container, page, block: str) -> None:
    container.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name=block, exact=True).click()


def write_course(j, *, catalog_id: int, title: str) -> int:
    """The course editor, field by field; saved as a draft. Returns the page id."""
    page = j.page
    add_child_page(j, parent_id=catalog_id, page_type=None, check=True)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Course page")
    j.check("new course editor")
    page.get_by_role("textbox", name="Title").first.fill(title)
    page.get_by_role("textbox", name="Summary").fill(
        "How to notice, name and repair strains in the therapeutic alliance."
    )
    for index, text in enumerate(
        [
            "Identify the markers of an alliance rupture.",
            "Describe the first steps of a repair.",
            "Apply a non-blaming way to raise a rupture with a client.",
        ]
    ):
        page.locator(f"#id_objectives-{index}-text").fill(text)
    outline = page.get_by_role("region", name="Outline").get_by_role("textbox")
    rich_text_type(page, outline, "Lesson 1: markers of rupture. Lesson 2: repair.")
    page.get_by_role("textbox", name="Target audience").fill(
        "Licensed psychotherapists in individual practice."
    )
    limitations = page.get_by_role("region", name="Limitations and risks").get_by_role("textbox")
    rich_text_type(
        page, limitations, "Reading about ruptures does not replace supervision or consultation."
    )
    page.get_by_role("spinbutton", name="Estimated minutes").fill("45")
    choose_snippet(page, "Choose instructor", "Rowan Ellery")

    page.get_by_role("tab", name="CE credit").click()
    choose_snippet(page, "Choose accreditor", "APA — American Psychological Association")
    page.locator("#id_credits-0-hours").fill("0.75")
    page.get_by_role("combobox", name="How the credit hours were set").select_option(
        label="Pilot test"
    )
    page.get_by_role("textbox", name="Credit evidence").fill(
        "Pilot test with five licensed clinicians in 2026; median time 44 minutes."
    )
    page.get_by_role("tab", name="Course").click()
    page.get_by_role("button", name="Save draft").click()
    expect_saved(page, title)
    # The publishing checklist names what is still missing.
    checklist = page.get_by_role("region", name="Before this course can be published")
    expect(checklist).to_contain_text("Lessons: the course has no lessons")
    expect(checklist).to_contain_text("Post-test: the course has none")
    j.check("course draft saved")
    return int(re.search(r"/admin/pages/(\d+)/edit/", page.url).group(1))


def write_lesson(
    j, *, course_id: int, title: str, text: str, prompt: str, check: bool = False
) -> None:
    page = j.page
    add_child_page(j, parent_id=course_id, page_type="Lesson page", check=check)
    page.get_by_role("textbox", name="Title").first.fill(title)
    body = page.get_by_role("region", name="Body")
    insert_block(body, page, "Paragraph")
    rich_text_type(page, body.get_by_role("textbox").last, text)
    insert_block(body, page, "Reflection prompt")
    body.get_by_role("textbox", name="Prompt").fill(prompt)
    j.check(f"lesson editor: {title}")
    admin_footer_action(page, "Submit to CE course approval")
    expect_saved(page, title, submitted=True)


def write_post_test(j, *, course_id: int) -> None:
    page = j.page
    add_child_page(j, parent_id=course_id, page_type="Post-test")
    page.get_by_role("textbox", name="Title").first.fill("Post-test")
    questions = page.get_by_role("region", name="Questions")
    for number, (stem, right, wrong, objective) in enumerate(QUESTIONS):
        insert_block(questions, page, "Single choice")
        prefix = f"questions-{number}-value"
        page.locator(f"#{prefix}-stem").fill(stem)
        page.locator(f"#{prefix}-choices-0-value-text").fill(right)
        page.locator(f"#{prefix}-choices-0-value-correct").check()
        # The question just inserted is the last one: its choice list's last "Add".
        questions.get_by_role("button", name="Add", exact=True).last.click()
        page.locator(f"#{prefix}-choices-1-value-text").fill(wrong)
        page.locator(f"#{prefix}-rationale").fill(f"“{right}” is what the lesson teaches.")
        # The objective is chosen by name ("2. Identify …"); option 0 is the blank one.
        page.locator(f"#{prefix}-objective").select_option(index=objective)
    page.get_by_role("tab", name="Rules").click()
    page.get_by_role("spinbutton", name="Questions per attempt").fill("0")
    page.get_by_role("spinbutton", name="Time limit (minutes)").fill(str(TIME_LIMIT_MINUTES))
    j.check("post-test editor, rules")
    page.get_by_role("button", name="Save draft").click()
    expect_saved(page, "Post-test")


GIFT = """// objective: 2
::Repair::What keeps repair going? {
  =Inviting the client's view of what happened
  ~Defending what the therapist meant
####Repair is collaborative: the client's view comes first.}
"""


def import_gift(j, *, course_id: int) -> None:
    """From the post-test's editor: paste GIFT, preview it, import it into a draft;
    then the post-test goes for approval."""
    from wagtail.models import Page

    from quizzes.models import PostTestPage

    page = j.page
    post_test = PostTestPage.objects.child_of(Page.objects.get(pk=course_id)).get()
    j.goto(f"/admin/pages/{post_test.pk}/edit/")
    page.get_by_role("link", name="Import questions from GIFT or CSV").click()
    page.get_by_label("Or paste the questions").fill(GIFT)
    page.get_by_role("button", name="Preview the questions").click()
    table = page.locator("[data-import-preview]")
    expect(table).to_contain_text("What keeps repair going?")
    expect(table).to_contain_text("Inviting the client's view of what happened (right)")
    j.check("question import, preview")
    page.get_by_role("button", name="Import 1 question into a draft").click()
    expect(page.locator(".messages")).to_contain_text("1 question imported into a draft")
    # Back in the post-test's editor, with the imported question: off to approval.
    expect(page.locator("#questions-3-value-stem")).to_have_value("What keeps repair going?")
    admin_footer_action(page, "Submit to CE course approval")
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")


def preview_course(j, *, course_id: int, title: str) -> None:
    page = j.page
    j.goto(f"/admin/pages/{course_id}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(title)
    expect(preview.get_by_role("heading", name="Learning objectives")).to_be_visible()
    j.check("course editor with its preview")


def my_courses_row(j, *, course_id: int, status: str, check: str):
    """The instructor's home: the course's row on My courses, with its status."""
    page = j.page
    j.goto("/admin/")
    panel = page.get_by_role("region", name="My courses")
    expect(panel.locator(f"tr[data-course-row='{course_id}']")).to_be_visible()
    panel.get_by_role("link", name="All my courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My courses")
    row = page.locator(f"tr[data-course-row='{course_id}']")
    expect(row).to_have_attribute("data-course-status", status)
    # Lessons and a post-test exist: New lesson stays, Add post-test is gone.
    expect(row.get_by_role("link", name=re.compile(r"^New lesson"))).to_be_visible()
    expect(row.get_by_role("link", name=re.compile(r"^Add post-test"))).to_have_count(0)
    j.check(check)
    return row


def preview_whole_course(j, *, row, title: str, lessons: list[str]) -> None:
    """From My courses, the course walked as a learner would, drafts and all."""
    page = j.page
    row.get_by_role("link", name=re.compile(r"^Preview")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    bar = page.get_by_role("navigation", name="Course preview")
    expect(bar).to_contain_text(f"step 1 of {len(lessons) + 2}: Course page")
    j.check("course preview: the course page")
    for lesson in lessons:
        bar.get_by_role("link", name=re.compile(r"^Next")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson)
        j.check(f"course preview: {lesson}")
    bar.get_by_role("link", name=re.compile(r"^Next")).click()
    main = page.locator("main")
    for stem, _right, _wrong, _objective in QUESTIONS:
        expect(main).to_contain_text(stem)
    expect(main).not_to_contain_text("(correct)")  # no answer key
    expect(bar).to_contain_text("End of the course.")
    j.check("course preview: the post-test")
    bar.get_by_role("link", name=re.compile(r"^← Previous")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lessons[-1])


def review_course(j, *, course_id: int, title: str, pages: dict[str, int]) -> None:
    """From the dashboard's "Awaiting your review" (the course once, its pages under it)
    to the course review screen, where one approval publishes everything."""
    from wagtail.models import Page

    page = j.page
    j.goto("/admin/")
    panel = page.get_by_role("region", name="Awaiting your review")
    rows = panel.locator("tr[data-review-entry]")
    expect(rows).to_have_count(1)
    for child_title in pages:
        expect(rows.first).to_contain_text(child_title)
    panel.get_by_role("link", name=f"Review {title}").click()
    expect(page).to_have_url(re.compile(rf"/admin/course-review/{course_id}/$"))
    for child_id in pages.values():
        expect(page.locator(f"[data-review-page='{child_id}']")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Every CE-required item is present")
    j.check("course review screen: every page, its changes and the check")
    page.get_by_role("button", name="Approve and publish the course and its pages").click()
    expect(page.locator(".messages")).to_contain_text("are published")
    for page_id in [course_id, *pages.values()]:
        assert Page.objects.get(pk=page_id).live, f"page {page_id} is not live"


def test_instructor_writes_a_course_an_administrator_approves_it_and_it_is_in_the_catalog(
    journey,
):
    from wagtail.models import Page

    from courses.models import CourseIndexPage, CoursePage
    from quizzes.models import Attempt

    catalog_id = CourseIndexPage.objects.get().id
    title = f"Working with alliance ruptures {uuid.uuid4().hex[:6]}"
    lessons = [lesson_title for lesson_title, _ in LESSONS]

    author = journey("instructor")
    log_in(author, INSTRUCTOR, check="login")
    author.goto("/admin/", check="admin dashboard (instructor)")
    course_id = write_course(author, catalog_id=catalog_id, title=title)
    for number, (lesson, text) in enumerate(LESSONS):
        write_lesson(
            author, course_id=course_id, title=lesson, text=text,
            prompt="When did you last notice a rupture, and what did you do?",
            check=number == 0,
        )  # fmt: skip
    write_post_test(author, course_id=course_id)
    import_gift(author, course_id=course_id)
    preview_course(author, course_id=course_id, title=title)
    # The instructor's home lists the draft; its preview walks the whole course.
    row = my_courses_row(author, course_id=course_id, status="draft", check="My courses")
    preview_whole_course(author, row=row, title=title, lessons=lessons)
    author.goto(f"/admin/pages/{course_id}/edit/")

    # The course goes to approval with its lessons and post-test still awaiting theirs.
    admin_footer_action(author.page, "Submit to CE course approval")
    expect(author.page.locator(".messages")).to_contain_text("submitted for moderation")
    author.check("course submitted for approval with its lessons and post-test")
    row = my_courses_row(
        author, course_id=course_id, status="in_review", check="My courses, course in review"
    )
    expect(row.get_by_role("link", name=re.compile(r"^Review screen"))).to_be_visible()

    reviewer = journey("administrator")
    log_in(reviewer, ADMINISTRATOR, check="login (administrator)")
    reviewer.goto("/admin/", check="admin dashboard, awaiting review")
    children = {p.title: p.id for p in Page.objects.child_of(Page.objects.get(pk=course_id))}
    assert sorted(children) == sorted([*lessons, "Post-test"]), children
    assert not Page.objects.get(pk=course_id).live

    # One approval, of the course, publishes it with its lessons and post-test.
    review_course(reviewer, course_id=course_id, title=title, pages=children)
    course = CoursePage.objects.get(pk=course_id)
    assert course.live and course.owner.email == INSTRUCTOR[0]
    reviewer.check("admin dashboard, nothing awaiting review")

    # In the catalog; a clinician takes the timed post-test.
    clinician = journey("clinician (demo)")
    log_in(clinician, CLINICIAN, check="login (clinician)")
    page = clinician.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    clinician.check("catalog with the new course")
    page.get_by_role("link", name=title).click()
    expect(page.locator("main")).to_contain_text("Rowan Ellery")
    clinician.check("new course page")
    page.get_by_role("button", name=f"Enroll in {title}").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")
    clinician.check("new course page, enrolled")
    page.get_by_role("link", name=re.compile(r"Start the first lesson")).click()
    for number, lesson in enumerate(lessons, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson)
        clinician.check(f"new course, lesson {number}")
        page.get_by_role("button", name="Mark lesson complete").click()
    page.get_by_role("link", name="Take the post-test").click()
    expect(page.locator("main")).to_contain_text(f"Time limit: {TIME_LIMIT_MINUTES} minutes")
    clinician.check("timed post-test, before starting")
    # The page's clock is Playwright's, so the test can move it forward (the server
    # keeps the real deadline).
    page.clock.install()
    page.get_by_role("button", name="Start the post-test").click()

    timer = page.locator("#timer")
    expect(timer).to_be_visible()
    expect(timer).to_contain_text(re.compile(r"Time left: (9|10):\d\d"))
    announcer = page.locator("#timer-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    assert announcer.get_attribute("role") == "status"
    # Announced at the milestones only: "10 minutes left." once, on arrival.
    expect(announcer).to_have_text(f"{TIME_LIMIT_MINUTES} minutes left.")
    clinician.check("timed post-test")
    # Five minutes on: announced once at the milestone, then silent as the clock runs.
    page.clock.run_for("05:00")
    expect(timer).to_contain_text(re.compile(r"Time left: (4:5\d|5:00)"))
    expect(announcer).to_have_text("5 minutes left.")
    page.clock.run_for("00:20")
    expect(timer).to_contain_text(re.compile(r"Time left: 4:[34]\d"))
    expect(announcer).to_have_text("5 minutes left.")

    attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", page.url).group(1)))
    assert attempt.deadline is not None
    for question in attempt.questions:
        correct = next(c for c in question["choices"] if c["correct"])
        page.locator(f"input[name='q-{question['id']}'][value='{correct['id']}']").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 1: passed")
    clinician.check("new course, post-test passed")
    for j in (author, reviewer, clinician):
        assert j.console_errors == [], (j.name, j.console_errors)


# --- A new instructor's first admin visit ---------------------------------------------------


def reauthenticate(j, *, password: str, check: str) -> None:
    page = j.page
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    j.check(check)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()


def instructor_role_give(j, *, email: str, password: str) -> None:
    """The Administrator finds the person in the admin's users and assigns them the
    Instructors role (a bulk action on users: the password is asked again first)."""
    page = j.page
    j.goto(f"/admin/users/?q={email}", check="users, searched")
    page.locator("input[data-bulk-action-checkbox]").first.check()
    page.locator("[data-bulk-action-button]", has_text="Assign role").click()
    reauthenticate(j, password=password, check="re-authentication before a user edit")
    page.get_by_label("Role").select_option(label="Instructors")
    page.get_by_role("button", name="Yes, assign").click()
    expect(page.locator(".messages")).to_contain_text("assigned as Instructors")


def totp_set_up(j, *, password: str) -> str:
    """Staff without an authenticator app, on any page: sent to set it up and told
    why; the password again; the secret read from the setup page, as one types it
    into an app, gives the code; the recovery codes are shown. Returns the secret."""
    from tests.factories import totp_code

    page = j.page
    expect(page.get_by_text("Staff accounts need two-factor authentication")).to_be_visible()
    reauthenticate(j, password=password, check="two-factor required: password again")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    j.check("set up an authenticator app")
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.get_by_label("Authenticator code").fill(totp_code(secret, who="setup"))
    page.get_by_role("button", name="Activate").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.locator("main")).to_contain_text(re.compile(r"\d{8}"))
    j.check("recovery codes")
    return secret


def test_a_new_instructors_first_admin_visit_sets_up_totp_and_then_they_author(journey):
    from allauth.mfa.models import Authenticator

    from accounts.models import User
    from courses.models import CourseIndexPage, CoursePage
    from tests.browser.walks import sign_up_and_confirm, unique

    # Someone signs up on the site; the Administrator makes them an instructor.
    newcomer = journey("new instructor")
    email = f"{unique('instructor')}@example.com"
    password = f"rare-{uuid.uuid4().hex}"
    newcomer.goto("/")
    name = "Morgan Ashdown, LCSW"
    sign_up_and_confirm(newcomer, email=email, name=name, password=password)
    admin = journey("administrator (roles)")
    log_in(admin, ADMINISTRATOR, check="login (administrator)")
    instructor_role_give(admin, email=email, password=ADMINISTRATOR.password)

    # The first admin visit: no page answers before the authenticator app is set up.
    newcomer.goto("/admin/")
    secret = totp_set_up(newcomer, password=password)
    user = User.objects.get(email=email)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # Then the admin answers, and they write a course.
    newcomer.goto("/admin/", check="admin dashboard (new instructor)")
    title = f"Supervising new clinicians {uuid.uuid4().hex[:6]}"
    course_id = write_course(newcomer, catalog_id=CourseIndexPage.objects.get().id, title=title)
    course = CoursePage.objects.get(pk=course_id)
    assert course.owner == user and not course.live

    # Signed out, the password alone stops at the second step; the app's code lets in.
    newcomer.goto("/admin/")
    newcomer.page.locator("button.sidebar-footer__account").click()  # the account menu
    newcomer.page.get_by_role("button", name="Log out").click()
    expect(newcomer.page).to_have_url(newcomer.url("/"))
    newcomer.goto("/dashboard/")  # signed out of the site too
    expect(newcomer.page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))
    log_in(newcomer, Login(email, password, secret), check="login (new instructor)")
    newcomer.goto("/admin/", check="admin dashboard (new instructor, second visit)")
    for j in (newcomer, admin):
        assert j.console_errors == [], (j.name, j.console_errors)
