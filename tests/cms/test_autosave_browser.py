"""Wagtail's autosave and a save clicked at the same moment, in a real Chromium.

On a new page, Wagtail 8's autosave creates the page by a background request
half a second after the first change and then points the form at the edit view.
A "Save draft" clicked while that request was pending posted the create form
again, and the second create failed the slug check with a server error (seen in
the instructor journey on a loaded machine). cms/static/cms/save-after-autosave.js
holds the save until the autosave has answered.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from cms.models import StandardPage
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_save_clicked_during_an_autosave_waits_for_it_and_saves_once_what_was_typed(
    browser_as, live_server, site_tree
):
    page, console = browser_as(UserFactory(is_staff=True, is_superuser=True))
    create_url = f"{live_server.url}/admin/pages/add/cms/standardpage/{site_tree.pk}/"
    # The autosave's requests (fetch, JSON) to the create view are held here until
    # the test lets them go; every other request passes.
    held = []

    def hold_autosave(route, request):
        if request.method == "POST" and "application/json" in request.headers.get("accept", ""):
            held.append(route)
        else:
            route.continue_()

    page.route(f"{create_url}*", hold_autosave)
    posts, saves, failures = [], [], []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    # The form posted by hand (a navigation), not the scripts' requests.
    page.on("request", lambda r: saves.append(r.url) if r.is_navigation_request() else None)
    page.on("response", lambda r: failures.append(r.url) if r.status >= 500 else None)

    # Wagtail takes the form as it stands two seconds after loading as "unchanged"
    # (w-unsaved:watch-edits); changes after that start an autosave.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits',"
        " () => document.documentElement.setAttribute('data-watching', 'edits'))"
    )
    page.goto(create_url)
    expect(page.locator("html")).to_have_attribute("data-watching", "edits")
    page.get_by_role("textbox", name="Title").first.fill("Ruptures and repair")
    deadline = time.monotonic() + 15
    while not held:
        assert time.monotonic() < deadline, "the autosave never started"
        page.wait_for_timeout(50)
    # Typed after the autosave took its copy of the form, then saved by hand.
    page.get_by_role("textbox", name="Intro").fill("Noticing and naming strains.")
    page.get_by_role("button", name="Save draft").click()

    # The save waits: no second create goes out while the autosave is pending.
    page.wait_for_timeout(1500)
    assert posts == [create_url], posts
    assert StandardPage.objects.filter(title="Ruptures and repair").count() == 0

    held[0].continue_()
    page.unroute(f"{create_url}*")  # lets any later autosave through as well
    expect(page.locator(".messages")).to_contain_text("Ruptures and repair", timeout=20_000)

    [made] = StandardPage.objects.filter(title="Ruptures and repair")
    assert page.url.startswith(f"{live_server.url}/admin/pages/{made.pk}/edit/")
    # Once the autosave had created the page, the save went to its edit view (the
    # autosave may have posted the create form more than once: a copy taken before
    # the slug was filled in is refused, 400, and the next one creates the page),
    # and the revision saved holds what was typed after the autosave's copy.
    edit_url = f"{live_server.url}/admin/pages/{made.pk}/edit/"
    assert [url for url in saves if url in (create_url, edit_url)] == [
        create_url,  # the create form, opened
        edit_url,  # the save by hand (then the editor, opened after its redirect)
        edit_url,
    ]
    assert made.get_latest_revision_as_object().intro == "Noticing and naming strains."
    assert failures == []
    assert [m for m in console if "500" in m] == []
