"""The Maintain ISI operations over HTTP, and the investor's affirmation as simulator control."""

from __future__ import annotations

from typing import Any

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

INVESTOR = "I00001"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _input(client: OcpClient, owner: str = "B01234", **fields: Any) -> Any:
    body = {"investorId": INVESTOR, "direction": "DELIVER_TO_INVESTOR", "stockCode": "00700", "quantity": 100,
            "paymentType": "FOP", **fields}
    return client.call("Input ISI", as_participant=owner, **body)


def _holding(client: OcpClient, pid: str, code: str = "00700") -> int:
    holdings = client.call_operation("simGetPositions", participantId=pid).body["holdings"]
    return sum(h["quantity"] for h in holdings if h["stockCode"] == code and h["stockAccount"] == "01")


def test_with_affirmation_waits_for_the_investor_then_settles_on_line(client: OcpClient) -> None:
    before = _holding(client, INVESTOR)
    created = _input(client, ownReference="AFF1")
    assert created.status == 201 and created.body["status"] == "UNAFFIRMED"
    assert created.response.headers["location"].endswith(created.body["isiId"])
    assert _holding(client, INVESTOR) == before
    affirmed = client.call_operation("simAffirmIsi", isiId=created.body["isiId"], investorId=INVESTOR, affirm=True)
    assert affirmed.status == 200 and affirmed.body["status"] == "SETTLED"
    assert affirmed.body["affirmedAt"] is not None and affirmed.body["settledAt"] is not None
    assert _holding(client, INVESTOR) == before + 100


def test_refused_affirmation_cancels(client: OcpClient) -> None:
    created = _input(client)
    refused = client.call_operation("simAffirmIsi", isiId=created.body["isiId"], investorId=INVESTOR, affirm=False)
    assert refused.body["status"] == "CANCELLED"
    again = client.call_operation("simAffirmIsi", isiId=created.body["isiId"], investorId=INVESTOR, affirm=True)
    assert again.status == 409 and again.body["code"] == "ISI_STATE_CONFLICT"


def test_the_owner_cannot_affirm(client: OcpClient) -> None:
    created = _input(client)
    exchange = client.call_operation("simAffirmIsi", isiId=created.body["isiId"], investorId="B01234", affirm=True)
    assert exchange.status == 403 and exchange.body["code"] == "AFFIRMATION_NOT_ALLOWED"


def test_without_affirmation_listed_settles_at_once_unlisted_is_rejected(client: OcpClient) -> None:
    listed = client.call_operation("simGetIsiCounterparties", investorId=INVESTOR).body["counterparties"]
    assert "B01234" in listed and "B05678" not in listed
    settled = _input(client, "B01234", withAffirmation=False)
    assert settled.status == 201 and settled.body["status"] == "SETTLED"
    rejected = _input(client, "B05678", withAffirmation=False)
    assert rejected.status == 422 and rejected.body["code"] == "COUNTERPARTY_NOT_LISTED"
    assert rejected.body["errors"][0]["pointer"] == "/withAffirmation"
    dvp = _input(client, "B01234", withAffirmation=False, paymentType="DVP", amount="10.00", currency="HKD")
    assert dvp.status == 422 and dvp.body["code"] == "AFFIRMATION_REQUIRED_FOR_DVP"


def test_change_then_cancel_by_the_owner_only(client: OcpClient) -> None:
    isi_id = _input(client).body["isiId"]
    changed = client.call("Change ISI", as_participant="B01234", isiId=isi_id, quantity=250, ownReference="CHG1")
    assert changed.status == 200 and (changed.body["quantity"], changed.body["ownReference"]) == (250, "CHG1")
    by_investor = client.call("Cancel ISI", as_participant=INVESTOR, isiId=isi_id)
    assert by_investor.status == 403 and by_investor.body["code"] == "OWNER_NOT_ALLOWED"
    cancelled = client.call("Cancel ISI", as_participant="B01234", isiId=isi_id)
    assert cancelled.status == 200 and cancelled.body["status"] == "CANCELLED"
    late = client.call("Change ISI", as_participant="B01234", isiId=isi_id, quantity=1)
    assert late.status == 409 and late.body["code"] == "ISI_STATE_CONFLICT"


