"""GCP reference data: conditional requests honoured, stable versions, consistent paging and datasets.

A dataset's ETag names its content on a business date: reading it again gives the same ETag and rows, and
sending the ETag back in If-None-Match gets 304 Not Modified; paging in small pages gives exactly the rows of
one big page. Across datasets: every mapping's NCP and GCP are on the Participant List with that role, stock
codes are normalised and unique, the calendar is a gap-free run of dates in which weekends and holidays are
never trading days and each trading day's settlement dates follow the markets' settlement cycles by the same
calendar: T+2 trading days on the Hong Kong market, T for China Connect stock [F].
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from suites.gcp_datasets import CALENDAR, DATASETS, MAPPING, PARTICIPANTS, STOCKS, GcpFailure, fetch_all, value

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.targets import Target

_OTHER_ETAG = '"0000000000000000"'
# Business days from trade to stock settlement per market, as CCASS rules say [F]; other markets are not checked.
_SETTLEMENT_CYCLES = {"HKMK": 2, "MAMK": 0, "SZMK": 0}
_CHINA_CONNECT = frozenset({"MAMK", "SZMK"})


def _reader(function: str, bound: BoundClient, target: Target) -> str:
    """The acting participant; for the mapping a participant that has mappings, when the target has one."""
    if function == MAPPING:
        for participant in target.participants:
            if fetch_all(bound, MAPPING, participant).items:
                return participant
    return target.acting_pair()[0]


@pytest.mark.parametrize("function", [pytest.param(f, marks=pytest.mark.ocp(functions=[f], check="contract"))
                                      for f in DATASETS])
def test_conditional_requests_are_honoured(function: str, ocp_bound: BoundClient, ocp_target: Target) -> None:
    participant = _reader(function, ocp_bound, ocp_target)
    first = ocp_bound.call(function, "list", as_participant=participant, limit=200).exchange
    etag = first.response.headers.get("etag")
    again = ocp_bound.call(function, "list", as_participant=participant, limit=200).exchange
    if again.status != 200 or again.response.headers.get("etag") != etag or again.body != first.body:
        raise GcpFailure(function, "reading an unchanged dataset again gave another version",
                         received=f"HTTP {again.status} ETag {again.response.headers.get('etag')}",
                         expected=f"HTTP 200 ETag {etag} and the same rows", exchange=again)
    conditional = ocp_bound.call(function, "list", as_participant=participant, limit=200, if_none_match=etag).exchange
    if conditional.status != 304 or conditional.response.content or \
            conditional.response.headers.get("etag") != etag:
        raise GcpFailure(function, "If-None-Match with the current ETag was not answered 304 Not Modified",
                         received=f"HTTP {conditional.status} ETag {conditional.response.headers.get('etag')}",
                         expected=f"HTTP 304, no body, ETag {etag}", exchange=conditional)
    stale = ocp_bound.call(function, "list", as_participant=participant, limit=200, if_none_match=_OTHER_ETAG).exchange
    if stale.status != 200 or stale.body != first.body:
        raise GcpFailure(function, "If-None-Match with another ETag did not return the dataset",
                         received=f"HTTP {stale.status}", expected="HTTP 200 with the rows", exchange=stale)


@pytest.mark.parametrize("function", [pytest.param(f, marks=pytest.mark.ocp(functions=[f], check="contract"))
                                      for f in DATASETS])
def test_paging_gives_the_rows_of_one_page(function: str, ocp_bound: BoundClient, ocp_target: Target) -> None:
    participant = _reader(function, ocp_bound, ocp_target)
    whole = fetch_all(ocp_bound, function, participant)
    paged = fetch_all(ocp_bound, function, participant, limit=7)
    if (paged.etag, paged.business_date) != (whole.etag, whole.business_date) or paged.items != whole.items:
        raise GcpFailure(function, "pages of 7 rows do not add up to the dataset read in pages of 200",
                         received=f"{len(paged.items)} rows, {paged.etag}",
                         expected=f"{len(whole.items)} rows, {whole.etag}", exchange=paged.pages[-1].exchange)
    keys = [str(value(ocp_bound, function, row, _KEYS[function])) for row in whole.items]
    if keys != sorted(set(keys)):
        raise GcpFailure(function, "rows are not unique and ordered by their key", received=keys[:20],
                         expected="strictly increasing keys", exchange=whole.pages[0].exchange)


_KEYS = {PARTICIPANTS: "participant", STOCKS: "stock_code", CALENDAR: "date", MAPPING: "ncp_id"}
"""The role each dataset's rows are keyed and ordered by."""


