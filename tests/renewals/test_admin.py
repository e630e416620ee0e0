"""Administrators keep the boards' requirement templates in the Wagtail admin
(snippets with revisions); a template clinicians follow is not deleted."""

import html

import pytest
from django.urls import reverse

from renewals.models import RequirementTemplate
from tests.factories import client_reauthenticated, staff_user
from tests.renewals.conftest import md_tracked

pytestmark = pytest.mark.django_db


def _form(template: RequirementTemplate, **changes) -> dict:
    data = {
        "board": template.board,
        "region": template.region,
        "profession": template.profession,
        "credential": template.credential,
        "cycle_months": template.cycle_months,
        "total_hours": str(template.total_hours),
        "home_study_cap": str(template.home_study_cap or ""),
        "accepted_accreditors": template.accepted_accreditors,
        "source_url": template.source_url,
        "source_checked_on": template.source_checked_on.isoformat(),
        "is_example": "on" if template.is_example else "",
        "notes": template.notes,
        "minimums-TOTAL_FORMS": "2",
        "minimums-INITIAL_FORMS": "2",
        "minimums-MIN_NUM_FORMS": "0",
        "minimums-MAX_NUM_FORMS": "1000",
    }
    for i, minimum in enumerate(template.minimums.order_by("sort_order")):
        data |= {
            f"minimums-{i}-id": minimum.pk,
            f"minimums-{i}-category": minimum.category,
            f"minimums-{i}-hours": str(minimum.hours),
            f"minimums-{i}-ORDER": str(i + 1),
            f"minimums-{i}-DELETE": "",
        }
    return {k: v for k, v in (data | changes).items() if v != ""}


def test_an_administrators_edit_is_a_new_revision_and_cards_follow_it(
    admin_client, psychologist, md_template
):
    from renewals.selectors import license_cards

    md_tracked(psychologist, md_template)
    url = reverse("wagtailsnippets_renewals_requirementtemplate:edit", args=[md_template.pk])
    assert admin_client.get(url).status_code == 200
    revisions = md_template.revisions.count()
    response = admin_client.post(url, _form(md_template, total_hours="44", is_example=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    md_template.refresh_from_db()
    assert (md_template.total_hours, md_template.is_example) == (44, False)
    assert md_template.revisions.count() == revisions + 1
    (card,) = license_cards(user=psychologist)
    assert card.standing.total.required == 44


def test_a_home_study_limit_above_the_total_is_refused(admin_client, md_template):
    url = reverse("wagtailsnippets_renewals_requirementtemplate:edit", args=[md_template.pk])
    response = admin_client.post(url, _form(md_template, home_study_cap="50"))
    assert response.status_code == 200
    assert "The home-study limit cannot exceed the total hours." in html.unescape(
        response.content.decode()
    )


def test_a_template_clinicians_follow_is_not_deleted(admin_client, psychologist, md_template):
    md_tracked(psychologist, md_template)
    url = reverse("wagtailsnippets_renewals_requirementtemplate:delete", args=[md_template.pk])
    response = admin_client.post(url, follow=True)
    assert RequirementTemplate.objects.filter(pk=md_template.pk).exists()
    assert "cannot be deleted: 1 clinician license follows it" in html.unescape(
        response.content.decode()
    )


def test_instructors_cannot_change_templates(client, md_template):
    client.force_login(staff_user(group="Instructors"))
    client_reauthenticated(client)
    url = reverse("wagtailsnippets_renewals_requirementtemplate:edit", args=[md_template.pk])
    assert client.get(url).status_code in (302, 403)
    response = client.post(url, _form(md_template, total_hours="1"))
    assert response.status_code in (302, 403)
    md_template.refresh_from_db()
    assert md_template.total_hours == 40
