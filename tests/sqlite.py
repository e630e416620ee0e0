"""A migrated SQLite database for the tests that run a child process on SQLite
(`make run`'s default): the oversized ids and the fuzz on SQLite.

Migrating SQLite costs about 30 s of one core, so it is done once for a given set of
migrations: the template `var/test-sqlite/<hash>.sqlite3` is named by a hash of every
installed app's migration files (ours and the libraries'), made under a file lock (two
test processes may ask at once) and copied for each test. A changed migration makes a
new template; older ones are removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "var" / "test-sqlite"


def sqlite_env(database: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process on the SQLite file `database`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(f"{config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _template() -> Path:
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    template = TEMPLATES / f"{_migrations_hash()}.sqlite3"
    with (TEMPLATES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            migrate = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=sqlite_env(partial),
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert migrate.returncode == 0, migrate.stderr[-5000:]
            partial.rename(template)
            for old in TEMPLATES.glob("*.sqlite3"):
                if old != template:
                    old.unlink(missing_ok=True)
    return template


def sqlite_database(folder: Path) -> Path:
    """A migrated SQLite database of its own in `folder` (a copy of the template)."""
    database = folder / "db.sqlite3"
    shutil.copyfile(_template(), database)
    return database


def sqlite_module_answers(module: str, folder: Path) -> dict:
    """Run `python -m module` on a migrated SQLite database of its own in `folder`
    and return the JSON object its last line of output prints."""
    run = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=sqlite_env(sqlite_database(folder)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-5000:]
    return json.loads(run.stdout.strip().splitlines()[-1])
