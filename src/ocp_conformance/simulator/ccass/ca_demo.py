"""The demo corporate-action events, one or more of every type, around :data:`.simulation.DEFAULT_START`.

Dates are chosen against DEFAULT_START (Tue 2027-04-06 10:00 HKT, after the Ching Ming holiday on Mon 5 Apr)
so that at the start: CA2027000001 (election) is open with a deadline four business days ahead,
CA2027000002 (election) closed at its CCASS deadline on Fri 2 Apr, and the others are open. CA2027000006 is a
tender for a new issue, :data:`DEMO_TENDER_STOCK` (instructions from 09:00), CA2027000007 a takeover offer
accepted through subscription instructions on the underlying. [M] All of it.

The rights of CA2027000003 trade under their own code, :data:`DEMO_RIGHTS_STOCK`, which is kept as event data,
not added to the stock list (adding a stock would change every participant's seeded holdings and the demo
trade feed): :func:`seed_demo_corporate_actions` credits each holder of the underlying with one right per
:data:`DEMO_RIGHTS_RATIO` shares held (an undated journal line, i.e. an opening balance, kind
``CA_ENTITLEMENT``), then registers the events.

[M] A standing demo (:func:`roll_demo_events`): a served simulator lives on while users advance its business clock
day by day, as a shared testing portal does. So that every event type always has an event open to instructions,
the demo events whose deadline comes within :data:`ROLL_MARGIN_BUSINESS_DAYS` business days are postponed by whole
weeks at each day end (issuer deadline, CCASS deadline and meeting date move together; the announcement id, the
record date, the entitlements and the instructions stay). :data:`CLOSED_DEMO_EVENT` never moves: it is the
example of an event whose CCASS deadline has passed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final, TypedDict

from .ca_events import CorporateActionEvent, Resolution, ccass_deadline
from .calendar import TradingCalendar
from .clock import HKT
from .corporate_actions import CorporateActionBook
from .reference import ReferenceData

__all__ = ["CLOSED_DEMO_EVENT", "DEMO_RIGHTS_RATIO", "DEMO_RIGHTS_STOCK", "DEMO_TENDER_STOCK",
           "ROLL_MARGIN_BUSINESS_DAYS", "demo_ca_events", "roll_demo_events", "seed_demo_corporate_actions"]

DEMO_RIGHTS_STOCK: Final = "02901"
"""Nil-paid rights of CK Hutchison (00001) in the demo rights issue CA2027000003 [M: code invented]."""
DEMO_TENDER_STOCK: Final = "04299"
"""The new issue tendered for in CA2027000006, a Government Bond issue [M: code invented; event data only, like the
rights, not on the stock list: nobody holds it before the allotment]."""
DEMO_RIGHTS_RATIO: Final = 10
"""One right for every 10 shares of the underlying held at the record date."""
CLOSED_DEMO_EVENT: Final = "CA2027000002"
"""The demo election whose CCASS deadline has passed at the start, and stays passed (never rolled)."""
ROLL_MARGIN_BUSINESS_DAYS: Final = 3
"""A standing demo postpones an event whose CCASS deadline is at most this many business days after a day end."""


class _Deadlines(TypedDict):
    issuer_deadline: datetime
    ccass_deadline: datetime


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HKT)


def demo_ca_events(calendar: TradingCalendar | None = None) -> tuple[CorporateActionEvent, ...]:
    """The demo events; CCASS deadlines are one business day before the issuer's, at 16:00 (see
    :func:`.ca_events.ccass_deadline`)."""
    calendar = calendar or TradingCalendar()

    def deadlines(issuer: datetime) -> _Deadlines:
        return {"issuer_deadline": issuer, "ccass_deadline": ccass_deadline(issuer, calendar)}

    agm_open = _at(date(2027, 4, 6), 8)
    agm_deadlines = deadlines(_at(date(2027, 5, 10), 11))  # proxy forms are due 48 hours before the meeting
    return (
        CorporateActionEvent(
            "CA2027000001", "ELECTION", "00005", "Final dividend 2026: cash, or scrip in lieu of cash",
            record_date=date(2027, 3, 31), instructions_open=_at(date(2027, 4, 1), 8),
            options=("CASH", "SCRIP"), default_option="CASH", **deadlines(_at(date(2027, 4, 13), 16))),
        CorporateActionEvent(
            "CA2027000002", "ELECTION", "00388", "Final dividend 2026: cash, or scrip in lieu of cash",
            record_date=date(2027, 3, 18), instructions_open=_at(date(2027, 3, 19), 8),
            options=("CASH", "SCRIP"), default_option="CASH", **deadlines(_at(date(2027, 4, 6), 16))),
        CorporateActionEvent(
            "CA2027000003", "SUBSCRIPTION", "00001",
            f"Rights issue: 1 rights share for every {DEMO_RIGHTS_RATIO} shares at HKD 40.00; excess application",
            record_date=date(2027, 4, 1), instructions_open=_at(date(2027, 4, 6), 8),
            options=("RIGHTS", "EXCESS_RIGHTS"), instruction_stock_code=DEMO_RIGHTS_STOCK, price=Decimal("40.00"),
            **deadlines(_at(date(2027, 4, 20), 16))),
        CorporateActionEvent(
            "CA2027000004", "VOTING", "00700", "Annual general meeting 2027 on 12 May: voting",
            record_date=date(2027, 4, 1), instructions_open=agm_open, meeting_date=date(2027, 5, 12),
            resolutions=(
                Resolution(1, "To receive the audited financial statements for 2026"),
                Resolution(2, "To declare a final dividend"),
                Resolution(3, "To re-elect the retiring directors"),
            ), **agm_deadlines),
        CorporateActionEvent(
            "CA2027000005", "CORPREP", "00700", "Annual general meeting 2027 on 12 May: corporate representative/proxy",
            record_date=date(2027, 4, 1), instructions_open=agm_open, meeting_date=date(2027, 5, 12),
            options=("CORPORATE_REPRESENTATIVE", "PROXY"), **agm_deadlines),
        CorporateActionEvent(
            "CA2027000006", "TENDER", DEMO_TENDER_STOCK,
            "New issue tender: HKSAR Government Bonds, 3-year, tendered for by price per unit of HKD 100 nominal",
            record_date=date(2027, 4, 6), instructions_open=_at(date(2027, 4, 6), 9),
            **deadlines(_at(date(2027, 4, 27), 16))),
        CorporateActionEvent(
            "CA2027000007", "SUBSCRIPTION", "08001", "Voluntary general cash offer at HKD 0.85 per share",
            record_date=date(2027, 4, 6), instructions_open=_at(date(2027, 4, 6), 8),
            options=("TAKEOVER_OFFER",), price=Decimal("0.85"),
            **deadlines(_at(date(2027, 4, 27), 16))),
    )


def seed_demo_corporate_actions(book: CorporateActionBook, reference: ReferenceData,
                                calendar: TradingCalendar | None = None) -> None:
    """Credit the demo rights to the holders of their underlying, then register :func:`demo_ca_events`."""
    ledger = book.ledger
    for event in demo_ca_events(calendar):
        if event.instruction_stock_code is not None:
            for pid, participant in reference.participants.items():
                for account in participant.stock_accounts:
                    rights = ledger.holding(pid, account, event.stock_code) // DEMO_RIGHTS_RATIO
                    if rights:
                        ledger.deposit(pid, account, event.instruction_stock_code, rights, kind="CA_ENTITLEMENT",
                                       reference=event.announcement_id)
        book.register(event)


def roll_demo_events(book: CorporateActionBook, calendar: TradingCalendar, day: date) -> list[str]:
    """At the end of business day ``day``, postpone by whole weeks each demo event (but
    :data:`CLOSED_DEMO_EVENT`) whose CCASS deadline falls within :data:`ROLL_MARGIN_BUSINESS_DAYS` business days;
    returns the announcement ids moved. [M] (see the module's docstring)."""
    horizon = calendar.add_business_days(day, ROLL_MARGIN_BUSINESS_DAYS)
    demo = {event.announcement_id for event in demo_ca_events(calendar)} - {CLOSED_DEMO_EVENT}
    rolled = []
    for event in book.events():
        if event.announcement_id not in demo or event.ccass_deadline.date() > horizon:
            continue
        moved = event
        while moved.ccass_deadline.date() <= horizon:
            issuer_day = calendar.business_day_on_or_after(moved.issuer_deadline.date() + timedelta(weeks=1))
            issuer = datetime.combine(issuer_day, moved.issuer_deadline.timetz())
            meeting = None if moved.meeting_date is None else moved.meeting_date + timedelta(weeks=1)
            moved = replace(moved, issuer_deadline=issuer, ccass_deadline=ccass_deadline(issuer, calendar),
                            meeting_date=meeting)
        book.reschedule(moved)
        rolled.append(event.announcement_id)
    return rolled
