"""Controllable simulated time for the CCASS day: SI matching, batch settlement runs, day end and function
windows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Literal

from .calendar import TradingCalendar

__all__ = [
    "BATCH_RUN_SCHEDULE",
    "DEFAULT_BATCH_TIMES",
    "DEFAULT_DAY_END",
    "DEFAULT_FUNCTION_WINDOWS",
    "HKT",
    "MATCHING_SCHEDULE",
    "RDP_CUTOFF",
    "RDP_PAYMENT_DELAY",
    "SI_MARKET_WINDOWS",
    "BatchRun",
    "BusinessClock",
    "ClockEvent",
    "ClockEventKind",
    "MarketWindows",
    "MatchingRun",
]

# Hong Kong has no daylight saving, so a fixed offset is exact and needs no tz database.
HKT = timezone(timedelta(hours=8), "HKT")


@dataclass(frozen=True, slots=True)
class MatchingRun:
    """One SI matching of a business day: its time, whether matching is continuous from then on, and where that
    comes from."""

    at: time
    continuous: bool
    source: str


# SI matching of a business day, in one table with its sources (contracts/SOURCES.md lists the documents). Issue 17
# correction 4: matching is scheduled, not instant. SIs may be input from 08:00 but stay UNMATCHED until the first
# matching; each matching matches every SI waiting for it, in input order; from a continuous row on, an SI is
# matched as soon as it is input or changed. Rows before the continuous one would be matching cycles.
MATCHING_SCHEDULE: tuple[MatchingRun, ...] = (
    MatchingRun(time(10, 0), True,
                "[F] SIs input from 08:00 wait for the first SI matching of the day, at 10:00: CCASS Operational "
                "Procedures, 6.2 daily processing and service schedule (8:00 SI maintenance commences, 10:00 first "
                "SI matching, 10:30 first batch-settlement-run); [M] continuous from then on (no public cycle "
                "times)"),
)


@dataclass(frozen=True, slots=True)
class BatchRun:
    """One batch settlement run of a settlement day: its time and where that time comes from."""

    at: time
    source: str


# The batch settlement runs of a settlement day, in one table with their sources (contracts/SOURCES.md lists the
# documents); the last one is the final run. Issue 17 correction 5: the final run is about 15:45, not 16:30.
BATCH_RUN_SCHEDULE: tuple[BatchRun, ...] = (
    BatchRun(time(10, 30), "[F] the first batch settlement run: CCASS Operational Procedures, batch settlement runs"),
    BatchRun(time(12, 0), "[M] an intermediate run: no public time"),
    BatchRun(time(14, 0), "[M] an intermediate run: no public time"),
    BatchRun(time(15, 45), "[F] the final batch settlement run, about 15:45 (same-day settlement needs matching "
                           "before it; the SI window reopens about 17:00): CCASS Operational Procedures, batch "
                           "settlement runs; CCASS Terminal User Guide, service hours"),
)
DEFAULT_BATCH_TIMES: tuple[time, ...] = tuple(run.at for run in BATCH_RUN_SCHEDULE)
# Real-time DVP (RDP) SIs (issue 17 correction 6): a matched RDP pair due on a settlement day settles pair by pair,
# in real time, never in a batch run: the deliverer's shares go on hold, then the pair settles once the receiver's
# CHATS payment is confirmed. [F] RDP settles in real time, the shares only after the receiver's payment is confirmed
# (HKSCC's RDP service, as Clearstream's notice of 13 Nov 2017 describes it; contracts/SOURCES.md [CBL-RDP]);
# [F] the 13:30 cut-off: for same-day value an RDP transaction must reach CCASS by 13:30 on the settlement date, its
# payment then made to HKSCC through CHATS (a market summary, contracts/SOURCES.md [AET-HK]; the Operational
# Procedures' RDP section itself could not be opened here). A pair not put on hold by then waits for the next
# settlement day.
RDP_CUTOFF = time(13, 30)
# [M] how long after the shares go on hold the receiver's CHATS payment is confirmed (no public figure).
RDP_PAYMENT_DELAY = timedelta(minutes=5)
# [M] day end after the evening window: unmatched SIs due that day are purged then.
DEFAULT_DAY_END = time(23, 59)
# [F] HK market function windows: 08:00–15:45 and from about 17:00, after the final batch run, to 19:00 (CCASS
# Terminal User Guide, service hours).
DEFAULT_FUNCTION_WINDOWS: tuple[tuple[time, time], ...] = (
    (time(8, 0), time(15, 45)),
    (time(17, 0), time(19, 0)),
)


@dataclass(frozen=True, slots=True)
class MarketWindows:
    """The SI function windows of the securities of one market: (open, close) pairs and where they come from."""

    windows: tuple[tuple[time, time], ...]
    source: str


_CHINA_CONNECT_SI_WINDOWS = MarketWindows(
    ((time(7, 15), time(19, 45)),),
    "[F] China Connect securities: SIs may be input and changed 07:15-19:45 on a China Connect business day (a "
    "day both Hong Kong and the mainland market are open): CCASS Terminal User Guide for Participants, service "
    "hours / China Connect settlement; HKEX Stock Connect FAQ (SI input hours). Issue 17 correction 9")

# The SI function windows by the market of the SI's stock, in one table with their sources (contracts/SOURCES.md
# lists the documents): a market listed here has windows of its own, and its securities' SIs follow its calendar
# (TradingCalendar.for_market: a mainland holiday closes them); every other market (HKMK, GLOB) uses the clock's
# function windows, DEFAULT_FUNCTION_WINDOWS, and the Hong Kong calendar. BusinessClock.in_function_window decides.
SI_MARKET_WINDOWS: Mapping[str, MarketWindows] = MappingProxyType({
    "MAMK": _CHINA_CONNECT_SI_WINDOWS,
    "SZMK": _CHINA_CONNECT_SI_WINDOWS,
})

ClockEventKind = Literal["matching", "batch_run", "day_end"]


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """Something scheduled that happens at a point of simulated time.

    Attributes:
        kind: ``"matching"`` (an SI matching of :data:`MATCHING_SCHEDULE`), ``"batch_run"`` (a batch settlement
            run) or ``"day_end"`` (end-of-day processing).
        at: when it happens (Asia/Hong_Kong).
        label: human label, e.g. ``"batch run 1 of 4 (10:30)"``.
    """

    kind: ClockEventKind
    at: datetime
    label: str


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"Received a naive datetime for {name}: {value.isoformat()}. "
            "Expected a timezone-aware datetime, e.g. datetime(2027, 4, 6, 9, 0, tzinfo=HKT)."
        )
    return value.astimezone(HKT)


class BusinessClock:
    """Controllable simulated time in Asia/Hong_Kong (+08:00).

    Time only moves forward, and only when told to: :meth:`advance_to` returns the scheduled events
    (SI matchings and batch runs on business days, day end) passed on the way, in order, so the caller can process
    them.

    Args:
        calendar: the trading calendar deciding which days are business days.
        start: initial time; must be timezone-aware (converted to +08:00).
        batch_times: times of the batch settlement runs on business days; the last one is the final run.
        day_end: time of end-of-day processing on business days.
        function_windows: (open, close) pairs during which participants may use the functions.
        market_windows: the SI function windows of the markets whose securities' SIs have windows of their own
            (:data:`SI_MARKET_WINDOWS`); every other market uses ``function_windows``.
        rdp_cutoff: the time of a settlement day until which RDP pairs are processed (:data:`RDP_CUTOFF`).
        rdp_payment_delay: how long after the shares of an RDP pair go on hold the payment is confirmed
            (:data:`RDP_PAYMENT_DELAY`).
        matching_schedule: the SI matchings of a business day (:class:`MatchingRun`); at most one is continuous,
            the last.

    Example:
        >>> clock = BusinessClock(TradingCalendar(), datetime(2027, 4, 6, 9, 0, tzinfo=HKT))
        >>> clock.matching_continuous()
        False
        >>> [e.label for e in clock.advance_to(datetime(2027, 4, 6, 12, 0, tzinfo=HKT))]
        ['first SI matching (10:00)', 'batch run 1 of 4 (10:30)', 'batch run 2 of 4 (12:00)']
        >>> clock.matching_continuous()
        True
    """

    def __init__(
        self,
        calendar: TradingCalendar,
        start: datetime,
        *,
        batch_times: Sequence[time] = DEFAULT_BATCH_TIMES,
        day_end: time = DEFAULT_DAY_END,
        function_windows: Sequence[tuple[time, time]] = DEFAULT_FUNCTION_WINDOWS,
        matching_schedule: Sequence[MatchingRun] = MATCHING_SCHEDULE,
        market_windows: Mapping[str, MarketWindows] = SI_MARKET_WINDOWS,
        rdp_cutoff: time = RDP_CUTOFF,
        rdp_payment_delay: timedelta = RDP_PAYMENT_DELAY,
    ) -> None:
        self._calendar = calendar
        self._now = _require_aware(start, "start")
        self._batch_times = tuple(sorted(batch_times))
        self._day_end = day_end
        self._rdp_cutoff = rdp_cutoff
        self._rdp_payment_delay = rdp_payment_delay
        self._windows = tuple(function_windows)
        self._market_windows = {market: tuple(entry.windows) for market, entry in market_windows.items()}
        for opens, closes in (*self._windows, *(w for ws in self._market_windows.values() for w in ws)):
            if opens >= closes:
                raise ValueError(f"Received function window {opens}–{closes}; expected open < close.")
        self._matchings = tuple(sorted(matching_schedule, key=lambda run: run.at))
        if any(run.continuous for run in self._matchings[:-1]):
            raise ValueError(
                f"Received matching schedule {[f'{run.at:%H:%M}' for run in self._matchings]} with a continuous "
                "matching before the last; expected at most one continuous matching, the last: matching is "
                "continuous from it to the end of the day."
            )
        last = self._matchings[-1] if self._matchings else None
        self._continuous_from = last.at if last is not None and last.continuous else None
        self._today = calendar.business_day_on_or_after(self._now.date())
        self._continuous_at = self._continuous_on(self._today)

    @property
    def calendar(self) -> TradingCalendar:
        """The trading calendar in use."""
        return self._calendar

    @property
    def now(self) -> datetime:
        """Current simulated time (+08:00)."""
        return self._now

    @property
    def today(self) -> date:
        """The current business date: today's date on a business day, else the next business day."""
        return self._today

    @property
    def batch_times(self) -> tuple[time, ...]:
        """Times of the batch settlement runs on each business day."""
        return self._batch_times

    @property
    def matching_schedule(self) -> tuple[MatchingRun, ...]:
        """The SI matchings of each business day, in time order."""
        return self._matchings

    def matching_continuous(self) -> bool:
        """True once the continuous matching of the current business date has started: an SI input or changed now
        is matched at once. Before it (e.g. 08:00-10:00, or on a weekend) an SI waits for the next matching."""
        return self._continuous_at is not None and self._now >= self._continuous_at

    def _continuous_on(self, day: date) -> datetime | None:
        # Cached per business date: matching_continuous() is asked on every SI input.
        return None if self._continuous_from is None else datetime.combine(day, self._continuous_from, HKT)

    def business_date_of(self, moment: datetime) -> date:
        """The business date that ``moment`` belongs to (weekend/holiday moments roll forward)."""
        return self._calendar.business_day_on_or_after(moment.astimezone(HKT).date())

    @property
    def rdp_payment_delay(self) -> timedelta:
        """How long after an RDP pair's shares go on hold the receiver's payment is confirmed."""
        return self._rdp_payment_delay

    def rdp_cutoff_on(self, day: date) -> datetime:
        """The RDP cut-off of ``day`` (:data:`RDP_CUTOFF`)."""
        return datetime.combine(day, self._rdp_cutoff, HKT)

    def rdp_open(self) -> bool:
        """True on a settlement day before its RDP cut-off: RDP pairs due by now are processed in real time."""
        day = self._now.date()
        return self._calendar.is_settlement_day(day) and self._now < self.rdp_cutoff_on(day)

    def function_windows(self, market: str | None = None) -> tuple[tuple[time, time], ...]:
        """The (open, close) windows of the SI functions for ``market``'s securities (:data:`SI_MARKET_WINDOWS`),
        or, for a market without windows of its own or none given, the function windows."""
        return self._market_windows.get(market, self._windows) if market is not None else self._windows

    def in_function_window(self, market: str | None = None) -> bool:
        """True on a business day of ``market`` inside one of its windows (open inclusive, close exclusive).

        Without ``market``: the function windows on a Hong Kong trading day. With one: the SI functions of that
        market's securities (:meth:`function_windows`) on a business day of its calendar
        (:meth:`TradingCalendar.for_market`: [F] a mainland holiday closes a China Connect market even when Hong
        Kong is open). The one place the simulator decides whether a function window is open.

        [M] the windows are the same on a half-day eve: CCASS is open, only settlement is not."""
        calendar = self._calendar.for_market(market) if market is not None else self._calendar
        if not calendar.is_business_day(self._now.date()):
            return False
        current = self._now.timetz().replace(tzinfo=None)
        return any(opens <= current < closes for opens, closes in self.function_windows(market))

    def in_any_function_window(self) -> bool:
        """True if the function windows or the SI windows of any market (:data:`SI_MARKET_WINDOWS`) are open: an SI
        function may then be open for some securities, and the SI's own market decides."""
        return self.in_function_window() or any(self.in_function_window(market) for market in self._market_windows)

    def describe_windows(self, market: str | None = None) -> str:
        """The windows of :meth:`function_windows` as text, e.g. ``"08:00-15:45 and 17:00-19:00"``."""
        return " and ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in self.function_windows(market))

    def describe_market_windows(self) -> str:
        """The SI windows of the markets that have their own, as text, e.g. ``" (MAMK securities 07:15-19:45, ...)"``;
        ``""`` if none has."""
        described = ", ".join(f"{market} securities {self.describe_windows(market)}"
                              for market in sorted(self._market_windows))
        return f" ({described})" if described else ""

    def events_between(self, start: datetime, end: datetime) -> Iterator[ClockEvent]:
        """Scheduled events with ``start < at <= end``, in time order."""
        start, end = _require_aware(start, "start"), _require_aware(end, "end")
        day = start.date()
        total = len(self._batch_times)
        while day <= end.date():
            if self._calendar.is_business_day(day):
                todays: list[ClockEvent] = [
                    ClockEvent("matching", datetime.combine(day, run.at, HKT),
                               f"{'first SI matching' if number == 1 else 'SI matching'} ({run.at:%H:%M})")
                    for number, run in enumerate(self._matchings, start=1)
                ]
                # [F] no batch settlement run on a day that is not a settlement day (a half-day eve)
                settles = self._calendar.is_settlement_day(day)
                for number, at_time in enumerate(self._batch_times if settles else (), start=1):
                    prefix = "final batch run" if number == total else "batch run"
                    label = f"{prefix} {number} of {total} ({at_time:%H:%M})"
                    todays.append(ClockEvent("batch_run", datetime.combine(day, at_time, HKT), label))
                todays.append(ClockEvent("day_end", datetime.combine(day, self._day_end, HKT), "day end"))
                # A stable sort keeps matchings before batch runs before a day end configured at the same minute.
                todays.sort(key=lambda event: event.at)
                yield from (event for event in todays if start < event.at <= end)
            day += timedelta(days=1)

    def pending_events(self, until: datetime) -> list[ClockEvent]:
        """Events that :meth:`advance_to` would return for ``until``, without moving time."""
        return list(self.events_between(self._now, until))

    def advance_to(self, when: datetime) -> list[ClockEvent]:
        """Move time forward to ``when`` and return the events passed (``now < at <= when``) in order.

        Raises:
            ValueError: if ``when`` is before :attr:`now` (simulated time never goes backwards).
        """
        target = _require_aware(when, "when")
        if target < self._now:
            raise ValueError(
                f"Received advance_to({target.isoformat()}), which is before now ({self._now.isoformat()}). "
                "Expected a time at or after now: simulated time only moves forward."
            )
        events = list(self.events_between(self._now, target))
        self._now = target
        self._today = self._calendar.business_day_on_or_after(target.date())
        self._continuous_at = self._continuous_on(self._today)
        return events

    def __repr__(self) -> str:
        return f"BusinessClock(now={self._now.isoformat()}, today={self._today.isoformat()})"
