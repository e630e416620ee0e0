"""How `make test` splits the suite into passes."""

import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))  # scripts/test.py imports its sibling services.py
# Loaded by path: the module name "test" is the standard library's.
_spec = importlib.util.spec_from_file_location("practicum_test_runner", SCRIPTS / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)
passes = runner.passes


def test_the_whole_suite_runs_spread_over_processes_then_the_journeys_alone(monkeypatch):
    monkeypatch.delenv("PRACTICUM_TEST_PROCESSES", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert passes([]) == [["-n", "2", "--ignore=tests/browser"], ["tests/browser"]]


def test_one_core_or_one_process_runs_without_xdist(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert passes([])[0] == ["--ignore=tests/browser"]
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    monkeypatch.setenv("PRACTICUM_TEST_PROCESSES", "1")
    assert passes([])[0] == ["--ignore=tests/browser"]


def test_explicit_arguments_are_one_pytest_run_as_given():
    assert passes(["tests/accounts", "-x"]) == [["tests/accounts", "-x"]]
