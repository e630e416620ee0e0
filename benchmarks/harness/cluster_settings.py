"""The cluster benchmark's web and worker hosts (benchmarks/cluster.py):
production settings as the page benchmark runs them (benchmarks.harness.settings:
the run's cache prefix and Celery queue), but the site's own URLs only, and each
worker logging which task it ran (benchmarks.harness.task_log)."""

from benchmarks.harness import task_log  # noqa: F401  (connects the workers' task log)

from .settings import *  # noqa: F403

ROOT_URLCONF = "cms.urls"
