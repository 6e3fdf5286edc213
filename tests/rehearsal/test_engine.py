"""The SI-day rehearsal in process, on a fake clock: the example client passes every task, and each defective variant
fails on the task it breaks, with a one-line reason. No wall clock: the test steps the business clock itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from ocp_conformance.consumer import InjectionRule, Injector, Recorder
from ocp_conformance.contracts import ContractSet, SourceError, load_contracts
from ocp_conformance.rehearsal import Rehearsal, RehearsalResult, load_script, scripts_folder
from ocp_conformance.rehearsal.report import rehearsal_json, render_rehearsal_html, render_rehearsal_markdown
from ocp_conformance.simulator.app import build_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport
from tests.rehearsal.example_client import SiDayClient

SI_DAY = scripts_folder() / "si-day.yaml"


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


class FakeWall:
    """The wall clock the recorder stamps exchanges with; only the client's waits (Retry-After) move it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def now(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds


def rehearse(contracts: ContractSet, variant: str, step: timedelta = timedelta(minutes=5)) -> RehearsalResult:
    script = load_script(SI_DAY)
    simulator = build_app(contracts)
    wall = FakeWall()
    recorder = Recorder(simulator, Injector([InjectionRule.parse(s, contracts) for s in script.inject]),
                        clock=wall.now)
    rehearsal = Rehearsal(script, simulator, recorder)
    rehearsal.start()
    with httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test") as http:
        client = SiDayClient(http, script.participant, simulator.token_of(script.participant), variant,
                             sleep=wall.sleep)
        now = script.clock.start
        while now <= script.clock.end:
            rehearsal.advance_to(now)
            if not client.finished():
                client.tick(now)
            now += step
    return rehearsal.finish()


def test_the_example_client_completes_the_si_day(contracts: ContractSet) -> None:
    result = rehearse(contracts, "correct")
    assert [(s.task.id, s.state) for s in result.tasks if s.state != "pass"] == []
    assert result.verdict == "pass"
    kinds = [(e.at.strftime("%H:%M"), e.kind) for e in result.timeline]
    assert kinds.index(("09:30", "event")) < kinds.index(("10:30", "batch_run")) < kinds.index(("15:45", "batch_run"))
    assert [e.at for e in result.timeline] == sorted(e.at for e in result.timeline)
    assert any("Final batch settlement run completed" in e.text for e in result.timeline)
    data = rehearsal_json(result)
    assert data["verdict"] == "pass"
    release = next(t for t in data["tasks"] if t["id"] == "release")
    assert [e["method"] for e in release["evidence"]] == ["PUT"]
    assert "[REDACTED]" in release["evidence"][0]["request"]["headers"]["authorization"]
    assert "| Release the held SI (`release`) | 13:00-15:45 | PASS |" in render_rehearsal_markdown(result)


@pytest.mark.parametrize(("variant", "task", "reason"), [
    ("late-cancel", "late-cancel", "SIDAY-2 was cancelled at 17:05, after the 15:45 cut-off"),
    ("stale-status", "react-to-matching", "the client never read SIDAY-1 as status MATCHED_ON_HOLD between 09:30 "
                                          "and 12:00; its reads saw UNMATCHED at 08:00"),
    ("double-submit", "input-dvp", "2 instructions SI0000000001/SI0000000002 were input with these values, "
                                   "expected 1: the client submitted the same instruction again"),
    ("no-reconcile", "reconcile", "the client did not read SI0000000002 (SIDAY-2) after 17:00; read no stock "
                                  "account balance after 17:00"),
    ("tight-polling", "conduct", "the client read /ocp/v1/settlement-instructions/SI0000000001 at 08:00 and again "
                                 "at 08:01 (1 min apart"),
    ("ignores-retry-after", "conduct", "GET /ocp/v1/broadcast-messages answered 429 at 17:10 (exchange #"),
    ("discontinued", "conduct", "the client called GET /ocp/v1/account-transfers at 17:20"),
])
def test_each_defect_fails_its_own_task(contracts: ContractSet, variant: str, task: str, reason: str) -> None:
    # the tight poller polls every minute: step the clock by the minute to see it
    result = rehearse(contracts, variant, timedelta(minutes=1) if variant == "tight-polling" else timedelta(minutes=5))
    failed = [s for s in result.tasks if s.state == "fail"]
    assert failed[0].task.id == task, [(s.task.id, s.reason) for s in failed]
    assert failed[0].reason.startswith(reason)
    assert "\n" not in failed[0].reason
    assert result.verdict == "fail"
    page = render_rehearsal_html(result)
    assert f'<td class="state fail">FAIL</td><td>{failed[0].reason[:40]}' in page
    if variant != "double-submit":  # a duplicate SI derails the rest of the day; the others break one task only
        assert len(failed) == 1, [(s.task.id, s.reason) for s in failed]


