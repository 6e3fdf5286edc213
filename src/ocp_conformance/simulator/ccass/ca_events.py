"""Corporate-action events: what HKSCC Nominees announces and participants instruct on (RAP CA uploads).

[F] HKSCC Nominees consolidates participants' instructions on elections (e.g. cash or scrip dividend),
subscriptions (rights, excess rights, open offer, excess open offer, warrant subscription, bond conversion, and
the acceptance of a takeover offer), voting (per resolution, split for/against/abstain allowed) and corporate
representative/proxy appointments. A subscription quotes the stock code of the rights or warrants, not the
underlying (a takeover offer is accepted for the shares themselves). Tender instructions are no nominee
instruction on holdings: they tender for a new issue (e.g. Exchange Fund Notes, Government Bonds), and their tender
monies are paid, and the unsuccessful part refunded, through CCASS money settlement. Subscription, election,
voting and corporate representative/proxy instructions open at 08:00; tender instructions at 09:00, with the
electronic application instructions for new issue shares. Instructions close at a CCASS deadline before the
issuer's deadline. (Sources: contracts/SOURCES.md, "Corporate actions".)
[M] The offset of the CCASS deadline (:func:`ccass_deadline`), the daily close of instruction input
(:data:`DEFAULT_DAILY_CLOSE`), the announcement id format and every field name are ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from .calendar import TradingCalendar
from .clock import HKT

__all__ = [
    "CA_EVENT_TYPES",
    "DEFAULT_DAILY_CLOSE",
    "EXCESS_OPTIONS",
    "OPENING_TIMES",
    "SUBSCRIPTION_OPTIONS",
    "TAKEOVER_OPTIONS",
    "CaEventType",
    "CorporateActionEvent",
    "Resolution",
    "ccass_deadline",
]

CaEventType = Literal["ELECTION", "SUBSCRIPTION", "VOTING", "CORPREP", "TENDER"]
CA_EVENT_TYPES: Final[tuple[CaEventType, ...]] = ("ELECTION", "SUBSCRIPTION", "VOTING", "CORPREP", "TENDER")

# [F] instruction input opens at 08:00 each business day; tender instructions at 09:00, the time electronic
# application instructions for new issue shares open (CCASS Operational Procedures, section 6.2, daily processing
# and service schedule).
OPENING_TIMES: Final[Mapping[CaEventType, time]] = MappingProxyType({
    "ELECTION": time(8, 0), "SUBSCRIPTION": time(8, 0), "VOTING": time(8, 0), "CORPREP": time(8, 0),
    "TENDER": time(9, 0),
})
# [M] input closes at 19:00 each business day (the end of the evening function window), and for good at the
# event's CCASS deadline.
DEFAULT_DAILY_CLOSE: Final = time(19, 0)

# [F] the kinds of subscription, a takeover offer among them; the EXCESS_* ones apply for more than the rights held
# [M: no stock earmarked].
SUBSCRIPTION_OPTIONS: Final[tuple[str, ...]] = (
    "RIGHTS", "EXCESS_RIGHTS", "OPEN_OFFER", "EXCESS_OPEN_OFFER", "WARRANT", "BOND_CONVERSION",
    "TAKEOVER_OFFER",
)
EXCESS_OPTIONS: Final = frozenset({"EXCESS_RIGHTS", "EXCESS_OPEN_OFFER"})
# [M] accepting a takeover offer quotes the underlying and moves the accepted shares out of the account, to be paid
# the offer consideration (price per share); an event offering it offers nothing else.
TAKEOVER_OPTIONS: Final = frozenset({"TAKEOVER_OFFER"})

_ANNOUNCEMENT_ID: Final = re.compile(r"CA\d{10}")
_STOCK_CODE: Final = re.compile(r"\d{5}")


def ccass_deadline(issuer_deadline: datetime, calendar: TradingCalendar, *, business_days_before: int = 1,
                   at: time = time(16, 0)) -> datetime:
    """The CCASS deadline for an issuer's deadline [M: ``business_days_before`` business days earlier, at ``at``].

    Example:
        >>> ccass_deadline(datetime(2027, 4, 6, 16, 0, tzinfo=HKT), TradingCalendar())  # Mon 5 Apr is a holiday
        datetime.datetime(2027, 4, 2, 16, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=28800), 'HKT'))
    """
    day = calendar.add_business_days(issuer_deadline.astimezone(HKT).date(), -business_days_before)
    return datetime.combine(day, at, HKT)


@dataclass(frozen=True, slots=True)
class Resolution:
    """A numbered resolution of a meeting (1, 2, 3, ...)."""

    number: int
    text: str


@dataclass(frozen=True, slots=True)
class CorporateActionEvent:
    """One corporate-action event as announced to participants.

    Attributes:
        announcement_id: ``"CA"`` and 10 digits, e.g. ``"CA2027000001"`` [M].
        event_type: ELECTION, SUBSCRIPTION, VOTING, CORPREP or TENDER.
        stock_code: the underlying stock; for a TENDER the new issue tendered for.
        description: human text, e.g. ``"Final dividend 2026: cash or scrip"``.
        record_date: the date entitlements are fixed on.
        instructions_open: first moment instructions are accepted (08:00, tender instructions 09:00, of the
            opening day).
        issuer_deadline: the issuer's (or registrar's) deadline.
        ccass_deadline: HKSCC's deadline for participants' instructions, before ``issuer_deadline`` [F].
        options: what may be chosen: election options (CASH, SCRIP), subscription kinds (RIGHTS,
            EXCESS_RIGHTS, ..., TAKEOVER_OFFER), CORPREP roles (CORPORATE_REPRESENTATIVE, PROXY); empty for VOTING
            and TENDER (a tender instruction gives a tender price instead).
        default_option: what applies to holdings nobody instructs (elections), ``None`` otherwise.
        instruction_stock_code: the stock instructions quote and earmark: for a subscription the rights or
            warrant code [F] (none for a takeover offer); ``None`` means the underlying.
        price: subscription price per share, or the takeover offer's consideration per share; ``None``
            otherwise (a tender's price is each instruction's own).
        currency: currency of ``price``.
        meeting_date: date of the meeting (VOTING, CORPREP).
        resolutions: the meeting's resolutions (VOTING).
    """

    announcement_id: str
    event_type: CaEventType
    stock_code: str
    description: str
    record_date: date
    instructions_open: datetime
    issuer_deadline: datetime
    ccass_deadline: datetime
    options: tuple[str, ...] = ()
    default_option: str | None = None
    instruction_stock_code: str | None = None
    price: Decimal | None = None
    currency: str = "HKD"
    meeting_date: date | None = None
    resolutions: tuple[Resolution, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not _ANNOUNCEMENT_ID.fullmatch(self.announcement_id):
            problems.append(f"announcement_id {self.announcement_id!r} is not 'CA' and 10 digits")
        if self.event_type not in CA_EVENT_TYPES:
            problems.append(f"event_type {self.event_type!r} is not one of {', '.join(CA_EVENT_TYPES)}")
        for name in ("stock_code", "instruction_stock_code"):
            code = getattr(self, name)
            if code is not None and not _STOCK_CODE.fullmatch(code):
                problems.append(f"{name} {code!r} is not 5 digits")
        if not self.instructions_open < self.ccass_deadline < self.issuer_deadline:
            problems.append("expected instructions_open < ccass_deadline < issuer_deadline")
        if self.default_option is not None and self.default_option not in self.options:
            problems.append(f"default_option {self.default_option!r} is not one of the options {self.options}")
        if self.event_type == "SUBSCRIPTION":
            takeover = set(self.options) & TAKEOVER_OPTIONS
            if self.price is None or (self.instruction_stock_code is None) != bool(takeover):
                problems.append("a SUBSCRIPTION needs a price, and instruction_stock_code (rights/warrant code) "
                                "unless it is a takeover offer (which quotes the underlying)")
            if not set(self.options) <= set(SUBSCRIPTION_OPTIONS) or not self.options:
                problems.append(f"subscription options {self.options} must be some of {SUBSCRIPTION_OPTIONS}")
            if takeover and set(self.options) - TAKEOVER_OPTIONS:
                problems.append("a takeover offer is an event of its own: no other subscription kind beside it")
        elif self.instruction_stock_code is not None:
            problems.append("only a SUBSCRIPTION quotes a stock other than the underlying")
        if self.event_type == "VOTING" and (not self.resolutions or self.options):
            problems.append("a VOTING event needs resolutions and no options")
        if [r.number for r in self.resolutions] != list(range(1, len(self.resolutions) + 1)):
            problems.append("resolutions must be numbered 1, 2, 3, ... in order")
        if self.event_type not in ("VOTING", "TENDER") and not self.options:
            problems.append(f"a {self.event_type} event needs options")
        if self.event_type == "TENDER" and self.options:
            problems.append("a TENDER event has no options: each tender instruction gives its tender price")
        if problems:
            raise ValueError(f"Received corporate-action event {self.announcement_id}: {'; '.join(problems)}.")

    @property
    def is_takeover(self) -> bool:
        """Whether this is a takeover offer (a SUBSCRIPTION accepted for the underlying shares)."""
        return bool(set(self.options) & TAKEOVER_OPTIONS)

    @property
    def entitled_by_holding_now(self) -> bool:
        """Whether what an account holds now entitles it, not its holding at the record date: a subscription quoting
        a rights or warrant code (nil-paid rights and warrants trade, and whoever holds them may subscribe), and a
        takeover offer (accepted for shares however recently bought). [F] see :mod:`.corporate_actions`."""
        return self.instruction_stock_code is not None or self.is_takeover

    @property
    def instructing_stock(self) -> str:
        """The stock code instructions must quote and whose holding they earmark."""
        return self.instruction_stock_code or self.stock_code

    @property
    def opening_time(self) -> time:
        """The daily opening time of instruction input for this event type [F]."""
        return OPENING_TIMES[self.event_type]
