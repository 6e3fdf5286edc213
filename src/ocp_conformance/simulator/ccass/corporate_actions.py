"""The corporate-action book: participants' instructions on CA events, with their earmarks and money.

[M] Entitlement: when an event is registered, the book records each participant's holding of the stock the
event's instructions quote, per stock account. That snapshot stands for the holding at the record date (demo
events are registered after theirs): for an election, a meeting or an open offer on the underlying, stock bought
later carries no entitlement. [F] A subscription quoting a rights or warrant code and a takeover offer are
different: nil-paid rights and warrants trade, and whoever holds them at the time may subscribe; a takeover offer
is accepted for the shares held when accepting ([IP-GUIDE] 3.2.1, contracts/SOURCES.md). There the entitlement is
what the account holds now (with the shares its live acceptances already moved out), so rights bought, or
deposited, after the record date entitle too (``CorporateActionEvent.entitled_by_holding_now``). An instruction
may take at most the entitlement net of the quantities already instructed on the event from the same account,
and at most what the account still has available.
[M] Accepting an instruction earmarks the quantity (a ledger hold under the instruction id: on hold, not
available, so it cannot be delivered away meanwhile); a subscription also debits quantity x price from the
participant's entitlements money sub-ledger. An excess application (EXCESS_RIGHTS, EXCESS_OPEN_OFFER) applies
for shares beyond the rights held: it needs an entitlement in the account but earmarks nothing and is not
counted against it. Change re-validates and re-earmarks; cancel releases the earmark and refunds the money.
What happens after the deadline (HKSCC Nominees' consolidated instruction to the issuer, the distribution of
the results) is not modelled: earmarks stay until cancelled.

[F] A takeover offer is accepted through a subscription instruction (kind TAKEOVER_OFFER) on the underlying.
[M] Accepting it moves the accepted shares out of the account at once (a ledger withdrawal, kind
CA_TAKEOVER_ACCEPTANCE: they are the offeror's to pay for) and credits the consideration, quantity x the offer
price, to the entitlements sub-ledger (kind CA_TAKEOVER_CONSIDERATION; in CCASS it is paid when the offeror
settles, which is not modelled). It is counted against the entitlement like an earmark; cancel moves the shares
back and reverses the consideration.

[F] A tender instruction tenders for a new issue, and its tender monies are paid, and the unsuccessful part
refunded, through CCASS money settlement. [M] It needs no holding or entitlement and earmarks nothing: it debits
quantity x its tender price from the entitlements sub-ledger (kind CA_TENDER); :meth:`CorporateActionBook.allot`,
after the CCASS deadline, allots the new issue at a cut-off price (tenders above it in full, at it pro rata,
below it nothing), credits the allotted units to the instruction's stock account (kind CA_TENDER_ALLOTMENT) and
refunds the tender monies of the unsuccessful part (kind CA_TENDER_REFUND). Successful tenders pay their own
tender price.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from datetime import time
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from ._ca_validation import check_details, check_tender_price, check_window, quantity_above_holding
from ._validation import check_stock_account
from .ca_events import DEFAULT_DAILY_CLOSE, EXCESS_OPTIONS, CorporateActionEvent
from .ca_instructions import Appointee, CaInstruction, Vote
from .clock import BusinessClock
from .errors import DomainError, did_you_mean
from .ledger import Ledger
from .reference import Participant, ReferenceData

__all__ = ["CA_MONEY_SUB_LEDGER", "CorporateActionBook"]

# [M] subscription, takeover and tender money moves in the entitlements sub-ledger of the participant's money
# position.
CA_MONEY_SUB_LEDGER: Final = "ENTITLEMENTS"


class CorporateActionBook:
    """CA events (seen by everyone) and CA instructions (each seen only by the participant that gave it).

    Args:
        reference: participants and their stock accounts.
        ledger: where instructions earmark stock (holds referenced by instruction id) and debit money.
        clock: simulated time, for the instruction window.
        daily_close: the time instruction input closes each business day [M].

    Example:
        >>> from ocp_conformance.simulator.ccass import Simulation
        >>> sim = Simulation()
        >>> book = sim.corporate_actions
        >>> first = book.instruct("B01234", "01", "CA2027000001", "00005", 400_000, option="SCRIP")
        >>> first.instruction_id, sim.ledger.balance("B01234", "01", "00005").on_hold
        ('CAI0000000001', 400000)
        >>> book.change("B01234", first.instruction_id, option="CASH", quantity=300_000).earmarked
        300000
        >>> book.cancel("B01234", first.instruction_id).status, sim.ledger.on_hold("B01234", "01", "00005")
        ('CANCELLED', 0)
    """

    def __init__(self, reference: ReferenceData, ledger: Ledger, clock: BusinessClock, *,
                 daily_close: time = DEFAULT_DAILY_CLOSE) -> None:
        self._reference = reference
        self._ledger = ledger
        self._clock = clock
        self._daily_close = daily_close
        self._events: dict[str, CorporateActionEvent] = {}
        # announcement id -> (participant, account) -> entitlement at registration
        self._entitlements: dict[str, dict[tuple[str, str], int]] = {}
        # (announcement id, participant, account) -> quantity earmarked by live instructions
        self._instructed: dict[tuple[str, str, str], int] = {}
        self._instructions: dict[str, CaInstruction] = {}
        self._by_participant: dict[str, list[str]] = {}  # ids in input order
        self._seq = 0

    @property
    def ledger(self) -> Ledger:
        """The ledger instructions earmark stock and debit money in."""
        return self._ledger

    def __len__(self) -> int:
        return len(self._instructions)

    # ---------------------------------------------------------------- events
    def register(self, event: CorporateActionEvent) -> CorporateActionEvent:
        """Announce ``event`` and record the entitlements: every account's holding of its instructing stock now.

        Raises:
            ValueError: an event with the same announcement id is already registered.
        """
        if event.announcement_id in self._events:
            raise ValueError(f"Received event {event.announcement_id}, which is already registered. "
                             "Expected a new announcement id.")
        stock = event.instructing_stock
        self._entitlements[event.announcement_id] = {
            (pid, account): held
            for pid, participant in self._reference.participants.items()
            for account in participant.stock_accounts
            if (held := self._ledger.holding(pid, account, stock)) > 0
        }
        self._events[event.announcement_id] = event
        return event

    def reschedule(self, event: CorporateActionEvent) -> CorporateActionEvent:
        """Replace the registered event of the same announcement id by ``event`` (new deadlines, say), keeping its
        entitlements and the instructions given on it.

        Raises:
            KeyError: no event with that announcement id is registered.
        """
        if event.announcement_id not in self._events:
            raise KeyError(event.announcement_id)
        self._events[event.announcement_id] = event
        return event

    def event(self, announcement_id: str) -> CorporateActionEvent:
        """The event ``announcement_id``.

        Raises:
            DomainError: UNKNOWN_EVENT (422).
        """
        found = self._events.get(announcement_id)
        if found is None:
            raise DomainError(
                "UNKNOWN_EVENT",
                f"Received announcementId {announcement_id!r}, which is not a corporate-action event open to "
                "CCASS instructions. Expected one of the announced events."
                f"{did_you_mean(announcement_id, self._events)}",
                pointer="/announcementId",
            )
        return found

    def events(self, stock_code: str | None = None) -> list[CorporateActionEvent]:
        """Every registered event (of ``stock_code``, the underlying, if given), by announcement id."""
        return [e for _, e in sorted(self._events.items()) if stock_code in (None, e.stock_code)]

    def entitlement(self, participant: str, account: str, announcement_id: str) -> int:
        """Shares of ``participant``'s ``account`` entitled on the event (0 if none), see the module docs."""
        return self._entitled(self.event(announcement_id), participant, account)

    def instructed(self, participant: str, account: str, announcement_id: str) -> int:
        """Shares of the entitlement taken by ``participant``'s live instructions from ``account``."""
        return self._instructed.get((announcement_id, participant, account), 0)

    def available_to_instruct(self, participant: str, account: str, announcement_id: str) -> int:
        """What one more instruction may take: the entitlement net of live instructions, capped by the
        account's available balance of the instructing stock."""
        event = self.event(announcement_id)
        left = self._entitled(event, participant, account) - self.instructed(participant, account, announcement_id)
        return max(0, min(left, self._ledger.available(participant, account, event.instructing_stock)))

    # ---------------------------------------------------------------- instructions
    def instruct(self, participant: str, account: str, announcement_id: str, stock_code: str, quantity: int, *,
                 option: str | None = None, votes: Mapping[int, Vote] | None = None,
                 appointee: Appointee | None = None, client_reference: str | None = None,
                 tender_price: Decimal | None = None) -> CaInstruction:
        """Give an instruction on an event from one stock account; on acceptance earmark (takeover acceptances:
        move the shares out) and move its money (see the module docs).

        Raises:
            DomainError: PARTICIPANT_UNKNOWN, STOCK_ACCOUNT_UNKNOWN, UNKNOWN_EVENT, AFTER_DEADLINE,
                WINDOW_NOT_OPEN, STOCK_MISMATCH, QUANTITY_INVALID, OPTION_INVALID, FIELD_NOT_ALLOWED,
                APPOINTEE_REQUIRED, VOTES_REQUIRED, RESOLUTION_UNKNOWN, VOTE_INVALID, VOTES_ABOVE_QUANTITY,
                TENDER_PRICE_INVALID, NOT_ENTITLED or QUANTITY_ABOVE_HOLDING (all 422); nothing is stored, held,
                moved or posted.
        """
        check_stock_account(self._participant(participant), account)
        event = self.event(announcement_id)
        check_window(event, self._clock.now, self._clock.calendar, self._daily_close)
        votes = check_details(event, stock_code, quantity, option, votes, appointee)
        tender_price = check_tender_price(event, tender_price)
        self._check_quantity(event, participant, account, quantity, option, released=0)
        now = self._clock.now
        self._seq += 1
        record = CaInstruction(f"CAI{self._seq:010d}", participant, account, announcement_id, event.event_type,
                               stock_code, quantity, option, votes, appointee, client_reference, "ACCEPTED", now, now,
                               tender_price=tender_price)
        self._apply(event, record)
        self._instructions[record.instruction_id] = record
        self._by_participant.setdefault(participant, []).append(record.instruction_id)
        return copy(record)

    def change(self, participant: str, instruction_id: str, *, quantity: int | None = None,
               option: str | None = None, votes: Mapping[int, Vote] | None = None,
               appointee: Appointee | None = None, client_reference: str | None = None,
               tender_price: Decimal | None = None) -> CaInstruction:
        """Change a live instruction while the window is open: each field given (not ``None``) replaces the old
        one, the whole is re-validated as at input (against the holding as if this instruction's earmark were
        released), and the earmark and money follow the new quantity and option. Account, event and stock
        cannot change: cancel and instruct anew.

        Raises:
            DomainError: CA_INSTRUCTION_NOT_FOUND (404), CA_INSTRUCTION_CANCELLED (409), or any code of
                :meth:`instruct`; the instruction is then unchanged.
        """
        record = self._live(participant, instruction_id, "change")
        event = self._events[record.announcement_id]
        check_window(event, self._clock.now, self._clock.calendar, self._daily_close)
        new_quantity = record.quantity if quantity is None else quantity
        new_option = record.option if option is None else option
        new_appointee = record.appointee if appointee is None else appointee
        new_votes = check_details(event, record.stock_code, new_quantity, new_option,
                                  record.votes if votes is None else votes, new_appointee)
        new_price = check_tender_price(event, record.tender_price if tender_price is None else tender_price)
        self._check_quantity(event, participant, record.account, new_quantity, new_option,
                             released=record.earmarked + record.delivered)
        self._undo(event, record)
        record.quantity, record.option, record.votes, record.appointee = (new_quantity, new_option, new_votes,
                                                                          new_appointee)
        record.tender_price = new_price
        if client_reference is not None:
            record.client_reference = client_reference
        record.updated_at = self._clock.now
        self._apply(event, record)
        return copy(record)

    def cancel(self, participant: str, instruction_id: str) -> CaInstruction:
        """Cancel a live instruction while the window is open: release its earmark (or move a takeover
        acceptance's shares back) and reverse its money.

        Raises:
            DomainError: CA_INSTRUCTION_NOT_FOUND (404), CA_INSTRUCTION_CANCELLED (409), AFTER_DEADLINE or
                WINDOW_NOT_OPEN (422).
        """
        record = self._live(participant, instruction_id, "cancel")
        event = self._events[record.announcement_id]
        check_window(event, self._clock.now, self._clock.calendar, self._daily_close)
        self._undo(event, record)
        record.status = "CANCELLED"
        record.updated_at = self._clock.now
        return copy(record)

    def get(self, participant: str, instruction_id: str) -> CaInstruction:
        """The instruction ``instruction_id`` if ``participant`` gave it, else CA_INSTRUCTION_NOT_FOUND (404)."""
        return copy(self._owned(participant, instruction_id))

    def instructions_of(self, participant: str, announcement_id: str | None = None) -> list[CaInstruction]:
        """Enquiry: ``participant``'s instructions (live and cancelled) in input order, of one event if given."""
        records = (self._instructions[i] for i in self._by_participant.get(participant, ()))
        return [copy(r) for r in records if announcement_id in (None, r.announcement_id)]

    # ---------------------------------------------------------------- tender allotment
    def allot(self, announcement_id: str, cut_off_price: Decimal, *,
              ratio_at_cut_off: Decimal = Decimal(1)) -> list[CaInstruction]:
        """Allot a TENDER's new issue once its CCASS deadline has passed [M]: each live instruction not yet allotted
        tendering above ``cut_off_price`` is allotted its quantity, at it ``ratio_at_cut_off`` of it (rounded down to
        whole units), below it nothing; the allotted units are credited to its stock account and the tender
        monies of the rest refunded to the entitlements sub-ledger. Returns the instructions allotted, in order.

        Raises:
            DomainError: UNKNOWN_EVENT (422), EVENT_TYPE_MISMATCH (422) if the event is no TENDER,
                TENDER_NOT_CLOSED (409) before its CCASS deadline.
            ValueError: ``ratio_at_cut_off`` is not between 0 and 1.
        """
        event = self.event(announcement_id)
        if event.event_type != "TENDER":
            raise DomainError("EVENT_TYPE_MISMATCH", f"Received an allotment of {announcement_id}, a "
                              f"{event.event_type} event. Expected a TENDER event.", pointer="/announcementId")
        now = self._clock.now
        if now < event.ccass_deadline:
            raise DomainError("TENDER_NOT_CLOSED", f"Received an allotment of {announcement_id} at "
                              f"{now:%Y-%m-%d %H:%M}. Expected it after the CCASS deadline "
                              f"{event.ccass_deadline:%Y-%m-%d %H:%M}, when no tender can change any more.",
                              status=409, pointer="/announcementId")
        if not Decimal(0) <= ratio_at_cut_off <= 1:
            raise ValueError(f"Received ratio_at_cut_off {ratio_at_cut_off}; expected a ratio from 0 to 1.")
        allotted = []
        for record in self._instructions.values():
            if record.announcement_id != announcement_id or record.status != "ACCEPTED" or record.allotted is not None:
                continue
            assert record.tender_price is not None and record.currency is not None
            if record.tender_price > cut_off_price:
                units = record.quantity
            elif record.tender_price == cut_off_price:
                units = int((record.quantity * ratio_at_cut_off).to_integral_value(rounding=ROUND_FLOOR))
            else:
                units = 0
            record.allotted, record.updated_at = units, now
            if units:
                self._ledger.deposit(record.participant, record.account, record.stock_code, units, at=now,
                                     kind="CA_TENDER_ALLOTMENT", reference=record.instruction_id)
            if units < record.quantity:
                self._ledger.post_money(record.participant, record.currency,
                                        record.tender_price * (record.quantity - units), stock=event.stock_code,
                                        at=now, kind="CA_TENDER_REFUND", reference=record.instruction_id,
                                        sub_ledger=CA_MONEY_SUB_LEDGER)
            allotted.append(copy(record))
        return allotted

    # ---------------------------------------------------------------- internals
    def _participant(self, participant: str) -> Participant:
        found = self._reference.participant(participant)
        if found is None:
            raise DomainError(
                "PARTICIPANT_UNKNOWN",
                f"Received an instruction on behalf of participant {participant!r}. Expected a participant on the "
                f"participant list.{did_you_mean(participant, self._reference.participants)}",
            )
        return found

    def _entitled(self, event: CorporateActionEvent, participant: str, account: str) -> int:
        """The entitlement of ``participant``'s ``account`` on ``event``: its record-date snapshot, or for an event
        entitled by the holding now, what the account holds (earmarks included) plus the shares its live takeover
        acceptances moved out (they were held when accepted)."""
        if not event.entitled_by_holding_now:
            return self._entitlements[event.announcement_id].get((participant, account), 0)
        held = self._ledger.holding(participant, account, event.instructing_stock)
        return held + (self.instructed(participant, account, event.announcement_id) if event.is_takeover else 0)

    def _check_quantity(self, event: CorporateActionEvent, participant: str, account: str, quantity: int,
                        option: object, *, released: int) -> None:
        if event.event_type == "TENDER":
            return  # a tender applies for a new issue: no holding, no entitlement
        entitled = self._entitled(event, participant, account)
        if option in EXCESS_OPTIONS:
            if entitled <= 0:
                when = "holds" if event.entitled_by_holding_now else "had at the record date"
                raise DomainError(
                    "NOT_ENTITLED",
                    f"Received an excess application ({option}) on {event.announcement_id} from {participant}-"
                    f"{account}, which {when} no {event.instructing_stock}. Expected an account "
                    "with an entitlement on the event.",
                    pointer="/stockAccount",
                )
            return
        left = entitled - self.instructed(participant, account, event.announcement_id) + released
        held = self._ledger.available(participant, account, event.instructing_stock) + released
        available = max(0, min(left, held))
        if quantity > available:
            raise quantity_above_holding(event, participant, account, quantity, available)

    def _apply(self, event: CorporateActionEvent, record: CaInstruction) -> None:
        """Earmark (or move out) and post the money of ``record`` as it now stands (validated: cannot fail)."""
        now = self._clock.now
        key = (record.announcement_id, record.participant, record.account)
        if event.is_takeover:
            self._ledger.withdraw(record.participant, record.account, record.stock_code, record.quantity, at=now,
                                  kind="CA_TAKEOVER_ACCEPTANCE", reference=record.instruction_id)
            record.delivered = record.quantity
            self._instructed[key] = self._instructed.get(key, 0) + record.quantity
        elif record.option not in EXCESS_OPTIONS and event.event_type != "TENDER":
            self._ledger.hold(record.participant, record.account, record.stock_code, record.quantity,
                              record.instruction_id)
            record.earmarked = record.quantity
            self._instructed[key] = self._instructed.get(key, 0) + record.quantity
        price = record.tender_price if event.event_type == "TENDER" else event.price
        if event.event_type in ("SUBSCRIPTION", "TENDER") and price is not None:
            record.amount = price * record.quantity
            record.currency = event.currency
            kind = ("CA_TAKEOVER_CONSIDERATION" if event.is_takeover
                    else "CA_TENDER" if event.event_type == "TENDER" else "CA_SUBSCRIPTION")
            self._ledger.post_money(record.participant, event.currency, record.money, stock=event.stock_code,
                                    at=now, kind=kind, reference=record.instruction_id,
                                    sub_ledger=CA_MONEY_SUB_LEDGER)

    def _undo(self, event: CorporateActionEvent, record: CaInstruction) -> None:
        """Release the earmark (or move the shares back) and reverse the money of ``record``."""
        taken = record.earmarked + record.delivered
        if record.earmarked:
            self._ledger.release(record.instruction_id)
        if record.delivered:
            self._ledger.deposit(record.participant, record.account, record.stock_code, record.delivered,
                                 at=self._clock.now, kind="CA_TAKEOVER_WITHDRAWN", reference=record.instruction_id)
        if taken:
            key = (record.announcement_id, record.participant, record.account)
            remaining = self._instructed[key] - taken
            if remaining:
                self._instructed[key] = remaining
            else:
                del self._instructed[key]
            record.earmarked = record.delivered = 0
        if record.amount is not None and record.currency is not None:
            kind = ("CA_TAKEOVER_CONSIDERATION_REVERSED" if event.is_takeover
                    else "CA_TENDER_REFUND" if event.event_type == "TENDER" else "CA_SUBSCRIPTION_REFUND")
            self._ledger.post_money(record.participant, record.currency, -record.money, stock=event.stock_code,
                                    at=self._clock.now, kind=kind, reference=record.instruction_id,
                                    sub_ledger=CA_MONEY_SUB_LEDGER)

    def _owned(self, participant: str, instruction_id: str) -> CaInstruction:
        record = self._instructions.get(instruction_id)
        if record is None or record.participant != participant:
            # Same answer for "absent" and "someone else's": others' instructions are not disclosed.
            raise DomainError(
                "CA_INSTRUCTION_NOT_FOUND",
                f"Received instructionId {instruction_id!r}, which is not a corporate-action instruction of "
                f"{participant}. Expected the id returned when you instructed; enquire your instructions to list "
                "them.",
                status=404, pointer="/instructionId",
            )
        return record

    def _live(self, participant: str, instruction_id: str, action: str) -> CaInstruction:
        record = self._owned(participant, instruction_id)
        if record.status != "ACCEPTED":
            raise DomainError(
                "CA_INSTRUCTION_CANCELLED",
                f"Received a request to {action} instruction {instruction_id}, which is {record.status}. Expected a "
                "live (ACCEPTED) instruction; give a new instruction instead.",
                status=409,
            )
        return record

    def __repr__(self) -> str:
        return f"CorporateActionBook(events={len(self._events)}, instructions={len(self._instructions)})"
