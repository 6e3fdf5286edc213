"""Real Time Trade Information: a deterministic, seeded feed of the trades of each GCP's NCPs.

The feed of a business date is generated whole from a seed, the GCP and the date (so every run, and every
re-read after a disconnect, sees the same records), and the business clock decides how much of it exists:
the records whose trade time has passed. Sequence numbers start at 1 each business date and have no gaps.
Trades are done on the Hong Kong market and, for China Connect securities, on the mainland markets; each
settles on the settlement cycle of its market. Besides new trades, about one record in ten amends or cancels
an earlier trade of the same day.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final, Literal

from .calendar import TradingCalendar
from .clock import HKT
from .cns import DEFAULT_CNS_RULES
from .errors import DomainError
from .gcp_reference import NcpGcpMapping, mappings_of
from .reference import ReferenceData

__all__ = ["DEFAULT_TRADES_PER_DAY", "DEFAULT_TRADE_SEED", "TRADING_HOURS", "TradeFeed", "TradeRecord"]

RecordType = Literal["NEW", "AMEND", "CANCEL"]
DEFAULT_TRADE_SEED: Final = 20270406
DEFAULT_TRADES_PER_DAY: Final = 1000
"""Records in each GCP's feed of a business date (a busier GCP can be simulated with more)."""
# [M] Continuous trading (the lunch break is ignored; China Connect trades follow the same hours).
TRADING_HOURS: Final[tuple[time, time]] = (time(9, 30), time(16, 0))
# [M] Board lots and reference prices of the demo stocks; other stocks trade in lots of 1,000 around 10.00.
# China Connect securities trade in lots of 100 shares [F], priced in RMB.
_LOTS: Final = {"00001": 500, "00005": 400, "00388": 100, "00700": 100, "02800": 500, "08001": 2000,
                "70001": 100, "90001": 100}
_PRICES: Final = {"00001": Decimal("48.50"), "00005": Decimal("61.25"), "00388": Decimal("312.40"),
                  "00700": Decimal("385.20"), "02800": Decimal("19.86"), "08001": Decimal("0.96"),
                  "70001": Decimal("251.30"), "90001": Decimal("1482.00")}
