"""docker-compose.yml and the Dockerfile, checked without a Docker engine: every
command names real code, every environment name is one the settings read, the
health checks hit real endpoints, volumes are named, the image is not root."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

from tests.cms.envnames import os_environ_names, settings_env_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comment lines dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        current += line.rstrip().removesuffix("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            op, _, args = current.strip().partition(" ")
            instructions.append((op.upper(), args.strip()))
            current = ""
    return instructions


INSTRUCTIONS = _dockerfile_instructions()
# Read by the Postgres image, by gunicorn or by compose itself, not by our settings.
NOT_SETTINGS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "WEB_PORT", "WEB_CONCURRENCY"}


def _interpolate(value: str) -> str:
    """Compose's ${VAR:-default} / ${VAR:?error} with nothing set: the default, or a stand-in."""
    value = re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", value)
    return re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: f"<{m.group(1)}>", value)


def _command(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def _healthcheck(service: str) -> list[str]:
    test = SERVICES[service]["healthcheck"]["test"]
    kind, *rest = test
    return shlex.split(rest[0]) if kind == "CMD-SHELL" else rest


def test_compose_has_the_services_the_issue_names():
    assert {"web", "worker", "beat", "db", "redis"} <= set(SERVICES)


def test_practicum_services_share_one_image_built_from_the_dockerfile():
    images = {SERVICES[name]["image"] for name in APP_SERVICES}
    builds = {SERVICES[name]["build"] for name in APP_SERVICES}
    assert len(images) == 1 and builds == {"."}
    assert (ROOT / "Dockerfile").is_file()


def test_web_runs_gunicorn_on_the_real_wsgi_application():
    command = _command("web")
    assert command[0] == "gunicorn"
    module_name, attr = command[1].split(":")
    module = __import__(module_name, fromlist=[attr])
    application = getattr(module, attr)
    from django.core.handlers.wsgi import WSGIHandler

    assert isinstance(application, WSGIHandler)
    # The image's default command is the same server on the same port.
    assert '"gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000"' in DOCKERFILE
    assert "0.0.0.0:8000" in command
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, re.MULTILINE)


def test_wsgi_defaults_to_production_settings():
    """gunicorn started without DJANGO_SETTINGS_MODULE must never get dev's DEBUG=True."""
    text = (ROOT / "cms" / "wsgi.py").read_text()
    assert 'setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")' in text


@pytest.mark.parametrize(
    ("service", "subcommand", "where"),
    [("worker", "worker", "command"), ("beat", "beat", "command"), ("worker", "inspect", "health")],
)
def test_celery_commands_load_the_real_celery_app(service, subcommand, where):
    from celery.app.utils import find_app

    from cms.celery import app

    argv = _command(service) if where == "command" else _healthcheck(service)
    assert argv[0] == "celery"
    app_name = argv[argv.index("-A") + 1]
    assert find_app(app_name) is app
    assert argv[argv.index("-A") + 2] == subcommand
    assert "cms.ping" in app.tasks


