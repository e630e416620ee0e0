"""The clinician's journey as steps a browser takes (issue 7, journeys 1 and 4).

`clinician_walk_through` signs a new clinician up and walks them to a verified
certificate, checking every page with axe-core on the way (`Journey.check`) and
asserting what axe cannot see: the skip link, visible focus, errors tied to
their fields, named progress bars, the journal kept across a reload, the
certificate appearing on the dashboard without a reload. With `keyboard=True`
the post-test is taken with the keyboard alone (no pointer event reaches the
page from the post-test's landing page to the passed result). Either way the
first attempt is sent once with a question unanswered: the error summary takes
the focus, and its "question N" link (clicked, or Tab and Enter) moves the focus
to that question.

The answers come from the attempt the server stored (its frozen draw holds the
key), read with the ORM once the attempt has started: the browser never sees
the key, so neither does the test's browser side.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import expect

from tests.browser import a11y
from tests.factories import totp_code


@dataclass
class ClinicianWalk:
    journey: object
    email: str
    password: str
    name: str
    course_title: str
    course_path: str
    certificate_number: str
    pdf: bytes
    pdf_path: Path
    scores: list[str] = field(default_factory=list)
    pages_checked: int = 0
    started_at: float = 0.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- Layout: the compact menu and the next action on a phone -------------------------------


def on_phone(page) -> bool:
    return page.viewport_size["width"] <= 700


def menu_open(page) -> None:
    """On a phone the navigation is folded behind the Menu button (layout.js): open it."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")


def main_nav(page, name: str):
    menu_open(page)
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def assert_in_first_viewport(page, locator, what: str) -> None:
    """`locator` is wholly on the first screen, as the page opens (scrolled to the top)."""
    expect(locator).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (
        f"{what} is not on the first screen: top at {box and round(box['y'])} px, "
        f"screen {page.viewport_size}"
    )


def compact_menu(j) -> None:
    """On a phone: the header is one short row; the Menu button is a disclosure
    (aria-expanded, aria-controls) that shows both navigations, and Escape folds them
    again with focus back on the button."""
    page = j.page
    toggle = page.get_by_role("button", name="Menu")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 90, f"the header takes {header['height']} px of a phone's screen"
    expect(toggle).to_have_attribute("aria-expanded", "false")
    menu = page.locator("#" + toggle.get_attribute("aria-controls"))
    expect(menu).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses")
    ).to_be_visible()
    j.check("menu open (phone)")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    assert a11y.is_focused(toggle)


def admin_title(page):
    """The title a sighted user reads at the top of a Wagtail admin page: the last
    item of the header's breadcrumbs (Wagtail's h1 there is for screen readers only)."""
    return page.get_by_role("navigation", name="Breadcrumb").get_by_role("listitem").last


# --- Account -------------------------------------------------------------------------------


class Login(NamedTuple):
    email: str
    password: str
    # Staff: the secret of their authenticator app, for the second step.
    totp_secret: str | None = None


def log_in(j, login: Login, *, check: str) -> None:
    """allauth's sign-in, the only one (the admin's sends there too); staff then give
    the code of their authenticator app. Ends on the dashboard."""
    page = j.page
    j.goto("/accounts/login/", check=check)
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign In").click()
    if login.totp_secret:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
        j.check(f"{check}, second step")
        page.get_by_label("Code").fill(totp_code(login.totp_secret, who=login.email))
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def sign_up_and_confirm(j, *, email: str, name: str, password: str) -> None:
    """Sign up (one mistake first), confirm the address from the email, land logged in."""
    page = j.page
    menu_open(page)
    page.get_by_role("link", name="Sign up").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign Up")
    j.check("sign up")

    # The password rules are the password field's description, not a list beside it.
    rules = a11y.description_of(page.locator("#id_password1"))
    assert "at least 12 characters" in rules, rules
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill(name)
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Sign Up").click()
    a11y.assert_error_tied(page.locator("#id_password1"), contains="too short")
    j.check("sign up, password too short")

    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email")
    j.check("verify your email")

    message = j.mail_to(email, subject="Confirm")
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", body)
    assert link, f"no confirmation link in: {body}"
    j.goto(link.group(1), check="confirm email")
    page.get_by_role("button", name="Confirm").click()
    # Logged in on confirmation, asked for a license first (skippable), then an empty dashboard.
    expect(page).to_have_url(re.compile(r"/profile/licenses/welcome/$"))
    j.check("licenses asked after signup")
    page.get_by_role("link", name="Skip for now").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("You are not enrolled in a course yet")).to_be_visible()
    j.check("dashboard, empty")


