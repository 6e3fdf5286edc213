"""Stock holdings and money positions of participants."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .errors import InsufficientStock
from .reference import ReferenceData

__all__ = ["Ledger", "seed_demo_holdings"]

_ZERO = Decimal(0)


class Ledger:
    """Stock holdings per (participant, account, stock) and money positions per (participant, currency).

    Stock only moves between accounts (:meth:`move`) once seeded (:meth:`deposit`), so the total of a stock
    over everyone is conserved by settlement. Money positions may go negative: the simulator models the
    settlement ledger only, not credit limits.

    Example:
        >>> ledger = Ledger()
        >>> ledger.deposit("B01234", "01", "00005", 1_000)
        >>> ledger.move(stock="00005", quantity=400, source=("B01234", "01"), target=("B05678", "02"))
        >>> ledger.holding("B05678", "02", "00005"), ledger.total("00005")
        (400, 1000)
    """

    __slots__ = ("_money", "_stock")

    def __init__(self) -> None:
        # Nested by participant so per-participant enquiries never scan the whole market.
        self._stock: defaultdict[str, dict[tuple[str, str], int]] = defaultdict(dict)
        self._money: defaultdict[str, dict[str, Decimal]] = defaultdict(dict)

    def holding(self, participant: str, account: str, stock: str) -> int:
        """Quantity of ``stock`` held in ``participant``'s ``account`` (0 if none)."""
        positions = self._stock.get(participant)
        return positions.get((account, stock), 0) if positions else 0

    def deposit(self, participant: str, account: str, stock: str, quantity: int) -> None:
        """Seed ``quantity`` (> 0) of ``stock`` into an account, from outside the simulated market."""
        if quantity <= 0:
            raise ValueError(f"Received deposit quantity {quantity}; expected a positive number of shares.")
        positions = self._stock[participant]
        positions[(account, stock)] = positions.get((account, stock), 0) + quantity

    def move(self, *, stock: str, quantity: int, source: tuple[str, str], target: tuple[str, str]) -> None:
        """Move ``quantity`` (> 0) of ``stock`` between two ``(participant, account)`` positions.

        Raises:
            InsufficientStock: the source holds less than ``quantity``; nothing moves.
            ValueError: ``quantity`` is not positive.
        """
        if quantity <= 0:
            raise ValueError(f"Received move quantity {quantity}; expected a positive number of shares.")
        src_participant, src_account = source
        available = self.holding(src_participant, src_account, stock)
        if available < quantity:
            raise InsufficientStock(
                participant=src_participant,
                account=src_account,
                stock=stock,
                needed=quantity,
                available=available,
            )
        src_positions = self._stock[src_participant]
        remaining = available - quantity
        if remaining:
            src_positions[(src_account, stock)] = remaining
        else:
            del src_positions[(src_account, stock)]
        tgt_positions = self._stock[target[0]]
        tgt_key = (target[1], stock)
        tgt_positions[tgt_key] = tgt_positions.get(tgt_key, 0) + quantity

    def money(self, participant: str, currency: str) -> Decimal:
        """Money position of ``participant`` in ``currency`` (0 if none)."""
        positions = self._money.get(participant)
        return positions.get(currency, _ZERO) if positions else _ZERO

    def post_money(self, participant: str, currency: str, amount: Decimal) -> None:
        """Add ``amount`` (negative to debit) to ``participant``'s position in ``currency``."""
        positions = self._money[participant]
        positions[currency] = positions.get(currency, _ZERO) + amount

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
        return f"Ledger(participants={len(self._stock)})"


def seed_demo_holdings(ledger: Ledger, reference: ReferenceData) -> None:
    """Give every participant 1,000,000 of each stock in account 01 and 10,000 in account 02."""
    for pid, participant in reference.participants.items():
        for code in reference.stocks:
            if "01" in participant.stock_accounts:
                ledger.deposit(pid, "01", code, 1_000_000)
            if "02" in participant.stock_accounts:
                ledger.deposit(pid, "02", code, 10_000)
