"""The money ledger: positions per participant, market and currency, split into CCASS sub-ledgers.

CCASS keeps a participant's money position per currency and market in sub-ledgers [F]: settlement, margin &
pending marks, overdue position marks, entitlements, billing and miscellaneous. [M] The settlement sub-ledger
moves with DVP/RDP SIs, DVP ISIs and DVP STIs ([F] an STI's money settles through CCASS with the segregated
account's statement recipient: transfers.dvp_sti_money), and the entitlements sub-ledger with corporate-action
money: subscription money and tender monies ([F] paid and refunded through CCASS money settlement) debited on
instruction and refunded on cancel (a tender's unsuccessful part at its allotment), a takeover acceptance's
consideration credited (corporate_actions.py); the others exist, always zero, so an enquiry
shows the real shape. [M] The market of a posting is the market of the stock that settled (a China Connect stock settles
in its own market even in HKD; a CNY amount of a Hong Kong stock settles in HKMK).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, NamedTuple

__all__ = ["DEFAULT_MARKET", "SUB_LEDGERS", "MoneyLedger", "MoneyPosition", "MoneyPosting"]

SUB_LEDGERS: Final[tuple[str, ...]] = (
    "SETTLEMENT",
    "MARGIN_AND_PENDING_MARKS",
    "OVERDUE_POSITION_MARKS",
    "ENTITLEMENTS",
    "BILLING",
    "MISCELLANEOUS",
)
DEFAULT_MARKET: Final = "HKMK"
_ZERO: Final = Decimal(0)


class MoneyPosting(NamedTuple):
    """One line of the money journal: a signed amount posted to one sub-ledger of one position.

    Attributes:
        seq: journal sequence number, 1-based, increasing over the whole money ledger.
        at: simulated time of the posting (``None`` if the caller gave none).
        participant: participant id.
        market: market code, e.g. ``"HKMK"``.
        currency: ``"HKD"``, ``"CNY"`` or ``"USD"``.
        sub_ledger: one of :data:`SUB_LEDGERS`.
        amount: signed: positive = credit (money due to the participant), negative = debit.
        kind: what caused it, the same kind as the stock movement beside it (e.g. ``"SI_SETTLEMENT"``, ``"ISI"``).
        reference: id of the business object behind it (match id, ISI id), if any.
    """

    seq: int
    at: datetime | None
    participant: str
    market: str
    currency: str
    sub_ledger: str
    amount: Decimal
    kind: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class MoneyPosition:
    """A participant's money position in one market and currency.

    Attributes:
        market: market code.
        currency: currency code.
        sub_ledgers: every sub-ledger of :data:`SUB_LEDGERS`, in that order, with its balance.
    """

    market: str
    currency: str
    sub_ledgers: Mapping[str, Decimal]

    @property
    def balance(self) -> Decimal:
        """The net position: the sum of the sub-ledgers."""
        return sum(self.sub_ledgers.values(), _ZERO)


# A posting as stored: the fields of MoneyPosting as an exact tuple (untracked by the GC, like the stock journal).
_Line = tuple[int, datetime | None, str, str, str, str, Decimal, str, str | None]


class MoneyLedger:
    """Money positions per (participant, market, currency, sub-ledger), each change journalled.

    A position always equals the sum of its postings, so tests can reconcile one with the other.

    Example:
        >>> money = MoneyLedger()
        >>> money.post("B01234", "HKD", Decimal("100.50"), kind="SI_SETTLEMENT", reference="M0000000001")
        >>> money.position("B01234", "HKMK", "HKD").balance
        Decimal('100.50')
        >>> [p.reference for p in money.postings("B01234")]
        ['M0000000001']
    """

    __slots__ = ("_balances", "_journal", "_seq")

    def __init__(self) -> None:
        self._balances: dict[str, dict[tuple[str, str, str], Decimal]] = {}
        self._journal: dict[str, list[_Line]] = {}
        self._seq = 0

    def post(self, participant: str, currency: str, amount: Decimal, *, market: str = DEFAULT_MARKET,
             sub_ledger: str = "SETTLEMENT", at: datetime | None = None, kind: str = "MONEY",
             reference: str | None = None) -> None:
        """Add ``amount`` (negative to debit) to one sub-ledger of a position and journal it.

        Raises:
            ValueError: ``sub_ledger`` is not one of :data:`SUB_LEDGERS`.
        """
        if sub_ledger not in SUB_LEDGERS:
            raise ValueError(f"Received sub-ledger {sub_ledger!r}; expected one of {', '.join(SUB_LEDGERS)}.")
        balances = self._balances.get(participant)
        if balances is None:
            balances = self._balances[participant] = {}
        key = (market, currency, sub_ledger)
        balances[key] = balances.get(key, _ZERO) + amount
        self._seq += 1
        lines = self._journal.get(participant)
        if lines is None:
            lines = self._journal[participant] = []
        lines.append((self._seq, at, participant, market, currency, sub_ledger, amount, kind, reference))

    def position(self, participant: str, market: str, currency: str) -> MoneyPosition:
        """The position of ``participant`` in ``market`` and ``currency`` (all sub-ledgers zero if none)."""
        balances = self._balances.get(participant, {})
        return MoneyPosition(market, currency, MappingProxyType(
            {name: balances.get((market, currency, name), _ZERO) for name in SUB_LEDGERS}))

    def positions_of(self, participant: str) -> list[MoneyPosition]:
        """Every position ``participant`` ever had a posting in, sorted by market then currency."""
        keys = sorted({(market, currency) for market, currency, _ in self._balances.get(participant, {})})
        return [self.position(participant, market, currency) for market, currency in keys]

    def postings(self, participant: str, since: date | None = None, until: date | None = None) -> list[MoneyPosting]:
        """Postings of ``participant`` in journal order; ``since``/``until`` (inclusive) compare ``at.date()``,
        and postings without ``at`` match any range."""
        return [
            posting for posting in (MoneyPosting(*line) for line in self._journal.get(participant, ()))
            if posting.at is None
            or ((since is None or posting.at.date() >= since) and (until is None or posting.at.date() <= until))
        ]

    def __repr__(self) -> str:
        return f"MoneyLedger(participants={len(self._balances)}, postings={self._seq})"
