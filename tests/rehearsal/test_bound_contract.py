"""A rehearsal on an adopted contract (tests/data/official-variant): the client speaks the bound names (paths,
securityCode, payment type code F, an API-key header, hold and release as two operations) and the same rules judge
it, reading the exchanges through that binding: no rule names a field."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from ocp_conformance.consumer import Injector, Recorder
from ocp_conformance.contracts import load_contracts
from ocp_conformance.rehearsal import Rehearsal, load_script
from ocp_conformance.simulator.bound_shape import build_bound_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"
SCRIPT = """
version: 1
title: bound
participant: B01234
business_date: "2027-04-06"
clock: {start: "08:00", end: "12:00", minutes: 1}
events:
  - {id: cp, at: "09:00", kind: counterparty_si, participant: B05678,
     values: {side: RECEIVE, counterparty: B01234, stock_code: "00005", quantity: 1000, payment_type: FOP}}
tasks:
  - id: input
    title: Input
    window: {from: "08:00", to: "08:30"}
    instruction: Input a FOP SI to deliver 1,000 of 00005 to B05678, reference BND-1.
    accept:
      - {kind: instruction_exists, function: Input SI,
         values: {stock_code: "00005", quantity: 1000, payment_type: FOP, own_reference: BND-1}}
  - id: react
    title: React
    window: {from: "10:00", to: "10:30"}
    instruction: Read BND-1 once matched (at the first matching, 10:00), then hold it.
    accept:
      - {kind: matched, reference: BND-1}
      - {kind: read_by_client, function: Enquire SI, reference: BND-1, saw: {status: MATCHED}}
  - id: release
    title: Release
    window: {from: "10:30", to: "11:00"}
    instruction: Release BND-1 before 11:00.
    accept:
      - {kind: released_before, reference: BND-1, before: "11:00"}
"""


def test_the_rules_read_a_bound_contract_through_its_binding(tmp_path: Path) -> None:
    (tmp_path / "bound.yaml").write_text(SCRIPT, encoding="utf-8")
    script = load_script(tmp_path / "bound.yaml")
    variant = load_contracts(VARIANT)
    simulator = build_bound_app(variant)
    recorder = Recorder(simulator, Injector([]), contracts=variant, clock=lambda: 0.0)
    rehearsal = Rehearsal(script, simulator, recorder)
    rehearsal.start()
    token = simulator.token_of("B01234")
    base = "/api/ocp/instructions"
    with httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test",
                      headers={"X-API-Key": token}) as http:
        rehearsal.advance_to(script.clock.start.replace(hour=8, minute=5))
        created = http.post(base, headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "side": "DELIVER", "counterpartyId": "B05678", "securityCode": "00005", "quantity": 1000,
            "settlementDate": "2027-04-06", "paymentType": "F", "ownReference": "BND-1", "inputChannel": "API"})
        assert created.status_code == 201, created.text
        si = created.json()["instructionId"]
        rehearsal.advance_to(script.clock.start.replace(hour=9, minute=5))
        assert http.get(f"{base}/{si}").json()["status"] == "UNMATCHED"  # both sides wait for the 10:00 matching
        rehearsal.advance_to(script.clock.start.replace(hour=10, minute=5))
        assert http.get(f"{base}/{si}").json()["status"] == "MATCHED"
        assert http.post(f"{base}/{si}/hold").status_code == 200  # hold: not a release
        rehearsal.advance_to(script.clock.start.replace(hour=10, minute=35))
        assert http.post(f"{base}/{si}/release").status_code == 200
    rehearsal.advance_to(script.clock.end)
    result = rehearsal.finish()
    states = [(s.task.id, s.state) for s in result.tasks]
    assert states == [("input", "pass"), ("react", "pass"), ("release", "pass")], [s.reason for s in result.tasks]
    assert all(e.violations == () for e in result.exchanges)
    release = result.tasks[2]
    assert release.reason.startswith("BND-1 released at 10:35") and len(release.evidence) == 1
