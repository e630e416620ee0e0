"""The screenshots in docs/screenshots (docs/screenshots.md), current: the
catalog, a lesson, the post-test, the dashboard with progress bars (taken by the
clinician's walk), the certificate (the first page of the PDF the clinician
downloaded, rendered to PNG) and the admin's certificate listing.

`make screenshots` runs this test alone with DOCS_SCREENSHOT_DIR=docs/screenshots;
in the full run they go to test-artifacts/screenshots/docs."""

from __future__ import annotations

import pypdfium2
from PIL import Image

from tests.browser.test_instructor_journey import ADMINISTRATOR, log_in

DOCS_SCREENSHOTS = [
    "catalog", "lesson", "post-test", "dashboard", "certificate", "admin-certificates",
]  # fmt: skip


def test_docs_screenshots_of_the_key_screens_are_current(
    clinician_walk, journey, docs_screenshot_dir
):
    admin = journey("administrator (docs)")
    log_in(admin, ADMINISTRATOR, check="login (administrator)")
    admin.goto("/admin/certificates/", check="certificate listing", docs="admin-certificates")

    pdf = pypdfium2.PdfDocument(clinician_walk.pdf)
    try:
        image = pdf[0].render(scale=1.5).to_pil()
    finally:
        pdf.close()
    image.save(docs_screenshot_dir / "certificate.png")

    for name in DOCS_SCREENSHOTS:
        path = docs_screenshot_dir / f"{name}.png"
        assert path.exists(), f"{path} was not written"
        # Written by this session's walk or by this test, not left from an earlier run.
        assert path.stat().st_mtime >= clinician_walk.started_at, f"{path} is stale"
        with Image.open(path) as shot:
            assert shot.width >= 1000 and shot.height >= 600, (name, shot.size)
