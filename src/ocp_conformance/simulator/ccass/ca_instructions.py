"""Corporate-action instructions as the book stores them: votes, appointees and the instruction record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from .ca_events import CaEventType

__all__ = ["Appointee", "CaInstruction", "CaInstructionStatus", "Vote"]

CaInstructionStatus = Literal["ACCEPTED", "CANCELLED"]


@dataclass(frozen=True, slots=True)
class Vote:
    """Votes on one resolution; a split vote gives several of the three [F].

    Example:
        >>> Vote(for_=600, against=300, abstain=100).total
        1000
    """

    for_: int = 0
    against: int = 0
    abstain: int = 0

    @property
    def total(self) -> int:
        """Shares voted on the resolution: for + against + abstain."""
        return self.for_ + self.against + self.abstain


@dataclass(frozen=True, slots=True)
class Appointee:
    """Who a CORPREP instruction appoints as corporate representative or proxy.

    Attributes:
        name: the appointee's name as on the identity document.
        id_document: identity document number, e.g. an HKID card or passport number.
    """

    name: str
    id_document: str


@dataclass(slots=True)
class CaInstruction:
    """An accepted corporate-action instruction (the book returns copies).

    Attributes:
        instruction_id: ``"CAI"`` and 10 digits, allocated in order.
        participant: who instructed; nobody else sees it.
        account: the 2-digit stock account whose holding it instructs on.
        announcement_id: the event.
        event_type: the event's type (which kind of instruction this is).
        stock_code: the stock quoted: the underlying, the rights/warrant code for a subscription, or the new
            issue a tender is for.
        quantity: shares instructed (for VOTING: shares the votes are given for, at least each resolution's
            total).
        option: the election option, subscription kind (TAKEOVER_OFFER for a takeover offer's acceptance) or
            CORPREP role; ``None`` for VOTING and TENDER.
        votes: votes per resolution number (VOTING), else ``None``.
        appointee: the corporate representative or proxy (CORPREP), else ``None``.
        client_reference: the participant's own reference.
        status: ``"ACCEPTED"`` (live) or ``"CANCELLED"``.
        created_at: simulated time of input.
        updated_at: simulated time of the last change or the cancellation.
        earmarked: stock on hold under :attr:`instruction_id` (0 for an excess application, a takeover
            acceptance, a tender, and once cancelled).
        amount: money of the instruction, ``None`` for kinds without: debited for a subscription (quantity x
            price) and for a tender (quantity x tender price, the tender monies), credited for a takeover
            acceptance (quantity x offer price, the consideration); kept after a cancellation, which reverses it.
        currency: the currency of :attr:`amount`.
        tender_price: the price per unit a tender instruction tenders at (TENDER), else ``None``.
        delivered: shares a takeover acceptance moved out of the account (0 for other kinds, and once
            cancelled, which moves them back).
        allotted: units of the new issue allotted to a tender at the allotment (``None`` before it); the
            rest of the quantity was unsuccessful and its tender monies refunded.
    """

    instruction_id: str
    participant: str
    account: str
    announcement_id: str
    event_type: CaEventType
    stock_code: str
    quantity: int
    option: str | None
    votes: Mapping[int, Vote] | None
    appointee: Appointee | None
    client_reference: str | None
    status: CaInstructionStatus
    created_at: datetime
    updated_at: datetime
    earmarked: int = 0
    amount: Decimal | None = None
    currency: str | None = None
    tender_price: Decimal | None = None
    delivered: int = 0
    allotted: int | None = None

    @property
    def money(self) -> Decimal:
        """The signed money the instruction moved: negative for a debit (subscription, tender), positive for the
        consideration of a takeover acceptance, 0 for kinds without money."""
        if self.amount is None:
            return Decimal(0)
        return self.amount if self.option == "TAKEOVER_OFFER" else -self.amount