def test_live_states_follow_the_clock(contracts: ContractSet) -> None:
    script = load_script(SI_DAY)
    simulator = build_app(contracts)
    rehearsal = Rehearsal(script, simulator, Recorder(simulator, Injector([]), clock=lambda: 0.0))
    rehearsal.start()
    states = {s.task.id: s.state for s in rehearsal.statuses()}
    assert states["input-dvp"] == "due" and states["release"] == "pending"
    rehearsal.advance_to(script.clock.start.replace(hour=10, minute=1))
    assert {s.task.id: s.state for s in rehearsal.statuses()}["input-dvp"] == "late"
    assert rehearsal.finish().tasks[0].state == "fail"
    assert rehearsal.finish().verdict == "incomplete"  # the clock never reached 19:00


@pytest.mark.parametrize(("text", "where", "says"), [
    ("clock: {start: \"25:00\", end: \"19:00\", minutes: 20}", ":4:", "'25:00' does not match"),
    ("clock: {start: \"08:00\", end: \"07:00\", minutes: 20}", ":4:", "the clock ends before it starts"),
    ("clock: {start: \"08:00\", end: \"19:00\", minutes: 20}\n"
     "tasks: [{id: a, title: A, window: {from: \"09:00\", to: \"10:00\"}, instruction: do, "
     "accept: [{kind: matched}]}]", ":5:", "'reference' is a required property"),
])
def test_a_broken_script_is_refused_at_its_line_and_column(tmp_path: Path, text: str, where: str, says: str) -> None:
    path = tmp_path / "broken.yaml"
    base = "version: 1\ntitle: t\nparticipant: B01234\n"
    if "tasks:" not in text:
        text += "\ntasks: [{id: a, title: A, window: {from: \"09:00\", to: \"10:00\"}, instruction: do, " \
                "accept: [{kind: matched, reference: X}]}]"
    path.write_text(base + text + "\nbusiness_date: \"2027-04-06\"\n", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load_script(path)
    rendered = raised.value.render()
    assert f"broken.yaml{where}" in rendered and says in rendered


def test_every_shipped_script_loads() -> None:
    scripts = sorted(scripts_folder().glob("*.yaml"))
    assert scripts
    for path in scripts:
        assert load_script(path).tasks


def test_allure_results_have_a_test_per_task_and_replace_themselves(contracts: ContractSet, tmp_path: Path) -> None:
    import json

    from ocp_conformance.rehearsal.allure import write_rehearsal_allure

    folder = write_rehearsal_allure(rehearse(contracts, "ignores-retry-after"), tmp_path)
    write_rehearsal_allure(rehearse(contracts, "ignores-retry-after"), tmp_path)  # again: replaces, no pile-up
    results = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*-result.json")]
    assert len(results) == len(load_script(SI_DAY).tasks)
    by_task = {r["fullName"].rsplit(".", 1)[1]: r for r in results}
    assert {r["status"] for t, r in by_task.items() if t != "conduct"} == {"passed"}
    conduct = by_task["conduct"]
    assert conduct["status"] == "failed"
    assert "sooner than Retry-After" in conduct["statusDetails"]["message"]
    assert [s["status"] for s in conduct["steps"]] == ["passed", "failed", "passed"]
    attached = [folder / a["source"] for r in results for a in r.get("attachments", [])]
    assert attached and all(p.is_file() for p in attached)
    assert all("sim_B01234_" not in p.read_text(encoding="utf-8") for p in attached)  # redacted evidence


def test_tasks_a_cut_short_rehearsal_did_not_judge_are_skipped_not_passed(contracts: ContractSet,
                                                                          tmp_path: Path) -> None:
    import json

    from ocp_conformance.rehearsal.allure import write_rehearsal_allure

    script = load_script(SI_DAY)
    simulator = build_app(contracts)
    rehearsal = Rehearsal(script, simulator, Recorder(simulator, Injector([]), clock=lambda: 0.0))
    rehearsal.start()
    rehearsal.advance_to(script.clock.start.replace(hour=9))
    folder = write_rehearsal_allure(rehearsal.finish(), tmp_path)
    statuses = [json.loads(p.read_text(encoding="utf-8"))["status"] for p in folder.glob("*-result.json")]
    assert "passed" not in statuses and "skipped" in statuses
