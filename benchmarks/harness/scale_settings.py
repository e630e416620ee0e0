"""The scale benchmark's settings (benchmarks/scale.py): the test settings its
factories need (fast hashing, emails to files, eager Celery), with the caching
production has with its Redis: sessions read from the cache (``cached_db``), the
site cache (routes, course structure, footer) and the user-row cache, under the
run's own key prefix. Without them the dashboard's server time measured the
test settings' extra queries, not what a clinician waits for."""

import os

from cms.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": next(
            url
            for url in (
                os.environ.get("CACHE_URL", ""),
                os.environ.get("CELERY_BROKER_URL", ""),
                "redis://127.0.0.1:6379/0",
            )
            if url.startswith("redis")
        ),
        "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "bench-scale"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SITE_CACHE_SECONDS = 300
USER_CACHE_SECONDS = 300
