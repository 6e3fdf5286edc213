"""The CCASS trading and settlement calendar: weekends plus Hong Kong public holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

__all__ = ["HK_PUBLIC_HOLIDAYS_2026_2027", "TradingCalendar"]

# Hong Kong general holidays that fall on weekdays (weekend ones need no entry) — a realistic set for the
# launch window of OCP API Services. Days "following" a festival are the gazetted substitutes.
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

_ONE_DAY = timedelta(days=1)


class TradingCalendar:
    """Business days of the Hong Kong market: Monday to Friday, except configured holidays.

    Args:
        holidays: dates that are not business days; defaults to the 2026–2027 Hong Kong public holidays.

    Example:
        >>> cal = TradingCalendar()
        >>> cal.is_business_day(date(2027, 4, 5))  # Ching Ming Festival
        False
        >>> cal.next_business_day(date(2027, 4, 2))  # Friday -> Tuesday (Monday is a holiday)
        datetime.date(2027, 4, 6)
    """

    __slots__ = ("_holidays",)

    def __init__(self, holidays: Iterable[date] = HK_PUBLIC_HOLIDAYS_2026_2027) -> None:
        self._holidays = frozenset(holidays)

    @property
    def holidays(self) -> frozenset[date]:
        """The configured holidays (weekends are implicit)."""
        return self._holidays

    def is_business_day(self, d: date) -> bool:
        """True if ``d`` is a weekday and not a holiday."""
        return d.weekday() < 5 and d not in self._holidays

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_business_day(d):
            d += _ONE_DAY
        return d

    def previous_business_day(self, d: date) -> date:
        """The last business day strictly before ``d``."""
        d -= _ONE_DAY
        while not self.is_business_day(d):
            d -= _ONE_DAY
        return d

    def business_day_on_or_after(self, d: date) -> date:
        """``d`` itself if it is a business day, else the next one."""
        return d if self.is_business_day(d) else self.next_business_day(d)

    def add_business_days(self, d: date, n: int) -> date:
        """Move ``n`` business days from ``d`` (backwards if ``n`` is negative; ``n == 0`` returns ``d``).

        Example:
            >>> TradingCalendar().add_business_days(date(2027, 4, 1), 2)  # T+2 skips Ching Ming (Mon 5 Apr)
            datetime.date(2027, 4, 6)
        """
        step = self.next_business_day if n >= 0 else self.previous_business_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def __repr__(self) -> str:
        return f"TradingCalendar(holidays={len(self._holidays)})"
