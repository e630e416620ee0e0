"""The README and docs/ keep up with the code: every environment variable the
project reads is in the README's table, every command and link they give works
in a clone of the repository, the code they name exists, and the demo logins
they list sign in."""

import importlib
import re
import unicodedata
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from cms.celery import app
from tests.cms.envnames import os_environ_names, settings_env_names

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_CONFIGURATION = {"PATH"}  # read to find programs, not to configure Practicum
OUR_PACKAGES = ("cms", "accounts", "audit", "courses", "quizzes", "certificates", "renewals")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _configuration_table_names() -> set[str]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_every_environment_variable_the_project_reads_is_in_the_readme_table():
    read = settings_env_names() | set(os_environ_names()) - NOT_CONFIGURATION
    missing = read - _configuration_table_names()
    assert not missing, f"add to README.md's configuration table: {sorted(missing)}"


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-zA-Z][\w-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def test_every_make_command_the_docs_give_is_a_makefile_target():
    named = {}
    for doc in DOCS:
        text = doc.read_text()
        in_code = re.findall(r"`make ([\w-]+)", text)
        for block in FENCE.findall(text):
            in_code += re.findall(r"^\s*make ([\w-]+)", block, re.MULTILINE)
        for target in in_code:
            named.setdefault(target, doc.name)
    assert {"run", "test"} <= set(named), "the README gives the two commands"
    unknown = {target: doc for target, doc in named.items() if target not in _make_targets()}
    assert not unknown, f"no such make target: {unknown}"


def _heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", markdown), re.MULTILINE):
        text = heading.strip().lower()
        kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
        anchors.add(kept.replace(" ", "-"))
    return anchors


def test_every_link_in_the_readme_and_docs_leads_to_a_file_of_the_repository():
    broken = []
    for doc in DOCS:
        for target in LINK.findall(FENCE.sub("", doc.read_text())):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if ROOT not in file.parents or not file.exists():
                broken.append(f"{doc.name}: {target} (no such file in the repository)")
            elif (
                anchor and file.suffix == ".md" and anchor not in _heading_anchors(file.read_text())
            ):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert not broken, broken


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                found = getattr(found, name)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("doc", ["architecture.md", "contributing.md", "ce-rules.md"])
def test_the_files_modules_functions_and_tasks_the_code_docs_name_exist(doc):
    """The docs about the code name its seams, services and files: a rename that
    leaves them behind fails here."""
    text = (ROOT / "docs" / doc).read_text()
    app.loader.import_default_modules()  # the tasks' modules, as a worker loads them
    missing = []
    for token in re.findall(r"`([^`\s]+)`", text):
        token = token.removesuffix("()")
        if re.fullmatch(rf"({'|'.join(OUR_PACKAGES)})(\.\w+)+", token):
            found = _resolves(token) or token in app.tasks
        elif re.fullmatch(r"[\w.-]+(/[\w.-]+)+\.(py|md|html|js|css|toml|yml)", token):
            found = (ROOT / token).exists()
        else:
            continue
        if not found:
            missing.append(token)
    assert not missing, f"docs/{doc} names what does not exist: {missing}"


def _readme_demo_logins() -> dict[str, str]:
    section = README.split("### Demo logins", 1)[1].split("\n#", 1)[0]
    return dict(re.findall(r"^\| `([^`]+@[^`]+)` \| (.+?) \|$", section, re.MULTILINE))


@pytest.mark.django_db
def test_the_demo_logins_the_readme_lists_sign_in_after_seed_demo(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", "--no-modules", verbosity=0)
    (password,) = re.findall(r"password is\s+`([^`]+)`", README)  # the default it states
    logins = _readme_demo_logins()
    assert len(logins) == 3, logins
    for email, role in logins.items():
        user = authenticate(email=email, password=password)
        assert user is not None, f"{email} does not sign in with {password!r}"
        groups = set(user.groups.values_list("name", flat=True))
        assert groups == set(re.findall(r"\*\*(\w+)\*\*", role)), (email, role)


def test_nothing_in_the_repository_sends_a_reader_outside_it():
    """A clone is all a newcomer has: no document, comment or test names the
    team's shared folder (its CE rules live in docs/ce-rules.md)."""
    import subprocess

    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    outside = ("../" + "shared", "CE-" + "REQUIREMENTS")  # spelt apart: this file is read too
    mentions = []
    for name in filter(None, tracked):
        path = ROOT / name
        if path.suffix not in {".md", ".py", ".html", ".txt", ".toml", ".yml", ".typ"}:
            continue
        text = path.read_text(errors="replace")
        if any(words in text for words in outside):
            mentions.append(name)
    assert mentions == []