def license_add(j, *, number: str) -> None:
    """Add a psychologist's license on the profile (a missing number first)."""
    page = j.page
    menu_open(page)
    page.locator("summary", has_text="account menu").click()
    page.get_by_role("link", name="Profile and licenses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profile and licenses")
    j.check("profile")

    page.get_by_label("Profession").select_option(label="Psychologist")
    page.get_by_label("State or province").fill("MD")
    page.get_by_role("button", name="Add license").click()
    a11y.assert_error_tied(page.get_by_label("License number"), contains="required")
    j.check("profile, license number missing")

    page.get_by_label("License number").fill(number)
    page.get_by_role("button", name="Add license").click()
    expect(page.get_by_role("status")).to_contain_text("License added")
    expect(page.get_by_role("table")).to_contain_text(number)
    j.check("profile with a license")


# --- Learning ------------------------------------------------------------------------------


def enroll(j, *, course_title: str, docs: bool = False) -> None:
    page = j.page
    main_nav(page, "Courses").click()
    j.check("catalog", docs="catalog" if docs else None)
    page.get_by_role("link", name=course_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_title)
    j.check(f"course page: {course_title}")
    enroll_button = page.get_by_role("button", name=f"Enroll in {course_title}")
    assert_in_first_viewport(page, enroll_button, "Enroll")
    enroll_button.click()
    expect(page.get_by_role("status").first).to_contain_text("You are enrolled")
    a11y.assert_progress_bars_named(page)
    assert_in_first_viewport(
        page, page.get_by_role("link", name=re.compile(r"Start the first lesson")), "Start"
    )
    j.check(f"course page, enrolled: {course_title}")


def read_lessons(
    j, *, course_title: str, journal: str | None, docs: bool = False, only: int | None = None
) -> int:
    """Open the first lesson and mark each complete in turn (the site moves to the
    next one). Writes `journal` into the first reflection prompt and reloads to see
    it kept. Returns the number of lessons read."""
    page = j.page
    page.get_by_role("link", name=re.compile(r"Start the first lesson")).click()
    # Count the outline only once the first lesson has loaded (not the course page's).
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Lesson 1 of")
    # Counted in the page (on a phone the outline is folded into its summary line).
    total = page.locator("nav[aria-label='Course outline'] li").count()
    assert total >= 2, "a launch module has several lessons"
    journal_written = journal is None
    for number in range(1, (only or total) + 1):
        expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(
            f"Lesson {number} of {total}"
        )
        j.check(f"lesson {number}", docs="lesson" if docs and number == 1 else None)
        if on_phone(page):
            outline = page.locator("details.lesson-outline")
            expect(outline).not_to_have_attribute("open", "")
            assert_in_first_viewport(page, outline.locator("summary"), "the lesson outline")
            # The lesson's action rides at the bottom of the screen while reading.
            assert_in_first_viewport(
                page, page.get_by_role("button", name="Mark lesson complete"), "Mark complete"
            )
        if not journal_written and page.locator(".journal-form").count():
            journal_save_and_reload(j, text=journal)
            journal_written = True
        page.get_by_role("button", name="Mark lesson complete").click()
        expect(page.get_by_role("status").first).to_contain_text("marked complete")
    assert journal_written, "no lesson of this course has a reflection prompt"
    if only is None:
        # After the last lesson: back on the course page, every lesson done.
        expect(page.get_by_role("heading", level=1)).to_have_text(course_title)
        bars = a11y.assert_progress_bars_named(page)
        assert bars[0]["valuetext"] == f"{total} of {total} lessons", bars
    return only or total


def journal_save_and_reload(j, *, text: str) -> None:
    page = j.page
    form = page.locator(".journal-form").first
    box = form.get_by_role("textbox")
    box.fill(text)
    url = page.url
    form.get_by_role("button", name="Save reflection").click()
    # Saved by the page's script, without leaving the page; announced politely.
    status = form.get_by_role("status")
    expect(status).to_contain_text("Saved")
    assert status.get_attribute("aria-live") == "polite"
    assert page.url == url
    page.reload()
    expect(page.locator(".journal-form").first.get_by_role("textbox")).to_have_value(text)


# --- Post-test -----------------------------------------------------------------------------


