"""The one Celery app. Settings come from Django's (CELERY_ namespace)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections as django_close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs) -> None:
    """Around every task, what Django does around every request: keep a healthy
    connection up to CONN_MAX_AGE, close one that is older or failed (settings:
    CELERY_DB_REUSE_MAX). Not for eager tasks: they run inside the caller's
    request and transaction."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    django_close_old_connections()


@app.task(name="cms.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by /healthz diagnostics and the worker tests."""
    return value
