"""The ISI book: Investor Settlement Instructions between an Investor Participant and a broker/custodian.

[F] An ISI moves HK-market stock between an Investor Participant and a broker or custodian. With
affirmation it is input by the broker/custodian and affirmed by the investor; without affirmation it must be
free of payment and its owner must be on the investor's maintained list. It settles on-line at once when
the deliverer has the stock; one input or affirmed after 15:45 is excluded from batch settlement runs.
[M] Statuses UNAFFIRMED → PENDING_SETTLEMENT → SETTLED, or CANCELLED / PURGED (unsettled at the end of its
settlement date).

Issue 17 correction 7: [F] an ISI carries a settlement date, payment FOP, DVP or RDP, a "DVP on-hold required"
indicator and a "Hold before Settlement" indicator; a participant holds an ISI from settlement or releases it by
that indicator, which Change ISI may change on a pending or affirmed ISI (CCASS Terminal User Guide, section 8.1.3a
Hold / Release ISI, and the ISI Activity Report CIPSI02). [M] Here: an ISI settles (on-line or in a batch run) only
on or after its settlement date and while not held; the default settlement date is the first settlement day from
the current business date; OCP has no Hold / Release ISI function, so its owner holds and releases through Change
ISI, also after affirmation, and never after settlement; a release tries it on-line at once. The report's
settlement-stage statuses (shares on-hold, DVP on-hold, unwound) are not reached: money settlement is not modelled
beyond posting.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final, Literal

from ._isi_validation import investor_participant, non_investor, validate_isi
from ._validation import camel, unknown_field
from .clock import BusinessClock
from .errors import DomainError, InsufficientStock
from .ledger import Ledger
from .reference import ReferenceData

__all__ = [
    "DEFAULT_ISI_BATCH_CUTOFF",
    "ISI_INPUT_FIELDS",
    "InvestorSettlementInstruction",
    "IsiBatchRun",
    "IsiBook",
    "IsiDirection",
    "IsiInput",
    "IsiPaymentType",
    "IsiStatus",
]

IsiStatus = Literal["UNAFFIRMED", "PENDING_SETTLEMENT", "SETTLED", "CANCELLED", "PURGED"]
IsiDirection = Literal["DELIVER_TO_INVESTOR", "RECEIVE_FROM_INVESTOR"]
IsiPaymentType = Literal["FOP", "DVP", "RDP"]

# [F] input or affirmed after 15:45 → excluded from batch settlement runs.
DEFAULT_ISI_BATCH_CUTOFF: Final = time(15, 45)
# Who the ISI is visible to never changes, so these fields are fixed at input.
_NOT_CHANGEABLE: Final = frozenset({"investor_id", "with_affirmation"})
# [F] What Change ISI may still change once the investor has affirmed (TUG 8.1.3a: the Hold before Settlement
# indicator of a pending or affirmed ISI); [M] nothing once settled.
_CHANGEABLE_AFTER_AFFIRMATION: Final = frozenset({"hold_before_settlement"})


@dataclass(slots=True)
class IsiInput:
    """What a broker/custodian submits in Input ISI (and may edit with Change ISI before settlement).

    Attributes:
        investor_id: the Investor Participant, e.g. ``"I12345"``.
        direction: ``"DELIVER_TO_INVESTOR"`` (owner delivers) or ``"RECEIVE_FROM_INVESTOR"`` (investor delivers).
        stock_code: 5-digit HK-market stock code.
        quantity: number of shares (> 0).
        payment_type: ``"FOP"``, ``"DVP"`` or ``"RDP"``.
        amount: settlement amount, required (> 0) for DVP and RDP, absent for FOP.
        currency: ``"HKD"``, ``"CNY"`` or ``"USD"``, required for DVP and RDP, absent for FOP.
        with_affirmation: the investor must affirm before it can settle.
        own_reference: the broker/custodian's own reference, for finding it again with Enquire ISI.
        settlement_date: the day it is to settle (a settlement day, not in the past); ``None`` at input: the
            first settlement day from the current business date.
        dvp_on_hold_required: "DVP on-hold required" (DVP and RDP only).
        hold_before_settlement: held from settlement until released.

    Example:
        >>> IsiInput("I12345", "DELIVER_TO_INVESTOR", "00700", 1_000).with_affirmation
        True
    """

    investor_id: str
    direction: IsiDirection
    stock_code: str
    quantity: int
    payment_type: IsiPaymentType = "FOP"
    amount: Decimal | None = None
    currency: str | None = None
    with_affirmation: bool = True
    own_reference: str | None = None
    settlement_date: date | None = None
    dvp_on_hold_required: bool = False
    hold_before_settlement: bool = False


ISI_INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(IsiInput))


@dataclass(slots=True, kw_only=True)
class InvestorSettlementInstruction(IsiInput):
    """A stored ISI (returned as a copy).

    Attributes:
        isi_id: ``"ISI"`` + 10 digits, sequential.
        owner: the broker/custodian that input it.
        status: UNAFFIRMED, PENDING_SETTLEMENT, SETTLED, CANCELLED or PURGED.
        business_date: the business date it was input on (purged at that day's end if unsettled).
        excluded_from_batch: input or affirmed after the cut-off, so batch runs never retry it.
        reason: why it is not settled (``"LACK: ..."``) or why it was cancelled or purged.
    """

    isi_id: str
    owner: str
    status: IsiStatus
    created_at: datetime
    updated_at: datetime
    business_date: date
    affirmed_at: datetime | None = None
    settled_at: datetime | None = None
    excluded_from_batch: bool = False
    reason: str | None = None

    @property
    def deliverer(self) -> str:
        """The participant whose stock moves out."""
        return self.owner if self.direction == "DELIVER_TO_INVESTOR" else self.investor_id

    @property
    def receiver(self) -> str:
        """The participant whose stock account is credited."""
        return self.investor_id if self.direction == "DELIVER_TO_INVESTOR" else self.owner


@dataclass(frozen=True, slots=True)
class IsiBatchRun:
    """Outcome of one ISI batch retry: ids settled, and ``(isi_id, reason)`` of those still short of stock."""

    run_id: str | None
    at: datetime
    settled: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


class IsiBook:
    """Every ISI, visible to its owner and its investor only; settled on-line or by batch retries.

    Args:
        reference: participants (investors have participant type ``"Investor"``, any case) and stocks.
        ledger: holdings; ISIs move stock between the parties' ``stock_account``.
        clock: simulated time; ``created_at`` etc. and the batch cut-off use it.
        batch_cutoff: input or affirmation strictly after this time excludes the ISI from batch runs.
        stock_account: the account used on both sides [M: "01", the stock clearing account].

    Example:
        >>> from ocp_conformance.simulator.ccass import HKT, BusinessClock, Ledger, Participant, ReferenceData
        >>> from ocp_conformance.simulator.ccass import Stock, TradingCalendar
        >>> ref = ReferenceData([Participant("B01234", "Alpha", "BROKER", ("01",)),
        ...                      Participant("I12345", "Chan", "Investor", ("01",))],
        ...                     [Stock("00700", "Tencent", "HKMK")])
        >>> ledger = Ledger(); ledger.deposit("B01234", "01", "00700", 1_000)
        >>> clock = BusinessClock(TradingCalendar(), datetime(2027, 4, 6, 9, 0, tzinfo=HKT))
        >>> book = IsiBook(ref, ledger, clock)
        >>> isi = book.input_isi("B01234", IsiInput("I12345", "DELIVER_TO_INVESTOR", "00700", 400))
        >>> book.affirm("I12345", isi.isi_id).status, ledger.holding("I12345", "01", "00700")
        ('SETTLED', 400)
    """

    def __init__(
        self,
        reference: ReferenceData,
        ledger: Ledger,
        clock: BusinessClock,
        *,
        batch_cutoff: time = DEFAULT_ISI_BATCH_CUTOFF,
        stock_account: str = "01",
    ) -> None:
        self._reference = reference
        self._ledger = ledger
        self._clock = clock
        self._cutoff = batch_cutoff
        self._account = stock_account
        self._isis: dict[str, InvestorSettlementInstruction] = {}
        # Ids are sequential, so each participant's list is sorted and dicts below keep input order.
        self._by_participant: dict[str, list[str]] = {}
        self._open: dict[str, None] = {}  # UNAFFIRMED or PENDING_SETTLEMENT, for day end
        self._batch_eligible: dict[str, None] = {}  # PENDING_SETTLEMENT and not excluded from batch
        self._allowed: dict[str, dict[str, None]] = {}  # investor -> counterparties without affirmation
        self._seq = 0

    def __len__(self) -> int:
        return len(self._isis)

    # ---------------------------------------------------------------- the investor's list
    def allow_without_affirmation(self, investor_id: str, counterparty_id: str) -> None:
        """Put ``counterparty_id`` on ``investor_id``'s list of who may input ISIs without affirmation."""
        investor_participant(self._reference, investor_id)
        non_investor(self._reference, counterparty_id, "COUNTERPARTY_UNKNOWN", "/counterpartyId", status=422)
        self._allowed.setdefault(investor_id, {})[counterparty_id] = None

    def disallow_without_affirmation(self, investor_id: str, counterparty_id: str) -> None:
        """Take ``counterparty_id`` off the list (no-op if absent); ISIs already input are unaffected."""
        investor_participant(self._reference, investor_id)
        self._allowed.get(investor_id, {}).pop(counterparty_id, None)

    def counterparties_without_affirmation(self, investor_id: str) -> tuple[str, ...]:
        """The investor's list, in the order the counterparties were added."""
        return tuple(self._allowed.get(investor_id, ()))

    # ---------------------------------------------------------------- Maintain ISI
    def input_isi(self, owner: str, isi: IsiInput) -> InvestorSettlementInstruction:
        """Input ISI: validate; UNAFFIRMED with affirmation, else PENDING_SETTLEMENT and settled on-line.

        Raises:
            DomainError: OWNER_NOT_ALLOWED (403), INVESTOR_UNKNOWN, QUANTITY_INVALID, STOCK_UNKNOWN,
                AMOUNT_REQUIRED, AMOUNT_NOT_ALLOWED, AFFIRMATION_REQUIRED_FOR_DVP, COUNTERPARTY_NOT_LISTED,
                SETTLEMENT_DATE_IN_PAST, SETTLEMENT_DATE_NOT_BUSINESS_DAY, DVP_ON_HOLD_NOT_ALLOWED, …
        """
        self._validate(owner, isi)
        now = self._clock.now
        self._seq += 1
        values = {name: getattr(isi, name) for name in ISI_INPUT_FIELDS}
        if values["settlement_date"] is None:
            values["settlement_date"] = self._default_settlement_date(isi.stock_code)
        record = InvestorSettlementInstruction(
            **values,
            isi_id=f"ISI{self._seq:010d}",
            owner=owner,
            status="UNAFFIRMED" if isi.with_affirmation else "PENDING_SETTLEMENT",
            created_at=now,
            updated_at=now,
            business_date=self._clock.today,
        )
        self._isis[record.isi_id] = record
        for pid in (owner, isi.investor_id):
            self._by_participant.setdefault(pid, []).append(record.isi_id)
        self._open[record.isi_id] = None
        if record.status == "PENDING_SETTLEMENT":
            self._to_pending(record)
        return copy(record)

    def change_isi(self, owner: str, isi_id: str, changes: Mapping[str, object]) -> InvestorSettlementInstruction:
        """Change ISI: amend input fields before any affirmation or settlement (UNAFFIRMED, or pending
        without affirmation); a pending one is tried on-line again at once. An affirmed pending ISI may only be
        held or released (``hold_before_settlement``)."""
        record = self._owned(owner, isi_id)
        if record.status == "PENDING_SETTLEMENT" and record.with_affirmation and changes \
                and set(changes) <= _CHANGEABLE_AFTER_AFFIRMATION:
            return self._hold_or_release(record, changes["hold_before_settlement"])
        self._check_amendable(record, "Change ISI")
        updated = IsiInput(**{name: getattr(record, name) for name in ISI_INPUT_FIELDS})
        for key, value in changes.items():
            if key not in ISI_INPUT_FIELDS:
                raise unknown_field(key, ISI_INPUT_FIELDS)
            if key in _NOT_CHANGEABLE and value != getattr(record, key):
                raise DomainError(
                    "FIELD_NOT_CHANGEABLE",
                    f"Received a change of {camel(key)} on ISI {isi_id}. Expected it unchanged: cancel the "
                    "ISI and input a new one instead.",
                    pointer=f"/{camel(key)}",
                )
            setattr(updated, key, value)
        self._validate(owner, updated)
        for key in ISI_INPUT_FIELDS:
            setattr(record, key, getattr(updated, key))
        record.updated_at = self._clock.now
        if record.status == "PENDING_SETTLEMENT":
            self._batch_eligible.pop(isi_id, None)
            self._to_pending(record)
        return copy(record)

    def cancel_isi(self, owner: str, isi_id: str) -> InvestorSettlementInstruction:
        """Cancel ISI: same states as :meth:`change_isi`; status CANCELLED."""
        record = self._owned(owner, isi_id)
        self._check_amendable(record, "Cancel ISI")
        self._close(record, "CANCELLED", f"Cancelled by {owner}.")
        return copy(record)

    def affirm(self, investor_id: str, isi_id: str) -> InvestorSettlementInstruction:
        """Affirm an UNAFFIRMED ISI as its investor: PENDING_SETTLEMENT, then settled on-line if stock suffices."""
        record = self._affirmable(investor_id, isi_id, "affirm")
        record.affirmed_at = self._clock.now
        self._to_pending(record)
        return copy(record)

    def reject_affirmation(self, investor_id: str, isi_id: str) -> InvestorSettlementInstruction:
        """Refuse to affirm an UNAFFIRMED ISI as its investor: status CANCELLED."""
        record = self._affirmable(investor_id, isi_id, "reject")
        self._close(record, "CANCELLED", f"Affirmation rejected by investor {investor_id}.")
        return copy(record)

    # ---------------------------------------------------------------- Enquire ISI
    def get(self, participant: str, isi_id: str) -> InvestorSettlementInstruction:
        """The ISI if ``participant`` is its owner or investor, else ISI_NOT_FOUND (404)."""
        return copy(self._visible(participant, isi_id))

    def enquire(self, participant: str, status: IsiStatus | None = None, *, stock_code: str | None = None,
                own_reference: str | None = None) -> list[InvestorSettlementInstruction]:
        """Enquire ISI: the ISIs ``participant`` owns or is the investor of, by isi_id, optionally filtered.

        ``own_reference`` is the owner's: it matches for the investor too (it is shown to both parties).
        """
        isis = self._isis
        found = (isis[i] for i in self._by_participant.get(participant, ()))
        return [copy(isi) for isi in found
                if (status is None or isi.status == status)
                and (stock_code is None or isi.stock_code == stock_code)
                and (own_reference is None or isi.own_reference == own_reference)]

    # ---------------------------------------------------------------- scheduled processing
    def run_batch(self, run_id: str | None = None) -> IsiBatchRun:
        """Retry every PENDING_SETTLEMENT ISI not excluded from batch runs, in input order; one not yet due or
        held before settlement is left for a later run (neither settled nor failed)."""
        settled: list[str] = []
        failed: list[tuple[str, str]] = []
        for isi_id in list(self._batch_eligible):
            record = self._isis[isi_id]
            if not self._may_settle(record):
                continue
            if self._settle(record):
                settled.append(isi_id)
            else:
                failed.append((isi_id, record.reason or ""))
        return IsiBatchRun(run_id, self._clock.now, tuple(settled), tuple(failed))

    def on_day_end(self, day: date) -> list[str]:
        """Day end: purge UNAFFIRMED and unsettled ISIs due on or before ``day``; return their ids."""
        isis = self._isis
        purged = [i for i in self._open if (isis[i].settlement_date or isis[i].business_date) <= day]
        for isi_id in purged:
            self._close(self._isis[isi_id], "PURGED", f"Not settled by the end of business day {day.isoformat()}.")
        return purged

    # ---------------------------------------------------------------- internals
    def _validate(self, owner: str, isi: IsiInput) -> None:
        validate_isi(self._reference, self._allowed, owner, isi, calendar=self._clock.calendar,
                     today=self._clock.today)

    def _default_settlement_date(self, stock_code: str) -> date:
        """[M] The first settlement day of the stock's market from the current business date."""
        stock = self._reference.stock(stock_code)
        calendar = self._clock.calendar
        market_calendar = calendar.for_market(stock.market) if stock is not None else calendar
        return market_calendar.settlement_day_on_or_after(self._clock.today)

    def _may_settle(self, record: InvestorSettlementInstruction) -> bool:
        """Due (its settlement date reached) and not held before settlement."""
        due = record.settlement_date is not None and record.settlement_date <= self._clock.today
        return due and not record.hold_before_settlement

    def _hold_or_release(self, record: InvestorSettlementInstruction, hold: object) -> InvestorSettlementInstruction:
        """Set or clear the Hold before Settlement indicator of an affirmed pending ISI; a release tries it on-line
        at once and makes it batch-eligible again (unless excluded from batch runs)."""
        if not isinstance(hold, bool):
            raise DomainError("FIELD_INVALID", f"Received holdBeforeSettlement={hold!r}. Expected true or false.",
                              pointer="/holdBeforeSettlement")
        record.hold_before_settlement = hold
        record.updated_at = self._clock.now
        if not hold:
            self._batch_eligible.pop(record.isi_id, None)
            self._attempt(record)
        return copy(record)

    def _to_pending(self, record: InvestorSettlementInstruction) -> None:
        """Move to PENDING_SETTLEMENT (stamped now), apply the batch cut-off and try to settle on-line."""
        clock = self._clock
        now = clock.now
        record.status = "PENDING_SETTLEMENT"
        record.updated_at = now
        due_today = record.settlement_date is None or record.settlement_date <= clock.today
        # [M] the cut-off excludes from today's batch runs: a forward-dated ISI is not excluded from its own day's.
        if due_today and clock.business_date_of(now) == now.date() and now.timetz().replace(tzinfo=None) > self._cutoff:
            record.excluded_from_batch = True
        self._attempt(record)

    def _attempt(self, record: InvestorSettlementInstruction) -> None:
        """Settle on-line if it may settle now; else (or short of stock) wait for batch runs unless excluded."""
        settled = self._may_settle(record) and self._settle(record)
        if not settled and not record.excluded_from_batch:
            self._batch_eligible[record.isi_id] = None

    def _settle(self, record: InvestorSettlementInstruction) -> bool:
        """All-or-nothing settlement; on lack of stock record the reason and leave it pending."""
        account, now = self._account, self._clock.now
        deliverer, receiver = record.deliverer, record.receiver
        try:
            # The ledger decides what may move (it knows about stock on hold), so ask it, don't pre-check.
            self._ledger.move(
                stock=record.stock_code,
                quantity=record.quantity,
                source=(deliverer, account),
                target=(receiver, account),
                at=now,
                kind="ISI",
                reference=record.isi_id,
            )
        except InsufficientStock as short:
            record.reason = (
                f"LACK: {deliverer}-{account} needs {record.quantity} shares of {record.stock_code} "
                f"but has {short.available} available."
            )
            record.updated_at = now
            return False
        ledger = self._ledger
        if record.payment_type in ("DVP", "RDP") and record.amount is not None and record.currency is not None:
            for party, amount in ((deliverer, record.amount), (receiver, -record.amount)):
                ledger.post_money(party, record.currency, amount, stock=record.stock_code, at=now, kind="ISI",
                                  reference=record.isi_id)
        record.status = "SETTLED"
        record.settled_at = record.updated_at = now
        record.reason = None
        self._open.pop(record.isi_id, None)
        self._batch_eligible.pop(record.isi_id, None)
        return True

    def _close(self, record: InvestorSettlementInstruction, status: IsiStatus, reason: str) -> None:
        record.status = status
        record.reason = reason
        record.updated_at = self._clock.now
        self._open.pop(record.isi_id, None)
        self._batch_eligible.pop(record.isi_id, None)

    def _check_amendable(self, record: InvestorSettlementInstruction, action: str) -> None:
        if record.status == "UNAFFIRMED" or (record.status == "PENDING_SETTLEMENT" and not record.with_affirmation):
            return
        held = (" Once affirmed, only holdBeforeSettlement may change, until it settles."
                if action == "Change ISI" and record.status == "PENDING_SETTLEMENT" else "")
        raise DomainError(
            "ISI_STATE_CONFLICT",
            f"Received {action} for ISI {record.isi_id}, whose status is {record.status}"
            f"{' (affirmed)' if record.affirmed_at else ''}. Expected UNAFFIRMED, or PENDING_SETTLEMENT for an "
            f"ISI without affirmation.{held} Enquire ISI to see its current status.",
            status=409,
        )

    def _affirmable(self, investor_id: str, isi_id: str, action: str) -> InvestorSettlementInstruction:
        record = self._visible(investor_id, isi_id)
        if record.investor_id != investor_id:
            raise DomainError(
                "AFFIRMATION_NOT_ALLOWED",
                f"Received a request to {action} ISI {isi_id} from its owner {investor_id}. Expected the "
                f"investor {record.investor_id} to {action} it.",
                status=403,
            )
        if record.status != "UNAFFIRMED":
            raise DomainError(
                "ISI_STATE_CONFLICT",
                f"Received a request to {action} ISI {isi_id}, whose status is {record.status}. Expected UNAFFIRMED.",
                status=409,
            )
        return record

    def _visible(self, participant: str, isi_id: str) -> InvestorSettlementInstruction:
        record = self._isis.get(isi_id)
        if record is None or participant not in (record.owner, record.investor_id):
            # Same answer for "absent" and "someone else's": others' ISIs are not disclosed.
            raise DomainError(
                "ISI_NOT_FOUND",
                f"Received isiId={isi_id!r}. Expected the id of an ISI that participant {participant} input "
                "or is the investor of. Use Enquire ISI to list them.",
                status=404,
            )
        return record

    def _owned(self, owner: str, isi_id: str) -> InvestorSettlementInstruction:
        record = self._visible(owner, isi_id)
        if record.owner != owner:
            raise DomainError(
                "OWNER_NOT_ALLOWED",
                f"Received a change or cancel of ISI {isi_id} from its investor {owner}. Expected the "
                f"broker/custodian {record.owner} that input it.",
                status=403,
            )
        return record
