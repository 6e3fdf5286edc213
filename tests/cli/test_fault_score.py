"""Issue 15 item 4: `ocp-conformance faults --score` runs fault profiles against the suites and says, per function,
how many were caught and by which check; a fault caught only on another function is wrong attribution.

The judging is tested on plain results (fast); one small selection runs for real (one profile, one function)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ocp_conformance.cli import app
from ocp_conformance.reporting import CheckResult
from ocp_conformance.reporting.fault_score import FaultRun, FaultScore, judge_fault_run

runner = CliRunner()


def _failed(test_id: str, functions: tuple[str, ...], check: str = "scenario",
            blamed: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(test_id, functions, check, "failed", failed_functions=blamed)  # type: ignore[arg-type]


def test_a_failure_blamed_on_the_broken_function_catches_it() -> None:
    results = [CheckResult("t::ok", ("Input SI",), "contract", "passed"),
               _failed("t::model", ("Input SI", "Change SI"), blamed=("Input SI",))]
    run = judge_fault_run("f", "Input SI", "breaks it", results, exit_code=1)
    assert run.outcome == "caught"
    assert run.summary() == "caught by scenario: t::model"


def test_the_check_kind_the_profile_names_is_shown_first() -> None:
    results = [_failed("t::contract", ("Input SI",), "contract"), _failed("t::model", ("Input SI",), "scenario")]
    run = judge_fault_run("f", "Input SI", "x", results, exit_code=1, expected_check="scenario")
    assert run.summary() == "caught by scenario: t::model (+1 more)"


def test_a_failure_blamed_only_on_another_function_is_wrong_attribution() -> None:
    results = [_failed("t::model", ("Input SI", "Change SI"), blamed=("Change SI",))]
    run = judge_fault_run("f", "Input SI", "breaks it", results, exit_code=1)
    assert run.outcome == "wrong-attribution" and not run.caught
    assert run.summary() == "WRONG ATTRIBUTION: failed Change SI, not Input SI (scenario: t::model)"


def test_a_failure_naming_no_function_fails_every_declared_one() -> None:
    run = judge_fault_run("f", "Change SI", "x", [_failed("t::model", ("Input SI", "Change SI"))], exit_code=1)
    assert run.caught


def test_passing_checks_or_a_harness_error_do_not_catch() -> None:
    passed = judge_fault_run("f", "Input SI", "x", [CheckResult("t::a", ("Input SI",), "contract", "passed")],
                             exit_code=0)
    assert passed.outcome == "not-caught" and passed.summary().startswith("NOT CAUGHT")
    crashed = judge_fault_run("f", "Input SI", "x", [_failed("t::a", ("Input SI",))], exit_code=3,
                              harness_errors=["t::b: KeyError 'items'"])
    assert crashed.outcome == "harness-error" and "KeyError" in crashed.summary()


def test_the_score_counts_per_function_and_leaves_load_faults_out() -> None:
    score = FaultScore([
        judge_fault_run("a", "Input SI", "x", [_failed("t::a", ("Input SI",))], exit_code=1),
        judge_fault_run("b", "Input SI", "x", [], exit_code=0),
        FaultRun("c", "Input SI", "x", "not-scored", detail="a load fault"),
        judge_fault_run("d", "Cancel SI", "x", [_failed("t::d", ("Cancel SI",), "contract")], exit_code=1),
    ])
    data = score.to_json()
    assert (data["caught"], data["scored"], data["all_caught"]) == (2, 3, False)
    assert [(f["function"], f["caught"], f["defined"]) for f in data["functions"]] == [("Input SI", 1, 2),
                                                                                       ("Cancel SI", 1, 1)]
    assert "| Input SI | 1/2 | `a` | caught by scenario: t::a |" in score.markdown()
    assert "`b` | NOT CAUGHT" in score.markdown()


def test_an_unknown_function_is_a_usage_error() -> None:
    result = runner.invoke(app, ["faults", "--score", "--only", "Imput SI"])
    assert result.exit_code == 2
    assert "--only 'Imput SI' is not a catalogue function or group" in result.stderr
    assert "Input SI" in result.stderr  # did you mean


def test_without_score_it_lists_the_selected_profiles() -> None:
    result = runner.invoke(app, ["faults", "--only", "Enquire SI Unmatched Reason"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["drop-required-field\tEnquire SI Unmatched Reason\tthe unmatched-reason "
                                          "response lacks the required field reasonCode"]


def test_score_of_a_small_selection_names_the_catching_check(tmp_path: Path) -> None:
    """One profile, its function's checks only (about 15 s): caught, with the check, in the console and files."""
    completed = subprocess.run(
        [sys.executable, "-m", "ocp_conformance", "faults", "--score", "--only", "Enquire SI Unmatched Reason",
         "--report", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1/1 Enquire SI Unmatched Reason" in completed.stdout
    assert "1/1 fault profiles caught on their function (100 %)" in completed.stdout
    score = json.loads((tmp_path / "score.json").read_text(encoding="utf-8"))
    (function,) = score["functions"]
    (fault,) = function["faults"]
    assert (fault["name"], fault["outcome"]) == ("drop-required-field", "caught")
    assert {c["check"] for c in fault["caught_by"]} >= {"contract"}
    assert all("Enquire SI Unmatched Reason" in c["functions"] for c in fault["caught_by"])
    assert (tmp_path / "score.md").read_text(encoding="utf-8").startswith("# Fault score")
    assert (tmp_path / "runs" / "drop-required-field" / "readiness.json").is_file()