def _frozen_questions(attempt_id: int) -> list[dict]:
    from quizzes.models import Attempt

    return Attempt.objects.get(pk=attempt_id).questions


def _wrong_answers(questions: list[dict]) -> dict[str, list[str]]:
    answers = {}
    for q in questions:
        wrong = [c["id"] for c in q["choices"] if not c["correct"]]
        answers[q["id"]] = wrong[:1]
    return answers


def _right_answers(questions: list[dict]) -> dict[str, list[str]]:
    return {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in questions}


def _attempt_id(page) -> int:
    match = re.search(r"/learn/attempts/(\d+)/$", page.url)
    assert match, f"not an attempt page: {page.url}"
    return int(match.group(1))


def _answer_with_mouse(page, questions: list[dict], answers: dict[str, list[str]]) -> None:
    for q in questions:
        for cid in answers[q["id"]]:
            page.locator(f"input[name='q-{q['id']}'][value='{cid}']").check()


def _reload_keeps_answers(j, attempt_id: int, chosen: dict[str, list[str]]) -> None:
    """Each answer was saved as it was chosen: after a reload the page ticks them again
    (from the server: the form has autocomplete off), and nothing was graded."""
    from quizzes.models import Attempt

    page = j.page
    expect(page.locator("#save-status")).to_contain_text("Last saved")
    deadline = time.monotonic() + 10
    while Attempt.objects.get(pk=attempt_id).draft != chosen:
        assert time.monotonic() < deadline, "the chosen answers were not all saved"
        time.sleep(0.1)
    page.reload()
    for qid, choice_ids in chosen.items():
        for input_ in page.locator(f"input[name='q-{qid}']").all():
            assert input_.is_checked() == (input_.get_attribute("value") in choice_ids)
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.is_open and attempt.score is None
    expect(page.locator("#save-error")).to_be_hidden()
    j.check("post-test attempt, reloaded with saved answers")


def _keyboard_focus(page, locator) -> None:
    """Tab to `locator`, unless the focus is already there (an error link put it there)."""
    if not a11y.is_focused(locator):
        a11y.tab_to(page, locator)


def _answer_with_keyboard(page, questions: list[dict], answers: dict[str, list[str]]) -> None:
    """Tab into each question; arrows pick a radio, Space ticks a checkbox."""
    for q in questions:
        inputs = page.locator(f"input[name='q-{q['id']}']")
        values = [inputs.nth(i).get_attribute("value") for i in range(inputs.count())]
        wanted = answers[q["id"]]
        if inputs.first.get_attribute("type") == "radio":
            _keyboard_focus(page, inputs.first)
            a11y.assert_focus_visible(page, f"question {q['stem'][:30]}")
            index = values.index(wanted[0])
            if index == 0:
                page.keyboard.press("Space")
            for _ in range(index):
                page.keyboard.press("ArrowDown")
            target = inputs.nth(index)
            assert a11y.is_focused(target) and target.is_checked()
            a11y.assert_focus_visible(page, "chosen answer")
        else:
            for index, value in enumerate(values):
                _keyboard_focus(page, inputs.nth(index))
                a11y.assert_focus_visible(page, "checkbox")
                if value in wanted:
                    page.keyboard.press("Space")
                    assert inputs.nth(index).is_checked()


