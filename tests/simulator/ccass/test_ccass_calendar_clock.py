"""TradingCalendar and BusinessClock: business days, scheduled events, function windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from ocp_conformance.simulator.ccass import DEFAULT_START, HKT, BusinessClock, MatchingRun, TradingCalendar


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), HKT)


TUE = date(2027, 4, 6)


class TestTradingCalendar:
    def test_weekends_and_holidays_are_not_business_days(self) -> None:
        cal = TradingCalendar()
        assert cal.is_business_day(TUE)
        assert not cal.is_business_day(date(2027, 4, 3))  # Saturday
        assert not cal.is_business_day(date(2027, 4, 4))  # Sunday
        assert not cal.is_business_day(date(2027, 4, 5))  # Ching Ming
        assert not cal.is_business_day(date(2026, 2, 17))  # Lunar New Year

    def test_next_and_previous_skip_weekend_and_holiday(self) -> None:
        cal = TradingCalendar()
        assert cal.next_business_day(date(2027, 4, 2)) == TUE
        assert cal.previous_business_day(TUE) == date(2027, 4, 2)

    def test_add_business_days(self) -> None:
        cal = TradingCalendar()
        assert cal.add_business_days(date(2027, 4, 1), 2) == TUE
        assert cal.add_business_days(TUE, -1) == date(2027, 4, 2)
        assert cal.add_business_days(date(2027, 4, 4), 0) == date(2027, 4, 4)

    def test_holidays_are_configurable(self) -> None:
        cal = TradingCalendar(holidays=[TUE])
        assert not cal.is_business_day(TUE)
        assert cal.is_business_day(date(2027, 4, 5))  # not a holiday in this calendar
        assert cal.holidays == frozenset({TUE})


class TestBusinessClock:
    def test_default_start_is_a_business_day_morning(self) -> None:
        assert TradingCalendar().is_business_day(DEFAULT_START.date())
        assert DEFAULT_START.utcoffset() == timedelta(hours=8)

    def test_now_is_converted_to_hong_kong_time(self) -> None:
        clock = BusinessClock(TradingCalendar(), datetime(2027, 4, 6, 1, 0, tzinfo=UTC))
        assert clock.now == at(TUE, 9)
        assert clock.now.utcoffset() == timedelta(hours=8)

    def test_naive_datetime_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            BusinessClock(TradingCalendar(), datetime(2027, 4, 6, 9))

    def test_advance_returns_events_in_order(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(TUE, 9))
        events = clock.advance_to(at(date(2027, 4, 7), 11))
        assert [(e.kind, e.at.time()) for e in events] == [
            ("matching", time(10, 0)),  # issue 17 correction 4: the first SI matching of the day
            ("batch_run", time(10, 30)),
            ("batch_run", time(12, 0)),
            ("batch_run", time(14, 0)),
            ("batch_run", time(15, 45)),  # the final run (issue 17 correction 5: about 15:45, not 16:30)
            ("day_end", time(23, 59)),
            ("matching", time(10, 0)),
            ("batch_run", time(10, 30)),
        ]
        assert events[0].label == "first SI matching (10:00)"
        assert events[4].label.startswith("final batch run")
        assert clock.now == at(date(2027, 4, 7), 11)

    def test_no_events_on_weekends_or_holidays(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(date(2027, 4, 2), 23, 59))  # Fri, after day end
        assert clock.advance_to(at(TUE, 9)) == []
        assert clock.today == TUE

    def test_event_exactly_at_target_is_included_and_not_repeated(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(TUE, 10))
        assert len(clock.advance_to(at(TUE, 10, 30))) == 1
        assert clock.advance_to(at(TUE, 10, 30)) == []

    def test_time_never_goes_backwards(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(TUE, 9))
        with pytest.raises(ValueError, match="before now"):
            clock.advance_to(at(TUE, 8))

    def test_pending_events_do_not_move_time(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(TUE, 9))
        assert len(clock.pending_events(at(TUE, 12))) == 3  # the first matching and two batch runs
        assert clock.now == at(TUE, 9)

    def test_today_rolls_forward_on_non_business_days(self) -> None:
        clock = BusinessClock(TradingCalendar(), at(date(2027, 4, 3), 12))  # Saturday
        assert clock.today == TUE  # Monday 5 April is Ching Ming
        assert clock.business_date_of(at(date(2027, 4, 4), 12)) == TUE

    @pytest.mark.parametrize(
        ("day", "hh", "mm", "expected"),
        [
            (TUE, 7, 59, False),
            (TUE, 8, 0, True),
            (TUE, 15, 44, True),
            (TUE, 15, 45, False),
            (TUE, 16, 59, False),
            (TUE, 17, 0, True),
            (TUE, 18, 59, True),
            (TUE, 19, 0, False),
            (date(2027, 4, 5), 10, 0, False),  # holiday
        ],
    )
    def test_function_windows(self, day: date, hh: int, mm: int, expected: bool) -> None:
        assert BusinessClock(TradingCalendar(), at(day, hh, mm)).in_function_window() is expected

    @pytest.mark.parametrize(
        ("day", "hh", "mm", "market", "expected"),
        [
            (TUE, 7, 14, "MAMK", False),
            (TUE, 7, 15, "MAMK", True),
            (TUE, 7, 30, "SZMK", True),
            (TUE, 7, 30, "HKMK", False),
            (TUE, 7, 30, "GLOB", False),  # a market without windows of its own has the function windows
            (TUE, 16, 0, "MAMK", True),
            (TUE, 19, 30, "MAMK", True),
            (TUE, 19, 30, "HKMK", False),
            (TUE, 19, 45, "SZMK", False),
            (date(2027, 5, 4), 9, 0, "MAMK", False),  # mainland holiday (Labour Day), Hong Kong open
            (date(2027, 5, 4), 9, 0, "HKMK", True),
        ],
    )
    def test_si_windows_by_market(self, day: date, hh: int, mm: int, market: str, expected: bool) -> None:
        """Issue 17 correction 9: China Connect SIs 07:15-19:45 on a China Connect business day [F]."""
        assert BusinessClock(TradingCalendar(), at(day, hh, mm)).in_function_window(market) is expected

    def test_si_market_windows_are_one_table_with_sources(self) -> None:
        from ocp_conformance.simulator.ccass.clock import SI_MARKET_WINDOWS

        assert set(SI_MARKET_WINDOWS) == {"MAMK", "SZMK"}
        assert all(entry.source.startswith("[F]") for entry in SI_MARKET_WINDOWS.values())
        clock = BusinessClock(TradingCalendar(), at(TUE, 7, 30))
        assert clock.in_any_function_window() and not clock.in_function_window()
        assert clock.describe_windows("MAMK") == "07:15-19:45"
        assert clock.describe_windows() == "08:00-15:45 and 17:00-19:00"

    def test_schedule_and_windows_are_configurable(self) -> None:
        clock = BusinessClock(
            TradingCalendar(),
            at(TUE, 9),
            batch_times=[time(11, 0)],
            day_end=time(20, 0),
            function_windows=[(time(9, 0), time(10, 0))],
            matching_schedule=[MatchingRun(time(9, 30), True, "test")],
        )
        assert clock.in_function_window()
        assert [e.at.time() for e in clock.advance_to(at(TUE, 21))] == [time(9, 30), time(11, 0), time(20, 0)]
        assert not clock.in_function_window()

    def test_invalid_window_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="open < close"):
            BusinessClock(TradingCalendar(), at(TUE, 9), function_windows=[(time(10, 0), time(9, 0))])


def test_the_batch_runs_are_one_table_with_their_sources() -> None:
    """Issue 17 correction 5: the final run is about 15:45 [F]; every run's time says where it comes from."""
    from ocp_conformance.simulator.ccass import BATCH_RUN_SCHEDULE, DEFAULT_BATCH_TIMES

    assert tuple(run.at for run in BATCH_RUN_SCHEDULE) == DEFAULT_BATCH_TIMES
    assert BATCH_RUN_SCHEDULE[0].at == time(10, 30) and BATCH_RUN_SCHEDULE[-1].at == time(15, 45)
    assert all(run.source.startswith(("[F] ", "[M] ")) for run in BATCH_RUN_SCHEDULE)
    assert all("Operational Procedures" in run.source for run in BATCH_RUN_SCHEDULE if run.source.startswith("[F]"))
