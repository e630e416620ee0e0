"""The admin's tables at a laptop's width (1280 by 900): the certificate listing and
the course roster fit without scrolling sideways, every column (the delivery
column last) is on screen, and certificate numbers are never wrapped. Screenshots
in test-artifacts/screenshots/."""

from __future__ import annotations

import json
import subprocess
import sys

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_instructor_journey import ADMINISTRATOR
from tests.browser.walks import log_in
from tests.conftest import ROOT, _worker_env


def records_seed() -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "tests.browser.records_seed"],
        cwd=ROOT,
        env=_worker_env(settings.DATABASES["default"]["NAME"]),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def table_fit(page, selector: str) -> dict:
    """How the table sits in the window: its right edge, its box's scroll, the window."""
    return page.evaluate(
        """selector => {
            const table = document.querySelector(selector);
            const box = table.parentElement;
            const cells = [...table.querySelectorAll('thead th')];
            return {
                right: Math.max(...cells.map(c => c.getBoundingClientRect().right)),
                window: document.documentElement.clientWidth,
                scroll: box.scrollWidth, box: box.clientWidth,
                page: document.documentElement.scrollWidth,
            };
        }""",
        selector,
    )


def assert_fits(page, selector: str) -> None:
    fit = table_fit(page, selector)
    # A pixel of slack as below: sub-pixel layout (1280.66 on another machine's fonts)
    # cuts nothing off.
    assert fit["right"] <= fit["window"] + 1, f"a column is cut off at {page.url}: {fit}"
    assert fit["scroll"] <= fit["box"] + 1, f"the table scrolls sideways at {page.url}: {fit}"
    assert fit["page"] <= fit["window"] + 1, f"the page scrolls sideways at {page.url}: {fit}"


# The widest a certificate number can be (W and M are the alphabet's widest
# letters), and a surname of one long word.
WIDEST_NUMBER = "PRC-2026-WMWM-MWMW"
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff"


def assert_fits_any_data(page, selector: str, fill: dict[str, str]) -> None:
    """The table still fits with the widest data its cells may hold: the width must
    not depend on which letters a number drew or how long a word a name has
    (``fill``: cell selector → text written into every such cell)."""
    page.evaluate(
        """([selector, fill]) => {
            const table = document.querySelector(selector);
            for (const [cells, text] of Object.entries(fill)) {
                for (const cell of table.querySelectorAll(cells)) {
                    const target = cell.querySelector('a') || cell;
                    target.textContent = text;
                }
            }
        }""",
        [selector, fill],
    )
    assert_fits(page, selector)


def assert_one_line(locator) -> None:
    """Each element's text on one line (a wrapped number has several line boxes)."""
    lines = locator.evaluate_all(
        "els => els.map(e => [e.textContent.trim(), e.getClientRects().length,"
        " Math.round(e.getBoundingClientRect().height),"
        " parseFloat(getComputedStyle(e).lineHeight) || 24])"
    )
    assert lines, "nothing to measure"
    for text, _rects, height, line_height in lines:
        assert height < 1.6 * line_height, f"“{text}” wraps ({height}px for {line_height}px lines)"


def test_the_certificate_listing_and_the_roster_fit_a_laptop_screen(journey):
    records = records_seed()
    admin = journey("administrator (tables at 1280 px)")
    log_in(admin, ADMINISTRATOR, check="login (administrator)")
    page = admin.page

    admin.goto("/admin/certificates/", check="certificate listing at 1280 px")
    expect(page.locator("table.listing")).to_contain_text(records["numbers"][0])
    assert_fits(page, "table.listing")
    assert_one_line(page.locator("table.listing td.cert-number a"))
    expect(page.get_by_role("columnheader", name="Issued")).to_be_in_viewport()
    expect(page.locator("td.cert-status").first).to_contain_text("Delivery:")
    assert_fits_any_data(
        page,
        "table.listing",
        {
            "td.cert-number": WIDEST_NUMBER,
            "td.cert-text": f"Alexandra {LONG_NAME}-Konstantinopoulou, PsyD",
        },
    )
    assert_one_line(page.locator("table.listing td.cert-number a"))

    today = timezone.localdate()
    admin.goto(
        f"/admin/audit-reports/roster/?course={records['course_id']}&basis=enrolled"
        f"&start={today.replace(month=1, day=1)}&end={today}",
        check="course roster at 1280 px",
    )
    expect(page.locator("table.report-table")).to_contain_text(records["numbers"][0])
    assert_fits(page, "table.report-table")
    assert_one_line(page.locator("table.report-table .cert-number"))
    assert admin.console_errors == [], admin.console_errors
