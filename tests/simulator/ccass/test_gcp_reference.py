"""The GCP reference datasets built from the demo market: roles, ordering, calendar and mapping privacy."""

from __future__ import annotations

from datetime import date

from ocp_conformance.simulator.ccass import (
    DEMO_GCP,
    DEMO_NCP_MAPPINGS,
    Simulation,
    TradingCalendar,
    calendar_days,
    mappings_of,
    participant_list,
    stock_list,
)


def test_participant_list_has_every_participant_and_ncp_once_with_its_role() -> None:
    sim = Simulation()
    rows = participant_list(sim.reference, sim.ncp_gcp_mappings)
    ids = [r.participant_id for r in rows]
    assert ids == sorted(set(ids))
    roles = {r.participant_id: r.clearing_type for r in rows}
    assert roles[DEMO_GCP] == "GCP" and roles["B01234"] == "DCP" and roles["I00001"] == "NONE"
    assert {m.ncp_id for m in DEMO_NCP_MAPPINGS} == {pid for pid, role in roles.items() if role == "NCP"}
    assert not set(sim.reference.participants) & {m.ncp_id for m in DEMO_NCP_MAPPINGS}  # NCPs hold no tokens


def test_stock_list_is_the_reference_stocks_by_code() -> None:
    sim = Simulation()
    assert [s.stock_code for s in stock_list(sim.reference)] == sorted(sim.reference.stocks)


def test_calendar_covers_the_year_and_settles_hong_kong_trades_t_plus_2_and_china_connect_on_t() -> None:
    calendar = TradingCalendar()
    days = calendar_days(calendar, date(2027, 4, 6))
    assert len(days) == 365 and days[0].date == date(2027, 1, 1) and days[-1].date == date(2027, 12, 31)
    by_date = {d.date: d for d in days}
    assert by_date[date(2027, 4, 5)].day_type == "HOLIDAY" and not by_date[date(2027, 4, 5)].trading_day
    assert by_date[date(2027, 4, 3)].day_type == "WEEKEND" and by_date[date(2027, 4, 3)].settlement_dates is None
    settles = by_date[date(2027, 4, 1)].settlement_dates
    assert settles is not None and settles["HKMK"] == date(2027, 4, 6)  # skips the weekend and Ching Ming (Mon 5 Apr)
    assert settles["MAMK"] == settles["SZMK"] == date(2027, 4, 1)
    assert all(d.trading_day == calendar.is_trading_day(d.date) for d in days)
    assert all(d.settlement_day == calendar.is_settlement_day(d.date) for d in days)
    # they differ only on the half-day eves (test_half_day_eves.py): Christmas and New Year's Eve, Lunar New Year's
    assert [d.date for d in days if d.trading_day != d.settlement_day] == [
        date(2027, 2, 5), date(2027, 12, 24), date(2027, 12, 31)]


def test_a_participant_sees_only_its_own_ncps() -> None:
    assert mappings_of(DEMO_NCP_MAPPINGS, DEMO_GCP) == sorted(DEMO_NCP_MAPPINGS, key=lambda m: m.ncp_id)
    assert mappings_of(DEMO_NCP_MAPPINGS, "B01234") == []
