"""A bulk reissue interrupted midway (its worker gone) resumes with exactly the
items left once the sweep enqueues it again: nothing reissued twice, nothing lost."""

from datetime import timedelta

from django.utils import timezone

from certificates import services
from certificates.models import BulkJob, Certificate
from certificates.tasks import certificates_sweep
from tests.certificates.pdf import wait_for
from tests.certificates.worker import WORKER_TESTS, worker_drain
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    clinician,
    completion_record,
    course_build,
)
from tests.reliability.conftest import broker_unreachable

pytestmark = WORKER_TESTS


def test_an_interrupted_bulk_reissue_resumes_with_the_items_left(drained_worker):
    from courses.services import enrollment_create

    apa = AccreditorFactory()
    course = course_build(accreditors=[apa])
    originals = []
    for i in range(3):
        enrollment = enrollment_create(user=clinician(full_name=f"Bulk {i}"), course=course)
        originals += services.certificates_issue(
            completion=completion_record(enrollment=enrollment), accreditors=[apa]
        )
    admin = UserFactory(
        is_staff=True, full_name="Avery Admin"
    )  # the actor is recorded, not checked
    with broker_unreachable():  # the job's own enqueue is lost
        job = services.bulk_reissue_create(
            certificate_ids=[c.pk for c in originals],
            actor=admin,
            reason="Provider renamed",
            filters={},
        )
    # A worker reissued one item, then died: the job is left running, its heartbeat stale.
    services.bulk_job_process(job_id=job.pk, limit=1)
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("running", 1, 3)

    certificates_sweep.delay(0)  # what beat runs every minute
    job = wait_for(
        lambda: BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.DONE).first(),
        what="the job to finish",
    )
    assert (job.done, job.failed) == (3, 0)
    assert job.finished_at is not None
    for original in originals:
        original.refresh_from_db()
        assert original.status == Certificate.Status.REISSUED
        # Reissued exactly once: one replacement, itself valid and not replaced.
        replacement = Certificate.objects.get(supersedes=original)
        assert replacement.status == Certificate.Status.VALID
        assert not Certificate.objects.filter(supersedes=replacement).exists()
    assert set(job.items.values_list("result__supersedes_id", flat=True)) == {
        c.pk for c in originals
    }
    worker_drain()
