"""After a transactional test's flush, what data migrations made is back for the
next test (tests/conftest.py replays them).

The tests of tests/cms/flush_probe.py must run one after the other in one
process, which pytest-xdist does not promise for tests of the suite: so they run
in a pytest of their own, on this test process's database (kept as it is:
`--reuse-db`), while this test holds no transaction on it."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlunsplit

from django.contrib.auth.models import Group
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_the_test_after_a_transactional_tests_flush_finds_what_data_migrations_made(
    django_db_setup, django_db_blocker
):
    db = connection.settings_dict
    # pytest-django names the test database test_<name>: this one, which exists.
    name = db["NAME"].removeprefix("test_")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(
            ("postgres", f"{db['USER']}{password}@{db['HOST']}:{db['PORT']}", name, "", "")
        ),
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    connection.close()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-v",
         "--reuse-db", "tests/cms/flush_probe.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "3 passed" in result.stdout
    with django_db_blocker.unblock():  # and this process's later tests find them too
        assert Group.objects.filter(name="Administrators").exists()
