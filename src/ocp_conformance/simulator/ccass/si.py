"""Settlement instruction (SI) records: the input, the stored instruction and the unmatched-reason report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

__all__ = [
    "SI_INPUT_FIELDS",
    "FieldDifference",
    "PaymentType",
    "SettlementFailure",
    "SettlementInstruction",
    "SiInput",
    "SiRow",
    "SiStatus",
    "Side",
    "UnmatchedCandidate",
    "UnmatchedReport",
]

SiStatus = Literal[
    "UNMATCHED", "MATCHED", "MATCHED_ON_HOLD", "SHARES_ON_HOLD", "REVOKE_PENDING", "SETTLED", "CANCELLED", "REVOKED",
    "PURGED",
]
Side = Literal["DELIVER", "RECEIVE"]
PaymentType = Literal["FOP", "DVP", "RDP"]


@dataclass(slots=True)
class SiInput:
    """What a participant submits in Input SI (and may edit with Change SI while unmatched).

    Attributes:
        side: ``"DELIVER"`` or ``"RECEIVE"``, from the submitting participant's point of view.
        counterparty_id: the other participant, e.g. ``"B05678"``.
        stock_code: 5-digit stock code, e.g. ``"00700"``.
        quantity: number of shares (> 0).
        settlement_date: intended settlement date (a business day, not in the past).
        payment_type: ``"FOP"``, ``"DVP"`` or ``"RDP"``.
        amount: settlement amount; required (> 0) for DVP/RDP, absent for FOP.
        currency: ``"HKD"``, ``"CNY"`` or ``"USD"``; required for DVP/RDP, absent for FOP.
        stock_account: the submitter's own stock account (not matched on).
        own_reference: the submitter's reference (not matched on, never shown to the counterparty).
        narrative: free text (not matched on).
        hold: the submitter's "hold matched SI" flag.
        exclude_from_batch: keep the SI out of batch settlement runs once matched.

    Example:
        >>> SiInput("DELIVER", "B05678", "00700", 1_000, date(2027, 4, 6), "FOP").stock_account
        '01'
    """

    side: Side
    counterparty_id: str
    stock_code: str
    quantity: int
    settlement_date: date
    payment_type: PaymentType
    amount: Decimal | None = None
    currency: str | None = None
    stock_account: str = "01"
    own_reference: str | None = None
    narrative: str | None = None
    hold: bool = False
    exclude_from_batch: bool = False


SI_INPUT_FIELDS: tuple[str, ...] = tuple(SiInput.__dataclass_fields__)

SiRow = tuple[Side, str, str, int, date, PaymentType, Decimal | None, str | None, str, str | None]
"""The first ten :class:`SiInput` fields, in order (side ... own_reference), for bulk input (``SiBook.input_rows``):
an SI with no narrative, no hold and not excluded from batch runs, as a RAP SI record gives."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementFailure:
    """Why the last batch run could not settle a matched pair (it stays matched for the next run).

    Attributes:
        run_id: the settlement run, e.g. ``"R00000001"``.
        at: when the run happened.
        code: ISO 20022-style pending reason; ``"LACK"`` = lack of securities.
        reason: human text naming the stock and the needed and available quantities.
    """

    run_id: str
    at: datetime
    code: str = "LACK"
    reason: str


@dataclass(slots=True, kw_only=True)
class SettlementInstruction(SiInput):
    """An SI as stored in the book: the :class:`SiInput` fields it was given, plus lifecycle data.

    The book hands out copies: mutating a returned instance does not change the book.

    Attributes:
        si_id: ``"SI"`` + 10 digits, allocated sequentially.
        owner: the participant that input the SI (never changes).
        status: lifecycle status, see :data:`SiStatus`.
        match_id: ``"M"`` + 10 digits, shared by both SIs of a matched pair; ``None`` while unmatched.
        created_at / updated_at / matched_at / settled_at / deleted_at: simulated times.
        settlement_run_id: the batch run that settled it (``None`` for an RDP pair, settled in real time).
        last_settlement_failure: why the latest batch run could not settle it, if it failed.
        revocation_requested_by_owner / revocation_requested_by_counterparty: Revoke Matched SI requests.
    """

    si_id: str
    owner: str
    status: SiStatus = "UNMATCHED"
    match_id: str | None = None
    created_at: datetime
    updated_at: datetime
    matched_at: datetime | None = None
    settled_at: datetime | None = None
    deleted_at: datetime | None = None
    settlement_run_id: str | None = None
    last_settlement_failure: SettlementFailure | None = None
    revocation_requested_by_owner: bool = False
    revocation_requested_by_counterparty: bool = False

    @property
    def deliverer(self) -> str:
        """The participant delivering the stock."""
        return self.owner if self.side == "DELIVER" else self.counterparty_id

    @property
    def receiver(self) -> str:
        """The participant receiving the stock."""
        return self.counterparty_id if self.side == "DELIVER" else self.owner

    def to_input(self) -> SiInput:
        """The :class:`SiInput` fields of this SI (e.g. to apply a Change SI)."""
        return SiInput(**{name: getattr(self, name) for name in SI_INPUT_FIELDS})


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One matching field on which an unmatched SI and a counterparty candidate differ.

    Attributes:
        field: camelCase request field name, e.g. ``"quantity"``.
        code: ISO 20022 unmatched reason: DELN, DSEC, DQUA, DDAT, FRAP, DMON or NCRR.
        own_value: the enquirer's value, as text (``""`` if absent).
        counterparty_value: the candidate's value, as text (``""`` if absent).
    """

    field: str
    code: str
    own_value: str
    counterparty_value: str


@dataclass(frozen=True, slots=True)
class UnmatchedCandidate:
    """A counterparty SI that could be the intended match. Its id and references stay private."""

    differences: tuple[FieldDifference, ...]


@dataclass(frozen=True, slots=True)
class UnmatchedReport:
    """Answer to Enquire SI Unmatched Reason.

    Attributes:
        si_id: the enquired SI.
        status: its status (always ``"UNMATCHED"``).
        reason_code: ``"CMIS"`` when the counterparty has no unmatched SI naming the enquirer, else the code
            of the first difference of the closest candidate.
        candidates: closest first, at most 3.
    """

    si_id: str
    status: SiStatus
    reason_code: str
    candidates: tuple[UnmatchedCandidate, ...]
