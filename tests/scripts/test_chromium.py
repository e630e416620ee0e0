"""scripts/chromium.py (`make browser`): find Chromium, install it only where that is
possible and allowed, otherwise explain and fail. apt-get itself is replaced by a
recorder here: the tests must not add or remove system packages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import chromium  # noqa: E402


class Apt:
    """Stands in for apt-get: records commands; `installs` makes a chromium appear."""

    def __init__(self, tmp_path: Path, *, known: bool = True, install_ok: bool = True):
        self.commands: list[list[str]] = []
        self.known = known
        self.install_ok = install_ok
        self.binary = tmp_path / "bin" / "chromium"

    def run(self, command: Sequence[str]) -> int:
        self.commands.append(list(command))
        if "install" in command:
            if not self.install_ok:
                return 100
            self.binary.parent.mkdir(exist_ok=True)
            self.binary.write_text("#!/bin/sh\n")
            self.binary.chmod(0o755)
        return 0

    def run_quiet(self, command: Sequence[str]) -> int:
        return 0 if self.known else 100


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """An environment in which no Chromium exists yet, but apt-get does."""
    monkeypatch.setattr(chromium, "CANDIDATES", ())
    (tmp_path / "bin").mkdir()
    apt_get = tmp_path / "bin" / "apt-get"
    apt_get.write_text("#!/bin/sh\nexit 99\n")  # found on PATH; never run (Apt records)
    apt_get.chmod(0o755)
    return {"PATH": str(tmp_path / "bin")}


def _main(environ, apt: Apt, *, interactive=False, privilege=(), ask=None) -> int:
    return chromium.main(
        environ,
        interactive=interactive,
        ask=ask or (lambda: pytest.fail("must not ask")),
        run=apt.run,
        run_quiet=apt.run_quiet,
        privilege=lambda: None if privilege is None else list(privilege),
    )


def test_an_installed_chromium_is_printed_and_nothing_is_installed(tmp_path, capsys):
    apt = Apt(tmp_path)
    binary = tmp_path / "chromium-build"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert _main({"CHROMIUM_PATH": str(binary), "PATH": ""}, apt) == 0
    assert capsys.readouterr().out.strip() == str(binary)
    assert apt.commands == []


def test_in_ci_as_root_it_installs_chromium_with_apt(no_chromium, tmp_path, capsys):
    apt = Apt(tmp_path)
    assert _main({**no_chromium, "CI": "true"}, apt, interactive=True) == 0
    assert apt.commands == [
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-liberation"]
    ]
    assert capsys.readouterr().out.strip() == str(apt.binary)


def test_unknown_package_lists_are_updated_first(no_chromium, tmp_path):
    apt = Apt(tmp_path, known=False)
    assert _main(no_chromium, apt) == 0  # no terminal: unattended, allowed
    assert [c[1] for c in apt.commands] == ["update", "install"]


def test_with_passwordless_sudo_apt_runs_through_sudo(no_chromium, tmp_path):
    apt = Apt(tmp_path)
    assert _main(no_chromium, apt, privilege=("/usr/bin/sudo", "-n")) == 0
    assert apt.commands[0][:3] == ["/usr/bin/sudo", "-n", "apt-get"]


def test_a_person_at_a_terminal_is_asked_and_a_no_installs_nothing(no_chromium, tmp_path, capsys):
    apt = Apt(tmp_path)
    asked = []
    code = _main(no_chromium, apt, interactive=True, ask=lambda: asked.append(1) or False)
    assert (code, asked, apt.commands) == (1, [1], [])
    assert "apt-get install -y chromium" in capsys.readouterr().err


def test_installing_can_be_forbidden_even_in_ci(no_chromium, tmp_path):
    apt = Apt(tmp_path)
    env = {**no_chromium, "CI": "true", "PRACTICUM_INSTALL_CHROMIUM": "0"}
    assert _main(env, apt) == 1
    assert apt.commands == []


def test_without_root_or_sudo_it_explains_and_fails(no_chromium, tmp_path, capsys):
    apt = Apt(tmp_path)
    assert _main({**no_chromium, "CI": "true"}, apt, privilege=None) == 1
    assert apt.commands == []
    err = capsys.readouterr().err
    assert "root or passwordless sudo" in err and "CHROMIUM_PATH" in err


def test_a_failed_install_is_retried_once_after_an_update_then_fails(no_chromium, tmp_path):
    apt = Apt(tmp_path, install_ok=False)
    assert _main({**no_chromium, "CI": "true"}, apt) == 1
    assert [c[1] for c in apt.commands] == ["install", "update", "install"]


def test_without_apt_get_it_explains_and_fails(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(chromium, "CANDIDATES", ())
    apt = Apt(tmp_path)
    assert _main({"PATH": str(tmp_path), "CI": "true"}, apt) == 1
    assert apt.commands == []
    assert "no apt-get" in capsys.readouterr().err


def test_the_script_runs_with_the_system_python_and_its_stdlib_only():
    """`make browser` runs before the virtualenv exists: `python3 -I -S`, no site-packages."""
    result = subprocess.run(
        ["/usr/bin/env", "python3", "-I", "-S", str(ROOT / "scripts" / "chromium.py")],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "CHROMIUM_PATH": "/nonexistent/chromium"},
        timeout=30,
    )
    assert result.returncode == 1
    assert "CHROMIUM_PATH=/nonexistent/chromium is not an executable file" in result.stderr
    assert "Traceback" not in result.stderr
