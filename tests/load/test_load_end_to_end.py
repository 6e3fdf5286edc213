"""One short load end to end: `ocp-conformance load` against a served simulator, a master and 2 local Locust worker
processes on loopback, a few seconds of peak-day traffic; the report says what was sent and the invariants pass.
(The drop fault's detection is proven in process: test_load_invariants.py. No wall-clock assertion here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.reporting.companion_readiness import readiness_stub
from tests.served_simulator import served_simulator


def test_peak_day_with_two_workers_against_a_served_simulator(tmp_path: Path) -> None:
    readiness_stub(tmp_path)  # a run's readiness report in the same folder gets the capacity section
    with served_simulator() as simulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_TOKEN_")}
        env.update({f"OCP_TOKEN_{participant}": token for participant, token in simulator.tokens.items()})
        result = subprocess.run([sys.executable, "-m", "ocp_conformance", "load", "--target", simulator.base_url,
                                 "--profile", "peak-day", "--users", "4", "--duration", "4", "--workers", "2",
                                 "--report", str(tmp_path)], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "load.json").read_text())
    assert report["verdict"] == "pass" and report["workers"] == 2
    assert report["requests"] > 0 and report["acknowledged"] > 0
    assert {f["function"] for f in report["functions"]} >= {"Input SI", "Enquire SI"}
    assert [(i["name"], i["passed"]) for i in report["invariants"]] == [
        ("exactly-once", True), ("status-counts", True), ("isolation", True)]
    assert "load verdict: PASS" in result.stdout
    assert {p.name for p in tmp_path.iterdir()} >= {"load.json", "load.md", "load.html", "load-junit.xml"}
    readiness = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert "### Capacity (load)\n\n**PASS**: profile peak-day, 4 users" in readiness
    assert "invariants 3 of 3 hold; 0 contract violation(s)" in readiness
