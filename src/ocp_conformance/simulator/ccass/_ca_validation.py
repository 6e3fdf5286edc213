"""Business-rule validation of corporate-action instructions (instruct and change)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from types import MappingProxyType

from ._validation import check_quantity
from .ca_events import CorporateActionEvent
from .ca_instructions import Appointee, Vote
from .calendar import TradingCalendar
from .clock import HKT
from .errors import DomainError, did_you_mean

__all__ = ["check_details", "check_tender_price", "check_window", "quantity_above_holding"]

# Which kind-specific field each event type takes (the others must be absent).
_TAKES_VOTES = frozenset({"VOTING"})
_TAKES_APPOINTEE = frozenset({"CORPREP"})


def _at(moment: datetime) -> str:
    return moment.astimezone(HKT).strftime("%Y-%m-%d %H:%M HKT")


def check_window(event: CorporateActionEvent, now: datetime, calendar: TradingCalendar, daily_close: time) -> None:
    """Raise AFTER_DEADLINE from the CCASS deadline on, WINDOW_NOT_OPEN before the event opens or outside the
    daily input hours (business days, from the event type's opening time [F] until ``daily_close`` [M])."""
    if now >= event.ccass_deadline:
        raise DomainError(
            "AFTER_DEADLINE",
            f"Received an instruction on {event.announcement_id} at {_at(now)}. Expected it before the CCASS "
            f"deadline {_at(event.ccass_deadline)} (the issuer's deadline is {_at(event.issuer_deadline)}). "
            "Fix: none through CCASS; its instruction window for this event has closed.",
            status=422, pointer="/announcementId",
        )
    if now < event.instructions_open:
        raise DomainError(
            "WINDOW_NOT_OPEN",
            f"Received an instruction on {event.announcement_id} at {_at(now)}. Expected it from "
            f"{_at(event.instructions_open)}, when instructions open, until the CCASS deadline "
            f"{_at(event.ccass_deadline)}.",
            status=422, pointer="/announcementId",
        )
    local = now.astimezone(HKT)
    clock_time = local.time()
    if not calendar.is_business_day(local.date()) or not event.opening_time <= clock_time < daily_close:
        raise DomainError(
            "WINDOW_NOT_OPEN",
            f"Received an instruction on {event.announcement_id} at {_at(now)}. Expected it on a business day "
            f"between {event.opening_time:%H:%M} and {daily_close:%H:%M}, before the CCASS deadline "
            f"{_at(event.ccass_deadline)}.",
            status=422, pointer="/announcementId",
        )


def quantity_above_holding(event: CorporateActionEvent, participant: str, account: str, quantity: int,
                           available: int) -> DomainError:
    """QUANTITY_ABOVE_HOLDING naming the quantity still available to instruct."""
    return DomainError(
        "QUANTITY_ABOVE_HOLDING",
        f"Received quantity {quantity} of {event.instructing_stock} on {event.announcement_id} for "
        f"{participant}-{account}. Expected at most the {available} shares available to instruct there (the "
        "entitlement at the record date, net of quantities already instructed and of stock no longer held). "
        "Fix: instruct less, or change or cancel an earlier instruction.",
        status=422, pointer="/quantity",
    )


def check_tender_price(event: CorporateActionEvent, tender_price: object) -> Decimal | None:
    """A TENDER's tender price: a positive decimal of at most 4 places; no other kind takes one.

    Raises:
        DomainError: TENDER_PRICE_INVALID or FIELD_NOT_ALLOWED (422).
    """
    if event.event_type != "TENDER":
        if tender_price is not None:
            raise DomainError(
                "FIELD_NOT_ALLOWED",
                f"Received tenderPrice on an instruction for {event.announcement_id} ({event.event_type}). Expected "
                "a tender price only on a TENDER instruction; remove it.",
                pointer="/tenderPrice",
            )
        return None
    exponent = tender_price.as_tuple().exponent if isinstance(tender_price, Decimal) else None
    if not isinstance(tender_price, Decimal) or not isinstance(exponent, int) or exponent < -4 or tender_price <= 0:
        raise DomainError(
            "TENDER_PRICE_INVALID",
            f"Received tender price {tender_price!r} for {event.announcement_id} (a tender for new issue "
            f"{event.stock_code}). Expected the price per unit tendered at: a positive amount of {event.currency} "
            "with at most 4 decimal places.",
            pointer="/tenderPrice",
        )
    return tender_price


def check_details(event: CorporateActionEvent, stock_code: object, quantity: object, option: object,
                  votes: Mapping[int, Vote] | None,
                  appointee: Appointee | None) -> Mapping[int, Vote] | None:
    """Check the fields that do not depend on holdings; return the votes as a read-only copy.

    Raises:
        DomainError: STOCK_MISMATCH, QUANTITY_INVALID, OPTION_INVALID, FIELD_NOT_ALLOWED, VOTES_REQUIRED,
            RESOLUTION_UNKNOWN, VOTE_INVALID, VOTES_ABOVE_QUANTITY or APPOINTEE_REQUIRED (422).
    """
    expected = event.instructing_stock
    if stock_code != expected:
        quoted = ("the rights/warrant code, not the underlying " + event.stock_code
                  if event.instruction_stock_code is not None
                  else "the new issue tendered for" if event.event_type == "TENDER" else "the underlying stock")
        raise DomainError(
            "STOCK_MISMATCH",
            f"Received stockCode {stock_code!r} for {event.announcement_id} ({event.event_type}). Expected "
            f"{expected!r}: {quoted}.",
            pointer="/stockCode",
        )
    quantity = check_quantity(quantity)
    if event.options and option not in event.options:
        raise DomainError(
            "OPTION_INVALID",
            f"Received option {option!r} for {event.announcement_id} ({event.event_type}). Expected one of the "
            f"options offered: {', '.join(event.options)}.{did_you_mean(str(option).upper(), event.options)}",
            pointer="/option",
        )
    if not event.options and option is not None:
        raise DomainError(
            "OPTION_INVALID",
            f"Received option {option!r} for {event.announcement_id} ({event.event_type}). Expected no option: "
            "a voting instruction gives votes per resolution, a tender instruction its tender price.",
            pointer="/option",
        )
    for name, value, takers in (("votes", votes, _TAKES_VOTES), ("appointee", appointee, _TAKES_APPOINTEE)):
        if value is not None and event.event_type not in takers:
            raise DomainError(
                "FIELD_NOT_ALLOWED",
                f"Received {name} on an instruction for {event.announcement_id} ({event.event_type}). Expected "
                f"{name} only on a {' or '.join(sorted(takers))} instruction; remove it.",
                pointer=f"/{name}",
            )
    if event.event_type == "CORPREP" and (appointee is None or not appointee.name.strip()
                                          or not appointee.id_document.strip()):
        raise DomainError(
            "APPOINTEE_REQUIRED",
            f"Received a CORPREP instruction for {event.announcement_id} without an appointee name and identity "
            "document. Expected both: who attends the meeting, and the number of their HKID card or passport.",
            pointer="/appointee",
        )
    if event.event_type != "VOTING":
        return None
    return _check_votes(event, quantity, votes)


def _check_votes(event: CorporateActionEvent, quantity: int, votes: Mapping[int, Vote] | None) -> Mapping[int, Vote]:
    if not votes:
        raise DomainError(
            "VOTES_REQUIRED",
            f"Received a voting instruction for {event.announcement_id} without votes. Expected votes "
            f"(for/against/abstain) on at least one of resolutions 1-{len(event.resolutions)}.",
            pointer="/votes",
        )
    numbers = {r.number for r in event.resolutions}
    for number, vote in votes.items():
        if number not in numbers:
            raise DomainError(
                "RESOLUTION_UNKNOWN",
                f"Received votes on resolution {number!r} of {event.announcement_id}. Expected a resolution "
                f"number from 1 to {len(event.resolutions)}.",
                pointer=f"/votes/{number}",
            )
        parts = (vote.for_, vote.against, vote.abstain)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in parts) or vote.total == 0:
            raise DomainError(
                "VOTE_INVALID",
                f"Received votes {parts} (for, against, abstain) on resolution {number}. Expected whole numbers "
                "of shares, none negative, at least one above 0.",
                pointer=f"/votes/{number}",
            )
        if vote.total > quantity:
            raise DomainError(
                "VOTES_ABOVE_QUANTITY",
                f"Received {vote.total} votes on resolution {number} of {event.announcement_id} (for "
                f"{vote.for_}, against {vote.against}, abstain {vote.abstain}). Expected at most the instructed "
                f"quantity {quantity}: a split vote divides the shares instructed, it does not add to them.",
                pointer=f"/votes/{number}",
            )
    return MappingProxyType(dict(sorted(votes.items())))
