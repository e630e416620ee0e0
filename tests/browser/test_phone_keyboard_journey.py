"""Journey 4: the clinician's journey on a phone (390 x 844, touch, mobile
layout), with the post-test taken by keyboard alone: Tab into each question,
arrow keys to choose, Space to tick, Enter to submit; halfway through the first
attempt the page is reloaded and shows the answers saved as they were chosen — no pointer event reaches
the post-test pages, and every stop shows a visible focus indicator."""

from __future__ import annotations

from tests.browser.conftest import PHONE
from tests.browser.walks import clinician_walk_through


def test_clinician_on_a_phone_takes_the_post_test_by_keyboard_and_gets_the_certificate(
    journey,
):
    from certificates.models import Certificate

    walk = clinician_walk_through(
        journey("phone", **PHONE),
        course_slug="good-enough-therapist",
        keyboard=True,
        reload_midway=True,
    )
    assert walk.journey.page.viewport_size == {"width": 390, "height": 844}
    assert walk.journey.page.evaluate("matchMedia('(pointer: coarse)').matches")
    certificate = Certificate.objects.get(number=walk.certificate_number)
    assert certificate.participant_name == "Zoë Ñúñez-Łukasiewicz"
    assert walk.pdf.startswith(b"%PDF-")
