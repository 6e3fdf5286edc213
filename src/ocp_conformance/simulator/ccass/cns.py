"""CNS (Continuous Net Settlement) positions from exchange trades, and the DIs that deliver against them.

HKSCC is the counterparty of every exchange trade [F], so a participant's trades in one stock settling on
one date net into a single position against HKSCC: long (HKSCC owes the stock) or short (the participant
owes it). Exchange trades settle T+2, China Connect stock on T [F]. A position not settled by the day end of
its settlement date becomes overdue and rolls forward: it is netted into the next business day's position
[F: positions roll forward and are netted].

Short positions are delivered two ways: a DI (delivery instruction) input by the participant, from 10:00
[F], or automatically by the batch settlement runs, which deliver the outstanding short less the quantity
the participant's DI requirement holds back for that stock [M]. Either way the stock moves in the ledger
from the participant's account into HKSCC's CNS account (:attr:`CnsRules.hkscc_account`), so stock is
conserved. Long positions are listed but not settled here [M: allocation of stock by HKSCC to long
positions is not modelled, so a long position rolls forward until netted out].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Final, Literal

from ._validation import unknown_stock
from .clock import BusinessClock
from .errors import DomainError
from .ledger import Ledger
from .reference import CLEARING_ACCOUNT, ReferenceData

__all__ = [
    "DEFAULT_CNS_RULES",
    "CnsBook",
    "CnsDelivery",
    "CnsDirection",
    "CnsPosition",
    "CnsPositionFilter",
    "CnsPositionType",
    "CnsRules",
    "DeliveryInstruction",
    "DiInput",
    "DiRequirement",
    "ExchangeTrade",
    "TradeSide",
    "normalise_stock_code",
    "seed_demo_positions",
]

CnsDirection = Literal["LONG", "SHORT"]
CnsPositionType = Literal["DUE", "OVERDUE"]
TradeSide = Literal["BUY", "SELL"]


@dataclass(frozen=True, slots=True)
class CnsRules:
    """The CNS rules a deployment may want to differ: data, not code paths.

    Attributes:
        settlement_cycles: business days from trade date to settlement date, per market ([F] HKMK T+2,
            China Connect stock MAMK/SZMK on T; [M] GLOB T+2).
        di_input_opens: DI input is accepted from this time of the business day [F: 10:00].
        auto_delivery_account: the account batch runs deliver short positions from [M: the stock clearing
            account 01].
        hkscc_account: ``(participant, account)`` of HKSCC's CNS account in the ledger, where delivered
            stock goes [M]; not a participant of the reference data, so no token can act as it.
    """

    settlement_cycles: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({"HKMK": 2, "MAMK": 0, "SZMK": 0, "GLOB": 2}))
    di_input_opens: time = time(10, 0)
    auto_delivery_account: str = CLEARING_ACCOUNT
    hkscc_account: tuple[str, str] = ("HKSCC", "01")


DEFAULT_CNS_RULES: Final = CnsRules()


@dataclass(frozen=True, slots=True)
class ExchangeTrade:
    """One exchange trade of a participant, novated to HKSCC (booked through simulator control)."""

    trade_id: str
    participant: str
    stock_code: str
    side: TradeSide
    quantity: int
    trade_date: date
    market: str
    settlement_date: date
    booked_at: datetime


@dataclass(slots=True)
class CnsPosition:
    """A participant's net position against HKSCC in one stock for one settlement date.

    All quantities are signed from the participant's side: positive = long (HKSCC owes), negative = short.

    Attributes:
        netted: sum of the trades settling on this date (buys positive, sells negative).
        carried_forward: outstanding quantity rolled in from earlier dates (overdue), signed.
        settled: stock the participant delivered to HKSCC (positive) on this position.
        carried_out: the outstanding quantity rolled on to the next business day at day end.
        overdue_since: the earliest settlement date of a rolled-in part; ``None`` for a purely due position.
    """

    participant: str
    stock_code: str
    market: str
    settlement_date: date
    updated_at: datetime
    netted: int = 0
    carried_forward: int = 0
    settled: int = 0
    carried_out: int = 0
    overdue_since: date | None = None

    @property
    def obligation(self) -> int:
        """The netted position (trades plus what was carried in), signed."""
        return self.netted + self.carried_forward

    @property
    def outstanding(self) -> int:
        """What is still to settle, signed (negative = short still to deliver)."""
        return self.obligation + self.settled - self.carried_out

    @property
    def direction(self) -> CnsDirection:
        """LONG or SHORT: of what is outstanding, or of the obligation once nothing is."""
        basis = self.outstanding or self.obligation
        return "SHORT" if basis < 0 else "LONG"

    @property
    def position_type(self) -> CnsPositionType:
        """OVERDUE when part of it was rolled forward from an earlier settlement date, else DUE."""
        return "OVERDUE" if self.overdue_since is not None else "DUE"

    @property
    def outstanding_short(self) -> int:
        """Shares still to deliver (0 for a long or settled position)."""
        return max(0, -self.outstanding)


@dataclass(frozen=True, slots=True)
class DiRequirement:
    """How much of a due short position in a stock batch runs leave undelivered [M].

    Attributes:
        hold_back_quantity: shares kept back from automatic delivery; 0 (the default) delivers the whole
            outstanding short automatically, a quantity at least the position holds all of it back.
    """

    participant: str
    stock_code: str
    hold_back_quantity: int
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class DiInput:
    """A DI as input: deliver ``quantity`` of ``stock_code`` from ``stock_account`` against the position."""

    stock_code: str
    quantity: int
    stock_account: str = CLEARING_ACCOUNT
    own_reference: str | None = None


@dataclass(frozen=True, slots=True)
class CnsDelivery:
    """Stock delivered to HKSCC against a short position, by a DI or a batch run."""

    reference: str
    """The DI id, or the batch run id."""
    kind: Literal["DI", "BATCH"]
    participant: str
    stock_code: str
    stock_account: str
    quantity: int
    settlement_date: date
    at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryInstruction:
    """An accepted DI: it delivers at once (on-line), and ``position`` is the position afterwards."""

    di_id: str
    participant: str
    stock_code: str
    quantity: int
    stock_account: str
    settlement_date: date
    own_reference: str | None
    status: Literal["SETTLED"]
    created_at: datetime
    position: CnsPosition


@dataclass(frozen=True, slots=True)
class CnsPositionFilter:
    """Filters of Enquire Due/Overdue Position; ``stock_code`` ignores leading zeros ("17" = "00017")."""

    stock_code: str | None = None
    market: str | None = None
    position_type: CnsPositionType | None = None
    direction: CnsDirection | None = None

    def accepts(self, position: CnsPosition) -> bool:
        return ((self.stock_code is None or normalise_stock_code(self.stock_code) == position.stock_code)
                and (self.market is None or self.market == position.market)
                and (self.position_type is None or self.position_type == position.position_type)
                and (self.direction is None or self.direction == position.direction))


def normalise_stock_code(code: str) -> str:
    """A stock code in its 5-digit form: leading zeros are not significant [F] ("17" -> "00017")."""
    return code.zfill(5) if code.isdigit() else code


_Key = tuple[str, date]


class CnsBook:
    """CNS positions per participant, stock and settlement date; DIs and DI requirements.

    Example:
        >>> from ocp_conformance.simulator.ccass import Simulation
        >>> sim = Simulation()
        >>> trade, position = sim.cns.book_trade("B01234", "00005", "SELL", 500, date(2027, 4, 1))
        >>> position.settlement_date, position.direction, position.outstanding_short
        (datetime.date(2027, 4, 6), 'SHORT', 500)
    """

    def __init__(self, reference: ReferenceData, ledger: Ledger, clock: BusinessClock, *,
                 rules: CnsRules = DEFAULT_CNS_RULES) -> None:
        self.reference = reference
        self._ledger = ledger
        self.clock = clock
        self.rules = rules
        self._positions: dict[str, dict[tuple[str, date], CnsPosition]] = {}
        self._requirements: dict[tuple[str, str], DiRequirement] = {}
        self._trades: list[ExchangeTrade] = []
        self.deliveries: list[CnsDelivery] = []
        """Every delivery to HKSCC, in order (for settlement activity)."""
        self._di_seq = 0

    # ---------------------------------------------------------------- trades
    def book_trade(self, participant: str, stock_code: str, side: TradeSide, quantity: int, trade_date: date,
                   market: str | None = None) -> tuple[ExchangeTrade, CnsPosition]:
        """Book an exchange trade and net it into the participant's position for its settlement date.

        A trade whose settlement date has already passed lands in today's position as overdue, so tests can
        create overdue positions without moving the clock.

        Raises:
            DomainError: unknown participant or stock, a market other than the stock's, a trade date in the
                future or not a business day, or a quantity below 1.
        """
        if self.reference.participant(participant) is None:
            raise DomainError("PARTICIPANT_UNKNOWN", f"Received participant {participant}; expected one of "
                              f"{', '.join(self.reference.participants)}.", pointer="/participantId")
        stock = self._stock(stock_code, "/stockCode")
        market = market or stock.market
        if market != stock.market:
            raise DomainError("MARKET_MISMATCH", f"Received market {market} for stock {stock.stock_code}, which "
                              f"trades on {stock.market}. Fix: omit market or send {stock.market}.",
                              pointer="/market")
        if quantity < 1:
            raise DomainError("QUANTITY_INVALID", f"Received quantity {quantity}; expected at least 1.",
                              pointer="/quantity")
        # [F] a China Connect security trades and settles by the China Connect calendar (calendar.py: both markets)
        calendar = self.clock.calendar.for_market(market)
        if trade_date > self.clock.today:
            raise DomainError("TRADE_DATE_IN_FUTURE", f"Received trade date {trade_date}; expected a date on or "
                              f"before the business date {self.clock.today}.", pointer="/tradeDate")
        if not calendar.is_business_day(trade_date):
            raise DomainError("TRADE_DATE_NOT_BUSINESS_DAY", f"Received trade date {trade_date}, which is not a "
                              f"trading day of {market}; the next one is {calendar.next_business_day(trade_date)}.",
                              pointer="/tradeDate")
        # [F] T+n counts settlement days: a trade on or just before a half-day eve settles after it.
        settlement_date = calendar.add_settlement_days(trade_date, self.rules.settlement_cycles.get(market, 2))
        now = self.clock.now
        trade = ExchangeTrade(f"T{len(self._trades) + 1:010d}", participant, stock.stock_code, side, quantity,
                              trade_date, market, settlement_date, now)
        self._trades.append(trade)
        signed = quantity if side == "BUY" else -quantity
        if settlement_date >= self.clock.today:
            position = self._position(participant, stock.stock_code, market, settlement_date)
            position.netted += signed
        else:  # already overdue: roll straight into today's position
            position = self._position(participant, stock.stock_code, market, self.clock.today)
            position.carried_forward += signed
            position.overdue_since = min(filter(None, (position.overdue_since, settlement_date)))
        position.updated_at = now
        return trade, position

    def trade_date_due_today(self, market: str, *, days_overdue: int = 0) -> date:
        """The trade date of a trade on ``market`` that settles on the current business date, or
        ``days_overdue`` business days before it."""
        cycle = self.rules.settlement_cycles.get(market, 2)
        return self.clock.calendar.for_market(market).add_settlement_days(self.clock.today, -(cycle + days_overdue))

    # ---------------------------------------------------------------- enquiry
    def positions(self, participant: str, wanted: CnsPositionFilter = CnsPositionFilter()) -> list[CnsPosition]:
        """The participant's due and overdue positions (settlement date up to today), by stock code.

        Today's positions are listed even when fully settled, so a DI's effect stays visible; flat positions
        (nothing netted, nothing settled) and positions of earlier dates already rolled on are not.
        """
        today = self.clock.today
        found = [p for (_, day), p in self._positions.get(participant, {}).items()
                 if day <= today and (p.outstanding or (day == today and (p.obligation or p.settled)))
                 and wanted.accepts(p)]
        found.sort(key=lambda p: (p.stock_code, p.settlement_date))
        return found

    def position(self, participant: str, stock_code: str) -> CnsPosition | None:
        """Today's position in ``stock_code`` (due or overdue), or ``None``."""
        return self._positions.get(participant, {}).get((stock_code, self.clock.today))

    def requirement(self, participant: str, stock_code: str) -> DiRequirement:
        """The participant's DI requirement for ``stock_code`` (hold back nothing unless changed)."""
        found = self._requirements.get((participant, stock_code))
        return found or DiRequirement(participant, stock_code, 0, None)

    def trades(self, participant: str) -> list[ExchangeTrade]:
        """The participant's booked trades, in booking order."""
        return [t for t in self._trades if t.participant == participant]

    # ---------------------------------------------------------------- functions
    def set_requirement(self, participant: str, stock_code: str, hold_back_quantity: int) -> DiRequirement:
        """Change DI Requirement: how much of the short position in ``stock_code`` batch runs hold back."""
        stock = self._stock(stock_code, "/path/stockCode")
        if hold_back_quantity < 0:
            raise DomainError("QUANTITY_INVALID", f"Received holdBackQuantity {hold_back_quantity}; expected 0 "
                              "or more.", pointer="/holdBackQuantity")
        requirement = DiRequirement(participant, stock.stock_code, hold_back_quantity, self.clock.now)
        self._requirements[(participant, stock.stock_code)] = requirement
        return requirement

    def input_di(self, participant: str, di: DiInput) -> DeliveryInstruction:
        """Input DI: deliver stock at once against today's due or overdue short position.

        Raises:
            DomainError: before :attr:`CnsRules.di_input_opens`; unknown stock or account; no outstanding
                short position; a quantity above the outstanding short (DI_EXCEEDS_DUE_POSITION) or above
                the account's available balance (DI_EXCEEDS_AVAILABLE_BALANCE). Nothing moves then.
        """
        now = self.clock.now
        opens = self.rules.di_input_opens
        if now.timetz().replace(tzinfo=None) < opens:
            raise DomainError("DI_INPUT_NOT_OPEN", f"Received a DI at {now.isoformat(timespec='minutes')}; DI "
                              f"input opens at {opens:%H:%M} on each business day. Fix: input it from then on.")
        stock = self._stock(di.stock_code, "/stockCode")
        owner = self.reference.participant(participant)
        if owner is None or di.stock_account not in owner.stock_accounts:
            accounts = ", ".join(owner.stock_accounts) if owner else "none"
            raise DomainError("STOCK_ACCOUNT_UNKNOWN", f"Received stock account {di.stock_account}; {participant} "
                              f"has {accounts}.", pointer="/stockAccount")
        position = self.position(participant, stock.stock_code)
        outstanding = position.outstanding_short if position is not None else 0
        if position is None or outstanding == 0:
            raise DomainError("NO_DUE_SHORT_POSITION", f"Received a DI in stock {stock.stock_code}; {participant} "
                              f"has no due or overdue short position in it on {self.clock.today}. Fix: enquire "
                              "the due/overdue positions first.", pointer="/stockCode")
        if di.quantity > outstanding:
            raise DomainError("DI_EXCEEDS_DUE_POSITION", f"Received DI quantity {di.quantity}; the outstanding "
                              f"due/overdue short position in {stock.stock_code} is {outstanding}. Fix: deliver "
                              f"at most {outstanding}.", pointer="/quantity")
        available = self._ledger.available(participant, di.stock_account, stock.stock_code)
        if di.quantity > available:
            raise DomainError("DI_EXCEEDS_AVAILABLE_BALANCE", f"Received DI quantity {di.quantity}; the available "
                              f"balance of {stock.stock_code} in {participant}-{di.stock_account} is {available}. "
                              "Fix: deliver at most that, or move stock into the account first.",
                              pointer="/quantity")
        self._di_seq += 1
        di_id = f"DI{self._di_seq:010d}"
        self._deliver(position, di.stock_account, di.quantity, di_id, "DI")
        return DeliveryInstruction(di_id, participant, stock.stock_code, di.quantity, di.stock_account,
                                   position.settlement_date, di.own_reference, "SETTLED", now, replace(position))

    # ---------------------------------------------------------------- clock
    def run_batch(self, run_id: str) -> list[CnsDelivery]:
        """Deliver today's short positions automatically, each less its DI requirement's hold-back, as far
        as the delivery account's available stock goes (partial delivery [M])."""
        today, account = self.clock.today, self.rules.auto_delivery_account
        done: list[CnsDelivery] = []
        for participant, positions in self._positions.items():
            for (stock_code, day), position in list(positions.items()):
                if day != today or position.outstanding_short == 0:
                    continue
                hold_back = self.requirement(participant, stock_code).hold_back_quantity
                quantity = min(position.outstanding_short - hold_back,
                               self._ledger.available(participant, account, stock_code))
                if quantity > 0:
                    done.append(self._deliver(position, account, quantity, run_id, "BATCH"))
        return done

    def on_day_end(self, day: date) -> None:
        """Roll every position of ``day`` (or earlier) still outstanding into the next settlement day's,
        where it is netted with the positions settling then and is overdue."""
        for participant, positions in self._positions.items():
            for (stock_code, settlement_date), position in list(positions.items()):
                rest = position.outstanding
                if settlement_date > day or rest == 0:
                    continue
                # [F] a China Connect position rolls to the next China Connect settlement day
                next_day = self.clock.calendar.for_market(position.market).next_settlement_day(day)
                position.carried_out += rest
                later = self._position(participant, stock_code, position.market, next_day)
                later.carried_forward += rest
                since = position.overdue_since or settlement_date
                later.overdue_since = min(filter(None, (later.overdue_since, since)))
                later.updated_at = self.clock.now

    # ---------------------------------------------------------------- internals
    def _deliver(self, position: CnsPosition, account: str, quantity: int, reference: str,
                 kind: Literal["DI", "BATCH"]) -> CnsDelivery:
        now = self.clock.now
        self._ledger.move(stock=position.stock_code, quantity=quantity, source=(position.participant, account),
                          target=self.rules.hkscc_account, at=now, kind=f"CNS_{kind}", reference=reference)
        position.settled += quantity
        position.updated_at = now
        delivery = CnsDelivery(reference, kind, position.participant, position.stock_code, account, quantity,
                               position.settlement_date, now)
        self.deliveries.append(delivery)
        return delivery

    def _position(self, participant: str, stock_code: str, market: str, day: date) -> CnsPosition:
        positions = self._positions.setdefault(participant, {})
        position = positions.get((stock_code, day))
        if position is None:
            position = positions[(stock_code, day)] = CnsPosition(participant, stock_code, market, day,
                                                                  self.clock.now)
        return position

    def _stock(self, code: str, pointer: str) -> _StockRef:
        stock = self.reference.stock(normalise_stock_code(code))
        if stock is None:
            raise unknown_stock(self.reference, code, pointer)
        return _StockRef(stock.stock_code, stock.market)


@dataclass(frozen=True, slots=True)
class _StockRef:
    stock_code: str
    market: str


def seed_demo_positions(book: CnsBook, participant: str = "C00019") -> None:
    """Demo positions of one demo participant on the simulation's start day: an overdue short (rolled from
    the previous business day), a due short and a due long. Its DI requirement holds back the whole of each
    short, so batch runs leave them for the participant's own DIs (and other tests' stock totals alone)."""
    calendar, today = book.clock.calendar, book.clock.today
    cycle = book.rules.settlement_cycles.get("HKMK", 2)
    due_trade_date = calendar.add_settlement_days(today, -cycle)
    overdue_trade_date = calendar.previous_settlement_day(due_trade_date)
    demo: tuple[tuple[str, TradeSide, int, date], ...] = (("00001", "SELL", 2_000, overdue_trade_date),
                                                         ("00700", "SELL", 5_000, due_trade_date),
                                                         ("00388", "BUY", 3_000, due_trade_date))
    for stock, side, quantity, trade_date in demo:
        if book.reference.stock(stock) is None or book.reference.participant(participant) is None:
            continue
        book.book_trade(participant, stock, side, quantity, trade_date)
        if side == "SELL":
            book.set_requirement(participant, stock, 999_999_999_999)