def test_enquire_filters_pages_and_shows_only_the_parties(client: OcpClient) -> None:
    ids = [_input(client, ownReference="PAGE1", stockCode=code).body["isiId"] for code in ("00700", "00005", "00700")]
    first = client.call("Enquire ISI", as_participant="B01234", ownReference="PAGE1", limit=2)
    assert [i["isiId"] for i in first.body["items"]] == ids[:2] and first.body["nextCursor"]
    second = client.call("Enquire ISI", as_participant="B01234", ownReference="PAGE1", cursor=first.body["nextCursor"])
    assert [i["isiId"] for i in second.body["items"]] == ids[2:] and second.body["nextCursor"] is None
    by_stock = client.call("Enquire ISI", as_participant=INVESTOR, ownReference="PAGE1", stockCode="00005",
                           status="UNAFFIRMED")
    assert [i["isiId"] for i in by_stock.body["items"]] == ids[1:2]
    other = client.call("Enquire ISI", operation="enquireIsi", as_participant="B05678", ownReference="PAGE1")
    assert other.body["items"] == []
    hidden = client.call("Enquire ISI", operation="getIsi", as_participant="B05678", isiId=ids[0])
    assert hidden.status == 404 and hidden.body["code"] == "ISI_NOT_FOUND"
    bad_cursor = client.call("Enquire ISI", as_participant="B01234", cursor="nonsense")
    assert bad_cursor.status == 422 and bad_cursor.body["code"] == "CURSOR_INVALID"


def test_idempotent_replay_and_reuse(client: OcpClient) -> None:
    key = {"Idempotency-Key": "isi-replay-01"}
    first = client.call("Input ISI", as_participant="B01234", headers=key, investorId=INVESTOR,
                        direction="DELIVER_TO_INVESTOR", stockCode="00700", quantity=5, paymentType="FOP")
    again = client.call("Input ISI", as_participant="B01234", headers=key, investorId=INVESTOR,
                        direction="DELIVER_TO_INVESTOR", stockCode="00700", quantity=5, paymentType="FOP")
    assert again.body == first.body and again.response.headers["idempotent-replayed"] == "true"
    other = client.call("Input ISI", as_participant="B01234", headers=key, investorId=INVESTOR,
                        direction="DELIVER_TO_INVESTOR", stockCode="00700", quantity=6, paymentType="FOP")
    assert other.status == 409 and other.body["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_an_investor_cannot_input_and_a_broker_is_no_investor(client: OcpClient) -> None:
    by_investor = _input(client, INVESTOR)
    assert by_investor.status == 403 and by_investor.body["code"] == "OWNER_NOT_ALLOWED"
    to_broker = _input(client, investorId="B05678")
    assert to_broker.status == 422 and to_broker.body["code"] == "INVESTOR_UNKNOWN"
    unknown = client.call_operation("simGetIsiCounterparties", investorId="B01234")
    assert unknown.status == 404


def test_input_after_the_cutoff_is_excluded_from_batch_runs(client: OcpClient) -> None:
    today = client.call_operation("simGetClock").body["businessDate"]
    client.call_operation("simAdvanceClock", to=f"{today}T17:30:00+08:00")
    late = _input(client, "B01234", withAffirmation=False, quantity=900_000_000_000, ownReference="LATE1")
    assert late.body["status"] == "PENDING_SETTLEMENT" and late.body["excludedFromBatch"] is True
    assert late.body["reason"].startswith("LACK")
    client.call_operation("simRunBatchSettlement")
    assert client.call("Enquire ISI", operation="getIsi", as_participant=INVESTOR,
                       isiId=late.body["isiId"]).body["status"] == "PENDING_SETTLEMENT"
    client.call_operation("simAdvanceClock", minutes=24 * 60)
    purged = client.call("Enquire ISI", operation="getIsi", as_participant="B01234", isiId=late.body["isiId"])
    assert purged.status == 200 and purged.body["status"] == "PURGED"  # next day 17:30, in the window


def test_the_investor_takes_a_broker_off_its_list_and_back(client: OcpClient) -> None:
    pending = _input(client, "B01234", withAffirmation=False, quantity=900_000_000_000)  # waits for stock
    assert pending.status == 201 and pending.body["status"] == "PENDING_SETTLEMENT"
    off = client.call_operation("simSetIsiCounterparty", investorId=INVESTOR, participantId="B01234", listed=False)
    assert off.status == 200 and "B01234" not in off.body["counterparties"]
    refused = client.call("Change ISI", as_participant="B01234", isiId=pending.body["isiId"], quantity=5)
    assert refused.status == 422 and refused.body["code"] == "COUNTERPARTY_NOT_LISTED"
    back = client.call_operation("simSetIsiCounterparty", investorId=INVESTOR, participantId="B01234", listed=True)
    assert back.status == 200 and "B01234" in back.body["counterparties"]
    unknown = client.call_operation("simSetIsiCounterparty", investorId=INVESTOR, participantId="X99999", listed=True)
    assert unknown.status == 422
