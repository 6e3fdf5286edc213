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
from suites.gcp_datasets import CALENDAR, MAPPING, PARTICIPANTS, STOCKS, GcpFailure, fetch_all, value
from suites.sim_control import business_date

from ocp_conformance.binding import read_role
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

TRADES: Final = "Real Time Trade Information"


def _open_trading(client: OcpClient, target: Target) -> None:
    if not target.can(CLOCK_CONTROL):
        return
    clock = client.call_operation("simGetClock").body
    if datetime.fromisoformat(str(clock["now"])).time() < time(10, 0):
        client.call_operation("simAdvanceClock", body={"to": f"{business_date(client)}T10:00:00+08:00"})


def _of(bound: BoundClient, record: Any, role: str) -> Any:
    return value(bound, TRADES, record, role)


def pull(bound: BoundClient, participant: str, after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], str]:
    """Every record after ``after``, page by page, checking the next sequence; and the business date."""
    records: list[dict[str, Any]] = []
    while True:
        page = bound.call(TRADES, "list", as_participant=participant, after_sequence=after, limit=limit)
        page.expect(200)
        items = page.items()
        expected_next = _of(bound, items[-1], "sequence") if items else after
        if page.get("next_sequence") != expected_next:
            raise GcpFailure(TRADES, "the next sequence is not the last sequence returned",
                             received=page.get("next_sequence"), expected=expected_next, exchange=page.exchange)
        records += items
        if not items:
            return records, str(page.get("business_date"))
        after = page.get("next_sequence")
        if len(records) > 200_000:
            raise GcpFailure(TRADES, "the feed never ends", received=len(records), expected="an end")


def _gcp(bound: BoundClient, target: Target) -> str:
    for participant in target.participants:
        if fetch_all(bound, MAPPING, participant).items:
            _open_trading(bound.client, target)
            return participant
    pytest.skip("the target has no credentials of a GCP with NCPs: no trade feed to read")


def _trades(bound: BoundClient, target: Target) -> tuple[str, list[dict[str, Any]], str]:
    gcp = _gcp(bound, target)
    records, business_date = pull(bound, gcp)
    if not records and target.can(CLOCK_CONTROL):
        raise GcpFailure(TRADES, f"{gcp}'s feed is empty after 10:00", received="no records", expected="trades")
    return gcp, records, business_date


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_sequence_has_no_gap_and_no_duplicate(ocp_bound: BoundClient, ocp_target: Target) -> None:
    _, records, _ = _trades(ocp_bound, ocp_target)
    sequences = [_of(ocp_bound, r, "sequence") for r in records]
    if sequences != list(range(1, len(records) + 1)):
        bad = next(i for i, s in enumerate(sequences, 1) if s != i)
        raise GcpFailure(TRADES, f"the feed's sequence numbers are not 1, 2, 3, ... (first break at #{bad})",
                         received=sequences[max(0, bad - 3):bad + 2], expected=list(range(max(1, bad - 2), bad + 3)))
    refs = [_of(ocp_bound, r, "trade_ref") for r in records]
    if len(set(refs)) != len(refs):
        raise GcpFailure(TRADES, "a trade reference repeats in the feed", received=len(refs) - len(set(refs)),
                         expected="unique trade references")


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_resuming_from_any_sequence_gives_the_same_tail(ocp_bound: BoundClient, ocp_target: Target) -> None:
    gcp, records, _ = _trades(ocp_bound, ocp_target)
    rng = random.Random(len(records))
    points = sorted({0, len(records), *(rng.randrange(len(records) + 1) for _ in range(4))})
    for after in points:
        tail, _ = pull(ocp_bound, gcp, after=after, limit=rng.randint(1, 200))
        if tail[:len(records) - after] != records[after:]:
            raise GcpFailure(TRADES, f"resuming after sequence {after} does not give the rest of the feed",
                             received=[_of(ocp_bound, r, "sequence") for r in tail[:5]],
                             expected=[_of(ocp_bound, r, "sequence") for r in records[after:after + 5]])


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_trades_agree_with_the_reference_data(ocp_bound: BoundClient, ocp_target: Target) -> None:
    gcp, records, business_date = _trades(ocp_bound, ocp_target)
    bound = ocp_bound
    ncps = {value(bound, MAPPING, m, "ncp_id") for m in fetch_all(bound, MAPPING, gcp).items}
    stocks = {value(bound, STOCKS, s, "stock_code"): s for s in fetch_all(bound, STOCKS, gcp).items}
    calendar = {value(bound, CALENDAR, d, "date"): d for d in fetch_all(bound, CALENDAR, gcp).items}
    seen: set[str] = set()
    for record in records:
        trade = {role: _of(bound, record, role) for role in (
            "sequence", "trade_ref", "original_trade_ref", "record_type", "gcp_id", "ncp_id", "market", "stock_code",
            "trade_date", "settlement_date", "quantity", "price", "value")}
        day = calendar.get(trade["trade_date"])
        trading = day is not None and value(bound, CALENDAR, day, "trading_day") is True
        settles = (value(bound, CALENDAR, day, "settlement_dates") if day is not None else None) or {}
        stock = stocks.get(trade["stock_code"])
        market, original = trade["market"], trade["original_trade_ref"]
        problems = [
            (trade["gcp_id"] == gcp and trade["ncp_id"] in ncps, f"NCP {trade['ncp_id']} is not mapped to {gcp}"),
            (stock is not None and value(bound, STOCKS, stock, "market") == market,
             f"stock {trade['stock_code']} ({market}) is not on the Stock List"),
            (trade["trade_date"] == business_date and trading,
             f"trade date {trade['trade_date']} is not the business date {business_date} or no trading day"),
            (trade["settlement_date"] == settles.get(market),
             f"settlement date {trade['settlement_date']} is not the calendar's {settles.get(market)} for {market}"),
            (Decimal(trade["value"]) == (Decimal(trade["price"]) * trade["quantity"]).quantize(Decimal("0.01")),
             f"value {trade['value']} is not quantity x price"),
            ((trade["record_type"] == "NEW") == (original is None) and (original is None or original in seen),
             f"{trade['record_type']} names original {original}, not an earlier trade"),
        ]
        for ok, what in problems:
            if not ok:
                raise GcpFailure(TRADES, f"record #{trade['sequence']}: {what}", received=record,
                                 expected="a trade consistent with the reference data")
        seen.add(trade["trade_ref"])


