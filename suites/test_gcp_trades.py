"""Real Time Trade Information: sequence continuity, resume without loss or duplication, consistency, privacy.

The feed of a GCP numbers its records 1, 2, 3, ... within a business date; resuming from any sequence number
gives exactly the tail after it; every trade is of one of the GCP's own NCPs (NCP/GCP Mapping), in a listed
stock of its market (Stock List), done on a trading day and settling on the calendar's settlement date for it
(Trading and Settlement Calendar); amendments and cancellations name an earlier trade of the feed.
On a target with clock-control the business clock is moved to 10:00 first (when earlier) so trades exist.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Final

import pytest
from httpx_sse import EventSource, SSEError
from suites.gcp_datasets import CALENDAR, MAPPING, PARTICIPANTS, STOCKS, GcpFailure, fetch_all

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

TRADES: Final = "Real Time Trade Information"


def _open_trading(client: OcpClient, target: Target) -> None:
    if not target.can(CLOCK_CONTROL):
        return
    clock = client.call_operation("simGetClock").body
    if datetime.fromisoformat(str(clock["now"])).time() < time(10, 0):
        client.call_operation("simAdvanceClock", body={"to": f"{clock['businessDate']}T10:00:00+08:00"})


def pull(client: OcpClient, participant: str, after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], str]:
    """Every record after ``after``, page by page, checking nextSequence; and the business date."""
    records: list[dict[str, Any]] = []
    while True:
        exchange = client.call(TRADES, as_participant=participant, afterSequence=after, limit=limit)
        if exchange.status != 200:
            raise GcpFailure(TRADES, "pulling the feed failed", received=f"HTTP {exchange.status}",
                             expected="HTTP 200", exchange=exchange)
        page = exchange.expect(200)
        items = page["items"]
        expected_next = items[-1]["sequence"] if items else after
        if page["nextSequence"] != expected_next:
            raise GcpFailure(TRADES, "nextSequence is not the last sequence returned",
                             received=page["nextSequence"], expected=expected_next, exchange=exchange)
        records += items
        if not items:
            return records, str(page["businessDate"])
        after = page["nextSequence"]
        if len(records) > 200_000:
            raise GcpFailure(TRADES, "the feed never ends", received=len(records), expected="an end")


def _gcp(client: OcpClient, target: Target) -> str:
    for participant in target.participants:
        if fetch_all(client, MAPPING, participant).items:
            _open_trading(client, target)
            return participant
    pytest.skip("the target has no credentials of a GCP with NCPs: no trade feed to read")


def _trades(client: OcpClient, target: Target) -> tuple[str, list[dict[str, Any]], str]:
    gcp = _gcp(client, target)
    records, business_date = pull(client, gcp)
    if not records and target.can(CLOCK_CONTROL):
        raise GcpFailure(TRADES, f"{gcp}'s feed is empty after 10:00", received="no records", expected="trades")
    return gcp, records, business_date


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_sequence_has_no_gap_and_no_duplicate(ocp_client: OcpClient, ocp_target: Target) -> None:
    _, records, _ = _trades(ocp_client, ocp_target)
    sequences = [r["sequence"] for r in records]
    if sequences != list(range(1, len(records) + 1)):
        bad = next(i for i, s in enumerate(sequences, 1) if s != i)
        raise GcpFailure(TRADES, f"the feed's sequence numbers are not 1, 2, 3, ... (first break at #{bad})",
                         received=sequences[max(0, bad - 3):bad + 2], expected=list(range(max(1, bad - 2), bad + 3)))
    refs = [r["tradeRef"] for r in records]
    if len(set(refs)) != len(refs):
        raise GcpFailure(TRADES, "a trade reference repeats in the feed", received=len(refs) - len(set(refs)),
                         expected="unique tradeRefs")


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_resuming_from_any_sequence_gives_the_same_tail(ocp_client: OcpClient, ocp_target: Target) -> None:
    gcp, records, _ = _trades(ocp_client, ocp_target)
    rng = random.Random(len(records))
    points = sorted({0, len(records), *(rng.randrange(len(records) + 1) for _ in range(4))})
    for after in points:
        tail, _ = pull(ocp_client, gcp, after=after, limit=rng.randint(1, 200))
        if tail[:len(records) - after] != records[after:]:
            raise GcpFailure(TRADES, f"resuming after sequence {after} does not give the rest of the feed",
                             received=[r["sequence"] for r in tail[:5]],
                             expected=[r["sequence"] for r in records[after:after + 5]])


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_trades_agree_with_the_reference_data(ocp_client: OcpClient, ocp_target: Target) -> None:
    gcp, records, business_date = _trades(ocp_client, ocp_target)
    ncps = {m["ncpId"] for m in fetch_all(ocp_client, MAPPING, gcp).items}
    stocks = {s["stockCode"]: s for s in fetch_all(ocp_client, STOCKS, gcp).items}
    calendar = {d["date"]: d for d in fetch_all(ocp_client, CALENDAR, gcp).items}
    seen: set[str] = set()
    for record in records:
        day = calendar.get(record["tradeDate"], {})
        problems = [
            (record["gcpId"] == gcp and record["ncpId"] in ncps, f"NCP {record['ncpId']} is not mapped to {gcp}"),
            (record["stockCode"] in stocks and stocks[record["stockCode"]]["market"] == record["market"],
             f"stock {record['stockCode']} ({record['market']}) is not on the Stock List"),
            (record["tradeDate"] == business_date and day.get("tradingDay") is True,
             f"trade date {record['tradeDate']} is not the business date {business_date} or no trading day"),
            (record["settlementDate"] == (day.get("settlementDates") or {}).get(record["market"]),
             f"settlement date {record['settlementDate']} is not the calendar's "
             f"{(day.get('settlementDates') or {}).get(record['market'])} for {record['market']}"),
            (Decimal(record["value"]) == (Decimal(record["price"]) * record["quantity"]).quantize(Decimal("0.01")),
             f"value {record['value']} is not quantity x price"),
            ((record["recordType"] == "NEW") == (record["originalTradeRef"] is None)
             and (record["originalTradeRef"] is None or record["originalTradeRef"] in seen),
             f"{record['recordType']} names original {record['originalTradeRef']}, not an earlier trade"),
        ]
        for ok, what in problems:
            if not ok:
                raise GcpFailure(TRADES, f"record #{record['sequence']}: {what}", received=record,
                                 expected="a trade consistent with the reference data")
        seen.add(record["tradeRef"])


@pytest.mark.ocp(functions=[TRADES], check="security")
def test_each_participant_sees_only_its_own_ncps_trades(ocp_client: OcpClient, ocp_target: Target) -> None:
    _gcp(ocp_client, ocp_target)
    gcps = {p["participantId"] for p in fetch_all(ocp_client, PARTICIPANTS, ocp_target.acting_pair()[0]).items
            if p["clearingType"] == "GCP"}
    for participant in ocp_target.participants:
        own = {m["ncpId"] for m in fetch_all(ocp_client, MAPPING, participant).items}
        records, _ = pull(ocp_client, participant, limit=200)
        foreign = [r for r in records if r["gcpId"] != participant or r["ncpId"] not in own]
        if foreign or (participant not in gcps and records):
            raise GcpFailure(TRADES, f"{participant} sees trades that are not of its own NCPs",
                             received=(foreign or records)[:2], expected=f"only trades of {sorted(own)}")


Event = tuple[str, str, dict[str, Any]]


def _events(exchange: Exchange) -> list[Event]:
    """(id, event, data as JSON) of each Server-Sent Event of a served stream."""
    if exchange.status != 200:
        raise GcpFailure(TRADES, "the trade stream was not served", received=f"HTTP {exchange.status}",
                         expected="HTTP 200 text/event-stream", exchange=exchange)
    try:
        return [(event.id, event.event, json.loads(event.data)) for event in EventSource(exchange.response).iter_sse()]
    except (SSEError, ValueError) as error:
        raise GcpFailure(TRADES, f"the trade stream is not Server-Sent Events of JSON trade records: {error}",
                         received=exchange.response.headers.get("content-type"),
                         expected="text/event-stream, data: a TradeRecord", exchange=exchange) from None


def _stream(client: OcpClient, gcp: str, wanted: int, fields: dict[str, Any],
            headers: dict[str, str] | None) -> tuple[list[Event], Exchange]:
    """The stream's events from a starting point, reconnecting with Last-Event-ID (as an EventSource does) while
    the server ends streams early, until ``wanted`` events or a stream without any."""
    exchange = client.call(TRADES, operation="streamTrades", as_participant=gcp, headers=headers, **fields)
    events = _events(exchange)
    batch = events
    while batch and len(events) < wanted:
        resumed = client.call(TRADES, operation="streamTrades", as_participant=gcp,
                              headers={"Last-Event-ID": batch[-1][0]})
        batch = _events(resumed)
        events += batch
    return events, exchange


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_the_stream_and_the_pull_form_agree(ocp_client: OcpClient, ocp_target: Target) -> None:
    gcp, records, _ = _trades(ocp_client, ocp_target)
    rng = random.Random(len(records) + 1)
    for after in sorted({0, len(records), rng.randrange(len(records) + 1)}):
        for fields, headers in (({"afterSequence": after}, None), ({}, {"Last-Event-ID": str(after)})):
            resume = headers or fields
            expected = records[after:]
            events, exchange = _stream(ocp_client, gcp, len(expected), fields, headers)
            received = [data for _, _, data in events][:len(expected)]
            ids_ok = all(i == str(data["sequence"]) and kind == "trade" for i, kind, data in events)
            if received != expected or not ids_ok:
                raise GcpFailure(TRADES, f"the stream resumed with {resume} differs from the pull form",
                                 received=[(i, kind, d.get("sequence")) for i, kind, d in events[:5]],
                                 expected=[(str(r["sequence"]), "trade", r["sequence"]) for r in expected[:5]],
                                 exchange=exchange)
