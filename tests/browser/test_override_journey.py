"""Journey: the administrator grants a clinician an extra post-test attempt
(issue 15). From the admin's Learner overrides, the grant form refused empty
(the errors tied to their fields), then granted; the list shows it; the
clinician sees it on the post-test's page. axe-core checks every page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_tables import assert_fits
from tests.browser.test_instructor_journey import ADMINISTRATOR
from tests.browser.walks import Login, admin_title, log_in

COURSE = "Countertransference as clinical information"


@pytest.fixture(scope="module")
def enrolled(live_site, django_db_blocker):
    """A clinician enrolled in the course, committed (a test body's own writes are
    rolled back and never reach the server): (email, the post-test's URL)."""
    from courses.models import CoursePage
    from courses.services import enrollment_create
    from quizzes.selectors import post_test_for_course
    from tests.factories import clinician

    email = f"override-{uuid.uuid4().hex[:8]}@example.org"
    with django_db_blocker.unblock():
        user = clinician(full_name="Robin Okafor", email=email)
        course = CoursePage.objects.live().get(title=COURSE)
        enrollment_create(user=user, course=course)
        return email, post_test_for_course(course=course).url


def test_an_administrator_grants_an_extra_attempt_and_the_clinician_sees_it(journey, enrolled):
    from tests.factories import DEFAULT_PASSWORD

    email, post_test_url = enrolled
    admin = journey("administrator (overrides)")
    log_in(admin, ADMINISTRATOR, check="login (administrator, overrides)")
    page = admin.page
    admin.goto("/admin/support/overrides/", check="learner overrides")
    expect(admin_title(page)).to_have_text("Learner overrides")
    page.get_by_role("link", name="Grant an override").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grant an override")
    expect(admin_title(page)).to_have_text("Grant an override")
    admin.check("grant an override")

    page.get_by_role("textbox", name=re.compile(r"^Reason")).fill("")
    page.get_by_role("button", name="Grant the override").click()
    expect(page.locator("main")).to_contain_text("This field is required.")
    admin.check("grant an override, refused empty")

    page.get_by_role("textbox", name=re.compile(r"^Clinician's email")).fill(email)
    page.get_by_role("combobox", name=re.compile(r"^Course")).select_option(label=COURSE)
    page.get_by_role("spinbutton", name=re.compile(r"^Extra post-test attempts")).fill("1")
    page.get_by_role("textbox", name=re.compile(r"^Reason")).fill(
        "Accommodation: the connection dropped during the last attempt."
    )
    page.get_by_role("button", name="Grant the override").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        f"Granted to {email}"
    )
    row = page.locator("tr", has_text=email)
    expect(row).to_contain_text("1 extra attempt")
    expect(row).to_contain_text("In force until")
    # The button's words for a screen reader name whose override it ends; on screen, "End now".
    end = row.get_by_role("button", name=f"End now the override for {email}")
    box = end.locator("span").bounding_box()
    assert box and box["width"] <= 1 and box["height"] <= 1, f"the hidden words show: {box}"
    # At 1280 px every column is on screen, the button of the last one too.
    assert_fits(page, "table.listing")
    expect(end).to_be_in_viewport(ratio=1)
    admin.check("learner overrides, granted")

    learner = journey("clinician (override)")
    log_in(learner, Login(email, DEFAULT_PASSWORD), check="login (clinician, override)")
    learner.goto(post_test_url)
    note = learner.page.locator("[data-override]")
    expect(note).to_contain_text("Granted to you by the CE administrator")
    expect(note).to_contain_text("you have 1 extra attempt (1 not used yet)")
    learner.check("post-test, an extra attempt granted")
    for j in (admin, learner):
        assert j.console_errors == [], (j.name, j.console_errors)