@pytest.mark.ocp(functions=[TRADES], check="security")
def test_each_participant_sees_only_its_own_ncps_trades(ocp_bound: BoundClient, ocp_target: Target) -> None:
    bound = ocp_bound
    _gcp(bound, ocp_target)
    gcps = {value(bound, PARTICIPANTS, p, "participant")
            for p in fetch_all(bound, PARTICIPANTS, ocp_target.acting_pair()[0]).items
            if value(bound, PARTICIPANTS, p, "clearing_type") == "GCP"}
    for participant in ocp_target.participants:
        own = {value(bound, MAPPING, m, "ncp_id") for m in fetch_all(bound, MAPPING, participant).items}
        records, _ = pull(bound, participant, limit=200)
        foreign = [r for r in records if _of(bound, r, "gcp_id") != participant or _of(bound, r, "ncp_id") not in own]
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


def _stream(bound: BoundClient, gcp: str, wanted: int, resume: dict[str, Any]) -> tuple[list[Event], Exchange]:
    """The stream's events from a starting point (``resume``: by role, the after-sequence or the last event id),
    reconnecting with the last event id (as an EventSource does) while the server ends streams early, until
    ``wanted`` events or a stream without any."""
    exchange = bound.call(TRADES, "stream", as_participant=gcp, **resume).exchange
    events = _events(exchange)
    batch = events
    while batch and len(events) < wanted:
        resumed = bound.call(TRADES, "stream", as_participant=gcp, last_event_id=batch[-1][0]).exchange
        batch = _events(resumed)
        events += batch
    return events, exchange


@pytest.mark.ocp(functions=[TRADES], check="contract")
def test_the_stream_and_the_pull_form_agree(ocp_bound: BoundClient, ocp_target: Target) -> None:
    gcp, records, _ = _trades(ocp_bound, ocp_target)
    rng = random.Random(len(records) + 1)
    for after in sorted({0, len(records), rng.randrange(len(records) + 1)}):
        for resume in ({"after_sequence": after}, {"last_event_id": str(after)}):
            expected = records[after:]
            events, exchange = _stream(ocp_bound, gcp, len(expected), resume)
            received = [data for _, _, data in events][:len(expected)]
            ids_ok = all(i == str(_of(ocp_bound, data, "sequence")) and kind == "trade" for i, kind, data in events)
            if received != expected or not ids_ok:
                raise GcpFailure(TRADES, f"the stream resumed with {resume} differs from the pull form",
                                 received=[(i, kind, read_role(ocp_bound.binding, TRADES, d, "sequence"))
                                           for i, kind, d in events[:5]],
                                 expected=[(str(s), "trade", s) for s in (_of(ocp_bound, r, "sequence")
                                                                          for r in expected[:5])],
                                 exchange=exchange)
