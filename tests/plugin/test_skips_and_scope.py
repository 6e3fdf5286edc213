"""Through the plugin: a skipped test leaves its check partial (never a pass), `--ocp-out-of-scope rap` keeps the
RAP tests from running and shows their entries n/a, and `--ocp-only` gives a verdict on the selection."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest_plugins = ["pytester"]

_TESTS = """
import pytest

@pytest.mark.ocp(functions=["Input SI"], check="contract")
def test_contract():
    pass

@pytest.mark.ocp(functions=["Input SI"], check="negative")
def test_negative():
    pass

@pytest.mark.ocp(functions=["Input SI"], check="scenario")
def test_scenario():
    pass

@pytest.mark.ocp(functions=["Input SI"], check="security")
def test_security():
    pass

@pytest.mark.ocp(functions=["Input SI"], check="scenario")
def test_needs_an_investor():
    if {skip}:
        pytest.skip("needs an Investor Participant's token (e.g. OCP_TOKEN_I00001)")

@pytest.mark.ocp(functions=["SI"], check="file")
def test_rap_file():
    assert False, "the RAP file test ran"
"""


def _run(pytester: pytest.Pytester, *options: str, skip: bool = True) -> tuple[pytest.RunResult, dict[str, Any]]:
    pytester.makepyfile(test_file=_TESTS.replace("{skip}", str(skip)))
    report = pytester.path / "report"
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-report", str(report), "--ocp-only", "Input SI",
                                *options)
    return result, json.loads((report / "readiness.json").read_text(encoding="utf-8"))


def _entry(readiness: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in readiness["entries"] if e["name"] == name)


def test_a_skipped_test_leaves_its_check_partial_with_the_reason(pytester: pytest.Pytester) -> None:
    _, readiness = _run(pytester)
    entry = _entry(readiness, "Input SI")
    scenario = entry["checks"]["scenario"]
    assert scenario["status"] == "partial", scenario
    assert scenario["skipped_tests"] == [{"test": "test_file.py::test_needs_an_investor",
                                          "reason": "needs an Investor Participant's token (e.g. OCP_TOKEN_I00001)"}]
    assert (entry["status"], entry["tests_ran"], entry["tests_skipped"]) == ("partial", 4, 1)
    assert readiness["verdict"] == "not-ready"


def test_only_gives_a_verdict_on_the_selection(pytester: pytest.Pytester) -> None:
    _, readiness = _run(pytester, skip=False)
    assert _entry(readiness, "Input SI")["status"] == "pass"
    assert _entry(readiness, "Cancel SI")["status"] == "not-selected"
    assert readiness["verdict"] == "ready"


def test_rap_out_of_scope_does_not_run_and_is_na(pytester: pytest.Pytester) -> None:
    result, readiness = _run(pytester, "--ocp-only", "SI", "--ocp-out-of-scope", "rap", skip=False)
    assert "the RAP file test ran" not in result.stdout.str()
    entry = _entry(readiness, "SI")
    assert entry["status"] == "n/a"
    assert entry["reason"] == "out of scope: RAP declared out of scope for this run (--out-of-scope rap)"
    assert {c["status"] for c in entry["checks"].values()} == {"n/a"}
    assert readiness["verdict"] == "ready"
    in_scope, _ = _run(pytester, "--ocp-only", "SI", skip=False)
    assert "the RAP file test ran" in in_scope.stdout.str()


def test_unknown_out_of_scope_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--ocp-out-of-scope", "rpa")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'rpa'" in result.stderr.str()


