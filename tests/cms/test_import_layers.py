"""The layers of docs/architecture.md are a contract that `lint-imports` checks
(``make test`` and ``make lint`` run it). These tests prove the contract bites:
an upward import in a copy of the tree breaks it, and the message names it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every package the contracts name, so that a new app needs no change here.
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("layers")
    shutil.copy(ROOT / "pyproject.toml", tree)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tree


def test_the_tree_as_it_is_keeps_every_contract(tree_copy: Path) -> None:
    result = _lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "reported"),
    [
        # A lower app reaching up, inside a function (still an import to the contract).
        (
            "courses/services.py",
            "def _issue():\n    from certificates import services\n",
            "courses.services -> certificates.services",
        ),
        ("accounts/models.py", "from courses import models\n", "accounts.models -> courses.models"),
        # An app importing the wiring.
        ("quizzes/views.py", "from cms import urls\n", "quizzes.views -> cms.urls"),
        # The site layer importing an app, in a module as it is and in a new one.
        ("cms/blocks.py", "import quizzes.models\n", "cms.blocks -> quizzes.models"),
        ("cms/new_module.py", "from courses import selectors\n", "cms.new_module -> courses"),
        # A page model reaching into a views module, even of its own app.
        (
            "certificates/models.py",
            "def _serve():\n    from certificates import views\n",
            "certificates.models -> certificates.views",
        ),
    ],
)
def test_an_upward_import_breaks_a_contract(
    tree_copy: Path, module: str, statement: str, reported: str
) -> None:
    path = tree_copy / module
    original = path.read_text() if path.exists() else None
    path.write_text((original or "") + "\n\n" + statement)
    try:
        result = _lint_imports(tree_copy)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert reported in result.stdout


def test_every_named_refusal_is_a_refusal_with_its_kind():
    """One refusal type: views that know how to show a Refusal show these too."""
    from cms.refusals import Refusal, refusal_status
    from cms.uploads import UploadRefused, upload_check
    from courses.publishing import CoursePublishRefused
    from courses.review import ReviewRefused

    assert issubclass(CoursePublishRefused, Refusal)
    assert issubclass(ReviewRefused, Refusal)
    assert issubclass(UploadRefused, Refusal)
    try:
        upload_check(data=b"%PDF-" + b"0" * 2048, max_bytes=1024, noun="certificate")
    except Refusal as refused:
        assert refusal_status(refused) == 413
    else:
        raise AssertionError("an upload over the limit was accepted")
