"""Stock account statements: balances (available, on hold, pending) and movements with the balance after each.

Both read the ledger's journal, never a book's own records, so any instruction type that moves stock through
the :class:`~.ledger.Ledger` shows up here unchanged. What a book still has to say is *pending* stock (due in
or out but not yet moved): each book offers a :data:`PendingSource`, and :class:`AccountStatements` adds them up.

[M] Pending = stock due in or out of an account from instructions that are agreed but not settled: matched
SIs (MATCHED, MATCHED_ON_HOLD, REVOKE_PENDING), STIs PENDING, ISIs PENDING_SETTLEMENT. Unmatched SIs and
unaffirmed ISIs are not pending: nothing is agreed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, NamedTuple

from .isi import IsiBook
from .ledger import Ledger
from .si_book import SiBook, SiFilter
from .transfers import TransferBook

__all__ = [
    "SOURCE_TYPES",
    "AccountStatements",
    "PendingLeg",
    "PendingSource",
    "SourceIds",
    "StatementLine",
    "StockBalance",
    "isi_pending",
    "si_pending",
    "si_source_ids",
    "source_type",
    "sti_pending",
]

# Journal kind -> the instruction type an enquiry names. A kind not listed is its own source type, so a new
# instruction type (e.g. "DI") needs no entry here.
SOURCE_TYPES: Final[Mapping[str, str]] = {"SI_SETTLEMENT": "SI"}
_PENDING_SI_STATUSES: Final = ("MATCHED", "MATCHED_ON_HOLD", "SHARES_ON_HOLD", "REVOKE_PENDING")


def source_type(kind: str) -> str:
    """The source instruction type of a journal ``kind`` (``"SI_SETTLEMENT"`` -> ``"SI"``, others unchanged)."""
    return SOURCE_TYPES.get(kind, kind)


class PendingLeg(NamedTuple):
    """Stock due into (``quantity`` > 0) or out of (< 0) one account of a participant."""

    account: str
    stock: str
    quantity: int


PendingSource = Callable[[str], Iterable[PendingLeg]]
"""Given a participant, the legs of its agreed but unsettled instructions."""
SourceIds = Callable[[str], Mapping[str, str]]
"""Given a participant, journal reference -> the id of that participant's own instruction (e.g. match id -> SI id)."""


