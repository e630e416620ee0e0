"""Journey 3: the administrator corrects a certificate. The clinician of journey 1
(the `clinician_walk` fixture: their browser context, their certificate) fixes
their name on their profile; the administrator finds the certificate in the
Wagtail admin's listing by searching, reissues it, then revokes the new one
with a reason; the public verification pages say "reissued" (pointing to the
new number) for the first and "revoked" for the second."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.test_instructor_journey import ADMINISTRATOR, log_in


def certificate_name_correct(j, *, name: str) -> None:
    """On the clinician's profile: an empty name is refused at its field, then fixed."""
    page = j.page
    j.goto("/profile/", check="profile, before the name correction")
    field = page.get_by_role("textbox", name="Name on certificates")
    field.fill("   ")
    page.get_by_role("button", name="Save name").click()
    a11y.assert_error_tied(field)
    j.check("profile, empty name refused")
    field.fill(name)
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("status")).to_contain_text("Your certificate name was saved")
    expect(field).to_have_value(name)
    j.check("profile, name corrected")


def certificate_find(j, *, query: str, number: str) -> None:
    """The admin listing, searched (as typed: results update in place), then opened."""
    page = j.page
    page.get_by_role("link", name="Certificates").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Certificates")
    page.get_by_label("Search term").fill(query)
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    j.check("certificate listing, searched")
    rows.first.get_by_role("link", name=number).click()
    expect(page.locator("main")).to_contain_text("Audit history")
    j.check("certificate page")


#: The internal reason's accessible name (Wagtail marks a required field "*"); the
#: other one, "Reason for the clinician", is what the clinician is told. Found by role and
#: name, as a screen reader announces it: the label's raw text carries template whitespace.
INTERNAL_REASON = re.compile(r"^Reason\*?$")


def internal_reason(page):
    return page.get_by_role("textbox", name=INTERNAL_REASON)


def certificate_act(j, *, action: str, reason: str, password: str | None = None) -> str:
    """Reissue or revoke the open certificate with a reason (required: tried empty
    first); the number of the certificate the admin lands on afterwards. With
    `password`, the action first asks for it again (the session's first
    sensitive action: accounts.decorators)."""
    page = j.page
    page.get_by_role("link", name=action, exact=True).click()
    if password is not None:
        expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
        j.check("re-authentication before a certificate action")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Confirm").click()
    expect(internal_reason(page)).to_be_visible()
    j.check(f"{action.lower()} form")
    page.get_by_role("button", name=action, exact=True).click()
    a11y.assert_error_tied(internal_reason(page), contains="required")
    j.check(f"{action.lower()} form, reason missing")
    internal_reason(page).fill(reason)
    page.get_by_label("Reason for the clinician").fill(f"{action}: {reason}")
    page.get_by_role("button", name=action, exact=True).click()
    heading = page.locator("#cert-status")
    expect(heading).to_be_visible()
    j.check(f"certificate page after {action.lower()}")
    return heading.inner_text().split(" — ")[0].strip()


def test_administrator_reissues_after_a_name_correction_then_revokes_the_new_one(
    clinician_walk, journey
):
    from certificates.models import Certificate, CertificateEvent

    walk = clinician_walk
    first = walk.certificate_number
    corrected = "Avery Quinn-Lindqvist Søderberg"
    certificate_name_correct(walk.journey, name=corrected)

    admin = journey("administrator (certificates)")
    log_in(admin, ADMINISTRATOR, check="login (administrator)")
    admin.goto("/admin/", check="admin dashboard")
    certificate_find(admin, query=walk.email, number=first)

    second = certificate_act(
        admin,
        action="Reissue",
        reason="Name corrected by the participant.",
        password=ADMINISTRATOR.password,
    )
    assert second != first and re.fullmatch(r"PRC-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", second)
    expect(admin.page.locator("main")).to_contain_text(f"Reissue of {first}")
    expect(admin.page.locator("main")).to_contain_text(corrected)
    revoked = certificate_act(
        admin, action="Revoke", reason="Issued against an attestation found to be untrue."
    )
    assert revoked == second
    expect(admin.page.locator("main")).to_contain_text("Revoked on")

    old, new = Certificate.objects.get(number=first), Certificate.objects.get(number=second)
    assert old.status == Certificate.Status.REISSUED and new.supersedes_id == old.pk
    assert new.status == Certificate.Status.REVOKED and new.participant_name == corrected
    assert old.participant_name == walk.name, "the first certificate stays as issued"
    reasons = set(
        CertificateEvent.objects.filter(certificate__in=[old, new]).values_list("reason", flat=True)
    )
    assert {
        "Name corrected by the participant.",
        "Issued against an attestation found to be untrue.",
    } <= reasons

    # What an employer sees, without an account.
    public = journey("employer")
    public.goto(f"/verify/{first}/")
    page = public.page
    expect(page.get_by_role("heading", name=re.compile(r"^Status"))).to_contain_text("Reissued")
    expect(page.locator("main")).to_contain_text(walk.name)
    public.check("verify, reissued")
    page.get_by_role("link", name=second).click()
    expect(page).to_have_url(re.compile(rf"/verify/{second}/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Status"))).to_contain_text("Revoked on")
    expect(page.locator("main")).to_contain_text(corrected)
    expect(page.locator("main")).not_to_contain_text(walk.email)
    public.check("verify, revoked")
    for j in (admin, public):
        assert j.console_errors == [], (j.name, j.console_errors)