@pytest.mark.ocp(functions=[STOCKS], check="contract")
def test_stock_codes_are_normalised(ocp_bound: BoundClient, ocp_target: Target) -> None:
    stocks = fetch_all(ocp_bound, STOCKS, ocp_target.acting_pair()[0])
    codes = [str(value(ocp_bound, STOCKS, s, "stock_code")) for s in stocks.items]
    bad = [code for code in codes if len(code) != 5 or not code.isdigit()]
    if bad or not stocks.items:
        raise GcpFailure(STOCKS, "stock codes are not five digits with leading zeros (or the list is empty)",
                         received=bad or "no stocks", expected="e.g. 00005", exchange=stocks.pages[0].exchange)


@pytest.mark.ocp(functions=[MAPPING, PARTICIPANTS], check="contract")
def test_every_mapping_names_listed_participants(ocp_bound: BoundClient, ocp_target: Target) -> None:
    bound = ocp_bound
    clearing = {value(bound, PARTICIPANTS, p, "participant"): value(bound, PARTICIPANTS, p, "clearing_type")
                for p in fetch_all(bound, PARTICIPANTS, ocp_target.acting_pair()[0]).items}
    seen = 0
    for participant in ocp_target.participants:
        mapping = fetch_all(bound, MAPPING, participant)
        for row in mapping.items:
            seen += 1
            ncp, gcp = value(bound, MAPPING, row, "ncp_id"), value(bound, MAPPING, row, "gcp_id")
            if clearing.get(ncp) != "NCP":
                raise GcpFailure(PARTICIPANTS, f"mapped NCP {ncp} is not on the Participant List as an NCP",
                                 received=clearing.get(ncp, "not listed"), expected="clearing type NCP",
                                 exchange=mapping.pages[0].exchange)
            if clearing.get(gcp) != "GCP":
                raise GcpFailure(PARTICIPANTS, f"GCP {gcp} of a mapping is not listed as a GCP",
                                 received=clearing.get(gcp, "not listed"), expected="clearing type GCP",
                                 exchange=mapping.pages[0].exchange)
    listed_gcps = [pid for pid, kind in clearing.items() if kind == "GCP" and pid in ocp_target.participants]
    if not seen and not listed_gcps:
        pytest.skip("the target has no credentials of a GCP with NCPs: nothing to cross-check")
    if not seen:
        raise GcpFailure(MAPPING, f"listed GCPs {listed_gcps} have no NCP mapped", received="no mappings",
                         expected="each GCP's NCPs")


def _day(bound: BoundClient, row: Any) -> dict[str, Any]:
    """A calendar row by role: date, trading_day, settlement_day, settlement_dates (per market), day_type."""
    return {role: value(bound, CALENDAR, row, role)
            for role in ("date", "trading_day", "settlement_day", "settlement_dates", "day_type")}


