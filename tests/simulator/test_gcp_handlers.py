"""GCP reference data over HTTP: ETag stable within a business date, 304 on a match, new with the date."""

from __future__ import annotations

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA = "B01234"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def test_etag_is_stable_within_a_business_date_and_changes_with_it(client: OcpClient) -> None:
    first = client.call("Stock List", as_participant=ALPHA)
    etag = first.response.headers["etag"]
    assert client.call("Stock List", as_participant="B05678").response.headers["etag"] == etag  # same for all
    not_modified = client.call("Stock List", as_participant=ALPHA, headers={"If-None-Match": f'"x", {etag}'})
    assert not_modified.status == 304 and not_modified.response.headers["etag"] == etag
    clock = client.call_operation("simGetClock").body
    client.call_operation("simAdvanceClock", body={"to": f"{clock['nextBusinessDate']}T09:00:00+08:00"})
    later = client.call("Stock List", as_participant=ALPHA, headers={"If-None-Match": etag})
    assert later.status == 200 and later.body["businessDate"] == clock["nextBusinessDate"]
    assert later.response.headers["etag"] != etag and later.body["items"] == first.body["items"]


def test_pages_share_the_dataset_etag(client: OcpClient) -> None:
    first = client.call("Trading and Settlement Calendar", as_participant=ALPHA, limit=200)
    second = client.call("Trading and Settlement Calendar", as_participant=ALPHA, cursor=first.body["nextCursor"])
    assert first.response.headers["etag"] == second.response.headers["etag"]
    assert first.body["items"][-1]["date"] < second.body["items"][0]["date"]


def test_mapping_is_empty_for_a_participant_that_is_no_gcp(client: OcpClient) -> None:
    assert client.call("NCP/GCP Mapping", as_participant=ALPHA).body["items"] == []
    assert {m["gcpId"] for m in client.call("NCP/GCP Mapping", as_participant="B07777").body["items"]} == {"B07777"}


def test_trade_stream_sends_the_pulled_records_as_events(client: OcpClient) -> None:
    clock = client.call_operation("simGetClock").body
    if clock["now"] < f"{clock['businessDate']}T10:00:00+08:00":
        client.call_operation("simAdvanceClock", body={"to": f"{clock['businessDate']}T10:00:00+08:00"})
    pulled = client.call("Real Time Trade Information", as_participant="B07777", afterSequence=2, limit=3).body
    stream = client.call("Real Time Trade Information", operation="streamTrades", as_participant="B07777",
                         headers={"Last-Event-ID": "2"})
    assert stream.response.headers["content-type"].startswith("text/event-stream") and not stream.violations
    first_events = stream.response.text.split("\n\n")[:3]
    assert [e.splitlines()[0] for e in first_events] == [f"id: {r['sequence']}" for r in pulled["items"]]
    assert pulled["nextSequence"] == 5


def test_the_calendar_over_http_says_an_eve_trades_but_does_not_settle(client: OcpClient) -> None:
    """Issue 17 correction 1, as a participant reads it: 2027's half-day eves are trading days, not settlement days."""
    rows, cursor = [], None
    while True:
        page = client.call("Trading and Settlement Calendar", as_participant=ALPHA, limit=200,
                           **({"cursor": cursor} if cursor else {}))
        rows += page.body["items"]
        if not (cursor := page.body["nextCursor"]):
            break
    differ = {row["date"]: row for row in rows if row["tradingDay"] != row["settlementDay"]}
    assert sorted(differ) == ["2027-02-05", "2027-12-24", "2027-12-31"]
    assert all(row["tradingDay"] and not row["settlementDay"] and row["dayType"] == "BUSINESS"
               for row in differ.values())
    assert differ["2027-12-24"]["settlementDates"]["HKMK"] == "2027-12-29"  # Fri eve: weekend, Mon 27 holiday
