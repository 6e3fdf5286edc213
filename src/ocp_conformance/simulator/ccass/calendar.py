"""The CCASS trading and settlement calendar: weekends, Hong Kong public holidays, the half-day eves that are
trading days but not settlement days, and the Stock Connect (China Connect) calendar of the mainland markets.

Sources of each rule ([F] public fact, [M] our model) are listed in contracts/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

__all__ = [
    "CHINA_CONNECT_MARKETS",
    "HK_HALF_DAY_EVES_2026_2027",
    "HK_PUBLIC_HOLIDAYS_2026_2027",
    "MAINLAND_HOLIDAYS_2026_2027",
    "TradingCalendar",
]

# [F] Hong Kong general holidays that fall on weekdays (weekend ones need no entry), for the launch window of OCP
# API Services: neither trading nor settlement days. Days "following" a festival are the gazetted substitutes.
# Source: HKSAR Government, General Holidays for 2026 and 2027 (gov.hk, Gazette notices); HKEX trading calendars.
HK_PUBLIC_HOLIDAYS_2026_2027: frozenset[date] = frozenset(
    {
        # 2026
        date(2026, 1, 1),  # New Year's Day
        date(2026, 2, 17),  # Lunar New Year's Day
        date(2026, 2, 18),  # second day of Lunar New Year
        date(2026, 2, 19),  # third day of Lunar New Year
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # day following Ching Ming Festival
        date(2026, 4, 7),  # day following Easter Monday
        date(2026, 5, 1),  # Labour Day
        date(2026, 5, 25),  # day following the Birthday of the Buddha
        date(2026, 6, 19),  # Tuen Ng Festival
        date(2026, 7, 1),  # HKSAR Establishment Day
        date(2026, 10, 1),  # National Day
        date(2026, 10, 19),  # day following Chung Yeung Festival
        date(2026, 12, 25),  # Christmas Day
        # 2027
        date(2027, 1, 1),  # New Year's Day
        date(2027, 2, 8),  # third day of Lunar New Year
        date(2027, 2, 9),  # fourth day of Lunar New Year (second day fell on a Sunday)
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 4, 5),  # Ching Ming Festival
        date(2027, 5, 13),  # Birthday of the Buddha
        date(2027, 6, 9),  # Tuen Ng Festival
        date(2027, 7, 1),  # HKSAR Establishment Day
        date(2027, 9, 16),  # day following Mid-Autumn Festival
        date(2027, 10, 1),  # National Day
        date(2027, 10, 8),  # Chung Yeung Festival
        date(2027, 12, 27),  # first weekday after Christmas Day
    }
)

# [F] The eves of Lunar New Year, Christmas and New Year are half-day trading days (morning session only) and not
# settlement days: no exchange trade, SI or ISI settles on them, and T+2 skips them. Sources: HKEX, Securities
# Market Trading Hours and Trading Calendar (hkex.com.hk: half-day trading on these eves); CCASS General Rules,
# Chapter 1 "Settlement Day", and CCASS Operational Procedures, Section 1 ("T+n": the n-th Settlement Day after
# T-day). Dates [F]: HKEX trading calendars 2026 and 2027 (an eve on a weekend needs no entry).
HK_HALF_DAY_EVES_2026_2027: frozenset[date] = frozenset(
    {
        date(2026, 2, 16),  # Lunar New Year's Eve (Mon)
        date(2026, 12, 24),  # Christmas Eve (Thu)
        date(2026, 12, 31),  # New Year's Eve (Thu)
        date(2027, 2, 5),  # Lunar New Year's Eve (Fri; Lunar New Year's Day is Sat 6 Feb)
        date(2027, 12, 24),  # Christmas Eve (Fri)
        date(2027, 12, 31),  # New Year's Eve (Fri)
    }
)

# [F] The weekdays on which the Shanghai and Shenzhen stock exchanges are closed (weekend closures need no entry).
# 2026 [F]: the exchanges' market-closure arrangements for 2026 under the CSRC notice on holidays and market closures
# (New Year 1-2 Jan; Spring Festival 15-23 Feb; Qingming 4-6 Apr; Labour Day 1-5 May; Dragon Boat 19-21 Jun;
# Mid-Autumn 25-27 Sep; National Day, "Golden Week", 1-7 Oct), as listed on SSE/SZSE "Trading Calendar" pages.
# 2027 [M]: not published when this was written: the statutory days of the State Council's national holiday
# measures (as amended 2024) bridged as the exchanges usually bridge them; replace with the 2027 notice.
MAINLAND_HOLIDAYS_2026_2027: frozenset[date] = frozenset(
    {
        # 2026 [F]
        date(2026, 1, 1), date(2026, 1, 2),  # New Year's Day
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20),
        date(2026, 2, 23),  # Spring Festival (15-23 Feb)
        date(2026, 4, 6),  # Qingming Festival (4-6 Apr)
        date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5),  # Labour Day (1-5 May)
        date(2026, 6, 19),  # Dragon Boat Festival (19-21 Jun)
        date(2026, 9, 25),  # Mid-Autumn Festival (25-27 Sep)
        date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6),
        date(2026, 10, 7),  # National Day Golden Week (1-7 Oct)
        # 2027 [M] provisional
        date(2027, 1, 1),  # New Year's Day
        date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10), date(2027, 2, 11),
        date(2027, 2, 12),  # Spring Festival (Lunar New Year's Day is Sat 6 Feb)
        date(2027, 4, 5),  # Qingming Festival
        date(2027, 5, 3), date(2027, 5, 4), date(2027, 5, 5),  # Labour Day (1-5 May)
        date(2027, 6, 9),  # Dragon Boat Festival
        date(2027, 9, 15),  # Mid-Autumn Festival
        date(2027, 10, 1), date(2027, 10, 4), date(2027, 10, 5), date(2027, 10, 6),
        date(2027, 10, 7),  # National Day Golden Week (1-7 Oct)
    }
)

# [F] The Northbound (China Connect) markets: Shanghai (MAMK) and Shenzhen (SZMK). Their trading days are the days
# both Hong Kong and the mainland market are open (since the 2023 Stock Connect trading calendar enhancement, every
# trading day mutual to both markets). Sources: HKEX, Stock Connect "Trading Hour, Trading and Settlement
# Calendar"; SFC/CSRC joint announcement on the Stock Connect trading calendar enhancement (2023).
CHINA_CONNECT_MARKETS: frozenset[str] = frozenset({"MAMK", "SZMK"})

_ONE_DAY = timedelta(days=1)


class TradingCalendar:
    """Trading days and settlement days of the Hong Kong market.

    A *trading day* [F] is Monday to Friday except a public holiday: CCASS is open and its functions are
    available. A *settlement day* [F] is a trading day that is not a half-day eve: only then do exchange trades,
    SIs and ISIs settle, and T+n counts settlement days. ``business day`` in the names below is a trading day.

    The calendar of a China Connect market (:meth:`for_market`) [F] also closes on the mainland holidays: a
    Golden Week day open in Hong Kong is neither a China Connect trading day nor a China Connect settlement day.

    Args:
        holidays: dates that are not trading days; defaults to the 2026–2027 Hong Kong public holidays.
        half_day_eves: trading days that are not settlement days; defaults to the 2026–2027 eves of Lunar New
            Year, Christmas and New Year.
        mainland_holidays: weekdays the mainland markets are closed; defaults to the 2026–2027 SSE/SZSE closures.

    Example:
        >>> cal = TradingCalendar()
        >>> cal.is_business_day(date(2027, 4, 5))  # Ching Ming Festival
        False
        >>> cal.next_business_day(date(2027, 4, 2))  # Friday -> Tuesday (Monday is a holiday)
        datetime.date(2027, 4, 6)
        >>> cal.is_trading_day(date(2026, 12, 24)), cal.is_settlement_day(date(2026, 12, 24))  # Christmas Eve
        (True, False)
        >>> cal.add_settlement_days(date(2026, 12, 22), 2)  # T+2 skips the eve, Christmas and the weekend
        datetime.date(2026, 12, 28)
        >>> cal.is_trading_day(date(2026, 10, 5)), cal.for_market("MAMK").is_trading_day(date(2026, 10, 5))
        (True, False)
    """

    __slots__ = ("_china_connect", "_eves", "_holidays", "_mainland")

    def __init__(self, holidays: Iterable[date] = HK_PUBLIC_HOLIDAYS_2026_2027,
                 half_day_eves: Iterable[date] = HK_HALF_DAY_EVES_2026_2027,
                 mainland_holidays: Iterable[date] = MAINLAND_HOLIDAYS_2026_2027) -> None:
        self._holidays = frozenset(holidays)
        self._eves = frozenset(half_day_eves) - self._holidays
        self._mainland = frozenset(mainland_holidays)
        self._china_connect: TradingCalendar | None = None

    @property
    def mainland_holidays(self) -> frozenset[date]:
        """The configured mainland (SSE/SZSE) holidays: not China Connect trading or settlement days."""
        return self._mainland

    def for_market(self, market: str) -> TradingCalendar:
        """The calendar of exchange trades and settlement in ``market``'s securities.

        A China Connect market (MAMK, SZMK) [F] trades on the days both Hong Kong and the mainland are open and
        settles on those of them that are Hong Kong settlement days ([M] a half-day eve stays a day without
        settlement); every other market uses this (Hong Kong) calendar.
        """
        if market not in CHINA_CONNECT_MARKETS or not self._mainland - self._holidays:
            return self
        if self._china_connect is None:
            self._china_connect = TradingCalendar(self._holidays | self._mainland, self._eves, self._mainland)
        return self._china_connect

    def is_market_trading_day(self, market: str, d: date) -> bool:
        """True if ``market`` trades on ``d`` (see :meth:`for_market`)."""
        return self.for_market(market).is_trading_day(d)

    @property
    def holidays(self) -> frozenset[date]:
        """The configured holidays (weekends are implicit)."""
        return self._holidays

    @property
    def half_day_eves(self) -> frozenset[date]:
        """The configured half-day eves: trading days that are not settlement days."""
        return self._eves

    # ------------------------------------------------------------------ trading days
    def is_trading_day(self, d: date) -> bool:
        """True if ``d`` is a weekday and not a holiday (half-day eves included)."""
        return d.weekday() < 5 and d not in self._holidays

    def is_business_day(self, d: date) -> bool:
        """A trading day (CCASS open, its functions available); see :meth:`is_settlement_day` for settlement."""
        return self.is_trading_day(d)

    def next_business_day(self, d: date) -> date:
        """The first trading day strictly after ``d``."""
        return self._step(d, 1, self.is_trading_day)

    def previous_business_day(self, d: date) -> date:
        """The last trading day strictly before ``d``."""
        return self._step(d, -1, self.is_trading_day)

    def business_day_on_or_after(self, d: date) -> date:
        """``d`` itself if it is a trading day, else the next one."""
        return d if self.is_trading_day(d) else self.next_business_day(d)

    def add_business_days(self, d: date, n: int) -> date:
        """Move ``n`` trading days from ``d`` (backwards if ``n`` is negative; ``n == 0`` returns ``d``). For a
        settlement date (T+n) use :meth:`add_settlement_days`.

        Example:
            >>> TradingCalendar().add_business_days(date(2027, 4, 1), 2)  # skips Ching Ming (Mon 5 Apr)
            datetime.date(2027, 4, 6)
        """
        return self._add(d, n, self.is_trading_day)

    # ------------------------------------------------------------------ settlement days
    def is_settlement_day(self, d: date) -> bool:
        """True if exchange trades, SIs and ISIs settle on ``d``: a trading day that is not a half-day eve."""
        return self.is_trading_day(d) and d not in self._eves

    def next_settlement_day(self, d: date) -> date:
        """The first settlement day strictly after ``d``."""
        return self._step(d, 1, self.is_settlement_day)

    def previous_settlement_day(self, d: date) -> date:
        """The last settlement day strictly before ``d``."""
        return self._step(d, -1, self.is_settlement_day)

    def settlement_day_on_or_after(self, d: date) -> date:
        """``d`` itself if it is a settlement day, else the next one."""
        return d if self.is_settlement_day(d) else self.next_settlement_day(d)

    def add_settlement_days(self, d: date, n: int) -> date:
        """T+n [F]: the n-th settlement day after ``d`` (before it if ``n`` is negative). T+0 is ``d`` on a
        settlement day, else [M] the next settlement day (a same-day cycle cannot settle on a half-day eve).

        Example:
            >>> TradingCalendar().add_settlement_days(date(2027, 4, 1), 2)  # T+2 skips Ching Ming (Mon 5 Apr)
            datetime.date(2027, 4, 6)
        """
        if n == 0:
            return self.settlement_day_on_or_after(d)
        return self._add(d, n, self.is_settlement_day)

    # ------------------------------------------------------------------
    @staticmethod
    def _step(d: date, direction: int, accept: Callable[[date], bool]) -> date:
        d += direction * _ONE_DAY
        while not accept(d):
            d += direction * _ONE_DAY
        return d

    def _add(self, d: date, n: int, accept: Callable[[date], bool]) -> date:
        for _ in range(abs(n)):
            d = self._step(d, 1 if n >= 0 else -1, accept)
        return d

    def __repr__(self) -> str:
        return (f"TradingCalendar(holidays={len(self._holidays)}, half_day_eves={len(self._eves)}, "
                f"mainland_holidays={len(self._mainland)})")