def _check_settlement_dates(day: date, row: dict[str, Any], settling: dict[str, list[date]], exchange: Any) -> None:
    """Each market's settlement date of a trading day is T+cycle counted in that market's *settlement* days
    (a half-day eve trades but does not settle); T+0 on a day without settlement is the next settlement day.
    ``settling``: per market, its settlement days from ``day`` on (near the year's end it may not reach that far).
    Hong Kong (HKMK) trades every trading day; a China Connect market (MAMK, SZMK) only when the mainland is open
    too (issue 17 correction 2, contracts/SOURCES.md), so it is absent on a mainland holiday."""
    dates = row["settlement_dates"] or {}
    for market, cycle in _SETTLEMENT_CYCLES.items():
        if market not in dates:
            if market in _CHINA_CONNECT:
                continue  # no Northbound trading that day: a mainland holiday
            raise GcpFailure(CALENDAR, f"{day} gives no settlement date for market {market}",
                             received=sorted(dates), expected=f"a settlement date for {market}", exchange=exchange)
        after = [d for d in settling[market] if d > day]
        # T+0, T+1, ...: on a day without settlement T+0 and T+1 are both the next settlement day (unknown at year end)
        ahead = [day, *after] if day in settling[market] else [*after[:1], *after]
        if cycle < len(ahead) and dates[market] != ahead[cycle].isoformat():
            raise GcpFailure(CALENDAR, f"{market} trades of {day} do not settle T+{cycle} by the calendar itself",
                             received=dates[market], expected=ahead[cycle].isoformat(), exchange=exchange)


@pytest.mark.ocp(functions=[CALENDAR], check="contract")
def test_calendar_is_consistent(ocp_bound: BoundClient, ocp_target: Target) -> None:
    calendar = fetch_all(ocp_bound, CALENDAR, ocp_target.acting_pair()[0])
    rows = [_day(ocp_bound, row) for row in calendar.items]
    page = calendar.pages[0].exchange
    days = [date.fromisoformat(str(row["date"])) for row in rows]
    if not days or any(b - a != timedelta(days=1) for a, b in itertools.pairwise(days)):
        raise GcpFailure(CALENDAR, "the calendar is not a gap-free run of dates in order",
                         received=f"{len(days)} dates", expected="consecutive dates", exchange=page)
    trading = [day for day, row in zip(days, rows, strict=True) if row["trading_day"]]
    # a market's settlement days: the settlement days on which it trades (China Connect: both markets open)
    by_market = {market: [day for day, row in zip(days, rows, strict=True) if row["settlement_day"]
                          and (market not in _CHINA_CONNECT or market in (row["settlement_dates"] or {}))]
                 for market in _SETTLEMENT_CYCLES}
    for day, row in zip(days, rows, strict=True):
        closed = day.weekday() >= 5 or row["day_type"] in ("WEEKEND", "HOLIDAY")
        if closed and (row["trading_day"] or row["settlement_day"] or row["settlement_dates"] is not None):
            raise GcpFailure(CALENDAR, f"{day} ({row['day_type']}) is listed as a trading or settlement day",
                             received=row, expected="no trading, no settlement", exchange=page)
        if row["settlement_day"] and not row["trading_day"]:
            raise GcpFailure(CALENDAR, f"{day} is a settlement day but not a trading day", received=row,
                             expected="settlement only on trading days", exchange=page)
        if row["trading_day"]:
            _check_settlement_dates(day, row, {m: [d for d in ds if d >= day] for m, ds in by_market.items()},
                                    page)
    listed = {m for row in rows if row["trading_day"] for m in row["settlement_dates"] or {}}
    for market in sorted(_CHINA_CONNECT & listed):
        # [F] the mainland closes on Hong Kong trading days every year (Spring Festival, Golden Week)
        if all(market in (row["settlement_dates"] or {}) for row in rows if row["trading_day"]):
            raise GcpFailure(CALENDAR, f"{market} trades on every Hong Kong trading day: the China Connect "
                             "calendar ignores the mainland holidays", received="no mainland holiday",
                             expected="no Northbound trading on mainland holidays (e.g. Golden Week)",
                             exchange=page)
    business_date = date.fromisoformat(calendar.business_date)
    if business_date.year == days[0].year and business_date not in trading:
        raise GcpFailure(CALENDAR, f"the business date {business_date} is not a trading day of the calendar",
                         received=calendar.business_date, expected="a trading day", exchange=page)
    if not any(row["day_type"] == "HOLIDAY" for row in rows):
        raise GcpFailure(CALENDAR, "the calendar lists no public holiday", received="none",
                         expected="Hong Kong public holidays", exchange=page)
