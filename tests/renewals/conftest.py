from datetime import date

import pytest

from tests.factories import AccreditorFactory, clinician, requirement_template

DEADLINE = date(2027, 3, 31)
START = date(2025, 4, 1)


@pytest.fixture
def apa(db):
    return AccreditorFactory()


@pytest.fixture
def psychologist(db):
    """A clinician with one psychologist's license (MD's template's profession)."""
    return clinician(full_name="Dana Whitfield", professions=("psychologist",))


@pytest.fixture
def md_template(db):
    """40 h every 24 months, ethics 3, cultural diversity 3, at most 20 h of home
    study, APA credit accepted."""
    return requirement_template(board="Maryland Board of Examiners of Psychologists")


def md_tracked(user, template):
    """`user`'s one license, tracked under `template` from START to DEADLINE."""
    from tests.factories import license_tracked

    return license_tracked(
        license=user.licenses.get(), template=template, cycle_start=START, deadline=DEADLINE
    )
