"""Which environment variable names the project reads (for the compose and docs tests)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# The project's own apps (every INSTALLED_APPS entry that is a folder here) and scripts/.
CODE_DIRS = (*(app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()), "scripts")
OS_ENVIRON_READ = re.compile(
    r"""(?:environ\.get\(|environ\[|getenv\(|environ\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
ENV_NAME_CONSTANT = re.compile(r"""^\w+_ENV\s*=\s*["']([A-Z][A-Z0-9_]+)["']""", re.MULTILINE)


def settings_env_names() -> set[str]:
    """Every name cms/settings/{base,production}.py read through django-environ."""
    names: set[str] = set()
    for module in ("base", "production"):
        tree = ast.parse((ROOT / "cms" / "settings" / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            # environ.Env(NAME=(type, default), ...): the declarations.
            if isinstance(func, ast.Attribute) and func.attr == "Env":
                names.update(kw.arg for kw in node.keywords if kw.arg)
            # env("NAME"), env.db("NAME"), env.email_url("NAME"), env.cache("NAME")...
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
            )
            if is_env and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
    return names


def os_environ_names() -> dict[str, set[str]]:
    """Names read straight from os.environ in the project's code: {name: {files}}."""
    found: dict[str, set[str]] = {}
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for name in OS_ENVIRON_READ.findall(text) + ENV_NAME_CONSTANT.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found
