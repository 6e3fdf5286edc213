"""`ocp-conformance rehearse` as a user runs it: a real process serving the simulator on a free port, the day played
in accelerated wall time, the example client as a subprocess (`--client`); it passes every task (exit 0), and its
rehearsal.html opens in headless Chromium (skipped locally without it, failed under CI; the screenshot stays in the
report folder as rehearsal.png)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reporting.companion_readiness import readiness_stub

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

CLIENT = Path(__file__).with_name("example_client.py")


def test_the_example_client_passes_an_accelerated_si_day(tmp_path: Path) -> None:
    # the script's 20-minute day at speed 60: 08:00-19:00 in 20 s of wall time
    readiness_stub(tmp_path)  # one page: the server-side verdict and the client's day
    args = [sys.executable, "-m", "ocp_conformance", "rehearse", "si-day", "--speed", "60", "--port", "0",
            "--report", str(tmp_path), "--client", f"{sys.executable} {CLIENT}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).parents[2])})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rehearsal: PASS (8 of 8 tasks; clock reached 19:00" in done.stdout
    report = json.loads((tmp_path / "rehearsal.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "pass" and report["clientExit"] == 0
    assert [t["verdict"] for t in report["tasks"]] == ["pass"] * 8
    timeline = report["timeline"]
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    runs = [e["at"][11:16] for e in timeline if e["kind"] == "batch_run"]
    assert runs == ["10:30", "12:00", "14:00", "15:45"]
    assert timeline[-1]["text"] == "SETTLEMENT: Final batch settlement run completed"
    assert "sim_B01234_" not in json.dumps(report["tasks"])  # the evidence is redacted
    assert (tmp_path / "rehearsal.md").read_text(encoding="utf-8").startswith("# Rehearsal: SI day")
    readiness = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert "**PASS**: 8 of 8 task(s) passed; script SI day" in readiness
    _check_page_in_chromium(tmp_path)


def _check_page_in_chromium(report: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is missing: .ci/run installs it with `apt-get install -y chromium`")
        pytest.skip("headless Chromium not installed here")
    page = (report / "rehearsal.html").resolve().as_uri()
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
              "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1366,900", "--virtual-time-budget=5000"]
    dom = subprocess.run([*common, "--dump-dom", page], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<span class="verdict pass" id="verdict">PASS</span>' in dom.stdout
    assert dom.stdout.count('<td class="state pass">PASS</td>') == 8
    assert "Final batch settlement run completed" in dom.stdout
    shot = report / "rehearsal.png"
    taken = subprocess.run([*common, f"--screenshot={shot}", page], capture_output=True, text=True, timeout=120,
                           check=False)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]
