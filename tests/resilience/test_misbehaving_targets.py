"""`ocp-conformance run` against real misbehaving servers on loopback (tests/misbehaving_server.py).

For each misbehaviour the run finishes within its limits (enforced by the subprocess timeout, never a
wall-clock assertion), exits 1 (not ready; never 2 or 3), writes a complete readiness report, and fails the
function against the target with a one-line reason that names the misbehaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ocp_conformance.contracts import load_contracts
from tests.misbehaving_server import Mode, misbehaving_server

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

FUNCTION = "Participant List"  # few, read-only checks: a quick run
TOKENS = {"OCP_TOKEN_B01234": "tok_resilience_a", "OCP_TOKEN_B05678": "tok_resilience_b"}
STARTUP_ALLOWANCE = 60  # seconds for the interpreter, contracts and collection, on a busy machine

NAMED: dict[Mode, str] = {
    "hang": "timed out: no answer within 1 s",
    "reset": "reset the connection",
    "non-json": "the body is not JSON",
    "huge-body": "over the 1 MB cap",
    "wrong-content-type": "wrong content type. Received: text/html",
    "500": "Received: 500",
    "503": "(status 503)",
    "slow-drip": "dripped its response",
}
FAILS_FAST: set[Mode] = {"hang", "reset", "huge-body", "slow-drip"}


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str
    readiness: dict[str, Any]

    def entry(self, name: str) -> dict[str, Any]:
        return next(e for e in self.readiness["entries"] if e["name"] == name)


def _run(base_url: str, report: Path, *options: str, run_timeout: float) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "ocp_conformance", "run", "--target", base_url, "--report", str(report),
         "--only", FUNCTION, "--run-timeout", str(run_timeout), *options],
        capture_output=True, text=True, check=False, env={**os.environ, **TOKENS},
        timeout=run_timeout + STARTUP_ALLOWANCE,  # a hang fails the test here
    )
    output = completed.stdout + completed.stderr
    readiness_path = report / "readiness.json"
    assert readiness_path.exists(), f"no readiness.json (exit {completed.returncode}):\n{output[-3000:]}"
    return Run(completed.returncode, output, json.loads(readiness_path.read_text(encoding="utf-8")))


def _assert_complete(run: Run) -> None:
    assert [e["name"] for e in run.readiness["entries"]] == [e.name for e in load_contracts().catalogue]
    assert run.readiness["harness_errors"] == [], run.readiness["harness_errors"]
    assert run.readiness["verdict"] == "not-ready"
    for secret in TOKENS.values():
        assert secret not in json.dumps(run.readiness)


@pytest.mark.parametrize("mode", list(NAMED))
def test_each_misbehaviour_fails_the_function_against_the_target(mode: Mode, tmp_path: Path) -> None:
    with misbehaving_server(mode) as base_url:
        run = _run(base_url, tmp_path, "--request-timeout", "1", "--max-body-mb", "1", run_timeout=120)
    assert run.exit_code == 1, run.output[-4000:]
    _assert_complete(run)
    entry = run.entry(FUNCTION)
    assert entry["status"] == "fail", entry
    reasons = [check["reason"] for check in entry["checks"].values() if check["status"] == "fail"]
    assert any(NAMED[mode] in reason for reason in reasons), (NAMED[mode], reasons)
    assert run.readiness["stopped_early"] is None
    if mode in FAILS_FAST:  # after 2 such requests the harness stops sending: later checks fail at once
        assert any("failed the last 2 requests in a row" in reason for reason in reasons), reasons


def test_the_run_limit_stops_the_run_and_reports_the_rest_as_skipped(tmp_path: Path) -> None:
    with misbehaving_server("hang") as base_url:
        run = _run(base_url, tmp_path, "--request-timeout", "30", run_timeout=4)
    assert run.exit_code == 1, run.output[-4000:]
    _assert_complete(run)
    assert run.readiness["stopped_early"] and "--run-timeout" in run.readiness["stopped_early"]
    entry = run.entry(FUNCTION)
    assert entry["status"] == "partial", entry  # skipped by the limit: not run, and never a pass
    assert all("run time limit" in check["reason"] for check in entry["checks"].values()), entry["checks"]
