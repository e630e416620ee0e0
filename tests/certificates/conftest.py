import pytest

from courses.services import enrollment_create
from tests.factories import course_build


@pytest.fixture
def course(apa):
    return course_build(title="Understanding stuck treatments", accreditors=[apa], hours="0.5")


@pytest.fixture
def enrollment(psychologist, course):
    return enrollment_create(user=psychologist, course=course)


@pytest.fixture
def deliver():
    """Render and email a certificate in this process, as the worker would."""
    from certificates import services

    def run(certificate):
        services.certificate_render_started(certificate_id=certificate.pk)
        services.certificate_deliver(certificate_id=certificate.pk)
        certificate.refresh_from_db()
        return certificate

    return run


@pytest.fixture
def pending(psychologist, course, django_capture_on_commit_callbacks):
    """The psychologist's certificate, issued by a real completion of the course and
    not rendered yet (the render task queued on commit is never sent)."""
    from certificates.models import Certificate
    from tests.factories import course_completed_by

    with django_capture_on_commit_callbacks(execute=False):
        enrollment, _ = course_completed_by(user=psychologist, course=course)
    return Certificate.objects.get(enrollment=enrollment)


@pytest.fixture
def issued(pending, deliver):
    """A certificate issued by a real completion and delivered in this process."""
    return deliver(pending)
