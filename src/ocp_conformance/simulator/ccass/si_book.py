"""The SI book: the Maintain SI functions of CCASS (input, change, hold, cancel, revoke, enquire, settle)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from typing import Final

from ._matching import MatchIndex, PairIndex, rank_candidates
from ._validation import CURRENCIES, check_matched_change, unknown_field, validate_si_input
from .clock import HKT, BusinessClock
from .errors import DomainError
from .ledger import Ledger
from .reference import ReferenceData
from .rules import DEFAULT_RULES, SiRules
from .settlement import SettleableIndex, SettlementRun, deliver_pair, settle_pair
from .si import (
    SI_INPUT_FIELDS,
    SettlementInstruction,
    Side,
    SiInput,
    SiRow,
    SiStatus,
    UnmatchedReport,
)

__all__ = ["SettlementRun", "SiBook", "SiFilter"]

_DELETED: Final[frozenset[str]] = frozenset({"CANCELLED", "REVOKED", "PURGED"})
_MATCHED_ACTIVE: Final[frozenset[str]] = frozenset({"MATCHED", "MATCHED_ON_HOLD"})
# [F] Revoke Matched SI works at matched, matched on-hold or shares on-hold (CCASS Terminal User Guide, SI
# Maintenance); Change Hold Matched SI and Change Matched/Settled SI do not at shares on-hold [M].
_REVOCABLE: Final[frozenset[str]] = _MATCHED_ACTIVE | {"SHARES_ON_HOLD"}
_SIDES: Final = frozenset({"DELIVER", "RECEIVE"})
_PAID: Final = frozenset({"DVP", "RDP"})
_CHANGE_MATCHED_STATUSES: Final[frozenset[str]] = frozenset(
    {"MATCHED", "MATCHED_ON_HOLD", "REVOKE_PENDING", "SETTLED"}
)


@dataclass(frozen=True, slots=True)
class SiFilter:
    """Criteria of Enquire SI; ``None`` means "any". All given criteria must hold."""

    status: SiStatus | None = None
    stock_code: str | None = None
    settlement_date: date | None = None
    counterparty_id: str | None = None
    own_reference: str | None = None
    side: Side | None = None

    def accepts(self, si: SettlementInstruction) -> bool:
        """True if ``si`` meets every criterion (deleted SIs only when :attr:`status` asks for them)."""
        if self.status is None:
            if si.status in _DELETED:
                return False
        elif si.status != self.status:
            return False
        return (
            (self.stock_code is None or si.stock_code == self.stock_code)
            and (self.settlement_date is None or si.settlement_date == self.settlement_date)
            and (self.counterparty_id is None or si.counterparty_id == self.counterparty_id)
            and (self.own_reference is None or si.own_reference == self.own_reference)
            and (self.side is None or si.side == self.side)
        )


def _conflict(si: SettlementInstruction, action: str, allowed: Iterable[str]) -> DomainError:
    return DomainError(
        "SI_STATE_CONFLICT",
        f"Received {action} for SI {si.si_id}, whose status is {si.status}. Expected status "
        f"{' or '.join(sorted(allowed))}. Enquire the SI to see its current status.",
        status=409,
    )


class SiBook:
    """Every SI of every participant, with O(1) matching and settlement that touches only due pairs.

    Participants only ever see their own SIs: looking up someone else's SI answers SI_NOT_FOUND, exactly as
    for an id that does not exist. Returned SIs are copies.

    Matching is scheduled (the clock's :data:`.clock.MATCHING_SCHEDULE`): an SI input or changed before the first
    matching of the business day (10:00) stays UNMATCHED and waits; :meth:`run_matching`, at each scheduled
    matching, matches every waiting SI in input order; from then on an SI is matched as soon as it is input or
    changed.

    RDP pairs (issue 17 correction 6) never settle in a batch run: [F] they settle in real time, pair by pair, on
    a settlement day until the RDP cut-off (:data:`.clock.RDP_CUTOFF`, 13:30). At each processing point (a pair
    matched or released from hold, the business clock moving: :meth:`process_rdp`) a due MATCHED pair whose
    deliverer has the shares available puts them on hold (both SIs SHARES_ON_HOLD); [M] the receiver's CHATS
    payment is confirmed :data:`.clock.RDP_PAYMENT_DELAY` later, and the pair then settles as a DVP pair does.
    [M] A failed payment (:meth:`fail_rdp_payment`) or a pair still on hold at the cut-off is unwound: the shares
    return to the deliverer and the pair is MATCHED again, not processed again before the next settlement day.

    Example:
        >>> from ocp_conformance.simulator.ccass import Simulation, SiInput
        >>> sim = Simulation()
        >>> day = sim.clock.today
        >>> a = sim.si_book.input_si("B01234", SiInput("DELIVER", "B05678", "00700", 500, day, "FOP"))
        >>> b = sim.si_book.input_si("B05678", SiInput("RECEIVE", "B01234", "00700", 500, day, "FOP"))
        >>> b.status, b.match_id == sim.si_book.get("B01234", a.si_id).match_id
        ('MATCHED', True)
    """

    def __init__(self, *, reference: ReferenceData, ledger: Ledger, clock: BusinessClock,
                 rules: SiRules = DEFAULT_RULES) -> None:
        self._rules = rules
        self._reference = reference
        self._ledger = ledger
        self._clock = clock
        self._sis: dict[str, SettlementInstruction] = {}
        # SI ids are allocated in order, so each owner's list is already sorted by si_id.
        self._by_owner: dict[str, list[str]] = {}
        self._match_index = MatchIndex(rules.match_key)
        self._pair_index = PairIndex()
        self._unmatched_by_date: dict[date, dict[str, None]] = {}
        # UNMATCHED SIs input or changed before the day's continuous matching, in that order (an ordered set);
        # they are not in the match index until a matching takes them.
        self._awaiting: dict[str, None] = {}
        self._pairs: dict[str, tuple[str, str]] = {}  # match id -> (deliver SI id, receive SI id)
        self._settleable = SettleableIndex()
        # RDP pairs: MATCHED and waiting to be processed in real time (never in a batch run); on hold since when
        # (in hold order); unwound on which settlement day (not held again that day).
        self._rdp_due = SettleableIndex()
        self._rdp_held: dict[str, datetime] = {}
        self._rdp_unwound: dict[str, date] = {}
        self._si_seq = 0
        self._match_seq = 0
        self._run_seq = 0

    def __len__(self) -> int:
        return len(self._sis)

    # ---------------------------------------------------------------- Maintain SI
    def input_si(self, owner: str, si: SiInput) -> SettlementInstruction:
        """Input SI: validate, store as UNMATCHED and match against the counterparty's SIs, at once if the day's
        continuous matching has started, else at the next scheduled matching (:meth:`run_matching`).

        Raises:
            DomainError: a validation rule fails (see :mod:`.errors` for the codes).
        """
        clock = self._clock
        validate_si_input(owner, si, reference=self._reference, calendar=clock.calendar, today=clock.today)
        now = clock.now
        self._si_seq += 1
        si_id = f"SI{self._si_seq:010d}"
        record = SettlementInstruction(
            si_id=si_id, owner=owner, created_at=now, updated_at=now,
            **{name: getattr(si, name) for name in SI_INPUT_FIELDS},
        )
        self._sis[si_id] = record
        owned = self._by_owner.get(owner)
        if owned is None:
            self._by_owner[owner] = [si_id]
        else:
            owned.append(si_id)
        self._enter(record)
        return copy(record)

    def input_rows(self, owner: str, rows: Sequence[SiRow], start: int = 0) -> list[str]:
        """Input SI for ``rows[start:]`` in order, as :meth:`input_si` would, while each row plainly passes its
        validation; stop before the first row that does not. Returns the ids of the SIs input, one per row.

        The bulk path of RAP uploads: a row is checked against what its values need (known counterparty,
        stock, account and settlement day, each looked up once per call; the payment rule) and, if it passes,
        stored and matched exactly as :meth:`input_si` stores and matches it, with no copy made. The row it
        stops at may still be valid: input it with :meth:`input_si`, which says why if it is not, then call
        again after it. Ids, statuses, matching and times are the same as one :meth:`input_si` per row (rows
        input before the first matching wait for it, like SIs input by :meth:`input_si`).
        """
        reference, clock = self._reference, self._clock
        participant = reference.participant(owner)
        if participant is None:
            return []
        self._catch_up()
        accounts, today, calendar, now = participant.stock_accounts, clock.today, clock.calendar, clock.now
        parties: dict[object, bool] = {}
        stocks: dict[object, bool] = {}
        days: dict[object, bool] = {}
        sis = self._sis
        owned = self._by_owner.get(owner)
        if owned is None:
            owned = self._by_owner[owner] = []
        # The clock does not move during the call: decide once whether rows match at once or wait.
        match_or_queue = self._match_or_queue if clock.matching_continuous() else self._await_matching
        ids: list[str] = []
        for row in islice(rows, start, None):
            side, counterparty, stock, quantity, day, payment, amount, currency, account, own_reference = row
            party_ok = parties.get(counterparty)
            if party_ok is None:
                party_ok = parties[counterparty] = (type(counterparty) is str and counterparty != owner
                                                    and reference.participant(counterparty) is not None)
            stock_ok = stocks.get(stock)
            if stock_ok is None:
                stock_ok = stocks[stock] = type(stock) is str and reference.stock(stock) is not None
            day_ok = days.get(day)
            if day_ok is None:
                day_ok = days[day] = (type(day) is date and day >= today and calendar.is_settlement_day(day))
            if not (party_ok and stock_ok and day_ok and side in _SIDES and type(quantity) is int and quantity > 0
                    and type(account) is str and account in accounts
                    and (own_reference is None or type(own_reference) is str)
                    and (amount is None and currency is None if payment == "FOP" else
                         payment in _PAID and type(amount) is Decimal and amount.is_finite() and amount > 0
                         and currency in CURRENCIES)):
                break
            self._si_seq += 1
            si_id = f"SI{self._si_seq:010d}"
            record = SettlementInstruction(side, counterparty, stock, quantity, day, payment, amount, currency,
                                           account, own_reference, si_id=si_id, owner=owner, created_at=now,
                                           updated_at=now)
            sis[si_id] = record
            owned.append(si_id)
            match_or_queue(record)
            ids.append(si_id)
        return ids

    def change_si(self, owner: str, si_id: str, changes: Mapping[str, object]) -> SettlementInstruction:
        """Change SI: amend any :class:`SiInput` field (snake_case keys) of an UNMATCHED SI, then re-match (at once
        or at the next scheduled matching, as :meth:`input_si`); a changed SI goes behind the SIs waiting before."""
        record = self._owned(owner, si_id)
        if record.status != "UNMATCHED":
            raise _conflict(record, "Change SI", ["UNMATCHED"])
        updated = record.to_input()
        for key, value in changes.items():
            if key not in SI_INPUT_FIELDS:
                raise unknown_field(key, SI_INPUT_FIELDS)
            setattr(updated, key, value)
        clock = self._clock
        validate_si_input(
            owner, updated, reference=self._reference, calendar=clock.calendar, today=clock.today
        )
        # Unindex with the old values before they are overwritten (the indexes are keyed on them).
        self._unqueue(record)
        for key in SI_INPUT_FIELDS:
            setattr(record, key, getattr(updated, key))
        record.updated_at = clock.now
        self._enter(record)
        return copy(record)

    def cancel_si(self, owner: str, si_id: str) -> SettlementInstruction:
        """Cancel SI: delete an UNMATCHED SI (status CANCELLED)."""
        record = self._owned(owner, si_id)
        if record.status != "UNMATCHED":
            raise _conflict(record, "Cancel SI", ["UNMATCHED"])
        self._unqueue(record)
        record.status = "CANCELLED"
        record.deleted_at = record.updated_at = self._clock.now
        return copy(record)

    def set_hold(self, owner: str, si_id: str, hold: bool) -> SettlementInstruction:
        """Change Hold Matched SI: set or release the owner's own hold flag on a matched pair.

        The pair is MATCHED_ON_HOLD while either party's flag is set, MATCHED (eligible to settle) otherwise.
        """
        record = self._owned(owner, si_id)
        if record.status not in _MATCHED_ACTIVE:
            raise _conflict(record, "Change Hold Matched SI", _MATCHED_ACTIVE)
        if not isinstance(hold, bool):
            raise DomainError(
                "FIELD_INVALID", f"Received hold={hold!r}. Expected true or false.", pointer="/hold"
            )
        other = self._counterpart(record)
        record.hold = hold
        status: SiStatus = "MATCHED_ON_HOLD" if record.hold or other.hold else "MATCHED"
        now = self._clock.now
        for si in (record, other):
            si.status = status
            si.updated_at = now
        match_id = self._match_id(record)
        if status in self._rules.settleable_statuses:
            self._eligible(match_id, record)  # released: a processing point for an RDP pair
        else:
            self._settleable.discard(match_id)
            self._rdp_due.discard(match_id)
        return copy(record)

    def revoke(self, owner: str, si_id: str) -> SettlementInstruction:
        """Revoke Matched SI: the first party's request makes the pair REVOKE_PENDING, the other's REVOKED.

        At SHARES_ON_HOLD [M] the first request stops the RDP payment (the pair does not settle); the shares stay on
        hold until the pair is REVOKED, or the day's RDP cut-off, and then return to the deliverer.
        """
        record = self._owned(owner, si_id)
        if record.status not in _REVOCABLE and record.status != "REVOKE_PENDING":
            raise _conflict(record, "Revoke Matched SI", {*_REVOCABLE, "REVOKE_PENDING"})
        if record.revocation_requested_by_owner:
            raise DomainError(
                "REVOCATION_ALREADY_REQUESTED",
                f"Received a second Revoke Matched SI from {owner} for SI {si_id}. Expected the counterparty "
                f"{record.counterparty_id} to request revocation of its SI; until then the pair stays "
                "REVOKE_PENDING.",
                status=409,
            )
        other = self._counterpart(record)
        record.revocation_requested_by_owner = True
        other.revocation_requested_by_counterparty = True
        now = self._clock.now
        both_asked = other.revocation_requested_by_owner
        for si in (record, other):
            si.status = "REVOKED" if both_asked else "REVOKE_PENDING"
            si.updated_at = now
            if both_asked:
                si.deleted_at = now
        match_id = self._match_id(record)
        self._settleable.discard(match_id)
        self._rdp_due.discard(match_id)
        if both_asked and match_id in self._rdp_held:
            self._release_rdp_shares(match_id)
        return copy(record)

    def change_matched(self, owner: str, si_id: str, changes: Mapping[str, object]) -> SettlementInstruction:
        """Change Matched/Settled SI: amend non-matching attributes without unmatching.

        Allowed keys: ``own_reference`` and ``narrative`` (matched, on hold, revoke pending or settled), and
        ``stock_account`` and ``exclude_from_batch`` (not once SETTLED: SETTLED_SI_FIELD_LOCKED).
        """
        record = self._owned(owner, si_id)
        if record.status not in _CHANGE_MATCHED_STATUSES:
            raise _conflict(record, "Change Matched/Settled SI", _CHANGE_MATCHED_STATUSES)
        for key, value in changes.items():
            check_matched_change(record, key, value, reference=self._reference)
        for key, value in changes.items():
            setattr(record, key, value)
        record.updated_at = self._clock.now
        return copy(record)

    # ---------------------------------------------------------------- Enquiries
    def get(self, owner: str, si_id: str) -> SettlementInstruction:
        """The SI ``si_id`` if ``owner`` input it, else SI_NOT_FOUND (404)."""
        return copy(self._owned(owner, si_id))

    def enquire(self, owner: str, flt: SiFilter) -> list[SettlementInstruction]:
        """Enquire SI: ``owner``'s SIs meeting ``flt``, by si_id; deleted ones only if ``flt.status`` asks."""
        sis = self._sis
        return [copy(si) for si in (sis[i] for i in self._by_owner.get(owner, ())) if flt.accepts(si)]

    def unmatched_reasons(self, owner: str, si_id: str) -> UnmatchedReport:
        """Enquire SI Unmatched Reason: the closest counterparty SIs and how they differ (codes DELN…NCRR).

        Candidates are the counterparty's unmatched SIs naming ``owner``; their ids and references stay
        private. With no candidate the reason is CMIS (no counter-instruction).
        """
        record = self._owned(owner, si_id)
        if record.status != "UNMATCHED":
            raise _conflict(record, "Enquire SI Unmatched Reason", ["UNMATCHED"])
        others = [self._sis[i] for i in self._pair_index.naming(owner, record.counterparty_id)]
        candidates = rank_candidates(record, others)
        if not candidates or not candidates[0].differences:
            return UnmatchedReport(si_id, record.status, "CMIS", ())
        return UnmatchedReport(si_id, record.status, candidates[0].differences[0].code, candidates)

    def deleted_today(self, owner: str) -> list[SettlementInstruction]:
        """Enquire Deleted SI: ``owner``'s SIs cancelled, revoked or purged on the current business date."""
        clock = self._clock
        today = clock.today
        found: list[SettlementInstruction] = []
        for si_id in self._by_owner.get(owner, ()):
            si = self._sis[si_id]
            if (
                si.status in _DELETED
                and si.deleted_at is not None
                and clock.business_date_of(si.deleted_at) == today
            ):
                found.append(copy(si))
        return found

    # ---------------------------------------------------------------- Scheduled processing
    def run_matching(self) -> int:
        """A scheduled matching: match every SI waiting for it, in the order they were input (or changed), as
        though each were input now. Returns the number of pairs it matched."""
        awaiting = self._awaiting
        if not awaiting:
            return 0
        self._awaiting = {}
        sis = self._sis
        before = self._match_seq
        for si_id in awaiting:
            record = sis[si_id]
            if record.status != "UNMATCHED":  # matched above, as the counterpart of an SI awaiting before it
                continue
            self._unqueue(record)  # re-entered below, at the back of the input order like a new input
            self._match_or_queue(record)
        return self._match_seq - before

    def awaiting_matching(self) -> int:
        """How many UNMATCHED SIs wait for the next scheduled matching."""
        return len(self._awaiting)

    def run_batch_settlement(self) -> SettlementRun:
        """Run one batch settlement over the MATCHED pairs due by the business date, in match order.

        Pairs excluded from batch runs by either party are skipped; pairs short of stock stay MATCHED with a
        LACK failure recorded on both SIs. RDP pairs are not in it: they settle in real time (:meth:`process_rdp`).
        """
        self._catch_up()
        self._run_seq += 1
        run_id = f"R{self._run_seq:08d}"
        at = self._clock.now
        settled: list[str] = []
        failed: list[tuple[str, str]] = []
        sis, pairs, ledger = self._sis, self._pairs, self._ledger
        for match_id in self._settleable.due(self._clock.today):
            deliver_id, receive_id = pairs[match_id]
            deliver_si, receive_si = sis[deliver_id], sis[receive_id]
            if deliver_si.exclude_from_batch or receive_si.exclude_from_batch or not self._settles_today(deliver_si):
                continue
            reason = settle_pair(deliver_si, receive_si, ledger=ledger, run_id=run_id, at=at)
            if reason is None:
                settled.append(match_id)
                self._settleable.discard(match_id)
            else:
                failed.append((match_id, reason))
        return SettlementRun(run_id, at, tuple(settled), tuple(failed))

    def process_rdp(self) -> None:
        """A processing point of RDP pairs, at the clock's time (the simulation calls it whenever the clock moves).

        A pair on hold settles if its payment was confirmed (:meth:`next_rdp_moment`) by now and by the cut-off of
        the day its shares went on hold; one still on hold at that cut-off is unwound. Then, on a settlement day
        before the cut-off, every MATCHED RDP pair due by the business date is put on hold if its deliverer has
        the shares available (else it stays MATCHED, retried at the next processing point).
        """
        clock = self._clock
        now, delay = clock.now, clock.rdp_payment_delay
        for match_id, held_at in list(self._rdp_held.items()):
            paid_at, cutoff = held_at + delay, clock.rdp_cutoff_on(held_at.date())
            deliver_id, _ = self._pairs[match_id]
            if paid_at <= now and paid_at <= cutoff and self._sis[deliver_id].status == "SHARES_ON_HOLD":
                self._settle_rdp(match_id)
            elif now >= cutoff:
                self._unwind_rdp(match_id)
        if clock.rdp_open():
            for match_id in self._rdp_due.due(clock.today):
                self._hold_rdp(match_id)

    def next_rdp_moment(self) -> datetime | None:
        """The next time :meth:`process_rdp` has something to do for a pair on hold: its payment confirmed
        (:data:`.clock.RDP_PAYMENT_DELAY` after its shares went on hold) or, if earlier or the payment was stopped by a
        revocation request, the day's RDP cut-off; ``None`` with no pair on hold."""
        clock, sis, pairs = self._clock, self._sis, self._pairs
        delay = clock.rdp_payment_delay
        moments = []
        for match_id, held_at in self._rdp_held.items():
            cutoff = clock.rdp_cutoff_on(held_at.date())
            paying = sis[pairs[match_id][0]].status == "SHARES_ON_HOLD"  # not once a revocation stopped it
            moments.append(min(held_at + delay, cutoff) if paying else cutoff)
        return min(moments, default=None)

    def fail_rdp_payment(self, si_id: str) -> SettlementInstruction:
        """Simulator control: the receiver's CHATS payment of the SHARES_ON_HOLD pair of ``si_id`` fails. [M] The
        pair is unwound: the shares on hold return to the deliverer, both SIs are MATCHED again, and the pair is not
        processed again before the next settlement day.

        Raises:
            DomainError: SI_NOT_FOUND (404) for an unknown SI; SI_STATE_CONFLICT (409) unless it is SHARES_ON_HOLD.
        """
        record = self._sis.get(si_id)
        if record is None:
            raise DomainError("SI_NOT_FOUND", f"Received siId={si_id!r}. Expected the id of an SI in the book.",
                              status=404)
        if record.status != "SHARES_ON_HOLD":
            raise _conflict(record, "an RDP payment failure", ["SHARES_ON_HOLD"])
        self._unwind_rdp(self._match_id(record))
        return copy(record)

    def on_day_end(self, day: date) -> None:
        """Day end: purge UNMATCHED SIs with settlement date on or before ``day`` (status PURGED)."""
        now = self._clock.now
        deleted_at = now if now.date() == day else datetime.combine(day, time(23, 59, 59), HKT)
        for settlement_date in [d for d in self._unmatched_by_date if d <= day]:
            for si_id in list(self._unmatched_by_date[settlement_date]):
                record = self._sis[si_id]
                self._unqueue(record)
                record.status = "PURGED"
                record.deleted_at = record.updated_at = deleted_at

    # ---------------------------------------------------------------- internals
    def _owned(self, owner: str, si_id: str) -> SettlementInstruction:
        record = self._sis.get(si_id)
        if record is None or record.owner != owner:
            # Same answer for "absent" and "someone else's": existence of others' SIs is not disclosed.
            raise DomainError(
                "SI_NOT_FOUND",
                f"Received siId={si_id!r}. Expected the id of an SI input by participant {owner}. "
                "Use Enquire SI to list your SIs.",
                status=404,
            )
        return record

    def _enter(self, record: SettlementInstruction) -> None:
        """Match ``record`` at once if the day's continuous matching has started, else let it wait."""
        if self._clock.matching_continuous():
            self._catch_up()
            self._match_or_queue(record)
        else:
            self._await_matching(record)

    def _catch_up(self) -> None:
        """Match the SIs still waiting when continuous matching has started but no scheduled matching took them
        (the clock moved on without :meth:`run_matching`, e.g. advanced alone), before anything newer."""
        if self._awaiting and self._clock.matching_continuous():
            self.run_matching()

    def _await_matching(self, record: SettlementInstruction) -> None:
        """Keep ``record`` UNMATCHED until the next scheduled matching (enquirable, purgeable, not matchable)."""
        self._pair_index.add(record)
        self._index_unmatched(record)
        self._awaiting[record.si_id] = None

    def _index_unmatched(self, record: SettlementInstruction) -> None:
        ids = self._unmatched_by_date.get(record.settlement_date)
        if ids is None:  # not setdefault: no throwaway dict per SI
            ids = self._unmatched_by_date[record.settlement_date] = {}
        ids[record.si_id] = None

    def _match_or_queue(self, record: SettlementInstruction) -> None:
        other_id = self._match_index.take_or_add(record)
        if other_id is None:
            self._pair_index.add(record)
            ids = self._unmatched_by_date.get(record.settlement_date)
            if ids is None:  # not setdefault: no throwaway dict per SI
                ids = self._unmatched_by_date[record.settlement_date] = {}
            ids[record.si_id] = None
            return
        other = self._sis[other_id]
        self._unqueue(other)
        self._match_seq += 1
        match_id = f"M{self._match_seq:010d}"
        status: SiStatus = "MATCHED_ON_HOLD" if record.hold or other.hold else "MATCHED"
        now = self._clock.now
        for si in (record, other):
            si.status = status
            si.match_id = match_id
            si.matched_at = si.updated_at = now
        pair = (record.si_id, other.si_id) if record.side == "DELIVER" else (other.si_id, record.si_id)
        self._pairs[match_id] = pair
        if status in self._rules.settleable_statuses:
            self._eligible(match_id, record)  # matched: a processing point for an RDP pair

    def _eligible(self, match_id: str, record: SettlementInstruction) -> None:
        """Make the pair ``match_id`` (of ``record``) eligible to settle: in the batch runs, or for an RDP pair in
        real time, processed at once (a processing point)."""
        if record.payment_type == "RDP" and self._rules.rdp_real_time:
            self._rdp_due.add(match_id, record.settlement_date)
            clock = self._clock
            if clock.rdp_open() and record.settlement_date <= clock.today:
                self._hold_rdp(match_id)
        else:
            self._settleable.add(match_id, record.settlement_date)

    def _hold_rdp(self, match_id: str) -> None:
        """Put the shares of the due RDP pair ``match_id`` on hold (SHARES_ON_HOLD) if the deliverer has them."""
        now = self._clock.now
        unwound_on = self._rdp_unwound.get(match_id)
        if unwound_on is not None:
            if unwound_on == now.date():
                return  # [M] its payment failed today: not processed again before the next settlement day
            del self._rdp_unwound[match_id]
        deliver_id, receive_id = self._pairs[match_id]
        deliver_si, receive_si = self._sis[deliver_id], self._sis[receive_id]
        if not self._settles_today(deliver_si):
            return  # stays MATCHED: processed on its market's next settlement day
        ledger = self._ledger
        owner, account, stock = deliver_si.owner, deliver_si.stock_account, deliver_si.stock_code
        if ledger.available(owner, account, stock) < deliver_si.quantity:
            return  # stays MATCHED: retried at the next processing point
        ledger.hold(owner, account, stock, deliver_si.quantity, _rdp_hold_reference(match_id))
        self._rdp_due.discard(match_id)
        self._rdp_held[match_id] = now
        for si in (deliver_si, receive_si):
            si.status = "SHARES_ON_HOLD"
            si.updated_at = now

    def _settles_today(self, si: SettlementInstruction) -> bool:
        """True if ``si``'s security settles on the business date: [F] a China Connect security settles only on a
        China Connect settlement day (:meth:`TradingCalendar.for_market`), so an overdue pair of one waits over a
        mainland holiday on which Hong Kong settles."""
        clock, stock = self._clock, self._reference.stock(si.stock_code)
        return stock is None or clock.calendar.for_market(stock.market).is_settlement_day(clock.today)

    def _settle_rdp(self, match_id: str) -> None:
        """The receiver's payment is confirmed: release the shares on hold and settle the pair as a DVP pair."""
        self._release_rdp_shares(match_id)
        deliver_id, receive_id = self._pairs[match_id]
        deliver_pair(self._sis[deliver_id], self._sis[receive_id], ledger=self._ledger, run_id=None,
                     at=self._clock.now)

    def _unwind_rdp(self, match_id: str) -> None:
        """Unwind the pair on hold ``match_id``: the shares return to the deliverer; a SHARES_ON_HOLD pair is
        MATCHED again from the next settlement day (a REVOKE_PENDING one stays so)."""
        self._release_rdp_shares(match_id)
        deliver_id, receive_id = self._pairs[match_id]
        deliver_si, receive_si = self._sis[deliver_id], self._sis[receive_id]
        if deliver_si.status != "SHARES_ON_HOLD":
            return
        now = self._clock.now
        for si in (deliver_si, receive_si):
            si.status = "MATCHED"
            si.updated_at = now
        self._rdp_unwound[match_id] = now.date()
        self._rdp_due.add(match_id, deliver_si.settlement_date)

    def _release_rdp_shares(self, match_id: str) -> None:
        del self._rdp_held[match_id]
        self._ledger.release(_rdp_hold_reference(match_id))

    def _unqueue(self, record: SettlementInstruction) -> None:
        self._awaiting.pop(record.si_id, None)
        self._match_index.remove(record.si_id)
        self._pair_index.remove(record)
        ids = self._unmatched_by_date.get(record.settlement_date)
        if ids is not None:
            ids.pop(record.si_id, None)
            if not ids:
                del self._unmatched_by_date[record.settlement_date]

    def _match_id(self, record: SettlementInstruction) -> str:
        assert record.match_id is not None, "only matched SIs have a pair"
        return record.match_id

    def _counterpart(self, record: SettlementInstruction) -> SettlementInstruction:
        deliver_id, receive_id = self._pairs[self._match_id(record)]
        return self._sis[receive_id if deliver_id == record.si_id else deliver_id]


def _rdp_hold_reference(match_id: str) -> str:
    """The ledger hold reference of the shares on hold of the RDP pair ``match_id``."""
    return f"RDP-{match_id}"
