"""Batch settlement: which matched pairs are due, and settling one pair all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .ledger import Ledger
from .si import SettlementFailure, SettlementInstruction

__all__ = ["SettleableIndex", "SettlementRun", "deliver_pair", "settle_pair"]


@dataclass(frozen=True, slots=True)
class SettlementRun:
    """The outcome of one batch settlement run.

    Attributes:
        run_id: ``"R"`` + 8 digits, sequential.
        at: when the run happened.
        settled: match ids settled, in processing (match) order.
        failed: ``(match_id, reason)`` of due pairs that could not settle; they stay matched.
    """

    run_id: str
    at: datetime
    settled: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


class SettleableIndex:
    """Match ids of pairs with status MATCHED, bucketed by settlement date.

    A run then touches only pairs due by the business date, never the whole book; pairs on hold, revoke
    pending or settled are simply not in the index.
    """

    __slots__ = ("_by_date", "_dates")

    def __init__(self) -> None:
        self._by_date: dict[date, dict[str, None]] = {}
        self._dates: dict[str, date] = {}

    def __len__(self) -> int:
        return len(self._dates)

    def __contains__(self, match_id: object) -> bool:
        return match_id in self._dates

    def add(self, match_id: str, settlement_date: date) -> None:
        """Mark a pair as eligible from ``settlement_date`` on (idempotent)."""
        ids = self._by_date.get(settlement_date)
        if ids is None:  # not setdefault: no throwaway dict per call on this hot path
            ids = self._by_date[settlement_date] = {}
        ids[match_id] = None
        self._dates[match_id] = settlement_date

    def discard(self, match_id: str) -> None:
        """Forget a pair (no-op if absent)."""
        settlement_date = self._dates.pop(match_id, None)
        if settlement_date is None:
            return
        ids = self._by_date[settlement_date]
        del ids[match_id]
        if not ids:
            del self._by_date[settlement_date]

    def due(self, business_date: date) -> list[str]:
        """Match ids with settlement date on or before ``business_date``, in match order."""
        due = [mid for day, ids in self._by_date.items() if day <= business_date for mid in ids]
        # Match ids are zero-padded sequence numbers, so text order is match order.
        due.sort()
        return due


def settle_pair(
    deliver_si: SettlementInstruction,
    receive_si: SettlementInstruction,
    *,
    ledger: Ledger,
    run_id: str,
    at: datetime,
) -> str | None:
    """Settle a matched pair all-or-nothing; return ``None`` on success or the failure reason.

    On failure nothing moves and both SIs record a ``LACK`` :class:`SettlementFailure` (they stay matched
    and are retried by the next run). On success stock moves from the deliverer's SI stock account to the
    receiver's SI stock account; for DVP/RDP the amount is credited to the deliverer and debited from the
    receiver; both SIs become SETTLED.
    """
    deliverer = deliver_si.owner
    stock, quantity = deliver_si.stock_code, deliver_si.quantity
    available = ledger.available(deliverer, deliver_si.stock_account, stock)  # stock on hold cannot settle
    if available < quantity:
        reason = (
            f"Lack of stock: {deliverer}-{deliver_si.stock_account} needs {quantity} shares of {stock} "
            f"but has {available} available."
        )
        failure = SettlementFailure(run_id=run_id, at=at, code="LACK", reason=reason)
        deliver_si.last_settlement_failure = failure
        receive_si.last_settlement_failure = failure
        deliver_si.updated_at = receive_si.updated_at = at
        return reason
    deliver_pair(deliver_si, receive_si, ledger=ledger, run_id=run_id, at=at)
    return None


def deliver_pair(
    deliver_si: SettlementInstruction,
    receive_si: SettlementInstruction,
    *,
    ledger: Ledger,
    run_id: str | None,
    at: datetime,
) -> None:
    """Settle a matched pair whose deliverer has the shares available: move the stock, post the money of a DVP/RDP
    pair to both settlement sub-ledgers, and make both SIs SETTLED (by the batch run ``run_id``, or ``None`` for an
    RDP pair settled in real time).

    Raises:
        InsufficientStock: the deliverer's available quantity is short (nothing moved).
    """
    deliverer, receiver = deliver_si.owner, receive_si.owner
    stock, quantity = deliver_si.stock_code, deliver_si.quantity
    ledger.move(
        stock=stock,
        quantity=quantity,
        source=(deliverer, deliver_si.stock_account),
        target=(receiver, receive_si.stock_account),
        at=at,
        kind="SI_SETTLEMENT",
        reference=deliver_si.match_id,
    )
    if deliver_si.payment_type != "FOP" and deliver_si.amount is not None and deliver_si.currency is not None:
        for party, amount in ((deliverer, deliver_si.amount), (receiver, -deliver_si.amount)):
            ledger.post_money(party, deliver_si.currency, amount, stock=stock, at=at, kind="SI_SETTLEMENT",
                              reference=deliver_si.match_id)
    for si in (deliver_si, receive_si):
        si.status = "SETTLED"
        si.settled_at = si.updated_at = at
        si.settlement_run_id = run_id
