"""The HTTP simulator: validation before handlers, precise problems, auth, faults as rule changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.ccass import DEFAULT_RULES, SiInput, Simulation
from ocp_conformance.simulator.faults import FAULTS, UnknownFaultError, resolve_faults
from ocp_conformance.targets import simulator_target


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _si(client: OcpClient, participant: str, side: str, counterparty: str, quantity: int) -> dict[str, object]:
    today = client.call_operation("simGetClock").body["businessDate"]
    body = client.call("Input SI", as_participant=participant, side=side, counterpartyId=counterparty,
                       stockCode="00005", quantity=quantity, settlementDate=today, paymentType="FOP").body
    assert isinstance(body, dict)
    return body


def test_invalid_body_names_every_field(client: OcpClient) -> None:
    exchange = client.call("Input SI", as_participant="B01234", validate_request=False, side="SIDEWAYS",
                           quantity=-1)  # below the schema's minimum (0 shares is a business rule: 422)
    assert exchange.status == 400
    pointers = {e["pointer"] for e in exchange.body["errors"]}
    assert {"/side", "/quantity", "/counterpartyId", "/stockCode", "/settlementDate", "/paymentType"} <= pointers
    assert exchange.body["code"] == "VALIDATION_FAILED"


def test_no_token_is_401_problem(client: OcpClient) -> None:
    exchange = client.call("Enquire SI", as_participant=None)
    assert exchange.status == 401
    assert exchange.response.headers["content-type"].startswith("application/problem+json")
    assert exchange.body["code"] == "UNAUTHENTICATED"


def test_business_rule_is_422_with_pointer(client: OcpClient) -> None:
    exchange = client.call("Input SI", as_participant="B01234", side="DELIVER", counterpartyId="B01234",
                           stockCode="00005", quantity=10, settlementDate="2020-01-02", paymentType="FOP")
    assert exchange.status == 422
    assert exchange.body["code"] in {"SETTLEMENT_DATE_IN_PAST", "COUNTERPARTY_IS_SELF"}
    assert exchange.body["errors"][0]["pointer"] in {"/settlementDate", "/counterpartyId"}


def test_idempotent_replay_returns_the_same_si(client: OcpClient) -> None:
    today = client.call_operation("simGetClock").body["businessDate"]
    fields = {"side": "DELIVER", "counterpartyId": "B05678", "stockCode": "00005", "quantity": 7,
              "settlementDate": today, "paymentType": "FOP"}
    first = client.call("Input SI", as_participant="B01234", headers={"Idempotency-Key": "replay-0001"}, **fields)
    again = client.call("Input SI", as_participant="B01234", headers={"Idempotency-Key": "replay-0001"}, **fields)
    assert again.body["siId"] == first.body["siId"]
    other = client.call("Input SI", as_participant="B01234", headers={"Idempotency-Key": "replay-0001"},
                        **{**fields, "quantity": 8})
    assert (other.status, other.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_every_fault_names_a_catalogue_function() -> None:
    catalogue = load_contracts().catalogue
    assert len(FAULTS) >= 8
    for fault in FAULTS.values():
        assert catalogue.entry(fault.function).contracted, fault.name


def test_unknown_fault_suggests_the_name() -> None:
    with pytest.raises(UnknownFaultError, match="server-error-on-revoke"):
        resolve_faults(["server-eror-on-revoke"])


def test_matching_key_is_a_rule_that_can_change() -> None:
    assert FAULTS["match-ignores-quantity"].rules is not None
    loose = FAULTS["match-ignores-quantity"].rules(DEFAULT_RULES)
    for rules, expected in ((DEFAULT_RULES, "UNMATCHED"), (loose, "MATCHED")):
        sim = Simulation(rules=rules)
        day = sim.clock.today
        sim.si_book.input_si("B01234", SiInput("DELIVER", "B05678", "00005", 1000, day, "FOP"))
        other = sim.si_book.input_si("B05678", SiInput("RECEIVE", "B01234", "00005", 500, day, "FOP"))
        assert other.status == expected


def test_hold_blocks_settlement_unless_the_rule_says_otherwise() -> None:
    assert FAULTS["hold-ignored-at-settlement"].rules is not None
    lax = FAULTS["hold-ignored-at-settlement"].rules(DEFAULT_RULES)
    for rules, settled in ((DEFAULT_RULES, 0), (lax, 1), (replace(DEFAULT_RULES), 0)):
        sim = Simulation(rules=rules)
        day = sim.clock.today
        sim.si_book.input_si("B01234", SiInput("DELIVER", "B05678", "00005", 10, day, "FOP", hold=True))
        sim.si_book.input_si("B05678", SiInput("RECEIVE", "B01234", "00005", 10, day, "FOP"))
        assert len(sim.run_batch_settlement().settled) == settled
