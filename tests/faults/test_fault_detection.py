"""Every fault profile must be caught: the run is not ready and the broken function fails (DESIGN.md §4), with
no harness error (a wrong answer fails the target, never crashes a check: issue 15).

Load faults are the exception: only a load run can see them (tests/load/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.simulator.faults import FAULTS
from tests.harness_run import run_harness

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop


# A load fault (lost writes at volume) is caught by `ocp-conformance load`'s invariants, not by a conformance run:
# tests/load/test_invariants.py proves that.
@pytest.mark.parametrize("name", sorted(name for name, fault in FAULTS.items() if fault.check != "load"))
def test_suites_catch_the_fault(name: str, tmp_path: Path) -> None:
    fault = FAULTS[name]
    # Only the broken function's checks: the question is whether they catch the fault (the clean run shows the
    # other functions pass), and a whole run per fault would grow with every function contracted.
    outcome = run_harness(tmp_path, "--simulator-fault", name, "--only", fault.function)
    assert outcome.exit_code == 1, (
        f"fault {name} ({fault.breaks}) was not caught: exit {outcome.exit_code}, expected 1\n"
        f"{outcome.output[-3000:]}"
    )
    assert outcome.readiness is not None and not outcome.readiness["harness_errors"], (
        f"fault {name} ({fault.breaks}) crashed checks into harness errors instead of failing the target "
        f"(issue 15): {[(e['test_id'], e['message'][:300]) for e in outcome.readiness['harness_errors']]}")
    entry = outcome.entry(fault.function)
    assert entry["status"] == "fail", (
        f"fault {name} breaks {fault.function!r} but readiness.json says {entry['status']}: {entry}"
    )