@dataclass(frozen=True, slots=True)
class StockBalance:
    """One stock in one account: ``total`` = ``available`` + ``on_hold``; pending is not yet in ``total``."""

    participant: str
    account: str
    stock_code: str
    available: int
    on_hold: int
    total: int
    pending_in: int
    pending_out: int


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One movement of an account as an enquiry shows it.

    Attributes:
        movement_id: the journal sequence number (increasing over the whole market).
        at: simulated time of the movement.
        stock_code: the stock.
        quantity: signed: positive into the account, negative out of it.
        movement_type: the journal kind, e.g. ``"SI_SETTLEMENT"``, ``"ATI"``, ``"DEPOSIT"``.
        source_type: the instruction type (see :func:`source_type`).
        source_id: the participant's own instruction id (its SI id for an SI settlement), or the reference.
        balance_after: the account's holding of the stock right after the movement.
    """

    movement_id: int
    at: datetime
    stock_code: str
    quantity: int
    movement_type: str
    source_type: str
    source_id: str | None
    balance_after: int


class AccountStatements:
    """Balances and movements of stock accounts, read from the ledger plus the books' pending legs.

    Args:
        ledger: the stock ledger and journal.
        pending_sources: one per book that knows agreed but unsettled instructions.
        source_ids: per journal kind, how to name the participant's own instruction behind a reference.
    """

    def __init__(self, ledger: Ledger, pending_sources: Sequence[PendingSource] = (),
                 source_ids: Mapping[str, SourceIds] | None = None) -> None:
        self._ledger = ledger
        self.pending_sources = list(pending_sources)
        """Open to additions: a new book registers its pending legs here."""
        self.source_ids = dict(source_ids or {})
        """Open to additions: kind -> resolver of the participant's own instruction ids."""

    def balances(self, participant: str, account: str, stock: str | None = None) -> list[StockBalance]:
        """Balances of ``account`` by stock code: every stock held or pending, or just ``stock`` (even if zero)."""
        pending: dict[str, list[int]] = {}
        for source in self.pending_sources:
            for leg in source(participant):
                if leg.account == account and (stock is None or leg.stock == stock):
                    totals = pending.setdefault(leg.stock, [0, 0])
                    totals[0 if leg.quantity > 0 else 1] += abs(leg.quantity)
        if stock is not None:
            codes = {stock}
        else:
            codes = {code for acct, code, _ in self._ledger.holdings_of(participant) if acct == account} | set(pending)
        ledger = self._ledger
        result = []
        for code in sorted(codes):
            balance = ledger.balance(participant, account, code)
            due_in, due_out = pending.get(code, (0, 0))
            result.append(StockBalance(participant, account, code, balance.available, balance.on_hold,
                                       balance.total, due_in, due_out))
        return result

    def movements(self, participant: str, account: str, since: date, until: date,
                  stock: str | None = None) -> list[StatementLine]:
        """Dated movements of ``account`` with ``since <= at.date() <= until``, by stock code then journal order.

        Undated journal lines (seeded opening holdings) are never listed but count in ``balance_after``, so for
        every stock the first line's ``balance_after - quantity`` is the opening balance of the range.
        """
        by_stock: dict[str, list[StatementLine]] = {}
        resolved: dict[str, Mapping[str, str]] = {}
        running: dict[str, int] = {}
        for line in self._ledger.movements(participant, account, stock):
            running[line.stock] = after = running.get(line.stock, 0) + line.quantity
            if line.at is None or not since <= line.at.date() <= until:
                continue
            source_id = line.reference
            resolver = self.source_ids.get(line.kind)
            if resolver is not None and source_id is not None:
                if line.kind not in resolved:
                    resolved[line.kind] = resolver(participant)
                source_id = resolved[line.kind].get(source_id, source_id)
            by_stock.setdefault(line.stock, []).append(StatementLine(
                line.seq, line.at, line.stock, line.quantity, line.kind, source_type(line.kind), source_id, after))
        return [line for code in sorted(by_stock) for line in by_stock[code]]


# ---------------------------------------------------------------- the books' pending legs and ids
def si_pending(book: SiBook) -> PendingSource:
    """Matched, unsettled SIs: a deliver is due out of the SI's stock account, a receive due in."""
    def legs(participant: str) -> Iterable[PendingLeg]:
        for status in _PENDING_SI_STATUSES:
            for si in book.enquire(participant, SiFilter(status=status)):
                sign = -1 if si.side == "DELIVER" else 1
                yield PendingLeg(si.stock_account, si.stock_code, sign * si.quantity)
    return legs


def sti_pending(book: TransferBook) -> PendingSource:
    """PENDING STIs: due out of the source account and into the target account of the owner."""
    def legs(participant: str) -> Iterable[PendingLeg]:
        for sti in book.enquire_sti(participant):
            if sti.status == "PENDING":
                yield PendingLeg(sti.from_account, sti.stock_code, -sti.quantity)
                yield PendingLeg(sti.to_account, sti.stock_code, sti.quantity)
    return legs


def isi_pending(book: IsiBook, account: str = "01") -> PendingSource:
    """ISIs PENDING_SETTLEMENT: due out of the deliverer's and into the receiver's ``account``."""
    def legs(participant: str) -> Iterable[PendingLeg]:
        for isi in book.enquire(participant, "PENDING_SETTLEMENT"):
            sign = -1 if isi.deliverer == participant else 1
            yield PendingLeg(account, isi.stock_code, sign * isi.quantity)
    return legs


def si_source_ids(book: SiBook) -> SourceIds:
    """Match id -> the participant's own settled SI id (SI settlements are journalled under the match id)."""
    def ids(participant: str) -> Mapping[str, str]:
        return {si.match_id: si.si_id for si in book.enquire(participant, SiFilter(status="SETTLED"))
                if si.match_id is not None}
    return ids
