"""Health endpoint, Django checks, migrations and lint, all inside the suite."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import PRODUCTION_ENV, ROOT, python_run


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


@pytest.mark.django_db
def test_healthz_names_a_stopped_broker(client, settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "down: broker"


def test_healthz_names_a_stopped_database_and_broker(tmp_path):
    """A fresh process whose DATABASE_URL and broker point at closed ports (what a
    container sees when db and redis are down) answers 503 naming both."""
    import socket

    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, json.dumps(r.json(), sort_keys=True))"
    )
    result = python_run(
        "-c",
        code,
        env_extra={
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{ports[0]}/practicum",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{ports[1]}/0",
        },
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {
        "broker": "down",
        "database": "down",
        "status": "down: database, broker",
    }


def test_manage_py_check_passes():
    result = python_run(
        "manage.py", "check", env_extra={"DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    )
    assert result.returncode == 0, result.stderr


def test_models_and_migrations_agree():
    result = python_run(
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env_extra={"DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    from certificates.credentials.keys import key_generate

    key_generate(tmp_path / "credential-keys")  # as `manage.py credentials_keygen` does
    result = python_run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            **PRODUCTION_ENV,
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example:587",
            "CREDENTIAL_SIGNING_KEY_DIR": str(tmp_path / "credential-keys"),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.django_db
def test_production_responses_carry_a_self_only_content_security_policy(client):
    response = client.get("/healthz")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
