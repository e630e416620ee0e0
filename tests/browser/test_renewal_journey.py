"""Journey 5: a new clinician with a Maryland psychologist's license tracks its
renewal under the demo's Maryland template (a mistake first), uploads a
certificate from another provider, sees the card on the dashboard, and prepares
the renewal packet, watching its progress without a reload. Every page goes
through axe-core (no serious or critical violation)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.walks import license_add, sign_up_and_confirm, unique
from tests.factories import pdf_bytes


def test_clinician_tracks_a_renewal_uploads_a_certificate_and_sees_the_card(journey):
    from renewals.models import LicenseRequirement, OutsideCertificate

    j = journey("renewals")
    page = j.page
    email = f"{unique('renewal')}@example.org"
    j.goto("/", check="home")
    sign_up_and_confirm(j, email=email, name="Robin Castellanos", password="a-Long-test-pass-42")
    license_add(j, number=unique("PSY"))
    j.goto("/dashboard/", check="dashboard, license not tracked")
    renewals = page.get_by_role("region", name="License renewals")
    renewals.get_by_role("link", name=re.compile("Set up renewal tracking")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Psychologist license")
    j.check("renewal set-up")

    page.get_by_label("Cycle started on").fill("2025-04-01")
    page.get_by_label("Renewal deadline").fill("2025-01-01")
    page.get_by_label("Your board's requirement").select_option(
        label="Maryland Board of Examiners of Psychologists (MD) — Psychologist"
    )
    page.get_by_role("button", name="Start tracking").click()
    a11y.assert_error_tied(page.get_by_label("Renewal deadline"), contains="must come after")
    j.check("renewal set-up, deadline before the cycle's start")
    page.get_by_label("Renewal deadline").fill("2027-03-31")
    page.get_by_role("button", name="Start tracking").click()
    expect(page.get_by_role("status").first).to_contain_text("requirement was saved")
    j.check("license renewal page")
    requirement = LicenseRequirement.objects.get(license__user__email=email)
    assert requirement.template.board == "Maryland Board of Examiners of Psychologists"

    page.get_by_role("link", name="License renewals", exact=True).click()
    page.get_by_label("Certificate file").set_input_files(
        files=[
            {
                "name": "ethics-workshop.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("Ethics workshop certificate"),
            }
        ]
    )
    page.get_by_role("textbox", name="Course title").fill("Ethics for the digital age")
    page.get_by_role("textbox", name="Provider").fill("Elsewhere CE")
    page.get_by_role("textbox", name="Approved by").fill("APA")
    page.get_by_label("Category").select_option(label="Ethics")
    page.get_by_role("spinbutton", name="Hours").fill("3")
    page.get_by_label("Completion date").fill("2026-10-01")
    page.get_by_role("button", name="Add certificate").click()
    expect(page.get_by_role("status").first).to_contain_text("was added")
    j.check("renewals with an uploaded certificate")
    assert OutsideCertificate.objects.filter(user__email=email).count() == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    card = page.locator("#renewal-cards li").first
    expect(card).to_contain_text("March 31, 2027")
    expect(card).to_contain_text("Example — verify with the board")
    expect(card.locator(".renewal-sentence")).to_contain_text("by March 31, 2027")
    bars = a11y.assert_progress_bars_named(page, minimum=3)
    ethics = next(b for b in bars if b["label"] == "Ethics")
    assert ethics["valuetext"] == "3 of 3 hours", bars
    j.check("dashboard with a renewal card")

    card.get_by_role("link", name=re.compile("Credits, uploads and renewal packet")).click()
    expect(page.get_by_text("Ethics for the digital age")).to_be_visible()
    page.get_by_role("button", name="Prepare the renewal packet").click()
    expect(page.get_by_role("progressbar", name="Renewal packet")).to_be_visible()
    link = page.get_by_role("link", name="Download the renewal packet")
    expect(link).to_be_visible(timeout=60_000)  # put there by packet-status.js, no reload
    j.check("license renewal page, packet ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("renewal-packet-")
    assert j.console_errors == [], j.console_errors
