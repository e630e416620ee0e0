"""docs/contributing.md: a module that grows past 500 lines is split by topic
(migrations aside, which Django writes). Checked over every app the layer
contracts name, so a new app is covered without a change here."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
MOST_LINES = 500


def _app_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
    ]


def test_every_app_is_looked_at():
    modules = _app_modules()
    # Each app contributes modules (a misspelt or moved app would silently pass).
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(APPS)


def test_no_app_module_is_over_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in _app_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert too_long == {}, f"split these by topic (docs/contributing.md): {too_long}"
