"""``make browser``: make sure Debian's Chromium is there for the browser tests.

Runs with the system ``python3`` before the virtualenv exists, so: stdlib only.

1. If ``$CHROMIUM_PATH``, ``/usr/bin/chromium`` or ``chromium`` on PATH exists,
   print its path and exit 0.
2. Otherwise install it with ``apt-get install -y chromium`` when that is
   possible (root, or passwordless sudo, and apt-get present) and allowed:
   ``CI=true``, no terminal on stdin, or ``PRACTICUM_INSTALL_CHROMIUM=1``; at a
   terminal it asks first. ``PRACTICUM_INSTALL_CHROMIUM=0`` forbids it.
3. Otherwise explain how to install it and exit 1. The browser tests never
   skip: without Chromium they fail, so this stops ``make test`` early instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PACKAGES = ("chromium", "fonts-liberation")  # fonts: readable screenshots on a bare system
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "a"}

Runner = Callable[[Sequence[str]], int]


def say(message: str) -> None:
    print(f"[browser] {message}", file=sys.stderr, flush=True)


def find_chromium(environ: Mapping[str, str] = os.environ) -> str | None:
    """The Chromium executable to use, or None."""
    explicit = environ.get("CHROMIUM_PATH", "").strip()
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium", path=environ.get("PATH", os.defpath))


def privilege_prefix() -> list[str] | None:
    """[] when root, ["sudo", "-n"] with passwordless sudo, else None."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def install_allowed(environ: Mapping[str, str], interactive: bool, ask: Callable[[], bool]) -> bool:
    """May we install a system package? CI and unattended runs: yes; a person: ask."""
    choice = environ.get("PRACTICUM_INSTALL_CHROMIUM", "").strip().lower()
    if choice in ("0", "false", "no"):
        return False
    if choice in ("1", "true", "yes"):
        return True
    if environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return True
    if not interactive:
        return True
    return ask()


def _ask() -> bool:
    try:
        answer = input("[browser] Chromium is missing. Install it now with apt-get? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _run(command: Sequence[str]) -> int:
    say("$ " + " ".join(command))
    return subprocess.run(list(command), env={**os.environ, **APT_ENV}).returncode


def _known_to_apt(run_quiet: Callable[[Sequence[str]], int]) -> bool:
    return run_quiet(["apt-cache", "show", "chromium"]) == 0


def _run_quiet(command: Sequence[str]) -> int:
    return subprocess.run(list(command), capture_output=True).returncode


def apt_install(
    prefix: list[str], run: Runner = _run, run_quiet: Callable[[Sequence[str]], int] = _run_quiet
) -> bool:
    """apt-get install the packages (after apt-get update if chromium is unknown)."""
    if not _known_to_apt(run_quiet):
        say("apt does not know the chromium package yet: updating the package lists")
        if run([*prefix, "apt-get", "update"]) != 0:
            return False
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]
    if run(install) == 0:
        return True
    # Stale lists (a package version that is gone from the mirror): refresh once, retry.
    say("apt-get install failed: updating the package lists and trying once more")
    return run([*prefix, "apt-get", "update"]) == 0 and run(install) == 0


HOW_TO = """\
Chromium is needed for the browser tests (tests/browser) and was not found.
Install Debian's package, then run `make test` again:

    sudo apt-get update && sudo apt-get install -y chromium

or let `make test` do it: PRACTICUM_INSTALL_CHROMIUM=1 make test (as root or
with passwordless sudo). Another Chromium build works too: CHROMIUM_PATH=/path/to/chromium.
`make test-fast` runs everything except the browser tests."""


def main(
    environ: Mapping[str, str] = os.environ,
    *,
    interactive: bool | None = None,
    ask: Callable[[], bool] = _ask,
    run: Runner = _run,
    run_quiet: Callable[[Sequence[str]], int] = _run_quiet,
    privilege: Callable[[], list[str] | None] = privilege_prefix,
) -> int:
    found = find_chromium(environ)
    if found:
        print(found)
        return 0
    if environ.get("CHROMIUM_PATH", "").strip():
        say(f"CHROMIUM_PATH={environ['CHROMIUM_PATH']} is not an executable file")
        print(HOW_TO, file=sys.stderr)
        return 1

    if interactive is None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    prefix = privilege()
    apt = shutil.which("apt-get", path=environ.get("PATH", os.defpath)) is not None
    if not apt:
        say("no apt-get on this system, so Chromium cannot be installed automatically.")
    elif prefix is None:
        say("installing Chromium needs root or passwordless sudo, and neither is available.")
    elif not install_allowed(environ, interactive, ask):
        say("not installing Chromium (not allowed: see PRACTICUM_INSTALL_CHROMIUM below).")
    elif apt_install(prefix, run, run_quiet):
        found = find_chromium(environ)
        if found:
            say(f"installed Chromium at {found}")
            print(found)
            return 0
        say("apt-get reported success but no chromium executable appeared.")
    else:
        say("apt-get could not install Chromium (see its output above).")
    print(HOW_TO, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
