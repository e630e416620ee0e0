"""Helpers for tests that run a real Celery worker."""

import pytest
from django.conf import settings

from cms.celery import ping

#: The marks of a test module whose tests run the real worker: `worker`, and rows
#: committed for real (the worker reads them through its own connection, so rows
#: left in the test's open transaction would be invisible to it).
WORKER_TESTS = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_drain(timeout: float = 60) -> None:
    """Return once the worker has handled every message sent before this call, and
    the messages those sent in turn (a render hands the email to its own task): it
    takes one message at a time, in order (prefetch 1), so a ping round trip proves
    the first, and a second ping, sent after the first came back, the second. Run
    before a transactional test's flush, which would otherwise deadlock with a
    task still holding its row lock."""
    for _ in range(2):
        ping.apply_async(args=["drain"], queue=settings.CELERY_TASK_DEFAULT_QUEUE).get(
            timeout=timeout
        )