def _press_button(j, name: str, *, keyboard: bool) -> None:
    page = j.page
    button = page.get_by_role("button", name=name)
    if keyboard:
        a11y.tab_to(page, button)
        a11y.assert_focus_visible(page, f"button {name}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        button.click()


def _question_to_leave_unanswered(questions: list[dict]) -> dict:
    """A multiple-choice question if the draw has one: the browser lets its checkboxes
    stay empty, so the server's refusal is what a clinician meets. Otherwise the last
    (single-choice) question, whose `required` radios Chromium guards itself."""
    return next((q for q in questions if q["kind"] == "multiple"), questions[-1])


def _unanswered_refused_then_answered(
    j, questions: list[dict], skipped: dict, answers: dict[str, list[str]], *, keyboard: bool
) -> None:
    """Submitted with `skipped` unanswered: refused, with an error summary that takes
    the focus and names the question as a link ("Unanswered: question 7"); following
    the link (a click, or Tab and Enter) moves the focus to that question's first
    choice (post-test.js), where it is then answered. The other answers are kept."""
    page = j.page
    number = next(n for n, q in enumerate(questions, start=1) if q is skipped)
    if skipped["kind"] != "multiple":
        # Chromium would stop the submit at the empty `required` radio group itself
        # (its own bubble, never the server's summary): switch its check off, as a
        # browser without it would be, to reach the server's refusal.
        page.evaluate("document.getElementById('attempt-form').noValidate = true")
    _press_button(j, "Submit my answers", keyboard=keyboard)
    summary = page.get_by_role("alert").filter(has_text="Unanswered")
    expect(summary).to_contain_text(f"question {number}")
    expect(summary).to_be_focused()
    j.check("post-test attempt, refused with a question unanswered")
    link = summary.get_by_role("link", name=f"question {number}", exact=True)
    if keyboard:
        page.keyboard.press("Tab")
        assert a11y.is_focused(link), f"Tab from the error summary went to {a11y.focused(page)}"
        a11y.assert_focus_visible(page, "the unanswered question's link")
        page.keyboard.press("Enter")
    else:
        link.click()
    first_choice = page.locator(f"#question-{number} input").first
    expect(first_choice).to_be_focused()
    if keyboard:
        a11y.assert_focus_visible(page, "the unanswered question's first choice")
    # Every other answer is still ticked, as it was sent.
    for q in questions:
        if q is not skipped:
            for cid in answers[q["id"]]:
                expect(page.locator(f"input[name='q-{q['id']}'][value='{cid}']")).to_be_checked()
    answer = _answer_with_keyboard if keyboard else _answer_with_mouse
    answer(page, [skipped], answers)


def take_attempt(
    j, *, number: int, passing: bool, keyboard: bool, docs: bool = False, reload_midway=False,
    unanswered_first: bool = False,
) -> str:  # fmt: skip
    """Answer the open attempt (all wrong, or the key) and submit; the score shown.
    `reload_midway`: reload the page after half the answers, which it shows again.
    `unanswered_first`: submit once with a question unanswered (refused; its link in
    the error summary leads to it), then answer it and submit again."""
    page = j.page
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Post-test: attempt {number}")
    j.check(f"post-test attempt {number}", docs="post-test" if docs and number == 1 else None)
    # Every radio button and checkbox keeps its size, however long its answer.
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.choice input')]"
        ".map(e => Math.round(e.getBoundingClientRect().width))"
    )
    assert sizes and min(sizes) >= 16, f"shrunk answer controls: {sorted(set(sizes))} px"
    attempt_id = _attempt_id(page)
    questions = _frozen_questions(attempt_id)
    answers = _right_answers(questions) if passing else _wrong_answers(questions)
    answer = _answer_with_keyboard if keyboard else _answer_with_mouse
    skipped = _question_to_leave_unanswered(questions) if unanswered_first else None
    todo = [q for q in questions if q is not skipped]
    if reload_midway:
        half = len(todo) // 2
        answer(page, todo[:half], answers)
        _reload_keeps_answers(j, attempt_id, {q["id"]: answers[q["id"]] for q in todo[:half]})
        answer(page, todo[half:], answers)
    else:
        answer(page, todo, answers)
    if skipped is not None:
        _unanswered_refused_then_answered(j, questions, skipped, answers, keyboard=keyboard)
    _press_button(j, "Submit my answers", keyboard=keyboard)
    outcome = "passed" if passing else "not passed"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Attempt {number}: {outcome}")
    score = page.locator("#result-summary strong").first.inner_text()
    j.check(f"post-test result, {outcome}")
    return score


def post_test(j, *, keyboard: bool, docs: bool = False, reload_midway: bool = False) -> list[str]:
    """From the course page: fail the post-test once, then pass it."""
    page = j.page
    take = page.get_by_role("link", name="Take the post-test")
    assert_in_first_viewport(page, take, "Take the post-test")
    take.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Post-test")
    j.check("post-test")
    if keyboard:
        a11y.pointer_events_reset(page)
    _press_button(j, "Start the post-test", keyboard=keyboard)
    failed = take_attempt(
        j, number=1, passing=False, keyboard=keyboard, docs=docs, reload_midway=reload_midway,
        unanswered_first=True,
    )  # fmt: skip
    _press_button(j, "Start attempt 2", keyboard=keyboard)
    passed = take_attempt(j, number=2, passing=True, keyboard=keyboard)
    if keyboard:
        assert a11y.pointer_events(page) == 0, "a pointer event reached the post-test pages"
    return [failed, passed]


