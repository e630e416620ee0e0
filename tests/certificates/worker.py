"""Helpers for tests that run a real Celery worker."""

from django.conf import settings

from cms.celery import ping


def worker_drain(timeout: float = 60) -> None:
    """Return once the worker has handled every message sent before this call: it
    takes one message at a time, in order (prefetch 1), so a ping round trip
    proves it. Run before a transactional test's flush, which would otherwise
    deadlock with a render still holding its row lock."""
    ping.apply_async(args=["drain"], queue=settings.CELERY_TASK_DEFAULT_QUEUE).get(timeout=timeout)
