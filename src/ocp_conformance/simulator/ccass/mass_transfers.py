"""Mass ATI/STI: many transfers in one submission, processed item by item with a result per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, Literal

from .clock import BusinessClock
from .errors import DomainError
from .transfers import TransferBook

__all__ = [
    "DEFAULT_MAX_MASS_ITEMS",
    "MassItem",
    "MassItemRecord",
    "MassItemResult",
    "MassStatus",
    "MassSubmission",
    "MassTransferBook",
]

MassKind = Literal["ATI", "STI"]
MassStatus = Literal["RECEIVED", "CANCELLED", "PROCESSED", "PARTIALLY_REJECTED", "REJECTED"]

_KINDS: Final[frozenset[str]] = frozenset({"ATI", "STI"})
# [M] no published limit; large enough for real files, small enough to bound one request.
DEFAULT_MAX_MASS_ITEMS: Final = 1_000


@dataclass(frozen=True, slots=True)
class MassItem:
    """One transfer of a mass submission, as input.

    Attributes:
        kind: ``"ATI"`` or ``"STI"``.
        from_account: 2-digit source account.
        to_account: 2-digit target account.
        stock_code: 5-digit stock code.
        quantity: shares to transfer.
        payment_type: ``"FOP"`` (STI only).
    """

    kind: str
    from_account: str
    to_account: str
    stock_code: str
    quantity: int
    payment_type: str = "FOP"


@dataclass(frozen=True, slots=True)
class MassItemResult:
    """What processing did with one item: ACCEPTED with the created transfer's id, or REJECTED and why."""

    outcome: Literal["ACCEPTED", "REJECTED"]
    transfer_id: str | None = None
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class MassItemRecord:
    """An item of a submission: its 0-based ``index``, ``kind``, input ``fields`` and ``result`` (``None``
    until processed)."""

    index: int
    kind: MassKind
    fields: MassItem
    result: MassItemResult | None = None


@dataclass(slots=True)
class MassSubmission:
    """A Mass ATI/STI submission.

    Statuses:
        RECEIVED: stored, not yet processed; may be changed or cancelled.
        CANCELLED: cancelled by the owner before processing; nothing was applied.
        PROCESSED: processed, every item ACCEPTED.
        PARTIALLY_REJECTED: processed, some items ACCEPTED and some REJECTED.
        REJECTED: processed, every item REJECTED.

    Attributes:
        mass_id: ``"MASS"`` and 8 digits, allocated in order.
        owner: the participant that submitted it.
        status: see above.
        items: the items in submission order.
        created_at: simulated submission time.
        updated_at: simulated time of the last change.
        processed_at: simulated processing time, ``None`` until processed.
        own_reference: the owner's own reference for the submission, ``None`` if not given.
    """

    mass_id: str
    owner: str
    status: MassStatus
    items: list[MassItemRecord]
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None = None
    own_reference: str | None = None

    @property
    def accepted(self) -> int:
        """Number of ACCEPTED items."""
        return sum(1 for item in self.items if item.result is not None and item.result.outcome == "ACCEPTED")

    @property
    def rejected(self) -> int:
        """Number of REJECTED items."""
        return sum(1 for item in self.items if item.result is not None and item.result.outcome == "REJECTED")


def _snapshot(submission: MassSubmission) -> MassSubmission:
    # Items are frozen, so copying the list is enough to keep callers from changing the book.
    return replace(submission, items=list(submission.items))