def evaluation_and_attestation(j) -> None:
    """Submit once empty (errors tied to each group), then complete it."""
    page = j.page
    page.get_by_role("link", name="Continue to the evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation and attestation")
    j.check("evaluation")

    # A five-point scale is one row on a wide screen and one column on a phone, never 2 + 2 + 1.
    choices = page.locator("fieldset.rating").first.locator(".choice")
    assert choices.count() == 5
    boxes = [choices.nth(i).bounding_box() for i in range(5)]
    lined_up = {round(b["x"]) for b in boxes} if on_phone(page) else {round(b["y"]) for b in boxes}
    assert len(lined_up) == 1, f"the rating scale wraps: {boxes}"

    page.get_by_role("button", name=re.compile(r"^Submit evaluation and attestation")).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct")
    first_group = page.locator("fieldset.rating").first
    a11y.assert_group_error_tied(first_group, contains="Choose a rating")
    attest = page.locator("#id_attest")
    a11y.assert_error_tied(attest)
    # The summary links to the fields it names.
    first_link = summary.get_by_role("link").first
    target = first_link.get_attribute("href")
    assert target.startswith("#") and page.locator(target).count() == 1, target
    j.check("evaluation with errors")

    for group in page.locator("fieldset.rating").all():
        legend = group.locator("legend").inner_text()
        if "time the course took" in legend:
            group.get_by_label("About right").check()
        elif "commercial bias" in legend:
            group.get_by_label("No", exact=True).check()
        else:
            group.get_by_label("Agree", exact=True).check()
    claim = page.get_by_role("group", name="Claim credit under")
    apa = claim.get_by_role("checkbox", name=re.compile(r"American Psychological Association"))
    expect(apa).to_be_checked()  # pre-checked: the clinician's license is a psychologist's
    attest.check()
    page.get_by_role("button", name=re.compile(r"^Submit evaluation and attestation")).click()
    # Back on the course page: every requirement met. (Checked with axe-core after
    # the dashboard: the dashboard must be reached while the worker still renders.)
    expect(page.get_by_role("status").first).to_contain_text(
        "your evaluation and attestation are recorded"
    )
    # While the worker renders: a plain status where the download will be.
    preparing = page.locator(".course-action [data-certificate-links]")
    expect(preparing).to_contain_text("being prepared")
    assert_in_first_viewport(page, preparing, "the certificate's status")


def certificate_on_dashboard(j, *, course_title: str, docs: bool = False) -> tuple[str, Path]:
    """The dashboard, opened while the worker still renders: the certificate's
    download link appears in the course card without a reload."""
    page = j.page
    with page.expect_response(lambda r: r.url.endswith("/dashboard/")) as response:
        main_nav(page, "Dashboard").click()
    # The live region is in the page as served: one added with its text is often silent.
    assert 'data-certificate-links role="status" aria-live="polite"' in response.value.text()
    card = page.locator("#enrollments > li").filter(
        has=page.get_by_role("heading", name=course_title)
    )
    step = card.locator("[data-step='certificate']")
    expect(step).to_contain_text("Being prepared")  # as the server rendered the page
    expect(step).to_have_attribute("data-step-state", "preparing")
    page.evaluate("window.__sameDocument = true")
    download = card.get_by_role("link", name=re.compile(r"^Download PDF"))
    expect(download).to_be_visible(timeout=30_000)
    assert page.evaluate("window.__sameDocument === true"), "the dashboard was reloaded"
    # The outcome, not a next step; and nothing stale once the PDF is ready.
    expect(card.locator(".course-outcome")).to_contain_text("You completed this course on")
    expect(card).not_to_contain_text(re.compile("next step|being prepared", re.IGNORECASE))
    expect(step).to_have_class("step-done")
    expect(step).to_have_attribute("data-step-state", "done")  # kept current by the script
    status = card.locator("[data-certificate-links]")
    assert (
        status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    )
    a11y.assert_progress_bars_named(page)
    # Colour contrast (AA), computed from the applied styles, of the dashboard's
    # quietest text and its controls; axe-core checks every text node as well.
    for selector, what in [
        (".steps .muted", "muted step detail"),
        (".brand-sub", "header tagline"),
        ("[data-certificate-links] a", "certificate download link"),
        (".site-footer a", "footer link on the tinted footer"),
        (".progress-count", "progress percentage"),
    ]:
        a11y.assert_contrast(page.locator(selector).first, what=what)
    j.check("dashboard, certificate ready", docs="dashboard" if docs else None)

    number = re.search(r"/certificates/([^/]+)/pdf/", download.get_attribute("href")).group(1)
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == f"{number}.pdf"
    return number, Path(info.value.path())


