import pytest

from courses.services import enrollment_create
from tests.factories import AccreditorFactory, clinician, course_build


@pytest.fixture
def apa(db):
    return AccreditorFactory()


@pytest.fixture
def course(apa):
    return course_build(title="Understanding stuck treatments", accreditors=[apa], hours="0.5")


@pytest.fixture
def psychologist(db):
    return clinician(full_name="Dana Whitfield", professions=("psychologist",))


@pytest.fixture
def enrollment(psychologist, course):
    return enrollment_create(user=psychologist, course=course)


@pytest.fixture
def drained_worker(celery_worker):
    """The session's real worker, drained of this test's tasks at the end."""
    from tests.certificates.worker import worker_drain

    yield celery_worker
    worker_drain()
