"""The several-machine form of `ocp-conformance load` on loopback (issue 19 item 3): a master with --master-bind and
--expect-workers 2, and two separate `load --worker --master HOST:PORT` processes, as two other machines would run
them; the target profile's rate_limit holds for the run as a whole (each worker keeps its share).
(No wall-clock assertion: the achieved rate is read from the report, with Locust's own accounting.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.served_simulator import free_port, served_simulator

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

RATE_LIMIT = 12


def test_a_master_and_two_worker_commands_share_the_profiles_rate_limit(tmp_path: Path) -> None:
    config = tmp_path / "ocp-conformance.toml"
    with served_simulator() as simulator:
        config.write_text(f'[targets.lab]\nbase_url = "{simulator.base_url}"\nrate_limit = {RATE_LIMIT}\n'
                          'participants = ["B01234", "B05678"]\n'
                          + "".join(f'\n[targets.lab.auth.{p}]\ntype = "bearer"\ntoken_env = "OCP_TOKEN_{p}"\n'
                                    for p in ("B01234", "B05678")), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_TOKEN_")}
        env.update({f"OCP_TOKEN_{participant}": token for participant, token in simulator.tokens.items()})
        port = free_port()
        common = ["--target", "lab", "--config", str(config), "--profile", "peak-day"]
        master = subprocess.Popen([sys.executable, "-m", "ocp_conformance", "load", *common, "--users", "6",
                                   "--duration", "6", "--master-bind", f"127.0.0.1:{port}", "--expect-workers", "2",
                                   "--report", str(tmp_path / "report")],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        workers = [subprocess.Popen([sys.executable, "-m", "ocp_conformance", "load", *common, "--worker",
                                     "--master", f"127.0.0.1:{port}", "--workers", "2",
                                     "--report", str(tmp_path / f"worker{n}")],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for n in (1, 2)]
        try:
            output, _ = master.communicate(timeout=240)
            worker_output = [w.communicate(timeout=60)[0] for w in workers]
        finally:
            for process in (master, *workers):
                process.kill()
    assert master.returncode == 0, output[-3000:] + "\n".join(o[-1500:] for o in worker_output)
    report = json.loads((tmp_path / "report" / "load.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "pass"
    assert [(i["name"], i["passed"]) for i in report["invariants"]] == [
        ("exactly-once", True), ("status-counts", True), ("isolation", True)]
    assert report["acknowledged"] > 0  # both workers' acknowledged instructions reached the master's read-back
    # the whole run keeps the profile's rate: two workers, each at half of it (Locust counts the requests)
    assert report["requests"] / report["duration_s"] <= RATE_LIMIT * 1.15, report["throughput_rps"]
