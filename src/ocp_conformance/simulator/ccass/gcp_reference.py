"""The GCP reference datasets: Participant List, Stock List, Trading and Settlement Calendar, NCP/GCP Mapping.

HKSCC transmits them daily to General Clearing Participants; their layouts are not public, so the rows here
are modelled from the rest of the simulator (contracts/README.md, "GCP services"). Each builder is a pure
function of the reference data, the calendar and the business date, so a dataset only changes when its
inputs do (which is what makes an ETag over it stable within a business date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from .calendar import TradingCalendar
from .cns import DEFAULT_CNS_RULES
from .reference import ReferenceData

__all__ = [
    "DEMO_GCP",
    "DEMO_NCP_MAPPINGS",
    "CalendarDay",
    "ClearingType",
    "DayType",
    "NcpGcpMapping",
    "ParticipantListItem",
    "StockListItem",
    "calendar_days",
    "mappings_of",
    "participant_list",
    "stock_list",
]

ClearingType = Literal["DCP", "GCP", "NCP", "NONE"]
DayType = Literal["BUSINESS", "WEEKEND", "HOLIDAY"]

@dataclass(frozen=True, slots=True)
class NcpGcpMapping:
    """A Non-Clearing Participant and the General Clearing Participant that clears its trades."""

    ncp_id: str
    ncp_name: str
    gcp_id: str


# [M] The demo GCP is an existing demo broker, so no new token holder appears that suites picking participants
# by sorted token order could act as by accident. Its NCPs are Exchange Participants without CCASS accounts or
# tokens: they only appear in the Participant List and in the mapping.
DEMO_GCP: Final = "B07777"
DEMO_NCP_MAPPINGS: Final[tuple[NcpGcpMapping, ...]] = (
    NcpGcpMapping("B30001", "Epsilon Securities", DEMO_GCP),
    NcpGcpMapping("B30002", "Zeta Securities", DEMO_GCP),
    NcpGcpMapping("B30003", "Eta Capital", DEMO_GCP),
)


@dataclass(frozen=True, slots=True)
class ParticipantListItem:
    participant_id: str
    name: str
    participant_type: str
    clearing_type: ClearingType


@dataclass(frozen=True, slots=True)
class StockListItem:
    stock_code: str
    name: str
    market: str


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One date: a business day is a trading day, and a settlement day unless it is a half-day eve."""

    date: date
    day_type: DayType
    trading_day: bool
    settlement_day: bool
    settlement_dates: Mapping[str, dt.date] | None
    """Per market, the settlement date of an exchange trade done on this (business) day (HKMK T+2, China
    Connect MAMK/SZMK T by the China Connect calendar, absent on a mainland holiday); None on other days."""


def participant_list(reference: ReferenceData, mappings: Iterable[NcpGcpMapping]) -> list[ParticipantListItem]:
    """CCASS participants with their clearing type, plus the NCPs of the mappings, by participant id."""
    mappings = tuple(mappings)
    gcps = {m.gcp_id for m in mappings}
    items = [ParticipantListItem(p.participant_id, p.name, p.participant_type, _clearing_type(p.participant_type,
                                                                                             p.participant_id in gcps))
             for p in reference.participants.values()]
    known = set(reference.participants)
    items += [ParticipantListItem(m.ncp_id, m.ncp_name, "BROKER", "NCP") for m in mappings if m.ncp_id not in known]
    return sorted(items, key=lambda item: item.participant_id)


def _clearing_type(participant_type: str, is_gcp: bool) -> ClearingType:
    if is_gcp:
        return "GCP"
    return "NONE" if participant_type == "INVESTOR" else "DCP"


def stock_list(reference: ReferenceData) -> list[StockListItem]:
    """The stock list by stock code."""
    return [StockListItem(s.stock_code, s.name, s.market) for _, s in sorted(reference.stocks.items())]


def calendar_days(calendar: TradingCalendar, business_date: date,
                  settlement_cycles: Mapping[str, int] = DEFAULT_CNS_RULES.settlement_cycles) -> list[CalendarDay]:
    """Every date of ``business_date``'s calendar year, in order, with each market's settlement date
    (``settlement_cycles``: business days from trade to settlement, per market)."""
    day = date(business_date.year, 1, 1)
    days: list[CalendarDay] = []
    while day.year == business_date.year:
        if calendar.is_trading_day(day):
            # [F] a half-day eve is a trading day but not a settlement day; its trades settle T+n settlement days
            # [F] a market that does not trade that day (China Connect on a mainland holiday) has no entry
            days.append(CalendarDay(day, "BUSINESS", True, calendar.is_settlement_day(day),
                                    {market: calendar.for_market(market).add_settlement_days(day, cycle)
                                     for market, cycle in sorted(settlement_cycles.items())
                                     if calendar.is_market_trading_day(market, day)}))
        else:
            day_type: DayType = "WEEKEND" if day.weekday() >= 5 else "HOLIDAY"
            days.append(CalendarDay(day, day_type, False, False, None))
        day += timedelta(days=1)
    return days


def mappings_of(mappings: Iterable[NcpGcpMapping], gcp_id: str) -> list[NcpGcpMapping]:
    """The mappings a GCP may see: its own NCPs only, by NCP id (none for a participant that is no GCP)."""
    return sorted((m for m in mappings if m.gcp_id == gcp_id), key=lambda m: m.ncp_id)

