"""Correction 1 of issue 17: the half-day eves of Lunar New Year, Christmas and New Year are trading days but not
settlement days [F] (contracts/SOURCES.md): T+2 counts settlement days, an SI may not settle on an eve, the GCP
calendar's tradingDay and settlementDay differ on them, and no batch settlement run happens on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from ocp_conformance.simulator.ccass import (
    HK_HALF_DAY_EVES_2026_2027,
    HKT,
    BusinessClock,
    DomainError,
    SiInput,
    Simulation,
    TradingCalendar,
    calendar_days,
)

EVES = [date(2026, 2, 16), date(2026, 12, 24), date(2026, 12, 31), date(2027, 2, 5), date(2027, 12, 24),
        date(2027, 12, 31)]


def test_the_six_eves_are_the_calendar_s() -> None:
    assert sorted(HK_HALF_DAY_EVES_2026_2027) == EVES
    assert all(eve.weekday() < 5 for eve in EVES)  # an eve on a weekend needs no entry


@pytest.mark.parametrize("eve", EVES, ids=str)
def test_an_eve_is_a_trading_day_but_not_a_settlement_day(eve: date) -> None:
    calendar = TradingCalendar()
    assert calendar.is_trading_day(eve) and calendar.is_business_day(eve)
    assert not calendar.is_settlement_day(eve)


@pytest.mark.parametrize(("trade_date", "t_plus_2"), [
    (date(2026, 12, 22), date(2026, 12, 28)),  # Tue: Wed 23 is T+1, Thu 24 eve, Fri 25 Christmas, weekend
    (date(2026, 12, 24), date(2026, 12, 29)),  # a trade on the eve itself settles two settlement days later
    (date(2026, 12, 30), date(2027, 1, 5)),  # Thu 31 eve, Fri 1 Jan holiday, weekend: Mon 4 T+1
    (date(2026, 2, 13), date(2026, 2, 23)),  # Fri: Mon 16 eve, 17-19 Lunar New Year, Fri 20 T+1
    (date(2027, 2, 4), date(2027, 2, 11)),  # Thu: Fri 5 eve, weekend, 8-9 holidays, Wed 10 T+1
    (date(2027, 12, 23), date(2027, 12, 29)),  # Thu: Fri 24 eve, weekend, Mon 27 holiday, Tue 28 T+1
], ids=str)
def test_t_plus_2_counts_settlement_days(trade_date: date, t_plus_2: date) -> None:
    calendar = TradingCalendar()
    assert calendar.add_settlement_days(trade_date, 2) == t_plus_2


def test_an_si_settling_on_an_eve_is_refused_with_the_next_settlement_day() -> None:
    sim = Simulation(start=datetime(2026, 12, 22, 9, 0, tzinfo=HKT))
    si = SiInput(side="DELIVER", counterparty_id="B05678", stock_code="00700", quantity=1_000,
                 settlement_date=date(2026, 12, 24), payment_type="FOP")
    with pytest.raises(DomainError) as refused:
        sim.si_book.input_si("B01234", si)
    assert refused.value.code == "SETTLEMENT_DATE_NOT_BUSINESS_DAY"
    assert "half-day eve" in refused.value.message and "2026-12-28" in refused.value.message
    assert sim.si_book.input_si("B01234", replace(si, settlement_date=date(2026, 12, 23))).status == "UNMATCHED"


def test_exchange_trades_on_and_before_an_eve_settle_after_it() -> None:
    sim = Simulation(start=datetime(2026, 12, 24, 9, 0, tzinfo=HKT))
    trade, _ = sim.cns.book_trade("C00019", "00005", "SELL", 1_000, date(2026, 12, 22))
    assert trade.settlement_date == date(2026, 12, 28)
    trade, _ = sim.cns.book_trade("C00019", "00005", "SELL", 1_000, date(2026, 12, 24))  # trading on the eve
    assert trade.settlement_date == date(2026, 12, 29)


def test_the_gcp_calendar_tells_trading_from_settlement_days() -> None:
    calendar = TradingCalendar()
    for year in (2026, 2027):
        days = calendar_days(calendar, date(year, 6, 1))
        differ = [d.date for d in days if d.trading_day != d.settlement_day]
        assert differ == [eve for eve in EVES if eve.year == year]
        for eve in differ:
            row = next(d for d in days if d.date == eve)
            assert row.day_type == "BUSINESS" and row.trading_day and not row.settlement_day
            assert row.settlement_dates is not None
            assert row.settlement_dates["HKMK"] == calendar.add_settlement_days(eve, 2)
    by_date = {d.date: d for d in calendar_days(calendar, date(2026, 12, 1))}
    assert by_date[date(2026, 12, 22)].settlement_dates["HKMK"] == date(2026, 12, 28)  # type: ignore[index]


def test_no_batch_settlement_run_on_an_eve() -> None:
    eve = date(2026, 12, 24)
    clock = BusinessClock(TradingCalendar(), datetime.combine(eve, time(7, 0), HKT))
    events = clock.advance_to(datetime.combine(eve, time(23, 59, 30), HKT))
    # [M] SIs still match on an eve (CCASS is open; SIs for a later settlement day); only the batch runs are off
    assert [e.kind for e in events] == ["matching", "day_end"]
    clock.advance_to(datetime(2026, 12, 24, 23, 59, 59, tzinfo=HKT))
    assert clock.today == eve  # the eve is still a business (trading) date: CCASS is open, functions available
    assert clock.in_function_window() is False  # 23:59, outside the windows
    monday = BusinessClock(TradingCalendar(), datetime(2026, 12, 28, 7, 0, tzinfo=HKT))
    assert [e.kind for e in monday.advance_to(datetime(2026, 12, 28, 17, 0, tzinfo=HKT))].count("batch_run") == 4
