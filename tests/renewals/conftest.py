from datetime import date

import pytest

from tests.factories import requirement_template

DEADLINE = date(2027, 3, 31)
START = date(2025, 4, 1)


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
