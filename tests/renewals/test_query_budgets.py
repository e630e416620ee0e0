"""The dashboard with renewal cards runs a fixed number of queries whatever the
number of licenses, certificates and uploads: measured with one of each and with
several (under templates and under the clinician's own numbers, with courses
suggested on each card), the counts are equal and under the budget."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.courses.conftest import client_for
from tests.factories import (
    LicenseFactory,
    certificates_completed_on,
    clinician,
    course_build,
    course_build_in,
    license_tracked,
    outside_certificate,
    requirement_template,
)
from tests.queries import assert_constant, page_queries

pytestmark = pytest.mark.django_db

# Measured 25: the dashboard without renewals (20, tests/certificates/test_query_budgets.py)
# and five for the cards: licenses with their requirements and templates, the
# templates' minimums, certificates, uploads and the suggested courses.
DASHBOARD_BUDGET = 25


def _queries(client, *, cards: int) -> list[str]:
    """The dashboard's SQL, once it shows `cards` renewal cards with suggested courses."""
    content = client.get("/dashboard/").content.decode()
    assert content.count('data-requirement="total"') == cards
    assert "Practicum courses that fill the gap" in content
    return page_queries(client, "/dashboard/")


def _history(user, apa, label: str, day: date):
    course = course_build(title=f"Done {label}", accreditors=[apa])
    certificates_completed_on(user=user, course=course, day=day)
    outside_certificate(user=user, title=f"Elsewhere {label}", completed_on=day)


def _own_numbers_and_untracked(user) -> None:
    """Two more licenses for `user`: one tracked under the clinician's own numbers
    (NY), one not tracked (TX)."""
    license_tracked(
        license=LicenseFactory(user=user, region="NY", license_number="PSY 3"),
        cycle_start=date(2024, 1, 1),
        deadline=date(2027, 1, 1),
        cycle_months=36,
        total_hours="36",
        minimums={"ethics": "3"},
        accepted_accreditors="APA",
    )
    LicenseFactory(user=user, region="TX", license_number="PSY 4")


def test_the_dashboard_is_constant_in_licenses_certificates_and_uploads(apa):
    user = clinician(professions=("psychologist",))
    template = requirement_template()
    license_tracked(
        license=user.licenses.get(),
        template=template,
        cycle_start=date(2025, 4, 1),
        deadline=date(2027, 3, 31),
    )
    course_build_in(category="ethics", accreditors=[apa], title="Suggested ethics")
    course_build(title="Suggested general", accreditors=[apa])
    _history(user, apa, "one", date(2026, 2, 1))
    client = client_for(user)
    small = _queries(client, cards=1)

    license_tracked(
        license=LicenseFactory(user=user, region="CA", license_number="PSY 2"),
        template=requirement_template(region="CA", minimums={"ethics": 4}),
        cycle_start=date(2025, 1, 1),
        deadline=date(2026, 12, 31),
    )
    _own_numbers_and_untracked(user)
    for label, day in (("two", date(2026, 3, 1)), ("three", date(2026, 4, 1))):
        _history(user, apa, label, day)
    assert_constant(small, _queries(client, cards=3), DASHBOARD_BUDGET)


def test_the_licenses_read_in_one_statement_are_the_orms(apa):
    """The dashboard reads the licenses with their requirements and templates from
    a statement made once per process (renewals.selectors._licenses_read): the
    same licenses, requirements, templates and minimums as the ORM's query."""
    from renewals import selectors

    user = clinician(professions=("psychologist",))
    license_tracked(
        license=user.licenses.get(),
        template=requirement_template(minimums={"ethics": 3, "cultural_diversity": "1.5"}),
        cycle_start=date(2025, 4, 1),
        deadline=date(2027, 3, 31),
    )
    _own_numbers_and_untracked(user)
    LicenseFactory(user=clinician(), region="TX", license_number="PSY 5")  # someone else's

    def facts(licenses):
        found = []
        for lic in licenses:
            requirement = selectors.license_requirement(lic)
            template = requirement.template if requirement else None
            found.append(
                (
                    _fields(lic),
                    _fields(requirement),
                    _fields(template),
                    [_fields(m) for m in template.minimums.all()] if template else None,
                )
            )
        return found

    by_orm = facts(selectors._licenses(user=user))
    with CaptureQueriesContext(connection) as captured:
        read = facts(selectors._licenses_read(user=user))
    assert read == by_orm
    assert len(read) == 3  # the user's own, in the ORM's order (compared above)
    assert read[0][1]["minimums"] == by_orm[0][1]["minimums"]
    assert len(captured) == 2  # the licenses with all they need, then the templates' minimums


def _fields(instance) -> dict | None:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
