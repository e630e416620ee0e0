"""Every lesson of the three launch modules renders for an enrolled clinician, over
HTTP (the Django test client), with its case vignette's fictional-composite notice
and a private journal form for each reflection prompt."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from courses import seed as course_seed
from tests.factories import UserFactory, launch_module_as_seeded, lessons_of

pytestmark = pytest.mark.django_db

SPECS = {spec["slug"]: spec for spec in course_seed.launch_module_specs()}
# Lessons that carry a case vignette, by module (the others have none).
EXPECTED_VIGNETTE_LESSONS = {
    "when-treatment-fails": {
        "why-we-avoid-failure",
        "futility-in-the-room",
        "deterioration-research",
        "supervising-stuck-treatment",
    },
    "countertransference-as-information": {
        "from-obstacle-to-instrument",
        "countertransference-across-difference",
        "managing-countertransference",
        "disclosure-and-consultation",
    },
    "good-enough-therapist": {
        "perfectionism-burnout-self-forgiveness",
        "rupture-and-repair",
        "ethics-when-therapy-is-not-helping",
        "ethics-of-the-therapists-limits",
    },
}
JOURNAL_FORM = '<form method="post" action="/learn/journal/" class="journal-form">'


def _blocks(lesson_spec: dict, kind: str) -> list[dict]:
    return [block["value"] for block in lesson_spec["body"] if block["type"] == kind]


def test_the_expected_vignettes_name_real_lessons():
    assert set(EXPECTED_VIGNETTE_LESSONS) == set(SPECS)
    for slug, expected in EXPECTED_VIGNETTE_LESSONS.items():
        assert expected <= {lesson["slug"] for lesson in SPECS[slug]["lessons"]}, slug


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_an_enrolled_clinician_reads_every_lesson_with_its_vignette_notice_and_journal(
    slug, client
):
    course = launch_module_as_seeded(slug)
    client.force_login(UserFactory())
    lessons = lessons_of(course)
    # Not enrolled yet: a clinician is sent to the course page to enroll.
    assert client.get(lessons[0].url).status_code == 302
    assert client.post(reverse("courses:enroll"), {"course": course.pk}).status_code == 302

    specs = {lesson["slug"]: lesson for lesson in SPECS[slug]["lessons"]}
    assert [lesson.slug for lesson in lessons] == [
        lesson["slug"] for lesson in SPECS[slug]["lessons"]
    ]
    with_vignette = set()
    for lesson in lessons:
        response = client.get(lesson.url)
        assert response.status_code == 200, lesson.slug
        page = response.content.decode()
        assert f"<h1>{escape(lesson.title)}</h1>" in page, lesson.slug

        vignettes = _blocks(specs[lesson.slug], "case_vignette")
        assert page.count('<section class="block-vignette"') == len(vignettes), lesson.slug
        if vignettes:
            with_vignette.add(lesson.slug)
        for vignette in vignettes:
            notice = escape(vignette["notice"])
            assert f'<p class="notice">{notice}</p>' in page, lesson.slug
            assert "composite" in notice.lower() and "fictional" in notice.lower(), lesson.slug

        prompts = _blocks(specs[lesson.slug], "reflection_prompt")
        assert prompts, lesson.slug
        assert page.count(JOURNAL_FORM) == len(prompts), lesson.slug
        assert page.count('name="text" maxlength="20000"') == len(prompts), lesson.slug
        assert f'<input type="hidden" name="lesson" value="{lesson.pk}">' in page, lesson.slug
        assert "Enrolled clinicians write a private reflection here" not in page, lesson.slug
    assert with_vignette == EXPECTED_VIGNETTE_LESSONS[slug]