def test_migrate_runs_migrate_then_bootstrap_both_real_management_commands():
    argv = _command("migrate")
    assert argv[:2] == ["sh", "-c"]
    steps = [shlex.split(step) for step in argv[2].split("&&")]
    assert steps == [
        ["python", "manage.py", "migrate", "--noinput"],
        ["python", "manage.py", "bootstrap"],
    ]
    assert (ROOT / "manage.py").is_file()
    assert get_commands()["migrate"] == "django.core"
    assert get_commands()["bootstrap"] == "cms"
    for name in ("web", "worker", "beat"):
        condition = SERVICES[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_environment_names_are_the_ones_the_settings_read():
    names = settings_env_names()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"} <= names
    for service in APP_SERVICES:
        env = SERVICES[service]["environment"]
        unknown = set(env) - names - {"DJANGO_SETTINGS_MODULE"}
        assert not unknown, f"{service} sets names no setting reads: {unknown}"
        assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
        assert SERVICES[service]["env_file"] == ".env"


def test_env_example_names_are_read_by_something_and_the_required_ones_are_there():
    text = (ROOT / ".env.example").read_text()
    assigned = dict(re.findall(r"^(\w+)=(.*)$", text, re.MULTILINE))
    commented = set(re.findall(r"^# ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    known = settings_env_names() | NOT_SETTINGS | set(os_environ_names())
    assert set(assigned) | commented <= known, (set(assigned) | commented) - known
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "EMAIL_URL"} <= set(assigned)
    assert assigned["SECRET_KEY"] == "", "the example must not ship a usable secret"


def test_database_and_broker_urls_point_at_the_compose_services():
    env = SERVICES["web"]["environment"]
    database = environ.Env.db_url_config(_interpolate(env["DATABASE_URL"]))
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db" and database["PORT"] == 5432
    db_env = SERVICES["db"]["environment"]
    assert database["NAME"] == _interpolate(db_env["POSTGRES_DB"])
    assert database["USER"] == _interpolate(db_env["POSTGRES_USER"])
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        assert urlsplit(_interpolate(env[name])).hostname == "redis"


def test_web_healthcheck_hits_the_real_health_view():
    argv = _healthcheck("web")
    assert argv[:2] == ["python", "scripts/healthcheck.py"]
    assert (ROOT / argv[1]).is_file()
    url = urlsplit(argv[2])
    assert (url.hostname, url.port) == ("127.0.0.1", 8000)
    from cms.health import healthz

    assert resolve(url.path).func is healthz
    # The image's own HEALTHCHECK runs the same script, with the same default URL.
    assert 'CMD ["python", "scripts/healthcheck.py"]' in DOCKERFILE
    assert f'DEFAULT_URL = "{argv[2]}"' in (ROOT / "scripts" / "healthcheck.py").read_text()


def _run_healthcheck(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "healthcheck.py"), url],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "ALLOWED_HOSTS": "localhost,127.0.0.1"},
    )


@pytest.mark.django_db(transaction=True)
def test_healthcheck_script_passes_on_a_healthy_server_and_fails_naming_a_dead_broker(
    live_server, settings
):
    result = _run_healthcheck(f"{live_server.url}/healthz")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("200 ")

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    result = _run_healthcheck(f"{live_server.url}/healthz")
    assert result.returncode == 1
    assert result.stdout.startswith("503 ") and '"broker": "down"' in result.stdout


def test_database_and_redis_healthchecks_use_their_images_own_tools():
    assert _healthcheck("db")[0] == "pg_isready"
    assert _healthcheck("redis") == ["redis-cli", "ping"]
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")
    for name in ("web", "worker", "beat", "migrate"):
        waits_for = SERVICES[name]["depends_on"]
        assert any(
            waits_for.get(dep, {}).get("condition") == "service_healthy" for dep in ("db", "redis")
        )


def test_every_volume_is_a_named_volume():
    declared = set(COMPOSE["volumes"])
    used = set()
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            assert source in declared, f"{name}: {volume} is not a named volume"
            assert target.startswith("/")
            used.add(source)
    assert used == declared
    mounts = {
        name: dict(v.split(":")[1::-1] for v in s.get("volumes", []))
        for name, s in SERVICES.items()
    }
    assert mounts["db"]["/var/lib/postgresql/data"] == "db-data"
    assert mounts["redis"]["/data"] == "redis-data"
    for name in ("web", "worker"):  # the worker writes certificates the web serves
        env = SERVICES[name]["environment"]
        assert mounts[name][env["MEDIA_ROOT"]] == "media"
        assert mounts[name][env["PRIVATE_MEDIA_ROOT"]] == "private-media"


def test_the_image_runs_as_a_non_root_user():
    users = [(i, args) for i, (op, args) in enumerate(INSTRUCTIONS) if op == "USER"]
    assert users, "the Dockerfile never switches away from root"
    last_user_at, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    last_run_at = max(i for i, (op, _) in enumerate(INSTRUCTIONS) if op == "RUN")
    assert last_user_at > last_run_at, "a RUN after USER would hint at needing root at run time"
    assert re.search(rf"useradd .*--uid \d+ .*{user.split(':')[0]}", DOCKERFILE)
    for name, service in SERVICES.items():
        assert "user" not in service, f"{name} overrides the image's user"


def test_static_files_are_collected_at_build_with_the_production_storage(tmp_path):
    """The Dockerfile's collectstatic, for real: the manifest storage fails on a missing
    file referenced from CSS, which would otherwise only show up in `docker build`."""
    assert any(
        op == "RUN" and "python manage.py collectstatic --noinput" in args
        for op, args in INSTRUCTIONS
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "collectstatic-only-not-a-secret",
            "ALLOWED_HOSTS": "localhost",
            "STATIC_ROOT": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("css/site.*.css"))
