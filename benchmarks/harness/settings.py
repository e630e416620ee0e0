"""The page benchmark's server: production settings unchanged, plus the
no-database baseline view (benchmarks.harness.urls), which production never
routes. The environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL,
STATIC_ROOT ...) is set by benchmarks/pages.py."""

import os

from cms.settings.production import *  # noqa: F403
from cms.settings.production import CACHES, LOGGING

ROOT_URLCONF = "benchmarks.harness.urls"
# Redis is shared with other work on the machine: the benchmark's keys stay apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "bench")
# ... and so are its queues: a task the benchmark's processes enqueue goes to the
# run's own queue (production's default, "celery", is what `make run` consumes).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
LOGGING["root"]["level"] = "WARNING"
