"""simSetHolding: a check gets a holding of a known size whatever earlier checks left in the account."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA = "B01234"
MAXIMUM = 999_999_999_999


@pytest.fixture(scope="module")
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _available(client: OcpClient, stock: str, account: str = "01") -> int:
    body = client.call_operation("simGetPositions", participantId=ALPHA, stockAccount=account,
                                 stockCode=stock).expect(200)
    return int(body["holdings"][0]["quantity"])


@settings(max_examples=25, deadline=None)
@given(before=st.integers(1, MAXIMUM), wanted=st.integers(0, MAXIMUM))
def test_set_holding_leaves_exactly_the_quantity_asked_for(client: OcpClient, before: int, wanted: int) -> None:
    client.call_operation("simSeedHolding", participantId=ALPHA, stockCode="02800", quantity=before).expect(200)
    answer = client.call_operation("simSetHolding", participantId=ALPHA, stockCode="02800", quantity=wanted)
    assert answer.expect(200)["quantity"] == wanted
    assert _available(client, "02800") == wanted


def test_set_holding_refuses_an_unknown_stock_account_naming_it(client: OcpClient) -> None:
    answer = client.call_operation("simSetHolding", participantId=ALPHA, stockAccount="77", stockCode="02800",
                                   quantity=5)
    assert answer.status == 422 and answer.body["errors"][0]["pointer"] == "/stockAccount"


def test_seed_holding_takes_a_rights_code_that_is_event_data_not_on_the_stock_list(client: OcpClient) -> None:
    # the demo rights issue's nil-paid rights (02901): a check tops them up before subscribing, as for any stock
    rights = client.call_operation("simSeedHolding", participantId=ALPHA, stockCode="02901", quantity=700)
    assert rights.expect(200)["quantity"] >= 700


def test_seed_holding_refuses_an_unknown_stock_listing_the_event_codes_it_takes(client: OcpClient) -> None:
    answer = client.call_operation("simSeedHolding", participantId=ALPHA, stockCode="99999", quantity=5)
    assert answer.status == 422 and answer.body["errors"][0]["pointer"] == "/stockCode"
    assert "02901" in answer.body["detail"]
