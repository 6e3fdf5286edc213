"""The CCASS settlement-instruction domain: plain Python, no HTTP, no I/O.

Start from :class:`Simulation`, which wires :class:`ReferenceData`, :class:`Ledger`, :class:`BusinessClock`
and :class:`SiBook` together. Rules and modelling choices are described in ``/work/shared/DOMAIN.md`` §3.
"""

from __future__ import annotations

from .activity import ActivityItem, BatchRunRecord, RunResult, SettlementActivity, SettlementActivityReader
from .broadcast import (
    CATEGORY_SETTLEMENT,
    CATEGORY_SYSTEM,
    FINAL_RUN_LABEL,
    BroadcastBoard,
    BroadcastMessage,
    message_for,
)
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
from .isi import (
    DEFAULT_ISI_BATCH_CUTOFF,
    ISI_INPUT_FIELDS,
    InvestorSettlementInstruction,
    IsiBatchRun,
    IsiBook,
    IsiDirection,
    IsiInput,
    IsiPaymentType,
    IsiStatus,
)
from .ledger import Balance, Hold, Ledger, Movement, seed_demo_holdings
from .mass_transfers import (
    DEFAULT_MAX_MASS_ITEMS,
    MassItem,
    MassItemRecord,
    MassItemResult,
    MassStatus,
    MassSubmission,
    MassTransferBook,
)
from .money import SUB_LEDGERS, MoneyLedger, MoneyPosition, MoneyPosting
from .reference import (
    CLEARING_ACCOUNT,
    SPSA_ACCOUNT_RANGE,
    AccountKind,
    Participant,
    ReferenceData,
    Stock,
    account_kind,
    demo_reference_data,
)
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
from .statements import AccountStatements, PendingLeg, StatementLine, StockBalance
from .transfers import (
    DEFAULT_SPSA_POLICY,
    AccountTransfer,
    AtiStatus,
    SegregatedTransfer,
    SpsaPolicy,
    StiStatus,
    TransferBook,
)

__all__ = [
    "CATEGORY_SETTLEMENT",
    "CATEGORY_SYSTEM",
    "CLEARING_ACCOUNT",
    "DEFAULT_BATCH_TIMES",
    "DEFAULT_DAY_END",
    "DEFAULT_FUNCTION_WINDOWS",
    "DEFAULT_ISI_BATCH_CUTOFF",
    "DEFAULT_MAX_MASS_ITEMS",
    "DEFAULT_RULES",
    "DEFAULT_SPSA_POLICY",
    "DEFAULT_START",
    "FINAL_RUN_LABEL",
    "HKT",
    "HK_PUBLIC_HOLIDAYS_2026_2027",
    "ISI_INPUT_FIELDS",
    "SPSA_ACCOUNT_RANGE",
    "SUB_LEDGERS",
    "AccountKind",
    "AccountStatements",
    "AccountTransfer",
    "ActivityItem",
    "AtiStatus",
    "Balance",
    "BatchRunRecord",
    "BroadcastBoard",
    "BroadcastMessage",
    "BusinessClock",
    "ClockEvent",
    "ClockEventKind",
    "DomainError",
    "FieldDifference",
    "Hold",
    "InsufficientStock",
    "InvestorSettlementInstruction",
    "IsiBatchRun",
    "IsiBook",
    "IsiDirection",
    "IsiInput",
    "IsiPaymentType",
    "IsiStatus",
    "Ledger",
    "MassItem",
    "MassItemRecord",
    "MassItemResult",
    "MassStatus",
    "MassSubmission",
    "MassTransferBook",
    "MatchKey",
    "MoneyLedger",
    "MoneyPosition",
    "MoneyPosting",
    "Movement",
    "Participant",
    "PaymentType",
    "PendingLeg",
    "ReferenceData",
    "RunResult",
    "SegregatedTransfer",
    "SettlementActivity",
    "SettlementActivityReader",
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
    "SpsaPolicy",
    "StatementLine",
    "StiStatus",
    "Stock",
    "StockBalance",
    "TradingCalendar",
    "TransferBook",
    "UnmatchedCandidate",
    "UnmatchedReport",
    "account_kind",
    "demo_reference_data",
    "message_for",
    "seed_demo_holdings",
]
