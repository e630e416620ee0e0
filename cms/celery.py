"""The one Celery app. Settings come from Django's (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cms.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by /healthz diagnostics and the worker tests."""
    return value
