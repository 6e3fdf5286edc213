"""The CCASS settlement-instruction domain: plain Python, no HTTP, no I/O.

Start from :class:`Simulation`, which wires :class:`ReferenceData`, :class:`Ledger`, :class:`BusinessClock`
and :class:`SiBook` together. Rules and modelling choices are described in ``/work/shared/DOMAIN.md`` §3.
"""

from __future__ import annotations

from .calendar import HK_PUBLIC_HOLIDAYS_2026_2027, TradingCalendar
from .clock import (
    DEFAULT_BATCH_TIMES,
    DEFAULT_DAY_END,
    DEFAULT_FUNCTION_WINDOWS,
    HKT,
    BusinessClock,
    ClockEvent,
    ClockEventKind,
)
from .errors import DomainError, InsufficientStock
from .ledger import Ledger, seed_demo_holdings
from .reference import Participant, ReferenceData, Stock, demo_reference_data
from .rules import DEFAULT_RULES, MatchKey, SiRules
from .settlement import SettlementRun
from .si import (
    FieldDifference,
    PaymentType,
    SettlementFailure,
    SettlementInstruction,
    Side,
    SiInput,
    SiStatus,
    UnmatchedCandidate,
    UnmatchedReport,
)
from .si_book import SiBook, SiFilter
from .simulation import DEFAULT_START, Simulation

__all__ = [
    "DEFAULT_BATCH_TIMES",
    "DEFAULT_DAY_END",
    "DEFAULT_FUNCTION_WINDOWS",
    "DEFAULT_RULES",
    "DEFAULT_START",
    "HKT",
    "HK_PUBLIC_HOLIDAYS_2026_2027",
    "BusinessClock",
    "ClockEvent",
    "ClockEventKind",
    "DomainError",
    "FieldDifference",
    "InsufficientStock",
    "Ledger",
    "MatchKey",
    "Participant",
    "PaymentType",
    "ReferenceData",
    "SettlementFailure",
    "SettlementInstruction",
    "SettlementRun",
    "SiBook",
    "SiFilter",
    "SiInput",
    "SiRules",
    "SiStatus",
    "Side",
    "Simulation",
    "Stock",
    "TradingCalendar",
    "UnmatchedCandidate",
    "UnmatchedReport",
    "demo_reference_data",
    "seed_demo_holdings",
]