class MassTransferBook:
    """Mass ATI/STI submissions of every participant, applied through a :class:`TransferBook`.

    :meth:`process` applies the items one by one, in order, each exactly once: an item whose ``result``
    is set is never applied again, so processing twice (or resuming after an interruption) is safe.

    Args:
        transfers: the book that validates and applies each ATI/STI.
        clock: simulated time.
        max_items: the most items one submission may carry.

    Example:
        >>> from ocp_conformance.simulator.ccass import Simulation
        >>> sim = Simulation()
        >>> mass = MassTransferBook(TransferBook(sim.reference, sim.ledger, sim.clock), sim.clock)
        >>> items = [MassItem("ATI", "01", "02", "00700", 5), MassItem("ATI", "01", "01", "00700", 5)]
        >>> sub = mass.submit("B01234", items)
        >>> done = mass.process(sub.mass_id)
        >>> done.status, [(i.result.outcome, i.result.code) for i in done.items if i.result]
        ('PARTIALLY_REJECTED', [('ACCEPTED', None), ('REJECTED', 'ACCOUNT_SAME')])
    """

    def __init__(self, transfers: TransferBook, clock: BusinessClock, *,
                 max_items: int = DEFAULT_MAX_MASS_ITEMS) -> None:
        self._transfers = transfers
        self._clock = clock
        self._max_items = max_items
        self._submissions: dict[str, MassSubmission] = {}
        self._by_owner: dict[str, list[str]] = {}
        self._received: dict[str, None] = {}  # mass ids awaiting processing, in submission order
        self._seq = 0

    def submit(self, owner: str, items: Sequence[MassItem], own_reference: str | None = None) -> MassSubmission:
        """Store a submission as RECEIVED; items are only checked for shape here, fully when processed.

        Raises:
            DomainError: MASS_ITEMS_EMPTY, MASS_TOO_MANY_ITEMS or MASS_ITEM_KIND_INVALID (422).
        """
        records = self._records(items)
        now = self._clock.now
        self._seq += 1
        mass_id = f"MASS{self._seq:08d}"
        submission = MassSubmission(mass_id, owner, "RECEIVED", records, now, now, own_reference=own_reference)
        self._submissions[mass_id] = submission
        self._by_owner.setdefault(owner, []).append(mass_id)
        self._received[mass_id] = None
        return _snapshot(submission)

    def change(self, owner: str, mass_id: str, items: Sequence[MassItem] | None = None, *,
               own_reference: str | None = None) -> MassSubmission:
        """Replace the items (and/or the own reference) of a RECEIVED submission; ``None`` keeps them.

        Raises:
            DomainError: MASS_NOT_FOUND (404), MASS_ALREADY_PROCESSED (409), or an item error as in
                :meth:`submit`.
        """
        submission = self._received_of(owner, mass_id, "Change Mass ATI/STI")
        if items is not None:
            submission.items = self._records(items)
        if own_reference is not None:
            submission.own_reference = own_reference
        submission.updated_at = self._clock.now
        return _snapshot(submission)

    def cancel(self, owner: str, mass_id: str) -> MassSubmission:
        """Cancel a RECEIVED submission: nothing of it is ever applied.

        Raises:
            DomainError: MASS_NOT_FOUND (404) or MASS_ALREADY_PROCESSED (409).
        """
        submission = self._received_of(owner, mass_id, "Cancel Mass ATI/STI")
        del self._received[mass_id]
        submission.status = "CANCELLED"
        submission.updated_at = self._clock.now
        return _snapshot(submission)

    def process(self, mass_id: str) -> MassSubmission:
        """Apply a RECEIVED submission item by item; other statuses are returned unchanged.

        Raises:
            DomainError: MASS_NOT_FOUND (404) for an unknown id.
        """
        submission = self._submissions.get(mass_id)
        if submission is None:
            raise self._not_found(mass_id, None)
        if submission.status != "RECEIVED":
            return _snapshot(submission)
        for position, item in enumerate(submission.items):
            if item.result is None:
                submission.items[position] = replace(item, result=self._apply(submission.owner, item))
        now = self._clock.now
        accepted, rejected = submission.accepted, submission.rejected
        submission.status = "REJECTED" if not accepted else "PARTIALLY_REJECTED" if rejected else "PROCESSED"
        submission.processed_at = submission.updated_at = now
        self._received.pop(mass_id, None)
        return _snapshot(submission)

    def process_all(self) -> list[MassSubmission]:
        """Process every RECEIVED submission in submission order; return them (copies)."""
        return [self.process(mass_id) for mass_id in list(self._received)]

    def get(self, owner: str, mass_id: str) -> MassSubmission:
        """The submission ``mass_id`` of ``owner`` (a copy); MASS_NOT_FOUND (404) otherwise."""
        return _snapshot(self._owned(owner, mass_id))

    def enquire(self, owner: str) -> list[MassSubmission]:
        """Every submission of ``owner`` in submission order (copies)."""
        return [_snapshot(self._submissions[mass_id]) for mass_id in self._by_owner.get(owner, [])]

    # ---------------------------------------------------------------- internals
    def _apply(self, owner: str, item: MassItemRecord) -> MassItemResult:
        fields = item.fields
        try:
            if item.kind == "ATI":
                transfer_id = self._transfers.input_ati(
                    owner, fields.from_account, fields.to_account, fields.stock_code, fields.quantity
                ).ati_id
            else:
                transfer_id = self._transfers.input_sti(
                    owner, fields.from_account, fields.to_account, fields.stock_code, fields.quantity,
                    fields.payment_type,
                ).sti_id
        except DomainError as error:
            return MassItemResult("REJECTED", code=error.code, message=error.message)
        return MassItemResult("ACCEPTED", transfer_id=transfer_id)

    def _records(self, items: Sequence[MassItem]) -> list[MassItemRecord]:
        if not items:
            raise DomainError(
                "MASS_ITEMS_EMPTY", "Received a mass submission with no items. Expected at least one ATI or STI.",
                pointer="/items",
            )
        if len(items) > self._max_items:
            raise DomainError(
                "MASS_TOO_MANY_ITEMS",
                f"Received {len(items)} items. Expected at most {self._max_items}; split the submission.",
                pointer="/items",
            )
        records: list[MassItemRecord] = []
        for index, item in enumerate(items):
            kind = item.kind
            if kind == "ATI":
                records.append(MassItemRecord(index, "ATI", item))
            elif kind == "STI":
                records.append(MassItemRecord(index, "STI", item))
            else:
                raise DomainError(
                    "MASS_ITEM_KIND_INVALID",
                    f"Received kind {kind!r} for item {index}. Expected one of {sorted(_KINDS)}.",
                    pointer=f"/items/{index}/kind",
                )
        return records

    def _received_of(self, owner: str, mass_id: str, action: str) -> MassSubmission:
        submission = self._owned(owner, mass_id)
        if submission.status != "RECEIVED":
            raise DomainError(
                "MASS_ALREADY_PROCESSED",
                f"Received {action} for {mass_id}, whose status is {submission.status}. Expected status "
                "RECEIVED: a submission can only be changed or cancelled before it is processed.",
                status=409,
            )
        return submission

    def _owned(self, owner: str, mass_id: str) -> MassSubmission:
        submission = self._submissions.get(mass_id)
        if submission is None or submission.owner != owner:
            raise self._not_found(mass_id, owner)
        return submission

    @staticmethod
    def _not_found(mass_id: str, owner: str | None) -> DomainError:
        whose = f"a mass submission of {owner}" if owner is not None else "a mass submission"
        return DomainError(
            "MASS_NOT_FOUND",
            f"Received massId {mass_id!r}, which is not {whose}. Expected the id returned by the submission; "
            "enquire your submissions to list them.",
            status=404,
            pointer="/massId",
        )

    def __repr__(self) -> str:
        return f"MassTransferBook(submissions={len(self._submissions)}, received={len(self._received)})"