def verify(j, *, number: str, name: str, course_title: str) -> None:
    """The public verification form: a mistyped number is refused at its field, the
    real one shows the certificate as valid."""
    page = j.page
    main_nav(page, "Verify a certificate").click()
    j.check("verify form")
    field = page.get_by_label("Certificate number")
    field.fill("PRC-0000-NOT-REAL")
    page.get_by_role("button", name="Verify").click()
    a11y.assert_error_tied(field, contains="not a valid certificate number")
    j.check("verify form, mistyped number")
    field.fill(number.lower().replace("-", " "))  # as typed from paper
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(rf"/verify/{number}/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Status"))).to_contain_text("Valid")
    facts = page.locator(".verify-facts").first  # the badge section has its own list
    expect(facts).to_contain_text(name)
    expect(facts).to_contain_text(course_title)
    expect(facts).to_contain_text("American Psychological Association")  # the credit claimed
    # The number in the heading stays on one line, whatever the screen.
    lines = page.locator("h1 [data-certificate-number]").evaluate("e => e.getClientRects().length")
    assert lines == 1, f"the certificate number breaks over {lines} lines"
    j.check("verify, valid")


def transcript(j, *, number: str, course_title: str) -> None:
    """The clinician's certificates and their hours for a period."""
    page = j.page
    main_nav(page, "Transcript").click()
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text(course_title)
    expect(row).to_contain_text("Valid")
    expect(row.get_by_role("link", name=f"PDF of certificate {number}")).to_be_visible()
    credit = page.get_by_role("table", name="Credit hours by accreditor and category")
    expect(credit).to_contain_text("Total APA")
    # Hours under different accreditors are never added into one figure.
    expect(page.get_by_text("All hours")).to_have_count(0)
    j.check("transcript")


# --- The whole walk ------------------------------------------------------------------------


def clinician_walk_through(
    j, *, course_slug: str, keyboard: bool = False, docs_screenshots: bool = False,
    second_course_slug: str | None = None, reload_midway: bool = False,
) -> ClinicianWalk:  # fmt: skip
    from courses.models import CoursePage

    started_at = time.time()
    course = CoursePage.objects.live().get(slug=course_slug)
    page = j.page
    if keyboard:
        j.context.add_init_script(a11y.POINTER_SPY)
    email = f"{unique(j.name)}@example.com"
    name = "Zoë Ñúñez-Łukasiewicz" if keyboard else "Avery Quinn-Lindqvist"
    password = f"rare-{uuid.uuid4().hex}"

    j.goto("/", check="home")
    a11y.assert_skip_link(page)
    if on_phone(page):
        compact_menu(j)
    sign_up_and_confirm(j, email=email, name=name, password=password)
    license_add(j, number=unique("PSY"))

    enroll(j, course_title=course.title, docs=docs_screenshots)
    read_lessons(
        j, course_title=course.title, journal="What stirred in me was my own wish to rescue.",
        docs=docs_screenshots,
    )  # fmt: skip
    if second_course_slug:
        # A second course, one lesson in: the dashboard then shows progress under way.
        other = CoursePage.objects.live().get(slug=second_course_slug)
        enroll(j, course_title=other.title)
        read_lessons(j, course_title=other.title, journal=None, only=1)
        main_nav(page, "Courses").click()
        page.get_by_role("link", name=course.title).click()

    scores = post_test(j, keyboard=keyboard, docs=docs_screenshots, reload_midway=reload_midway)
    evaluation_and_attestation(j)
    number, pdf_path = certificate_on_dashboard(j, course_title=course.title, docs=docs_screenshots)
    verify(j, number=number, name=name, course_title=course.title)
    transcript(j, number=number, course_title=course.title)
    j.goto(course.url, check="course page, course completed")
    download = page.get_by_role("link", name=f"Download certificate for {course.title}")
    assert_in_first_viewport(page, download, "Download certificate")
    assert download.get_attribute("href").endswith(f"/certificates/{number}/pdf/")
    assert j.console_errors == [], j.console_errors
    return ClinicianWalk(
        journey=j,
        email=email,
        password=password,
        name=name,
        course_title=course.title,
        course_path=course.url,
        certificate_number=number,
        pdf=pdf_path.read_bytes(),
        pdf_path=pdf_path,
        scores=scores,
        pages_checked=j.step,
        started_at=started_at,
    )
