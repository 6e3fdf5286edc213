"""Transfers between a participant's own stock accounts: ATI (at once) and STI (FOP or DVP, settled in batch)."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

from ._validation import check_quantity, unknown_stock
from .clock import BusinessClock
from .errors import DomainError, did_you_mean
from .ledger import Ledger
from .reference import SPSA_ACCOUNT_RANGE, ReferenceData, account_kind

__all__ = [
    "DEFAULT_SPSA_POLICY",
    "AccountTransfer",
    "AtiStatus",
    "SegregatedTransfer",
    "SpsaPolicy",
    "StiStatus",
    "TransferBook",
    "dvp_sti_money",
]

AtiStatus = Literal["SETTLED", "REJECTED"]
StiStatus = Literal["PENDING", "SETTLED", "REVOKED"]

_STI_PAYMENT_TYPES: Final[frozenset[str]] = frozenset({"FOP", "DVP"})
_STI_CURRENCIES: Final[frozenset[str]] = frozenset({"HKD", "CNY", "USD"})


@dataclass(frozen=True, slots=True)
class SpsaPolicy:
    """Which transfers touching a China Connect SPSA are allowed [M].

    Attributes:
        spsa_range: inclusive range of SPSA account numbers (see :func:`.reference.account_kind`).
        allow_into_spsa: from a clearing or segregated account into an SPSA.
        allow_out_of_spsa: from an SPSA into a clearing or segregated account.
        allow_spsa_to_spsa: from one SPSA into another (each SPSA belongs to a single investor).

    Example:
        >>> DEFAULT_SPSA_POLICY.refusal("80", "81") is not None, DEFAULT_SPSA_POLICY.refusal("80", "01")
        (True, None)
    """

    spsa_range: tuple[int, int] = SPSA_ACCOUNT_RANGE
    allow_into_spsa: bool = True
    allow_out_of_spsa: bool = True
    allow_spsa_to_spsa: bool = False

    def is_spsa(self, account: str) -> bool:
        """True if ``account`` is in :attr:`spsa_range`."""
        return account_kind(account, spsa_range=self.spsa_range) == "spsa"

    def refusal(self, from_account: str, to_account: str) -> str | None:
        """Why a transfer from ``from_account`` to ``to_account`` is refused, or ``None`` if allowed."""
        from_spsa, to_spsa = self.is_spsa(from_account), self.is_spsa(to_account)
        if from_spsa and to_spsa and not self.allow_spsa_to_spsa:
            return "stock cannot move from one SPSA into another (each SPSA belongs to a single investor)"
        if to_spsa and not from_spsa and not self.allow_into_spsa:
            return "stock cannot move into an SPSA under this policy"
        if from_spsa and not to_spsa and not self.allow_out_of_spsa:
            return "stock cannot move out of an SPSA under this policy"
        return None


DEFAULT_SPSA_POLICY: Final = SpsaPolicy()


@dataclass(slots=True)
class AccountTransfer:
    """An Account Transfer Instruction (ATI): stock between two of the owner's own accounts, at once.

    Attributes:
        ati_id: ``"ATI"`` and 10 digits, allocated in order.
        owner: the participant that input it.
        from_account: 2-digit source account.
        to_account: 2-digit target account.
        stock_code: 5-digit stock code.
        quantity: shares moved.
        status: ``"SETTLED"``. :meth:`TransferBook.input_ati` raises on any rule failure and stores nothing,
            so ``"REJECTED"`` only appears on records a surface builds to report a refusal.
        reason: why it was rejected, ``None`` when settled.
        created_at: simulated input time (also the settlement time).
        own_reference: the owner's own reference, ``None`` if not given.
    """

    ati_id: str
    owner: str
    from_account: str
    to_account: str
    stock_code: str
    quantity: int
    status: AtiStatus
    reason: str | None
    created_at: datetime
    own_reference: str | None = None


@dataclass(slots=True)
class SegregatedTransfer:
    """A Stock Segregated Account Transfer Instruction (STI), FOP or DVP.

    [F] The money of a DVP STI settles through CCASS money settlement with the segregated account's statement
    recipient (CCASS Operational Procedures, stock segregated account transfer instructions): when it settles,
    :meth:`TransferBook.settle_pending` posts the amount to the settlement sub-ledger of the participant's money
    position in the STI's currency and its stock's market (:func:`dvp_sti_money`).

    Input as PENDING; the next :meth:`TransferBook.settle_pending` moves the stock (SETTLED) or leaves it
    PENDING with a ``LACK`` :attr:`reason`. Revocable (REVOKED) while PENDING.

    Attributes:
        sti_id: ``"STI"`` and 10 digits, allocated in order.
        owner: the participant that input it.
        from_account: 2-digit source account.
        to_account: 2-digit target account.
        stock_code: 5-digit stock code.
        quantity: shares to move.
        payment_type: ``"FOP"`` or ``"DVP"``.
        status: ``"PENDING"``, ``"SETTLED"`` or ``"REVOKED"``.
        reason: why the last settlement attempt failed (``"LACK: ..."``), ``None`` otherwise.
        created_at: simulated input time.
        updated_at: simulated time of the last change.
        settled_at: simulated settlement time, ``None`` until SETTLED.
        amount: the DVP amount, ``None`` for FOP.
        currency: the DVP currency, ``None`` for FOP.
        own_reference: the participant's own reference, ``None`` if not given.
    """

    sti_id: str
    owner: str
    from_account: str
    to_account: str
    stock_code: str
    quantity: int
    payment_type: str
    status: StiStatus
    reason: str | None
    created_at: datetime
    updated_at: datetime
    settled_at: datetime | None = None
    amount: Decimal | None = None
    currency: str | None = None
    own_reference: str | None = None


def dvp_sti_money(from_account: str, to_account: str, amount: Decimal, *,
                  spsa_range: tuple[int, int] = SPSA_ACCOUNT_RANGE) -> Decimal | None:
    """The signed amount a settled DVP STI posts to its participant's settlement sub-ledger, ``None`` for none.

    [F] DVP STI money settles through CCASS with the statement recipient of the segregated account (CCASS
    Operational Procedures, stock segregated account transfer instructions). [M] The statement recipient, an
    investor behind a segregated account (or SPSA), has no money position of its own here, so only the
    participant's side is posted, against the stock: a credit when stock leaves the clearing account 01 for the
    recipient's account (the recipient pays), a debit when stock comes back into 01 (the money goes to the
    recipient's designated bank account). Between two segregated accounts the money passes between their two
    statement recipients and the participant's position does not move (``None``).

    Example:
        >>> dvp_sti_money("01", "02", Decimal("100")), dvp_sti_money("80", "01", Decimal("100"))
        (Decimal('100'), Decimal('-100'))
        >>> dvp_sti_money("02", "80", Decimal("100")) is None
        True
    """
    from_clearing = account_kind(from_account, spsa_range=spsa_range) == "clearing"
    to_clearing = account_kind(to_account, spsa_range=spsa_range) == "clearing"
    if from_clearing == to_clearing:
        return None
    return amount if from_clearing else -amount


class TransferBook:
    """ATIs and STIs of every participant; each participant only ever sees its own.

    Args:
        reference: participants (with their accounts) and stocks.
        ledger: where stock moves (journal kinds ``"ATI"`` and ``"STI"``, reference = the transfer id).
        clock: simulated time.
        spsa_policy: which transfers touching an SPSA are allowed.

    Example:
        >>> from ocp_conformance.simulator.ccass import Simulation
        >>> sim = Simulation()
        >>> book = TransferBook(sim.reference, sim.ledger, sim.clock)
        >>> ati = book.input_ati("B01234", "01", "02", "00700", 500)
        >>> ati.ati_id, ati.status, sim.ledger.holding("B01234", "02", "00700")
        ('ATI0000000001', 'SETTLED', 10500)
    """

    def __init__(self, reference: ReferenceData, ledger: Ledger, clock: BusinessClock, *,
                 spsa_policy: SpsaPolicy = DEFAULT_SPSA_POLICY) -> None:
        self._reference = reference
        self._ledger = ledger
        self._clock = clock
        self._policy = spsa_policy
        self._atis: dict[str, AccountTransfer] = {}
        self._stis: dict[str, SegregatedTransfer] = {}
        # Ids are allocated in order, so each owner's list is already sorted.
        self._atis_by_owner: dict[str, list[str]] = {}
        self._stis_by_owner: dict[str, list[str]] = {}
        self._pending: dict[str, None] = {}  # STI ids awaiting settlement, in input order
        self._ati_seq = 0
        self._sti_seq = 0

    @property
    def ledger(self) -> Ledger:
        """The ledger transfers move stock in."""
        return self._ledger

    # ---------------------------------------------------------------- ATI
    def input_ati(self, owner: str, from_account: str, to_account: str, stock: str, quantity: int,
                  reference: str | None = None) -> AccountTransfer:
        """Input an ATI and settle it at once.

        ``reference`` is the caller's own reference, kept as :attr:`AccountTransfer.own_reference` (the ledger
        journal references the ATI id).

        Raises:
            DomainError: ACCOUNT_SAME, STOCK_ACCOUNT_UNKNOWN, STOCK_UNKNOWN, QUANTITY_INVALID,
                SPSA_TRANSFER_NOT_ALLOWED or INSUFFICIENT_BALANCE (422: a business rule); nothing moves.
        """
        self._validate(owner, from_account, to_account, stock, quantity)
        available = self._ledger.available(owner, from_account, stock)
        if available < quantity:
            raise DomainError(
                "INSUFFICIENT_BALANCE",
                f"Received an ATI of {quantity} shares of {stock} out of {owner}-{from_account}. Expected at "
                f"most the {available} shares available there (needed {quantity}, available {available}). "
                "Fix: transfer less, or move stock into that account first.",
                status=422,
                pointer="/quantity",
            )
        now = self._clock.now
        self._ati_seq += 1
        ati_id = f"ATI{self._ati_seq:010d}"
        self._ledger.move(stock=stock, quantity=quantity, source=(owner, from_account),
                          target=(owner, to_account), at=now, kind="ATI", reference=ati_id)
        record = AccountTransfer(ati_id, owner, from_account, to_account, stock, quantity, "SETTLED", None, now,
                                 own_reference=reference)
        self._atis[ati_id] = record
        self._atis_by_owner.setdefault(owner, []).append(ati_id)
        return copy(record)

    def get(self, owner: str, ati_id: str) -> AccountTransfer:
        """The ATI ``ati_id`` of ``owner`` (a copy).

        Raises:
            DomainError: ATI_NOT_FOUND (404) for an unknown id or another participant's ATI.
        """
        record = self._atis.get(ati_id)
        if record is None or record.owner != owner:
            raise DomainError(
                "ATI_NOT_FOUND",
                f"Received atiId {ati_id!r}, which is not an ATI of {owner}. "
                "Expected the id returned by Input ATI; enquire your ATIs to list them.",
                status=404,
                pointer="/atiId",
            )
        return copy(record)

    def enquire(self, owner: str) -> list[AccountTransfer]:
        """Every ATI of ``owner`` in input order (copies)."""
        return [copy(self._atis[ati_id]) for ati_id in self._atis_by_owner.get(owner, [])]

    # ---------------------------------------------------------------- STI
    def input_sti(self, owner: str, from_account: str, to_account: str, stock: str, quantity: int,
                  payment_type: str = "FOP", *, amount: Decimal | None = None, currency: str | None = None,
                  own_reference: str | None = None) -> SegregatedTransfer:
        """Input an STI as PENDING; it settles at the next :meth:`settle_pending`.

        Raises:
            DomainError: PAYMENT_TYPE_UNSUPPORTED, AMOUNT_REQUIRED, AMOUNT_NOT_ALLOWED, AMOUNT_INVALID,
                ACCOUNT_SAME, STOCK_ACCOUNT_UNKNOWN, STOCK_UNKNOWN, QUANTITY_INVALID or SPSA_TRANSFER_NOT_ALLOWED
                (422).
        """
        if payment_type not in _STI_PAYMENT_TYPES:
            raise DomainError(
                "PAYMENT_TYPE_UNSUPPORTED",
                f"Received paymentType {payment_type!r} for an STI. Expected one of {sorted(_STI_PAYMENT_TYPES)}.",
                pointer="/paymentType",
            )
        self._validate_payment(payment_type, amount, currency)
        self._validate(owner, from_account, to_account, stock, quantity)
        # [M] An STI has a segregated account or SPSA on at least one side. 01 is the only clearing account
        # (reference.py), so two different accounts always include one: the rule needs no check and no code of its
        # own (the same account twice is ACCOUNT_SAME above).
        now = self._clock.now
        self._sti_seq += 1
        sti_id = f"STI{self._sti_seq:010d}"
        record = SegregatedTransfer(sti_id, owner, from_account, to_account, stock, quantity, payment_type,
                                    "PENDING", None, now, now, amount=amount, currency=currency,
                                    own_reference=own_reference)
        self._stis[sti_id] = record
        self._stis_by_owner.setdefault(owner, []).append(sti_id)
        self._pending[sti_id] = None
        return copy(record)

    def revoke_sti(self, owner: str, sti_id: str) -> SegregatedTransfer:
        """Revoke a PENDING STI of ``owner``.

        Raises:
            DomainError: STI_NOT_FOUND (404) or STI_STATE_CONFLICT (409) if it is no longer PENDING.
        """
        record = self._owned_sti(owner, sti_id)
        if record.status != "PENDING":
            raise DomainError(
                "STI_STATE_CONFLICT",
                f"Received Revoke STI for {sti_id}, whose status is {record.status}. Expected status PENDING: "
                "an STI can only be revoked before it settles.",
                status=409,
            )
        del self._pending[sti_id]
        record.status = "REVOKED"
        record.updated_at = self._clock.now
        return copy(record)

    def get_sti(self, owner: str, sti_id: str) -> SegregatedTransfer:
        """The STI ``sti_id`` of ``owner`` (a copy); STI_NOT_FOUND (404) otherwise."""
        return copy(self._owned_sti(owner, sti_id))

    def enquire_sti(self, owner: str, **criteria: object) -> list[SegregatedTransfer]:
        """Every STI of ``owner`` in input order (copies) whose attributes equal every given criterion.

        ``criteria`` name :class:`SegregatedTransfer` attributes, e.g. ``status="PENDING"``; ``None`` values
        are ignored, so a surface can pass its optional filters through.

        Raises:
            ValueError: a criterion that is not an attribute of an STI (a surface bug).
        """
        wanted = {name: value for name, value in criteria.items() if value is not None}
        unknown = sorted(set(wanted) - set(SegregatedTransfer.__dataclass_fields__))
        if unknown:
            raise ValueError(f"Received STI criteria {unknown}. Expected attributes of SegregatedTransfer.")
        records = (self._stis[sti_id] for sti_id in self._stis_by_owner.get(owner, []))
        return [copy(r) for r in records if all(getattr(r, name) == value for name, value in wanted.items())]

    def settle_pending(self) -> list[SegregatedTransfer]:
        """A batch run for STIs: settle every PENDING STI in input order, all-or-nothing per STI.

        An STI short of available stock stays PENDING with a ``LACK`` reason and is retried next time.
        Returns the STIs attempted (copies), settled or not.
        """
        now = self._clock.now
        attempted: list[SegregatedTransfer] = []
        for sti_id in list(self._pending):
            record = self._stis[sti_id]
            available = self._ledger.available(record.owner, record.from_account, record.stock_code)
            if available < record.quantity:
                record.reason = (
                    f"LACK: {record.owner}-{record.from_account} needs {record.quantity} shares of "
                    f"{record.stock_code} but has {available} available."
                )
            else:
                self._ledger.move(stock=record.stock_code, quantity=record.quantity,
                                  source=(record.owner, record.from_account),
                                  target=(record.owner, record.to_account), at=now, kind="STI", reference=sti_id)
                self._settle_money(record, now)
                del self._pending[sti_id]
                record.status = "SETTLED"
                record.reason = None
                record.settled_at = now
            record.updated_at = now
            attempted.append(copy(record))
        return attempted

    def _settle_money(self, record: SegregatedTransfer, now: datetime) -> None:
        """Post a settled DVP STI's money to the settlement sub-ledger of its participant (:func:`dvp_sti_money`),
        in its currency and its stock's market, journalled as kind ``"STI"`` with the STI id."""
        if record.payment_type != "DVP" or record.amount is None or record.currency is None:
            return
        amount = dvp_sti_money(record.from_account, record.to_account, record.amount,
                               spsa_range=self._policy.spsa_range)
        if amount is not None:
            self._ledger.post_money(record.owner, record.currency, amount, stock=record.stock_code, at=now,
                                    kind="STI", reference=record.sti_id)

    # ---------------------------------------------------------------- rules
    @staticmethod
    def _validate_payment(payment_type: str, amount: Decimal | None, currency: str | None) -> None:
        if payment_type == "FOP":
            for field, value in (("amount", amount), ("currency", currency)):
                if value is not None:
                    raise DomainError(
                        "AMOUNT_NOT_ALLOWED",
                        f"Received {field} {value!s} on a FOP STI. Expected no {field}: free of payment moves "
                        "stock only; use paymentType DVP to transfer against payment.",
                        pointer=f"/{field}",
                    )
            return
        if amount is None or currency is None:
            missing = "amount" if amount is None else "currency"
            raise DomainError(
                "AMOUNT_REQUIRED",
                f"Received a DVP STI without {missing}. Expected both amount (greater than 0) and currency.",
                pointer=f"/{missing}",
            )
        if amount <= 0:
            raise DomainError("AMOUNT_INVALID", f"Received amount {amount!s}. Expected an amount greater than 0.",
                              pointer="/amount")
        if currency not in _STI_CURRENCIES:
            raise DomainError("FIELD_INVALID",
                              f"Received currency {currency!r}. Expected one of {sorted(_STI_CURRENCIES)}.",
                              pointer="/currency")

    def _validate(self, owner: str, from_account: str, to_account: str, stock: str, quantity: object) -> None:
        if from_account == to_account:
            raise DomainError(
                "ACCOUNT_SAME",
                f"Received fromAccount and toAccount both {from_account!r}. Expected two different stock "
                "accounts of yours.",
                pointer="/toAccount",
            )
        participant = self._reference.participant(owner)
        accounts = participant.stock_accounts if participant is not None else ()
        for field, account in (("fromAccount", from_account), ("toAccount", to_account)):
            if account not in accounts:
                raise DomainError(
                    "STOCK_ACCOUNT_UNKNOWN",
                    f"Received {field} {account!r}, which is not a stock account of {owner}. Expected one of "
                    f"{list(accounts)}.{did_you_mean(account, accounts)}",
                    pointer=f"/{field}",
                )
        if self._reference.stock(stock) is None:
            raise unknown_stock(self._reference, stock)
        check_quantity(quantity)
        refusal = self._policy.refusal(from_account, to_account)
        if refusal is not None:
            raise DomainError(
                "SPSA_TRANSFER_NOT_ALLOWED",
                f"Received a transfer from {owner}-{from_account} to {owner}-{to_account}: {refusal}. "
                "Expected a clearing or segregated account on one side.",
                pointer="/toAccount",
            )

    def _owned_sti(self, owner: str, sti_id: str) -> SegregatedTransfer:
        record = self._stis.get(sti_id)
        if record is None or record.owner != owner:
            raise DomainError(
                "STI_NOT_FOUND",
                f"Received stiId {sti_id!r}, which is not an STI of {owner}. "
                "Expected the id returned by Input STI; enquire your STIs to list them.",
                status=404,
                pointer="/stiId",
            )
        return record

    def __repr__(self) -> str:
        return f"TransferBook(atis={len(self._atis)}, stis={len(self._stis)}, pending={len(self._pending)})"
