"""issue 15 item 1, per suite family: a target that answers the owner's read of its own SI, ISI, STI or mass
ATI/STI submission with a 404 (as if it did not exist) or an empty JSON object fails the read's function (exit 1),
and no check crashes into a harness error. Before, mass-own-read-404 and isi-own-read-404 exited 3 ("not your
target"): the suites read fields from the 404's body.

Each case runs the family's suites that read back what they created, in a subprocess against the embedded
simulator with the fault, and reads the readiness report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ocp_conformance.simulator.faults import FAULTS
from ocp_conformance.simulator.faults.own_reads import OWN_READS

ROOT = Path(__file__).resolve().parents[2]
SUITES = {  # family -> the suites that read an object back as its owner
    "mass": ["test_ati_mass_model.py", "test_ati_privacy.py"],
    "si": ["test_si_model.py", "test_security.py"],
    "isi": ["test_isi_privacy.py", "test_isi_rejections.py"],
    "sti": ["test_sti_model.py", "test_sti_rules.py"],
}
CASES = [f"{family}-own-read-{kind}" for family, *_ in OWN_READS for kind in ("404", "empty-body")]


def test_every_family_with_an_own_read_fault_has_its_suites() -> None:
    assert sorted(SUITES) == sorted(family for family, *_ in OWN_READS)
    assert set(CASES) <= set(FAULTS)


@pytest.mark.parametrize("fault", CASES)
def test_a_wrong_answer_to_an_own_read_fails_the_function_and_crashes_nothing(fault: str, tmp_path: Path) -> None:
    family = fault.split("-", 1)[0]
    function = FAULTS[fault].function
    command = [sys.executable, "-m", "pytest", *(str(ROOT / "suites" / name) for name in SUITES[family]), "-q",
               "-p", "no:cacheprovider", "--ocp-report", str(tmp_path), "--ocp-fault", fault]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    output = done.stdout[-3000:] + done.stderr[-1000:]
    readiness = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    harness_errors = [(e["test_id"], e["message"][:300]) for e in readiness["harness_errors"]]
    assert not harness_errors, f"{fault}: a wrong answer crashed checks into harness errors: {harness_errors}"
    assert done.returncode == 1, f"{fault}: pytest exited {done.returncode}, expected 1 (tests failed)\n{output}"
    statuses = {e["name"]: e["status"] for e in readiness["entries"]}
    assert statuses[function] == "fail", f"{fault} breaks {function!r} but it is {statuses[function]!r}\n{output}"
