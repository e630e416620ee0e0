"""How `make test` splits the suite into passes."""

import importlib.util
import os
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))  # scripts/test.py imports its sibling services.py
# Loaded by path: the module name "test" is the standard library's.
_spec = importlib.util.spec_from_file_location("practicum_test_runner", SCRIPTS / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)
passes = runner.passes


def test_the_whole_suite_runs_spread_over_processes_and_the_journeys_alone_alongside(
    monkeypatch,
):
    monkeypatch.delenv("PRACTICUM_TEST_PROCESSES", raising=False)
    monkeypatch.delenv("PRACTICUM_TEST_TOGETHER", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert passes([]) == [["-n", "2", "--ignore=tests/browser"], ["tests/browser"]]
    assert runner.together(passes([]))
    monkeypatch.setenv("PRACTICUM_TEST_TOGETHER", "0")
    assert not runner.together(passes([]))


def test_passes_run_together_give_each_its_code_and_the_second_ones_output_after(
    monkeypatch, tmp_path, capfd
):
    """Two real pytest runs at once: one that collects this file, one given a path
    that does not exist (pytest's usage error, 4)."""
    monkeypatch.setattr(runner, "BROWSER_LOG", tmp_path / "browser-pass.log")
    here = str(Path(__file__).relative_to(SCRIPTS.parent))
    plan = [
        ["-q", "--co", "-p", "no:cacheprovider", here],
        ["-q", "-p", "no:cacheprovider", "nowhere/"],
    ]
    codes = runner._run_together(plan, {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert codes == [0, 4]
    out = capfd.readouterr().out
    # The first run's collection on the terminal, then the second's log.
    assert "test_passes_run_together" in out
    assert out.index("test_passes_run_together") < out.index("nowhere")
    assert "nowhere" in (tmp_path / "browser-pass.log").read_text()


def test_one_core_or_one_process_runs_without_xdist(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert passes([])[0] == ["--ignore=tests/browser"]
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    monkeypatch.setenv("PRACTICUM_TEST_PROCESSES", "1")
    assert passes([])[0] == ["--ignore=tests/browser"]


def test_explicit_arguments_are_one_pytest_run_as_given():
    assert passes(["tests/accounts", "-x"]) == [["tests/accounts", "-x"]]
