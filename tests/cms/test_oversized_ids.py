"""An id larger than any 64-bit column gets the same 404 or 400 on SQLite
(`make run`'s default) as on PostgreSQL, never a 500 (cms.ids)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cms import oversized_ids

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _sqlite_answers(tmp_path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stderr
    run = subprocess.run(
        [sys.executable, "-m", "tests.cms.oversized_ids"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-5000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_oversized_ids_answer_404_or_400_alike_on_sqlite_and_postgresql(tmp_path):
    postgresql = oversized_ids.probe()
    statuses = {k: v for k, v in postgresql.items() if isinstance(v, int)}
    assert statuses and all(status in (200, 400, 404) for status in statuses.values()), statuses
    assert postgresql["course choice"] == postgresql["accreditor claim"] == "invalid_choice"
    sqlite = _sqlite_answers(tmp_path)
    assert sqlite == postgresql
