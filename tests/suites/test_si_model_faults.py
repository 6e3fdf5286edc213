"""The model-based and security suites pass on the faithful simulator and fail on the faults they target.

Each case runs a suite in a subprocess against the embedded simulator (``--ocp-fault``) and reads the
readiness report, so it proves both that the suite fails and that it blames the function the fault breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "suites" / "test_si_model.py"
SECURITY = ROOT / "suites" / "test_security.py"


def _run(suites: list[Path], faults: list[str], report: Path) -> tuple[int, dict[str, str], str]:
    """Run ``suites`` with ``faults``; the exit code, each function's readiness status, and the output."""
    command = [sys.executable, "-m", "pytest", *map(str, suites), "-q", "-p", "no:cacheprovider",
               "--ocp-report", str(report)]
    for fault in faults:
        command += ["--ocp-fault", fault]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    return done.returncode, {e["name"]: e["status"] for e in readiness["entries"]}, done.stdout[-3000:]


def test_suites_pass_without_faults(tmp_path: Path) -> None:
    """No false alarm: both suites pass against the faithful simulator."""
    code, statuses, output = _run([MODEL, SECURITY], [], tmp_path)
    assert code == 0, output
    assert "fail" not in statuses.values(), statuses


@pytest.mark.parametrize(("suite", "fault", "function"), [
    (MODEL, "cancel-matched-si-allowed", "Cancel SI"),
    (MODEL, "change-matched-unmatches", "Change Matched/Settled SI"),
    (MODEL, "cancelled-si-still-listed", "Enquire SI"),
    (MODEL, "si-amount-rounded-to-cents", "Input SI"),  # issue 15 item 2: amounts echoed exactly, as Decimals
    (MODEL, "si-stale-read-after-change", "Enquire SI"),  # issue 15 item 3: a stale read is the read's
    (MODEL, "si-attributed-to-counterparty", "Input SI"),  # issue 15 item 4: the owner echoed is who input it
    (SECURITY, "other-participants-si-visible", "Enquire SI"),
], ids=lambda value: value.stem if isinstance(value, Path) else None)
def test_suite_catches_fault(suite: Path, fault: str, function: str, tmp_path: Path) -> None:
    """The suite fails on the fault, and the readiness report blames the function the fault breaks."""
    code, statuses, output = _run([suite], [fault], tmp_path)
    assert code == 1, f"{suite.name} with fault {fault} exited {code}, expected 1 (tests failed)\n{output}"
    assert statuses.get(function) == "fail", f"{function} is {statuses.get(function)!r}, expected 'fail'\n{output}"
    others = sorted(name for name, status in statuses.items() if status == "fail" and name != function)
    assert not others, f"fault {fault} also blamed {others}\n{output}"
