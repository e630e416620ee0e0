"""The README and docs/ keep up with the code: every environment variable the
project reads is in the README's configuration table, and the docs it points to exist."""

import re
from pathlib import Path

from tests.cms.envnames import os_environ_names, settings_env_names

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
NOT_CONFIGURATION = {"PATH"}  # read to find programs, not to configure Practicum


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


def test_the_readme_gives_the_two_commands_the_demo_logins_and_compose():
    for text in (
        "make run",
        "make test",
        "clinician@example.com",
        "instructor@example.com",
        "admin@example.com",
        "`practicum-demo`",
        "`DEMO_PASSWORD`",
        "docker compose up",
    ):
        assert text in README, text


def test_the_docs_the_readme_links_to_exist_and_cover_the_seams():
    for doc in ("docs/architecture.md", "docs/operations.md"):
        assert f"]({doc})" in README
        assert (ROOT / doc).is_file()
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    assert "```mermaid" in architecture
    for seam in ("courses.registry", "course_completed", "transaction.on_commit"):
        assert seam in architecture, seam
    operations = (ROOT / "docs" / "operations.md").read_text()
    for topic in ("## Backups", "## Health check", "## The beat sweep", "## Record retention"):
        assert topic in operations, topic
