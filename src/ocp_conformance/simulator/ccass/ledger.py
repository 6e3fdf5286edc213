"""Stock holdings, holds and the movement journal of participants, and their money positions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from .errors import InsufficientStock
from .money import DEFAULT_MARKET, MoneyLedger
from .reference import ReferenceData

__all__ = ["Balance", "Hold", "Ledger", "Movement", "seed_demo_holdings"]

_ZERO = Decimal(0)


class Movement(NamedTuple):
    """One line of the stock journal: a signed change of one (participant, account, stock) position.

    The journal itself stores plain tuples and builds these only when read: CPython stops tracking an *exact*
    tuple of plain values at its first collection, so a growing journal adds nothing to the garbage collector's
    full scans (a tuple subclass such as this one stays tracked, and made settlement superlinear).

    Attributes:
        seq: journal sequence number, 1-based and increasing over the whole ledger.
        at: simulated time of the movement, ``None`` if the caller gave none (e.g. seeding).
        participant: participant id.
        account: 2-digit stock account.
        stock: 5-digit stock code.
        quantity: signed: positive into the account, negative out of it.
        kind: what caused it, e.g. ``"DEPOSIT"``, ``"SI_SETTLEMENT"``, ``"ATI"``, ``"STI"``.
        reference: id of the business object behind it (SI, ATI, STI id), if any.
    """

    seq: int
    at: datetime | None
    participant: str
    account: str
    stock: str
    quantity: int
    kind: str
    reference: str | None


# A journal line as stored: the fields of Movement, in order, as an exact tuple (see Movement).
_Line = tuple[int, datetime | None, str, str, str, int, str, str | None]


@dataclass(frozen=True, slots=True)
class Hold:
    """Stock earmarked in an account under a ``reference``: held, it cannot be moved."""

    reference: str
    participant: str
    account: str
    stock: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Balance:
    """A position split into what can move (``available``) and what is earmarked (``on_hold``)."""

    available: int
    on_hold: int
    total: int


class Ledger:
    """Stock holdings per (participant, account, stock) and money positions per (participant, currency).

    Stock only moves between accounts (:meth:`move`) once seeded (:meth:`deposit`), so the total of a stock
    over everyone is conserved by settlement. Every deposit and move is journalled (:meth:`movements`), so a
    position always equals the sum of its movements. Stock on hold (:meth:`hold`) stays in the account but
    cannot be moved. Money positions may go negative: the simulator models the settlement ledger only, not
    credit limits.

    Example:
        >>> ledger = Ledger()
        >>> ledger.deposit("B01234", "01", "00005", 1_000)
        >>> ledger.move(stock="00005", quantity=400, source=("B01234", "01"), target=("B05678", "02"))
        >>> ledger.holding("B05678", "02", "00005"), ledger.total("00005")
        (400, 1000)
        >>> [m.quantity for m in ledger.movements("B01234")]
        [1000, -400]
    """

    __slots__ = ("_holds", "_journal", "_journal_by_position", "_markets", "_money", "_on_hold", "_seq", "_stock",
                 "money_ledger")

    def __init__(self, *, markets: Mapping[str, str] | None = None) -> None:
        # Stock code -> market, so a money posting lands in the market of the stock that settled.
        self._markets: Mapping[str, str] = markets or {}
        self.money_ledger = MoneyLedger()
        """Money positions by market, currency and sub-ledger, with their journal (see :mod:`.money`)."""
        # Nested by participant so per-participant enquiries never scan the whole market.
        self._stock: defaultdict[str, dict[tuple[str, str], int]] = defaultdict(dict)
        self._money: defaultdict[str, dict[str, Decimal]] = defaultdict(dict)
        self._on_hold: defaultdict[str, dict[tuple[str, str], int]] = defaultdict(dict)
        self._holds: dict[str, Hold] = {}
        self._journal: dict[str, list[_Line]] = {}
        self._journal_by_position: dict[tuple[str, str, str], list[_Line]] = {}
        self._seq = 0

    # ---------------------------------------------------------------- positions
    def holding(self, participant: str, account: str, stock: str) -> int:
        """Quantity of ``stock`` held in ``participant``'s ``account`` (0 if none), including any on hold."""
        positions = self._stock.get(participant)
        return positions.get((account, stock), 0) if positions else 0

    def on_hold(self, participant: str, account: str, stock: str) -> int:
        """Quantity of ``stock`` earmarked by holds in ``participant``'s ``account``."""
        held = self._on_hold.get(participant)
        return held.get((account, stock), 0) if held else 0

    def available(self, participant: str, account: str, stock: str) -> int:
        """Quantity that can move: :meth:`holding` minus :meth:`on_hold`."""
        return self.holding(participant, account, stock) - self.on_hold(participant, account, stock)

    def balance(self, participant: str, account: str, stock: str) -> Balance:
        """The position as :class:`Balance` (available, on hold, total)."""
        total = self.holding(participant, account, stock)
        held = self.on_hold(participant, account, stock)
        return Balance(available=total - held, on_hold=held, total=total)

    def deposit(self, participant: str, account: str, stock: str, quantity: int, *,
                at: datetime | None = None, kind: str = "DEPOSIT", reference: str | None = None) -> None:
        """Seed ``quantity`` (> 0) of ``stock`` into an account, from outside the simulated market."""
        if quantity <= 0:
            raise ValueError(f"Received deposit quantity {quantity}; expected a positive number of shares.")
        positions = self._stock[participant]
        positions[(account, stock)] = positions.get((account, stock), 0) + quantity
        self._journalise(at, participant, account, stock, quantity, kind, reference)

    def withdraw(self, participant: str, account: str, stock: str, quantity: int, *,
                 at: datetime | None = None, kind: str = "WITHDRAWAL", reference: str | None = None) -> None:
        """Take ``quantity`` (> 0) of available ``stock`` out of the simulated market (the reverse of a deposit).

        Raises:
            InsufficientStock: less than ``quantity`` is available; nothing moves.
            ValueError: ``quantity`` is not positive.
        """
        if quantity <= 0:
            raise ValueError(f"Received withdrawal quantity {quantity}; expected a positive number of shares.")
        held = self.holding(participant, account, stock)
        available = held - self.on_hold(participant, account, stock)
        if available < quantity:
            raise InsufficientStock(participant=participant, account=account, stock=stock, needed=quantity,
                                    available=available)
        positions = self._stock[participant]
        if held - quantity:
            positions[(account, stock)] = held - quantity
        else:
            del positions[(account, stock)]
        self._journalise(at, participant, account, stock, -quantity, kind, reference)

    def move(self, *, stock: str, quantity: int, source: tuple[str, str], target: tuple[str, str],
             at: datetime | None = None, kind: str = "MOVE", reference: str | None = None) -> None:
        """Move ``quantity`` (> 0) of ``stock`` between two ``(participant, account)`` positions.

        Only the available quantity (holding minus holds) can move. The journal gets two movements:
        ``-quantity`` at the source, then ``+quantity`` at the target.

        Raises:
            InsufficientStock: the source has less than ``quantity`` available; nothing moves.
            ValueError: ``quantity`` is not positive.
        """
        if quantity <= 0:
            raise ValueError(f"Received move quantity {quantity}; expected a positive number of shares.")
        src_participant, src_account = source
        held = self.holding(src_participant, src_account, stock)
        available = held - self.on_hold(src_participant, src_account, stock)
        if available < quantity:
            raise InsufficientStock(
                participant=src_participant,
                account=src_account,
                stock=stock,
                needed=quantity,
                available=available,
            )
        src_positions = self._stock[src_participant]
        remaining = held - quantity
        if remaining:
            src_positions[(src_account, stock)] = remaining
        else:
            del src_positions[(src_account, stock)]
        tgt_positions = self._stock[target[0]]
        tgt_key = (target[1], stock)
        tgt_positions[tgt_key] = tgt_positions.get(tgt_key, 0) + quantity
        self._journalise(at, src_participant, src_account, stock, -quantity, kind, reference)
        self._journalise(at, target[0], target[1], stock, quantity, kind, reference)

    # ---------------------------------------------------------------- holds
    def hold(self, participant: str, account: str, stock: str, quantity: int, reference: str) -> Hold:
        """Earmark ``quantity`` (> 0) of the available stock under ``reference`` (unique among live holds).

        Raises:
            InsufficientStock: less than ``quantity`` is available; nothing is held.
            ValueError: ``quantity`` is not positive or ``reference`` already holds stock.
        """
        if quantity <= 0:
            raise ValueError(f"Received hold quantity {quantity}; expected a positive number of shares.")
        if reference in self._holds:
            raise ValueError(
                f"Received hold reference {reference!r}, which already holds stock. "
                "Expected a new reference; release the existing hold first."
            )
        available = self.available(participant, account, stock)
        if available < quantity:
            raise InsufficientStock(
                participant=participant, account=account, stock=stock, needed=quantity, available=available
            )
        record = Hold(reference, participant, account, stock, quantity)
        self._holds[reference] = record
        held = self._on_hold[participant]
        held[(account, stock)] = held.get((account, stock), 0) + quantity
        return record

    def release(self, reference: str) -> Hold:
        """Release the hold under ``reference`` and return it.

        Raises:
            KeyError: no live hold has that reference.
        """
        record = self._holds.pop(reference, None)
        if record is None:
            raise KeyError(f"Received release of hold {reference!r}; expected a live hold reference.")
        held = self._on_hold[record.participant]
        key = (record.account, record.stock)
        remaining = held[key] - record.quantity
        if remaining:
            held[key] = remaining
        else:
            del held[key]
        return record

    def holds_of(self, participant: str) -> list[Hold]:
        """Live holds of ``participant``, in the order they were placed."""
        return [record for record in self._holds.values() if record.participant == participant]

    # ---------------------------------------------------------------- journal
    def movements(self, participant: str, account: str | None = None, stock: str | None = None,
                  since: date | None = None, until: date | None = None) -> list[Movement]:
        """Movements of ``participant`` in journal order, filtered by account, stock and date range.

        ``since`` and ``until`` are inclusive and compare with ``at.date()``; movements without ``at`` match
        any range.
        """
        if account is not None and stock is not None:
            lines = self._journal_by_position.get((participant, account, stock), [])
        else:
            lines = self._journal.get(participant, [])
        found = [Movement(*line) for line in lines]
        return [
            line for line in found
            if (account is None or line.account == account)
            and (stock is None or line.stock == stock)
            and (line.at is None or (
                (since is None or line.at.date() >= since) and (until is None or line.at.date() <= until)
            ))
        ]

    def _journalise(self, at: datetime | None, participant: str, account: str, stock: str, quantity: int,
                    kind: str, reference: str | None) -> None:
        self._seq += 1
        line = (self._seq, at, participant, account, stock, quantity, kind, reference)
        # Not setdefault: that builds a throwaway list on every settlement, and the extra allocations make the
        # garbage collector scan the whole (large) heap more often.
        lines = self._journal.get(participant)
        if lines is None:
            lines = self._journal[participant] = []
        lines.append(line)
        position = (participant, account, stock)
        lines = self._journal_by_position.get(position)
        if lines is None:
            lines = self._journal_by_position[position] = []
        lines.append(line)

    # ---------------------------------------------------------------- money and totals
    def money(self, participant: str, currency: str) -> Decimal:
        """Money position of ``participant`` in ``currency`` (0 if none)."""
        positions = self._money.get(participant)
        return positions.get(currency, _ZERO) if positions else _ZERO

    def post_money(self, participant: str, currency: str, amount: Decimal, *, stock: str | None = None,
                   at: datetime | None = None, kind: str = "MONEY", reference: str | None = None,
                   sub_ledger: str = "SETTLEMENT") -> None:
        """Add ``amount`` (negative to debit) to ``participant``'s position in ``currency``.

        The posting also goes to ``sub_ledger`` (the settlement sub-ledger unless told) of :attr:`money_ledger`,
        in the market of ``stock`` (``HKMK`` when no stock is named), journalled with ``at``, ``kind`` and
        ``reference``.
        """
        positions = self._money[participant]
        positions[currency] = positions.get(currency, _ZERO) + amount
        market = self._markets.get(stock, DEFAULT_MARKET) if stock is not None else DEFAULT_MARKET
        self.money_ledger.post(participant, currency, amount, market=market, sub_ledger=sub_ledger, at=at, kind=kind,
                               reference=reference)

    def holdings_of(self, participant: str) -> list[tuple[str, str, int]]:
        """``(account, stock, quantity)`` of every non-zero holding of ``participant``, sorted."""
        positions = self._stock.get(participant, {})
        return sorted((account, stock, qty) for (account, stock), qty in positions.items() if qty)

    def money_of(self, participant: str) -> dict[str, Decimal]:
        """Money positions of ``participant`` by currency (a copy)."""
        return dict(self._money.get(participant, {}))

    def total(self, stock: str) -> int:
        """Sum of ``stock`` over every account of every participant (for conservation checks).

        Computed from the positions rather than kept as a counter, so it really checks conservation.
        """
        return sum(
            qty for positions in self._stock.values() for (_, code), qty in positions.items() if code == stock
        )

    def __repr__(self) -> str:
        return f"Ledger(participants={len(self._stock)}, movements={self._seq}, holds={len(self._holds)})"


def seed_demo_holdings(ledger: Ledger, reference: ReferenceData) -> None:
    """Give every participant 1,000,000 of each stock in account 01 and 10,000 in account 02."""
    for pid, participant in reference.participants.items():
        for code in reference.stocks:
            if "01" in participant.stock_accounts:
                ledger.deposit(pid, "01", code, 1_000_000)
            if "02" in participant.stock_accounts:
                ledger.deposit(pid, "02", code, 10_000)
