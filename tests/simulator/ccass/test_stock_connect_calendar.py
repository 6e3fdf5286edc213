"""Correction 2 of issue 17: Stock Connect has its own calendar [F] (contracts/SOURCES.md). Northbound (MAMK, SZMK)
trading days are the days both Hong Kong and the mainland market are open; a mainland holiday such as Golden Week
is neither a China Connect trading day nor a China Connect settlement day even when Hong Kong is open: no China
Connect trades, no T settlement on it, and no SI in a China Connect security settles on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from ocp_conformance.simulator.ccass import (
    CHINA_CONNECT_MARKETS,
    DEMO_GCP,
    DEMO_NCP_MAPPINGS,
    HK_PUBLIC_HOLIDAYS_2026_2027,
    HKT,
    MAINLAND_HOLIDAYS_2026_2027,
    DomainError,
    SiInput,
    Simulation,
    TradeFeed,
    TradingCalendar,
    calendar_days,
    demo_reference_data,
)

# 2026 Golden Week weekdays that Hong Kong trades on (HK's National Day, 1 Oct, is a holiday in both markets).
GOLDEN_WEEK_HK_OPEN = [date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)]


def test_mainland_holidays_are_weekdays_and_include_golden_week_and_spring_festival() -> None:
    assert all(d.weekday() < 5 for d in MAINLAND_HOLIDAYS_2026_2027)
    assert set(GOLDEN_WEEK_HK_OPEN) | {date(2026, 10, 1)} <= MAINLAND_HOLIDAYS_2026_2027
    assert date(2026, 2, 20) in MAINLAND_HOLIDAYS_2026_2027 and date(2026, 2, 23) in MAINLAND_HOLIDAYS_2026_2027
    assert {d.year for d in MAINLAND_HOLIDAYS_2026_2027} == {2026, 2027}
    assert {"MAMK", "SZMK"} == CHINA_CONNECT_MARKETS


@pytest.mark.parametrize("day", GOLDEN_WEEK_HK_OPEN, ids=str)
@pytest.mark.parametrize("market", sorted(CHINA_CONNECT_MARKETS))
def test_a_golden_week_day_open_in_hong_kong_is_no_china_connect_trading_or_settlement_day(day: date,
                                                                                            market: str) -> None:
    calendar = TradingCalendar()
    assert calendar.is_trading_day(day) and calendar.is_settlement_day(day)  # Hong Kong is open and settles
    china_connect = calendar.for_market(market)
    assert not china_connect.is_trading_day(day) and not china_connect.is_settlement_day(day)
    assert calendar.for_market("HKMK") is calendar


def test_northbound_trades_on_days_both_markets_are_open_only() -> None:
    calendar, china_connect = TradingCalendar(), TradingCalendar().for_market("MAMK")
    day = date(2026, 1, 1)
    while day <= date(2027, 12, 31):
        both = calendar.is_trading_day(day) and day.weekday() < 5 and day not in MAINLAND_HOLIDAYS_2026_2027
        assert china_connect.is_trading_day(day) is both, day
        assert (not both) or (china_connect.is_settlement_day(day) is calendar.is_settlement_day(day))
        day = date.fromordinal(day.toordinal() + 1)
    # a Hong Kong holiday on which the mainland trades (Good Friday) is no China Connect trading day either
    assert date(2026, 4, 3) in HK_PUBLIC_HOLIDAYS_2026_2027 and not china_connect.is_trading_day(date(2026, 4, 3))


def test_china_connect_trades_settle_on_the_next_china_connect_day_after_golden_week() -> None:
    calendar = TradingCalendar()
    # a trade on Wed 30 Sep 2026 settles T (stock); the first China Connect day after Golden Week is Thu 8 Oct
    assert calendar.for_market("SZMK").add_settlement_days(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert calendar.for_market("SZMK").next_settlement_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert calendar.add_settlement_days(date(2026, 9, 30), 2) == date(2026, 10, 5)  # HKMK T+2 counts 2 and 5 Oct


def test_the_gcp_calendar_has_no_china_connect_settlement_date_on_a_mainland_holiday() -> None:
    by_date = {d.date: d for d in calendar_days(TradingCalendar(), date(2026, 10, 5))}
    for day in GOLDEN_WEEK_HK_OPEN:
        row = by_date[day]
        assert row.trading_day and row.settlement_day  # Hong Kong trades and settles
        assert row.settlement_dates is not None and set(row.settlement_dates) == {"HKMK", "GLOB"}
    row = by_date[date(2026, 10, 8)]
    assert row.settlement_dates is not None and row.settlement_dates["MAMK"] == date(2026, 10, 8)


def test_no_china_connect_exchange_trade_on_a_mainland_holiday() -> None:
    sim = Simulation(start=datetime(2026, 10, 5, 9, 0, tzinfo=HKT))
    with pytest.raises(DomainError) as refused:
        sim.cns.book_trade("C00019", "90001", "BUY", 100, date(2026, 10, 5))
    assert refused.value.code == "TRADE_DATE_NOT_BUSINESS_DAY" and "2026-10-08" in refused.value.message
    trade, _ = sim.cns.book_trade("C00019", "00005", "BUY", 1_000, date(2026, 10, 5))  # Hong Kong trades
    assert trade.settlement_date == date(2026, 10, 7)


def test_the_trade_feed_has_no_china_connect_trade_on_a_mainland_holiday() -> None:
    feed = TradeFeed(demo_reference_data(), TradingCalendar(), DEMO_NCP_MAPPINGS, trades_per_day=400)
    golden = feed.day(DEMO_GCP, date(2026, 10, 5))
    assert golden and {r.market for r in golden} == {"HKMK"}
    ordinary = feed.day(DEMO_GCP, date(2026, 10, 8))
    assert {"MAMK", "SZMK"} <= {r.market for r in ordinary}
    assert all(r.settlement_date == date(2026, 10, 8) for r in ordinary if r.market != "HKMK")


def test_an_si_in_a_china_connect_security_may_not_settle_on_a_mainland_holiday() -> None:
    sim = Simulation(start=datetime(2026, 9, 28, 9, 0, tzinfo=HKT))
    si = SiInput(side="DELIVER", counterparty_id="B05678", stock_code="90001", quantity=100,
                 settlement_date=date(2026, 10, 5), payment_type="FOP")
    with pytest.raises(DomainError) as refused:
        sim.si_book.input_si("B01234", si)
    assert refused.value.code == "SETTLEMENT_DATE_NOT_BUSINESS_DAY"
    assert "mainland holiday" in refused.value.message and "2026-10-08" in refused.value.message
    assert sim.si_book.input_si("B01234", replace(si, settlement_date=date(2026, 10, 8))).status == "UNMATCHED"
    # the same day is a settlement day for a Hong Kong security
    assert sim.si_book.input_si("B01234", replace(si, stock_code="00700", quantity=1_000)).status == "UNMATCHED"
