"""A task sent through the real Redis broker runs in a real worker process."""

import os

import pytest
from django.conf import settings

from cms.celery import app, ping


def test_celery_is_not_eager_in_tests():
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_redis_and_a_real_worker(celery_worker):
    result = ping.apply_async(
        args=["hello from the test"], queue=settings.CELERY_TASK_DEFAULT_QUEUE
    )
    assert result.get(timeout=30) == "hello from the test"
    # It ran in another process: the worker's, not ours.
    assert celery_worker.proc.pid != os.getpid()
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
