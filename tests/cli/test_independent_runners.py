"""The simulator honours its own contract as an independent runner (the schemathesis CLI) sees it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ocp_conformance.simulator.ccass import DEMO_GCP
from ocp_conformance.simulator.state import demo_token
from tests.served_simulator import served_simulator

pytestmark = pytest.mark.slow  # end-to-end runs: `pytest -m "not slow"` leaves them out for a quick loop

ROOT = Path(__file__).resolve().parents[2]


def _schemathesis_cli(*faults: str, document: str = "ocp-api", server: str = "/ocp/v1"
                      ) -> subprocess.CompletedProcess[str]:
    with served_simulator(*faults) as simulator:
        return subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / f"contracts/api/{document}.yaml"),
             "--url", f"{simulator.base_url}{server}",
             "-H", f"Authorization: Bearer {simulator.tokens['B01234']}",
             "--max-examples", "30", "--seed", "1", "--no-color"],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )


@pytest.mark.parametrize(("document", "server"), [("ocp-api", "/ocp/v1"), ("gcp-services", "/gcp/v1")])
def test_schemathesis_cli_finds_no_failure(document: str, server: str) -> None:
    completed = _schemathesis_cli(document=document, server=server)
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout


def test_schemathesis_cli_catches_a_fault() -> None:
    completed = _schemathesis_cli("server-error-on-revoke")
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "revocation" in completed.stdout


REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
# Where each source description of the scenarios is served, relative to the simulator's base URL.
SERVERS = {"ocpApi": "/ocp/v1", "gcpServices": "/gcp/v1", "simControl": "", "rapUpload": ""}


def _respect(scenario: Path, *faults: str) -> subprocess.CompletedProcess[str]:
    if not REDOCLY.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/.bin/redocly is missing: .ci/run must `npm ci` before the tests")
        pytest.skip("Redocly CLI not installed here: run `npm ci` to include this independent check")
    quantity = 1000 + secrets.randbelow(8000)
    with served_simulator(*faults) as simulator:
        inputs = {
            "deliverer": "B01234", "receiver": "B05678",
            "delivererToken": simulator.tokens["B01234"], "receiverToken": simulator.tokens["B05678"],
            "gcp": DEMO_GCP, "gcpToken": demo_token(DEMO_GCP),
            "settlementDate": "2027-04-06", "nextBusinessDate": "2027-04-07",
            "runId": "R" + secrets.token_hex(4), "quantity": quantity, "otherQuantity": quantity + 1,
            "fileDate": "20270406", "fileSequence": 10 + secrets.randbelow(90),
        }
        return subprocess.run(
            [str(REDOCLY), "respect", str(scenario),
             "--server", ",".join(f"{name}={simulator.base_url}{SERVERS[name]}" for name in _sources(scenario)),
             "--input", ",".join(f"{k}={v}" for k, v in inputs.items())],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )


def _sources(scenario: Path) -> list[str]:
    return [str(source["name"]) for source in yaml.safe_load(scenario.read_text())["sourceDescriptions"]]


@pytest.mark.parametrize("scenario", sorted((ROOT / "scenarios").rglob("*.arazzo.yaml")), ids=lambda p: p.name)
def test_scenarios_pass_under_redocly_respect(scenario: Path) -> None:
    """The same Arazzo files run unchanged under an independent runner, against the served simulator."""
    completed = _respect(scenario)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    summary = output.split("Workflows:")[1].split("\n")[0]
    assert " passed" in summary and " failed" not in summary, output[-3000:]


def test_redocly_respect_catches_a_fault() -> None:
    completed = _respect(ROOT / "scenarios/si/si-deletion.arazzo.yaml", "cancel-matched-si-allowed")
    assert completed.returncode != 0
    assert "failed" in (completed.stdout + completed.stderr).split("Workflows:")[1].split("\n")[0]
