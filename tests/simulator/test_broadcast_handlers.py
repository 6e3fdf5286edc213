"""Broadcast messages over HTTP, unknown paths as problems, and routes a fault adds beyond the contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting import load_results
from ocp_conformance.targets import simulator_target

ROOT = Path(__file__).resolve().parents[2]
ALPHA = "B01234"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def test_final_batch_run_and_day_end_are_broadcast(client: OcpClient) -> None:
    clock = client.call_operation("simGetClock").body
    client.call_operation("simAdvanceClock", body={"to": f"{clock['nextBusinessDate']}T09:00:00+08:00"})
    newest = client.call("Enquire Broadcast Message", operation="enquireBroadcastMessages", as_participant=ALPHA,
                         businessDate=clock["businessDate"], category="SETTLEMENT", order="newest", limit=1).body
    message = newest["items"][0]
    assert message["text"] == "Final batch settlement run completed" and newest["nextCursor"] is not None
    again = client.call("Enquire Broadcast Message", operation="getBroadcastMessage", as_participant=ALPHA,
                        messageId=message["messageId"])
    assert again.body == message
    system = client.call("Enquire Broadcast Message", operation="enquireBroadcastMessages", as_participant=ALPHA,
                         businessDate=clock["businessDate"], category="SYSTEM").body["items"]
    assert [m["text"] for m in system] == [f"Business day {clock['businessDate']} closed"]


def test_unknown_path_is_a_404_problem() -> None:
    target, _ = simulator_target()
    response = target.http().get("/ocp/v1/no-such-function", headers=target.auth_headers(ALPHA))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "NOT_FOUND"


def test_a_fault_can_offer_a_route_beyond_the_contract() -> None:
    target, _ = simulator_target(faults=["discontinued-enquire-ati-offered"])
    http = target.http()
    offered = http.get("/ocp/v1/account-transfers", headers=target.auth_headers(ALPHA))
    assert (offered.status_code, offered.json()) == (200, {"items": [], "nextCursor": None})
    assert http.get("/ocp/v1/account-transfers").status_code == 401


def test_discontinued_suite_blames_input_ati_for_the_offered_enquire_ati(tmp_path: Path) -> None:
    """The fault's detection, checked on the suite's own results (Input ATI may not be contracted yet, in
    which case the readiness matrix shows it not-run whatever the suite found)."""
    suite = ROOT / "suites" / "test_discontinued_functions.py"
    command = [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider", "--ocp-report",
               str(tmp_path), "--ocp-fault", "discontinued-enquire-ati-offered"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stdout[-3000:]
    results = list(load_results((tmp_path / ".results" / "main.jsonl").read_text(encoding="utf-8").splitlines()))
    failed = [r for r in results if r.outcome == "failed"]
    assert [(r.check, r.failed_functions) for r in failed] == [("contract", ("Input ATI",))], failed
