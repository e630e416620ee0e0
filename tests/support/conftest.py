import pytest

from tests.factories import clinician, course_build


@pytest.fixture
def course(db):
    return course_build(title="Ruptures in the alliance")


@pytest.fixture
def dana(db):
    return clinician(email="dana@example.com")
