"""The screenshots in docs/screenshots (docs/screenshots.md), current: the
catalog, a lesson, the post-test, the dashboard with progress bars (taken by the
clinician's walk), the certificate (the first page of the PDF the clinician
downloaded, rendered to PNG), the admin's certificate listing, and the course
page, the open menu and a lesson on a phone (390 x 844).

`make screenshots` runs this test alone with DOCS_SCREENSHOT_DIR=docs/screenshots;
in the full run they go to test-artifacts/screenshots/docs."""

from __future__ import annotations

import pypdfium2
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_instructor_journey import ADMINISTRATOR
from tests.browser.walks import Login, log_in

DOCS_SCREENSHOTS = [
    "catalog", "lesson", "post-test", "dashboard", "certificate", "admin-certificates",
]  # fmt: skip
# Taken at 390 x 844 by the same clinician, once the certificate exists.
PHONE_SCREENSHOTS = ["phone-course", "phone-menu", "phone-lesson"]


def phone_screenshots(journey, clinician_walk) -> None:
    from courses.models import CoursePage, LessonPage

    phone = journey("clinician (phone, docs)", **PHONE)
    log_in(phone, Login(clinician_walk.email, clinician_walk.password), check="login (phone)")
    phone.goto(clinician_walk.course_path, check="course page (phone)", docs="phone-course")
    phone.page.get_by_role("button", name="Menu").click()
    expect(phone.page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    phone.check("menu open (phone)", docs="phone-menu")
    course = CoursePage.objects.live().get(title=clinician_walk.course_title)
    lesson = LessonPage.objects.live().child_of(course).first()
    phone.goto(lesson.url, check="lesson (phone)", docs="phone-lesson")


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
    phone_screenshots(journey, clinician_walk)

    for name in DOCS_SCREENSHOTS + PHONE_SCREENSHOTS:
        path = docs_screenshot_dir / f"{name}.png"
        assert path.exists(), f"{path} was not written"
        # Written by this session's walk or by this test, not left from an earlier run.
        assert path.stat().st_mtime >= clinician_walk.started_at, f"{path} is stale"
        with Image.open(path) as shot:
            if name in PHONE_SCREENSHOTS:
                assert shot.size == (780, 1688), (name, shot.size)  # 390 x 844 at 2x
            else:
                assert shot.width >= 1000 and shot.height >= 600, (name, shot.size)
