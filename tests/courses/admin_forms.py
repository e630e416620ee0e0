"""POST data for the Wagtail admin's page editor, as its forms submit it
(built with Wagtail's own wagtail.test.utils.form_data helpers)."""

import re

from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from tests.factories import AccreditorFactory, InstructorFactory


def page_form(fields: dict, **overrides) -> dict:
    """A page's own `fields`, with the Promote and Settings tabs left empty and no
    comments, then `overrides`, nested as the editor posts them."""
    data = {
        **fields,
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def course_form(
    *,
    title: str = "Working with ruptures",
    slug: str = "working-with-ruptures",
    instructors=(),
    credits=(),
    objectives: int = 3,
    **overrides,
) -> dict:
    """A complete course form; `credits` is a list of (accreditor, hours)."""
    data = {
        "title": title,
        "slug": slug,
        "summary": "How to notice, name and repair alliance ruptures.",
        "hero_image": "",
        "objectives": inline_formset(
            [{"text": f"Identify rupture marker number {i + 1}."} for i in range(objectives)]
        ),
        "outline": rich_text("<ul><li>Markers of rupture</li><li>Repair</li></ul>"),
        "target_audience": "Licensed psychotherapists in individual practice.",
        "limitations": rich_text("<p>Reading about ruptures does not replace supervision.</p>"),
        "level": "intermediate",
        "delivery_format": "self_paced_reading",
        "estimated_minutes": "30",
        "course_instructors": inline_formset([{"instructor": str(i.pk)} for i in instructors]),
        "references": streamfield([]),
        "price": "0",
        "topics": "alliance, ruptures",
        "credits": inline_formset(
            [{"accreditor": str(a.pk), "category": "general", "hours": str(h)} for a, h in credits]
        ),
        "credit_method": "word_count",
        "words_per_credit_hour": "10000",
        "credit_evidence": "",
    }
    return page_form(data, **overrides)


def course_added(client, *, catalog, instructor_user, **extra):
    """`client` posts a new course under `catalog` from the page editor: the course
    form naming `instructor_user` its instructor, with 0.5 h of credit from a new
    accreditor, and `extra` fields (an action: `**{"action-publish": "1"}`)."""
    form = course_form(
        instructors=[InstructorFactory(user=instructor_user)],
        credits=[(AccreditorFactory(), "0.5")],
    )
    return client.post(f"/admin/pages/add/courses/coursepage/{catalog.pk}/", {**form, **extra})


def lesson_form(*, title: str, slug: str, words: int = 2600, **overrides) -> dict:
    data = {
        "title": title,
        "slug": slug,
        "credit_category": "general",
        "body": streamfield(
            [
                ("paragraph", rich_text("<p>" + " ".join(["reading"] * words) + "</p>")),
                ("reflection_prompt", {"prompt": "When did you last notice a rupture?"}),
            ]
        ),
    }
    return page_form(data, **overrides)


def edit_form_of(client, page) -> dict:
    """What the page editor would post back unchanged: its rendered inputs plus the
    StreamField data the editor's script would send (taken from the saved page)."""
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form").dict()
    data = {k: v for k, v in data.items() if "__prefix__" not in k}
    specific = page.specific
    for name in ("references", "body"):
        if hasattr(specific, name):
            data.update(nested_form_data({name: _stream_of(getattr(specific, name))}))
    return data


def _stream_of(stream) -> dict:
    items = []
    for block in stream.raw_data:
        value = block["value"]
        if isinstance(value, str):
            value = rich_text(value)
        items.append((block["type"], value))
    return streamfield(items)


def form_errors(response) -> str:
    """The error messages of an admin form response, for assertion messages."""
    html = response.content.decode()
    return " | ".join(
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', html, re.S)
    )


def admin_messages(response) -> list[str]:
    """The messages (Django's message framework) a response left for the user."""
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


def workflow_approve(client, page, *, follow=False):
    """Approve the page's current workflow task, as the moderation button does."""
    from django.urls import reverse
    from wagtail.models import Page

    page = Page.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    assert task_state is not None, f"{page} is not in moderation"
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    return client.post(url, {"comment": ""}, follow=follow)
