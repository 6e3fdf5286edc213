"""The mass ATI/STI day and the CA election day in process, on a stepped business clock: the example clients of
tests/rehearsal/day_clients.py pass every task, and each defective variant fails on the task it breaks, with a
one-line reason. No wall clock: the test steps the business clock itself (as test_engine.py does)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from ocp_conformance.consumer import InjectionRule, Injector, Recorder
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.rehearsal import Rehearsal, RehearsalResult, load_script, scripts_folder
from ocp_conformance.rehearsal.report import rehearsal_json, render_rehearsal_html
from ocp_conformance.simulator.app import build_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport
from tests.rehearsal.day_clients import CLIENTS
from tests.rehearsal.test_engine import FakeWall


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


def rehearse(contracts: ContractSet, script_name: str, variant: str,
             step: timedelta = timedelta(minutes=5)) -> RehearsalResult:
    script = load_script(scripts_folder() / f"{script_name}.yaml")
    simulator = build_app(contracts)
    wall = FakeWall()
    recorder = Recorder(simulator, Injector([InjectionRule.parse(s, contracts) for s in script.inject]),
                        clock=wall.now)
    rehearsal = Rehearsal(script, simulator, recorder)
    rehearsal.start()
    kind, _ = CLIENTS[script_name]
    with httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test") as http:
        client = kind(http, script.participant, simulator.token_of(script.participant), variant, sleep=wall.sleep)
        now = script.clock.start
        while now <= script.clock.end:
            rehearsal.advance_to(now)
            if not client.finished():
                client.tick(now)
            now += step
    return rehearsal.finish()


@pytest.mark.parametrize("script_name", ["mass-transfer-day", "ca-election-day"])
def test_the_example_client_completes_the_day(contracts: ContractSet, script_name: str) -> None:
    result = rehearse(contracts, script_name, "correct")
    assert [(s.task.id, s.reason) for s in result.tasks if s.state != "pass"] == []
    assert result.verdict == "pass" and not result.problems
    assert [e.at for e in result.timeline] == sorted(e.at for e in result.timeline)
    data = rehearsal_json(result)
    assert data["verdict"] == "pass"


def test_the_mass_outcome_is_judged_item_by_item(contracts: ContractSet) -> None:
    result = rehearse(contracts, "mass-transfer-day", "correct")
    outcome = next(s for s in result.tasks if s.task.id == "mass-outcome")
    assert outcome.results[0].reason.startswith("Enquire Mass ATI/STI with own_reference MTD-MASS-1: status "
                                                "PARTIALLY_REJECTED")
    assert outcome.results[1].reason.startswith("read MTD-MASS-1 at 10:30")
    ati = next(s for s in result.tasks if s.task.id == "input-ati")
    assert len(ati.evidence) == 1  # the dropped attempt created the ATI; its retry was a replay


def test_the_ca_day_reads_the_rap_uploads_and_the_ca_book(contracts: ContractSet) -> None:
    result = rehearse(contracts, "ca-election-day", "correct")
    kinds = [(e.at.strftime("%H:%M"), e.kind, e.text.split(":")[0]) for e in result.timeline]
    assert ("08:30", "event", "announce-election") in kinds
    by_id = {s.task.id: s for s in result.tasks}
    assert by_id["upload-election"].results[0].reason.startswith("B01234_ELECTION_20270406_001.csv (09:00) accepted")
    assert by_id["correct-rejected"].results[0].reason.startswith("B01234_ELECTION_20270406_002.csv (09:00) accepted")
    assert "quantity 15000" in by_id["change-election"].results[1].reason
    uploads = [e for e in result.exchanges if e.path.startswith("/rap/v1/files/")]
    assert len(uploads) == 3  # recorded as the contract's uploadRapFile, broken in no way
    assert all(e.operation_id == "uploadRapFile" and e.violations == () for e in uploads)


@pytest.mark.parametrize(("script_name", "variant", "task", "reason"), [
    ("mass-transfer-day", "no-pickup", "mass-outcome",
     "the client never read MTD-MASS-1 as status PARTIALLY_REJECTED between 10:30 and 12:00; its reads saw "
     "RECEIVED at 09:00"),
    ("mass-transfer-day", "double-submit", "input-ati",
     "2 Input ATI calls created one with these values, expected 1: the client submitted it again"),
    ("ca-election-day", "late-change", "change-election",
     "no ELECTION file from B01234 arrived between 13:00 and 16:00; B01234_ELECTION_20270406_003.csv arrived "
     "at 16:30"),
    ("ca-election-day", "ignores-result", "correct-rejected",
     "no ELECTION file between 09:00 and 12:00 had a record with client_reference ELEC-2, stock_account 02, "
     "quantity 10000, electionOption CASH; ELEC-2 in B01234_ELECTION_20270406_001.csv line 3 was rejected: "
     "QUANTITY_ABOVE_HOLDING"),
])
def test_each_defect_fails_its_own_task(contracts: ContractSet, script_name: str, variant: str, task: str,
                                        reason: str) -> None:
    result = rehearse(contracts, script_name, variant)
    failed = [s for s in result.tasks if s.state == "fail"]
    assert failed and failed[0].task.id == task, [(s.task.id, s.reason) for s in failed]
    assert failed[0].reason.startswith(reason), failed[0].reason
    assert "\n" not in failed[0].reason
    assert len(failed) == 1, [(s.task.id, s.reason) for s in failed]
    assert result.verdict == "fail"
    page = render_rehearsal_html(result)
    assert f'<td class="state fail">FAIL</td><td>{failed[0].reason[:40]}' in page


def test_a_rap_file_rejected_whole_keeps_its_task_due_with_the_file_error(contracts: ContractSet) -> None:
    script = load_script(scripts_folder() / "ca-election-day.yaml")
    simulator = build_app(contracts)
    recorder = Recorder(simulator, Injector([]), clock=lambda: 0.0)
    rehearsal = Rehearsal(script, simulator, recorder)
    rehearsal.start()
    rehearsal.advance_to(script.clock.start.replace(hour=9, minute=5))
    token = simulator.token_of(script.participant)
    with httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test") as http:
        answer = http.post("/rap/v1/files/B01234_ELECTION_20270406_001.csv",
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                           content="H,ELECTION,B01234,2027-04-06,1\r\nD,ELEC-1,CA2027000101,00005,01,20000,SCRIP\r\n"
                                   "T,2,20000\r\n")  # the trailer counts two records: the file is rejected whole
    assert answer.status_code == 200 and answer.json()["status"] == "REJECTED"
    upload = next(s for s in rehearsal.statuses() if s.task.id == "upload-election")
    assert upload.state == "due"
    assert upload.reason.startswith("B01234_ELECTION_20270406_001.csv (09:05) was rejected whole: ")
    assert "\n" not in upload.reason


def test_an_announcement_the_simulator_refuses_makes_the_rehearsal_incomplete(contracts: ContractSet,
                                                                               tmp_path: Path) -> None:
    text = (scripts_folder() / "ca-election-day.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace('deadline: "16:00"', 'deadline: "08:15"'), encoding="utf-8")
    script = load_script(broken)
    simulator = build_app(contracts)
    rehearsal = Rehearsal(script, simulator, Recorder(simulator, Injector([]), clock=lambda: 0.0))
    rehearsal.start()
    rehearsal.advance_to(script.clock.end)
    result = rehearsal.finish()
    assert result.verdict == "incomplete"
    assert result.problems and result.problems[0].startswith("event announce-election at 08:30 was refused by the "
                                                             "simulator: ")
