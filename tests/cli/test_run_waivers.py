"""`ocp-conformance run --waivers`: a waived failure makes a broken target ready, an expired waiver does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ocp_conformance.simulator.faults import FAULTS
from tests.harness_run import run_harness

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

FAULT = FAULTS["server-error-on-revoke"]
#: What the fault fails in a full run: the broken function's checks, and the scenario checks of tests that blame
#: every function they cover (an Arazzo workflow, the ledger-invariant model) when Revoke Matched SI answers 500.
#: Its negative check fails too: a second revocation must be refused with 409, and the fault answers 500.
FAILING = [(FAULT.function, "contract"), (FAULT.function, "scenario"), (FAULT.function, "security"),
           (FAULT.function, "negative"), ("Enquire SI", "scenario"), ("Enquire Deleted SI", "scenario"),
           ("Enquire Stock Account Balance", "scenario"), ("Enquire Stock Account Movement", "scenario"),
           ("Enquire Settlement Activity", "scenario"), ("Enquire Money Position", "scenario")]


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; a wide one keeps each message on one line."""
    monkeypatch.setenv("COLUMNS", "400")


def waiver_file(path: Path, cells: list[tuple[str, str]], expires: str) -> Path:
    tables = [f'[[waiver]]\nfunction = "{function}"\ncheck = "{check}"\nreason = "vendor fix in 4.2"\n'
              f'ticket = "OPS-{number}"\nexpires = {expires}\n' for number, (function, check) in enumerate(cells, 1)]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def test_waived_failures_make_the_broken_simulator_ready(tmp_path: Path) -> None:
    waivers = waiver_file(tmp_path / "waivers.toml", FAILING, "2099-12-31")
    outcome = run_harness(tmp_path / "report", "--simulator-fault", FAULT.name, "--waivers", str(waivers))
    assert outcome.exit_code == 0, outcome.output[-4000:]
    assert outcome.readiness is not None and outcome.readiness["verdict"] == "ready"
    entry = outcome.entry(FAULT.function)
    assert entry["status"] == "pass"
    assert {kind: check["status"] for kind, check in entry["checks"].items()} == {
        "contract": "waived", "negative": "waived", "scenario": "waived", "security": "waived"}
    assert entry["checks"]["contract"]["failed"] >= 1
    assert "OPS-1" in entry["checks"]["contract"]["reason"]
    states = {(w["function"], w["check"]): w["state"] for w in outcome.readiness["waivers"]}
    assert states[(FAULT.function, "contract")] == "applied"
    assert set(states.values()) <= {"applied", "unused-passing"}
    assert f"waivers: {waivers} ({len(FAILING)} waivers)" in outcome.output
    assert "applied, 0 expired" in outcome.output


def test_expired_waiver_leaves_the_failure(tmp_path: Path) -> None:
    cells = [(function, check) for function, check in FAILING if function == FAULT.function]
    waivers = waiver_file(tmp_path / "waivers.toml", cells, "2020-01-31")
    outcome = run_harness(tmp_path / "report", "--simulator-fault", FAULT.name, "--only", FAULT.function,
                          "--waivers", str(waivers))
    assert outcome.exit_code == 1, outcome.output[-4000:]
    entry = outcome.entry(FAULT.function)
    assert entry["status"] == "fail"
    contract = entry["checks"]["contract"]
    assert contract["status"] == "fail"
    assert contract["reason"].startswith("waiver OPS-1 expired on 2020-01-31")
    assert outcome.readiness is not None
    assert [w["state"] for w in outcome.readiness["waivers"]] == ["expired"] * len(cells)
    assert f"0 applied, {len(cells)} expired" in outcome.output


def test_bad_waiver_file_is_a_usage_error_at_its_line(tmp_path: Path) -> None:
    cells = [("Revoke Matched SI", "contract"), ("Revoke Matched Si", "scenario")]
    waivers = waiver_file(tmp_path / "waivers.toml", cells, "2099-12-31")
    outcome = run_harness(tmp_path / "report", "--waivers", str(waivers))
    assert outcome.exit_code == 2, outcome.output[-3000:]
    assert f"{waivers}:9:12: function 'Revoke Matched Si' is not a catalogue entry" in outcome.output
    assert "Did you mean 'Revoke Matched SI'" in outcome.output
    assert outcome.readiness is None


def test_waivers_toml_in_the_current_folder_is_used_by_default(tmp_path: Path) -> None:
    (tmp_path / "waivers.toml").write_text("[[waiver]]\nfunction = \"Input SI\"\n", encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "ocp_conformance", "run", "--report", "report"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "waivers.toml:1:1: waiver lacks check, reason, ticket, expires" in completed.stderr
