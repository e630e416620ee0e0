"""The project run in a fresh Python process, as `manage.py` or a deployment runs
it: for what only a new interpreter shows (settings read from the environment,
system checks, what a process imports)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The least a production deployment sets (cms.settings.production refuses to
#: start without them); a test adds or leaves out what it is about.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "a-production-secret-key-of-sufficient-length-and-entropy-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "practicum.example",
    "DATABASE_URL": "postgres://practicum:secret@db:5432/practicum",
}


def python_run(
    *args: str, env_extra: dict | None = None, env_without: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`python *args` in the project's folder, its output captured, with this
    process's environment plus `env_extra` and without the variables named in
    `env_without`. DJANGO_ALLOW_ASYNC_UNSAFE is always left out: the browser tests
    set it for Playwright, and no deployment has it."""
    env = {**os.environ, **(env_extra or {})}
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", *env_without):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )
