"""Issue 17 correction 9 over HTTP: the SI functions of a China Connect security (MAMK, SZMK) are open 07:15-19:45 on
a China Connect business day; a Hong Kong security's keep 08:00-15:45 and 17:00-19:00 (clock.SI_MARKET_WINDOWS)."""

from __future__ import annotations

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"
HK_STOCK, SHANGHAI_STOCK, SHENZHEN_STOCK = "00700", "90001", "70001"
# The simulator starts on Tuesday 2027-04-06; Wednesday 2027-04-07 is a business day in Hong Kong and the mainland.
NEXT_DAY = "2027-04-07"
# Tuesday 2027-05-04: Hong Kong is open, the mainland closed (Labour Day holiday, 1-5 May).
MAINLAND_HOLIDAY = "2027-05-04"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _move_to(client: OcpClient, moment: str) -> None:
    moved = client.call_operation("simAdvanceClock", to=moment)
    assert moved.status == 200, moved.body


def _input_si(client: OcpClient, stock: str, settlement_date: str) -> tuple[int, dict[str, object]]:
    exchange = client.call("Input SI", as_participant=ALPHA, side="DELIVER", counterpartyId=BETA, stockCode=stock,
                           quantity=100, settlementDate=settlement_date, paymentType="FOP")
    return exchange.status, dict(exchange.body)


def _window_closed(status: int, body: dict[str, object]) -> bool:
    return (status, body.get("code")) == (503, "SERVICE_WINDOW_CLOSED")


@pytest.mark.parametrize("hour", ["07:30", "19:30"])
def test_china_connect_si_is_open_when_the_hong_kong_window_is_closed(client: OcpClient, hour: str) -> None:
    _move_to(client, f"{NEXT_DAY}T{hour}:00+08:00")
    hong_kong = client.call("Input SI", as_participant=ALPHA, side="DELIVER", counterpartyId=BETA,
                            stockCode=HK_STOCK, quantity=100, settlementDate=NEXT_DAY, paymentType="FOP")
    assert _window_closed(hong_kong.status, dict(hong_kong.body)), hong_kong.body
    assert hong_kong.response.headers["retry-after"] == "60"
    for stock in (SHANGHAI_STOCK, SHENZHEN_STOCK):
        status, body = _input_si(client, stock, NEXT_DAY)
        assert (status, body["status"]) == (201, "UNMATCHED"), body
    # Changing and cancelling a China Connect SI follow its market's window too.
    changed = client.call("Change SI", as_participant=ALPHA, siId=body["siId"], quantity=200)
    assert (changed.status, changed.body["quantity"]) == (200, 200), changed.body
    cancelled = client.call("Cancel SI", as_participant=ALPHA, siId=body["siId"])
    assert cancelled.status == 200, cancelled.body


@pytest.mark.parametrize("hour", ["07:14", "19:45"])
def test_china_connect_si_window_closes_at_its_edges(client: OcpClient, hour: str) -> None:
    _move_to(client, f"{NEXT_DAY}T{hour}:00+08:00")
    assert _window_closed(*_input_si(client, SHANGHAI_STOCK, NEXT_DAY))


def test_a_hong_kong_si_window_is_unchanged(client: OcpClient) -> None:
    _move_to(client, f"{NEXT_DAY}T16:00:00+08:00")  # between the final batch run and the evening window
    assert _window_closed(*_input_si(client, HK_STOCK, NEXT_DAY))
    status, _ = _input_si(client, SHANGHAI_STOCK, NEXT_DAY)
    assert status == 201
    _move_to(client, f"{NEXT_DAY}T17:00:00+08:00")
    assert _input_si(client, HK_STOCK, NEXT_DAY)[0] == 201


def test_on_a_mainland_holiday_the_china_connect_si_window_is_closed(client: OcpClient) -> None:
    _move_to(client, f"{MAINLAND_HOLIDAY}T09:00:00+08:00")
    # The settlement date is a China Connect settlement day: the refusal is the window's, not the date's.
    status, body = _input_si(client, SHANGHAI_STOCK, "2027-05-06")
    assert _window_closed(status, body), body
    assert _input_si(client, HK_STOCK, MAINLAND_HOLIDAY)[0] == 201  # Hong Kong is open