_CURRENCIES: Final = {"MAMK": "CNY", "SZMK": "CNY"}
_CENT: Final = Decimal("0.01")
_MILLI: Final = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One record of a GCP's feed (field names follow the contract's TradeRecord)."""

    sequence: int
    record_type: RecordType
    trade_ref: str
    original_trade_ref: str | None
    ncp_id: str
    gcp_id: str
    market: str
    stock_code: str
    side: Literal["BUY", "SELL"]
    quantity: int
    price: Decimal
    value: Decimal
    currency: str
    trade_time: datetime
    trade_date: date
    settlement_date: date
    trading_method: Literal["AUTO", "MANUAL"]
    short_sell: bool


def _trade_time(record: TradeRecord) -> datetime:
    return record.trade_time


class TradeFeed:
    """The trade feeds of every GCP, generated per (GCP, business date) and cached.

    Args:
        reference: the stocks traded (and their markets).
        calendar: for settlement dates.
        mappings: which NCPs trade for which GCP.
        settlement_cycles: business days from trade to settlement date, per market (the CNS rules').
        seed: the generator's seed; the same seed gives the same feeds.
        trades_per_day: records in each GCP's feed of a business date.
    """

    __slots__ = ("_cache", "_calendar", "_cycles", "_mappings", "_per_day", "_reference", "_seed")

    def __init__(self, reference: ReferenceData, calendar: TradingCalendar, mappings: Sequence[NcpGcpMapping],
                 *, settlement_cycles: Mapping[str, int] = DEFAULT_CNS_RULES.settlement_cycles,
                 seed: int = DEFAULT_TRADE_SEED, trades_per_day: int = DEFAULT_TRADES_PER_DAY) -> None:
        if trades_per_day < 1:
            raise ValueError(f"trades_per_day must be at least 1, not {trades_per_day}")
        self._reference = reference
        self._calendar = calendar
        self._mappings = tuple(mappings)
        self._cycles = settlement_cycles
        self._seed = seed
        self._per_day = trades_per_day
        self._cache: dict[tuple[str, date], tuple[TradeRecord, ...]] = {}

    @property
    def trades_per_day(self) -> int:
        return self._per_day

    def day(self, gcp_id: str, business_date: date) -> tuple[TradeRecord, ...]:
        """The whole feed of ``gcp_id`` on ``business_date`` (empty for a participant that is no GCP)."""
        key = (gcp_id, business_date)
        if key not in self._cache:
            self._cache[key] = self._generate(gcp_id, business_date)
        return self._cache[key]

    def issued(self, gcp_id: str, business_date: date, now: datetime) -> Sequence[TradeRecord]:
        """The records of the day whose trade time is not after ``now``."""
        records = self.day(gcp_id, business_date)
        return records[:bisect_right(records, now, key=_trade_time)]

    def after(self, gcp_id: str, business_date: date, now: datetime, after_sequence: int,
              limit: int) -> tuple[Sequence[TradeRecord], int]:
        """Up to ``limit`` records after ``after_sequence``, and the sequence to continue after.

        Raises:
            DomainError: SEQUENCE_INVALID when ``after_sequence`` is beyond the last record issued.
        """
        records = self.day(gcp_id, business_date)
        issued = bisect_right(records, now, key=_trade_time)
        if after_sequence > issued:
            raise DomainError("SEQUENCE_INVALID",
                              f"Received afterSequence {after_sequence}; the feed of {business_date} has issued "
                              f"{issued} records so far. Pass 0 or the nextSequence of an earlier answer.",
                              pointer="/query/afterSequence")
        chunk = records[after_sequence:min(after_sequence + limit, issued)]
        return chunk, (chunk[-1].sequence if chunk else after_sequence)

    def _generate(self, gcp_id: str, business_date: date) -> tuple[TradeRecord, ...]:
        ncps = [m.ncp_id for m in mappings_of(self._mappings, gcp_id)]
        if not ncps or not self._calendar.is_business_day(business_date):
            return ()
        rng = random.Random(f"{self._seed}:{gcp_id}:{business_date.isoformat()}")
        # [F] China Connect securities trade only on China Connect trading days (not on mainland holidays)
        stocks = sorted(code for code, stock in self._reference.stocks.items()
                        if self._calendar.is_market_trading_day(stock.market, business_date))
        markets = {code: self._reference.stocks[code].market for code in stocks}
        settlement = {market: self._calendar.for_market(market).add_settlement_days(business_date,
                                                                                    self._cycles.get(market, 2))
                      for market in set(markets.values())}
        opening = datetime.combine(business_date, TRADING_HOURS[0], tzinfo=HKT)
        step = (datetime.combine(business_date, TRADING_HOURS[1], tzinfo=HKT) - opening) / self._per_day
        records: list[TradeRecord] = []
        live: list[TradeRecord] = []
        for sequence in range(1, self._per_day + 1):
            at = opening + step * (sequence - 1) + step * rng.random()  # one record in each slot: in time order
            ref = f"T{business_date:%Y%m%d}{sequence:06d}"
            if live and rng.random() < 0.1:
                index = rng.randrange(len(live))
                original = live[index]
                live[index] = live[-1]  # swap-remove: constant time however long the day
                live.pop()
                if rng.random() < 0.5:
                    quantity = _LOTS.get(original.stock_code, 1000) * rng.randint(1, 20)
                    record = replace(original, sequence=sequence, record_type="AMEND", trade_ref=ref,
                                     original_trade_ref=original.trade_ref, trade_time=at, quantity=quantity,
                                     value=(original.price * quantity).quantize(_CENT))
                    live.append(record)
                else:
                    record = replace(original, sequence=sequence, record_type="CANCEL", trade_ref=ref,
                                     original_trade_ref=original.trade_ref, trade_time=at)
            else:
                code = rng.choice(stocks)
                market = markets[code]
                quantity = _LOTS.get(code, 1000) * rng.randint(1, 20)
                base = _PRICES.get(code, Decimal("10.00"))
                price = (base * Decimal(1 + rng.uniform(-0.02, 0.02))).quantize(_CENT).quantize(_MILLI)
                side: Literal["BUY", "SELL"] = "BUY" if rng.random() < 0.5 else "SELL"
                record = TradeRecord(
                    sequence=sequence, record_type="NEW", trade_ref=ref, original_trade_ref=None,
                    ncp_id=rng.choice(ncps), gcp_id=gcp_id, market=market, stock_code=code, side=side,
                    quantity=quantity, price=price, value=(price * quantity).quantize(_CENT),
                    currency=_CURRENCIES.get(market, "HKD"), trade_time=at, trade_date=business_date,
                    settlement_date=settlement[market], trading_method="AUTO" if rng.random() < 0.95 else "MANUAL",
                    short_sell=side == "SELL" and rng.random() < 0.1)
                live.append(record)
            records.append(record)
        return tuple(records)
