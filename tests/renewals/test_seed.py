"""The demo's example templates: plainly examples, each with its source; seeding
again keeps an Administrator's corrections; the demo clinician's license is
tracked. And the beat schedule names the renewal tasks the worker knows."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from cms.celery import app
from renewals import seed
from renewals.models import LicenseRequirement, RequirementTemplate
from tests.factories import clinician

pytestmark = pytest.mark.django_db


def test_every_seeded_template_is_an_example_with_its_source_and_a_first_revision():
    seed.templates_ensure()
    seed.templates_ensure()  # idempotent
    templates = list(RequirementTemplate.objects.prefetch_related("minimums"))
    assert len(templates) == len(seed.TEMPLATES) == 6
    for template in templates:
        assert template.is_example, template
        assert template.source_url.startswith("https://"), template
        assert template.notes and template.accepted_accreditors.strip()
        assert template.revisions.count() == 1
    maryland = RequirementTemplate.objects.get(region="MD")
    assert (maryland.total_hours, maryland.home_study_cap) == (40, 20)
    assert {m.category: m.hours for m in maryland.minimums.all()} == {
        "ethics": 3,
        "cultural_diversity": 3,
    }


def test_seeding_again_keeps_an_administrators_corrections():
    seed.templates_ensure()
    RequirementTemplate.objects.filter(region="TX").update(
        total_hours=Decimal("32"), is_example=False
    )
    seed.templates_ensure()
    texas = RequirementTemplate.objects.get(region="TX")
    assert (texas.total_hours, texas.is_example) == (32, False)


def test_the_demo_clinicians_maryland_license_is_tracked_to_the_next_march_31():
    user = clinician(professions=())
    license = user.licenses.create(profession="psychologist", region="MD", license_number="PSY-1")
    seed.demo_requirement_ensure(
        user=user, templates=seed.templates_ensure(), today=date(2027, 2, 1)
    )
    requirement = LicenseRequirement.objects.get(license=license)
    assert (requirement.cycle_start, requirement.deadline) == (date(2026, 4, 1), date(2028, 3, 31))
    assert requirement.template.region == "MD"
    assert seed.next_march_31(date(2026, 12, 4)) == date(2027, 3, 31)


def test_the_beat_schedule_names_the_renewal_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"renewals.reminders_send", "renewals.packets_sweep"} <= scheduled
    assert {"renewals.reminders_send", "renewals.packets_sweep", "renewals.packet_build"} <= set(
        app.tasks
    )
