"""The RAP file suites pass on the faithful simulator, in process and over SFTP, and each RAP fault profile fails
exactly the entry it breaks, on the ``file`` check.

Each case runs the RAP file suites in a subprocess (pytest with the harness plugin) and reads readiness.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.faults import FAULTS
from tests.harness_run import run_harness
from tests.served_simulator import free_port, served_simulator

ROOT = Path(__file__).resolve().parents[2]
SUITES = sorted(str(p) for p in (ROOT / "suites").glob("test_rap_*.py"))
RAP_ENTRIES = [e.name for e in load_contracts().catalogue if e.kind == "rap"]
RAP_FAULTS = sorted(name for name, fault in FAULTS.items()
                    if fault.function in RAP_ENTRIES and fault.check == "file")
"""The RAP faults the file suites must catch (the scenario faults of the RAP workflows: tests/scenarios)."""


def _run(report: Path, *options: str) -> tuple[int, dict[str, dict[str, Any]], str]:
    command = [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:cacheprovider", "--ocp-report", str(report),
               *options]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    return done.returncode, {e["name"]: e for e in readiness["entries"]}, done.stdout[-3000:]


def test_file_suites_pass_on_the_faithful_simulator(tmp_path: Path) -> None:
    code, entries, output = _run(tmp_path)
    assert code == 0, output
    assert {name: entries[name]["checks"]["file"]["status"] for name in RAP_ENTRIES} == dict.fromkeys(
        RAP_ENTRIES, "pass")


def test_every_rap_file_type_has_a_fault() -> None:
    assert {FAULTS[name].function for name in RAP_FAULTS} == set(RAP_ENTRIES)
    assert all(FAULTS[name].check == "file" for name in RAP_FAULTS)


@pytest.mark.parametrize("fault", RAP_FAULTS)
def test_fault_fails_exactly_its_entry_on_the_file_check(fault: str, tmp_path: Path) -> None:
    function = FAULTS[fault].function
    code, entries, output = _run(tmp_path, "--ocp-fault", fault)
    assert code == 1, f"the RAP file suites with fault {fault} exited {code}, expected 1 (tests failed)\n{output}"
    assert entries[function]["checks"]["file"]["status"] == "fail", f"{entries[function]}\n{output}"
    others = sorted(name for name in RAP_ENTRIES if name != function and entries[name]["status"] == "fail")
    assert not others, f"fault {fault} also failed {others}\n{output}"


def test_a_served_simulators_rap_checks_run_over_sftp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sftp_port = free_port()
    with served_simulator(options=["--rap-sftp-port", str(sftp_port)]) as simulator:
        for participant, token in simulator.tokens.items():
            monkeypatch.setenv(f"OCP_TOKEN_{participant}", token)
        outcome = run_harness(tmp_path, "--target", simulator.base_url, "--rap-sftp", f"127.0.0.1:{sftp_port}",
                              "--only", "ATI")
    entry = outcome.entry("ATI")
    assert entry["checks"]["file"]["status"] == "pass", outcome.output[-3000:]
    for token in simulator.tokens.values():
        assert token not in outcome.output
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert token not in path.read_text(encoding="utf-8", errors="replace"), path


def test_without_a_rap_channel_the_file_checks_skip_saying_how(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with served_simulator() as simulator:
        for participant, token in simulator.tokens.items():
            monkeypatch.setenv(f"OCP_TOKEN_{participant}", token)
        outcome = run_harness(tmp_path, "--target", simulator.base_url, "--only", "SI")
    check = outcome.entry("SI")["checks"]["file"]
    assert check["status"] == "partial" and check["tests"] == 0, check  # skipped, never a pass
    assert "--rap-sftp" in check["reason"], check
    assert outcome.exit_code == 1


@pytest.mark.parametrize(("options", "message"), [
    (["--rap-sftp", "127.0.0.1:2222"], "--rap-sftp applies only to a URL target"),
    (["--target", "http://127.0.0.1:9", "--rap-sftp", "localhost"], "expected HOST:PORT"),
    (["--target", "http://127.0.0.1:9", "--rap-sftp", "h:22", "--rap-known-hosts", "/nonexistent"],
     "no such file"),
])
def test_bad_rap_sftp_options_are_usage_errors(options: list[str], message: str, tmp_path: Path) -> None:
    outcome = run_harness(tmp_path, *options)
    assert outcome.exit_code == 2, outcome.output[-2000:]
    assert message in outcome.output
