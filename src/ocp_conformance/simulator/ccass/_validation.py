"""Business-rule validation of SI input (Input SI and Change SI)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from .calendar import TradingCalendar
from .errors import DomainError, did_you_mean
from .reference import Participant, ReferenceData
from .si import SI_INPUT_FIELDS, SettlementInstruction, SiInput

__all__ = [
    "CHANGE_MATCHED_FIELDS",
    "CURRENCIES",
    "camel",
    "check_matched_change",
    "check_settlement_date",
    "check_stock_account",
    "unknown_field",
    "unknown_stock",
    "validate_si_input",
]

# [F] CCASS settles money in HKD, RMB (CNY) and USD; a well-formed ISO code outside them is refused as a business rule
# (CURRENCY_UNSUPPORTED [M], the code is ours), so an ISI request may carry any 3-letter code.
CURRENCIES: Final = frozenset({"HKD", "CNY", "USD"})
# [F] Since 30 June 2025 CCASS holds and settles a multi-counter security under one (domain-counter) stock code: its
# RMB trading counters (80000-89999) are no longer separate CCASS securities, so an instruction quoting one names no
# stock (SOURCES.md, [HKEX-MC]).
RMB_COUNTERS: Final = range(80000, 90000)
_SIDES: Final = ("DELIVER", "RECEIVE")
_PAYMENT_TYPES: Final = ("FOP", "DVP", "RDP")
# Change Matched/Settled SI may only touch attributes that are not matched on.
CHANGE_MATCHED_FIELDS: Final = ("own_reference", "narrative", "stock_account", "exclude_from_batch")
_LOCKED_WHEN_SETTLED: Final = frozenset({"stock_account", "exclude_from_batch"})


def camel(name: str) -> str:
    """``settlement_date`` -> ``settlementDate`` (request field names are camelCase)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _invalid(field: str, received: object, expected: str) -> DomainError:
    return DomainError(
        "FIELD_INVALID",
        f"Received {camel(field)}={received!r}. Expected {expected}.",
        pointer=f"/{camel(field)}",
    )


def _check_shapes(si: SiInput) -> None:
    """Type and enumeration checks, so the rules below can trust the values (the HTTP layer may not)."""
    if si.side not in _SIDES:
        raise _invalid("side", si.side, "one of DELIVER, RECEIVE")
    if si.payment_type not in _PAYMENT_TYPES:
        raise _invalid("payment_type", si.payment_type, "one of FOP, DVP, RDP")
    for name in ("counterparty_id", "stock_code", "stock_account"):
        if not isinstance(getattr(si, name), str):
            raise _invalid(name, getattr(si, name), "a string")
    for name in ("own_reference", "narrative", "currency"):
        if getattr(si, name) is not None and not isinstance(getattr(si, name), str):
            raise _invalid(name, getattr(si, name), "a string or null")
    for name in ("hold", "exclude_from_batch"):
        if not isinstance(getattr(si, name), bool):
            raise _invalid(name, getattr(si, name), "true or false")
    if not isinstance(si.settlement_date, date) or isinstance(si.settlement_date, datetime):
        raise _invalid("settlement_date", si.settlement_date, "a date (YYYY-MM-DD)")
    if si.amount is not None and not isinstance(si.amount, Decimal):
        # Floats are refused: money is exact decimal all the way through.
        raise _invalid("amount", si.amount, "a decimal amount (decimal.Decimal), e.g. 1000.00")
    check_quantity(si.quantity)


def check_quantity(quantity: object) -> int:
    """``quantity`` if it is a whole number of shares greater than 0 (not a bool, not a float).

    [M] An instruction to move no shares is refused as a business rule, as one paying an amount of 0 is
    (AMOUNT_INVALID): the contracts' request schemas (common.yaml InstructedQuantity) admit 0, so SIs, ISIs and STIs
    of 0 shares reach this rule; what is not a whole number at all is their invalid-request error.

    Raises:
        DomainError: QUANTITY_INVALID at ``/quantity``.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise DomainError(
            "QUANTITY_INVALID",
            f"Received quantity {quantity!r}. Expected a whole number of shares greater than 0.",
            pointer="/quantity",
        )
    return quantity


def _check_parties(owner: str, si: SiInput, reference: ReferenceData) -> None:
    owner_participant = reference.participant(owner)
    if owner_participant is None:
        raise DomainError(
            "PARTICIPANT_UNKNOWN",
            f"Received a request on behalf of participant {owner!r}. Expected a participant on the "
            f"participant list.{did_you_mean(owner, reference.participants)}",
        )
    if si.counterparty_id == owner:
        raise DomainError(
            "COUNTERPARTY_IS_SELF",
            f"Received counterpartyId={si.counterparty_id!r}, which is the submitting participant. "
            "Expected another participant; to move stock between your own accounts use an ATI.",
            pointer="/counterpartyId",
        )
    if reference.participant(si.counterparty_id) is None:
        raise DomainError(
            "COUNTERPARTY_UNKNOWN",
            f"Received counterpartyId={si.counterparty_id!r}. Expected a participant on the participant list "
            f"(a letter and 5 digits).{did_you_mean(si.counterparty_id, reference.participants)}",
            pointer="/counterpartyId",
        )
    if reference.stock(si.stock_code) is None:
        raise unknown_stock(reference, si.stock_code)
    check_stock_account(owner_participant, si.stock_account)


def unknown_stock(reference: ReferenceData, code: object, pointer: str = "/stockCode") -> DomainError:
    """STOCK_UNKNOWN for a stock code not on the stock list, saying what would be: the 5-digit form of a code given
    without its leading zeros, the domain counter's code for an RMB counter, or the nearest codes."""
    text = str(code)
    padded = text.zfill(5) if text.isascii() and text.isdigit() else text
    if reference.stock(padded) is not None:
        hint = f" Did you mean {padded!r}? Stock codes have 5 digits with leading zeros."
    elif padded.isascii() and padded.isdigit() and int(padded) in RMB_COUNTERS:
        hint = (" It is an RMB counter: since 30 June 2025 CCASS holds and settles a multi-counter security under "
                "its domain-counter code (the HKD counter's).")
    else:
        hint = did_you_mean(text, reference.stocks)
    return DomainError("STOCK_UNKNOWN", f"Received stockCode={code!r}. Expected a stock on the stock list.{hint}",
                       pointer=pointer)


def check_stock_account(owner: Participant, stock_account: object) -> None:
    """Raise STOCK_ACCOUNT_UNKNOWN unless ``stock_account`` is one of ``owner``'s accounts."""
    accounts = owner.stock_accounts
    if stock_account not in accounts:
        raise DomainError(
            "STOCK_ACCOUNT_UNKNOWN",
            f"Received stockAccount={stock_account!r}. Expected one of participant "
            f"{owner.participant_id}'s stock accounts: {', '.join(accounts) or 'none'}.",
            pointer="/stockAccount",
        )


def check_settlement_date(settlement_date: date, calendar: TradingCalendar, today: date, market: str) -> None:
    """The settlement-date rules of SIs and ISIs alike: not before ``today``, and a settlement day of ``market``.

    Raises:
        DomainError: SETTLEMENT_DATE_IN_PAST or SETTLEMENT_DATE_NOT_BUSINESS_DAY (naming the next settlement day)
            at ``/settlementDate``.
    """
    if settlement_date < today:
        raise DomainError(
            "SETTLEMENT_DATE_IN_PAST",
            f"Received settlementDate={settlement_date.isoformat()}. Expected the current business date "
            f"({today.isoformat()}) or later.",
            pointer="/settlementDate",
        )
    # [F] SIs and ISIs settle only on settlement days: not on weekends, holidays or the half-day eves (calendar.py);
    # one in a China Connect security (MAMK, SZMK) only on a China Connect settlement day, not on a mainland holiday.
    market_calendar = calendar.for_market(market)
    if not market_calendar.is_settlement_day(settlement_date):
        suggestion = market_calendar.next_settlement_day(settlement_date)
        if calendar.is_settlement_day(settlement_date):
            kind = f"a mainland holiday (no China Connect settlement of {market} securities)"
        elif calendar.is_trading_day(settlement_date):
            kind = "a half-day eve (a trading day without settlement)"
        else:
            kind = "a weekend or holiday"
        raise DomainError(
            "SETTLEMENT_DATE_NOT_BUSINESS_DAY",
            f"Received settlementDate={settlement_date.isoformat()}, {kind}. Expected a settlement "
            f"day; the next one is {suggestion.isoformat()}.",
            pointer="/settlementDate",
        )


def check_payment(payment_type: str, amount: object, currency: str | None, *, noun: str, paid: str) -> None:
    """The payment rule of SIs and ISIs alike: FOP carries no amount and no currency; a paid type (``paid``,
    e.g. "DVP/RDP") needs both, the amount a finite decimal above 0 and the currency one CCASS settles in."""
    if payment_type == "FOP":
        if amount is not None or currency is not None:
            raise DomainError(
                "AMOUNT_NOT_ALLOWED",
                f"Received paymentType=FOP with amount={amount} currency={currency}. Expected no "
                f"amount and no currency for a free-of-payment {noun}; remove them or use {paid}.",
                pointer="/amount",
            )
        return
    if amount is None or currency is None:
        raise DomainError(
            "AMOUNT_REQUIRED",
            f"Received paymentType={payment_type} with amount={amount} currency={currency}. "
            f"Expected both an amount and a currency for a {paid} {noun}.",
            pointer="/amount",
        )
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise DomainError(
            "AMOUNT_INVALID",
            f"Received amount={amount!r}. Expected a finite decimal amount greater than 0.",
            pointer="/amount",
        )
    if currency not in CURRENCIES:
        raise DomainError(
            "CURRENCY_UNSUPPORTED",
            f"Received currency={currency!r}. Expected one of {', '.join(sorted(CURRENCIES))}."
            f"{did_you_mean(str(currency).upper(), CURRENCIES)}",
            pointer="/currency",
        )


def validate_si_input(
    owner: str, si: SiInput, *, reference: ReferenceData, calendar: TradingCalendar, today: date
) -> None:
    """Raise the first :class:`DomainError` that ``si`` violates: shapes, parties, date, then payment."""
    _check_shapes(si)
    _check_parties(owner, si, reference)
    stock = reference.stock(si.stock_code)
    assert stock is not None, "_check_parties refuses an unknown stock"
    check_settlement_date(si.settlement_date, calendar, today, stock.market)
    check_payment(si.payment_type, si.amount, si.currency, noun="SI", paid="DVP/RDP")


def check_matched_change(
    record: SettlementInstruction, key: str, value: object, *, reference: ReferenceData
) -> None:
    """Raise unless Change Matched/Settled SI may set ``key`` to ``value`` on ``record``."""
    if key not in CHANGE_MATCHED_FIELDS:
        if key not in SI_INPUT_FIELDS:
            raise unknown_field(key, CHANGE_MATCHED_FIELDS)
        raise DomainError(
            "FIELD_NOT_CHANGEABLE",
            f"Received a change of {camel(key)} on matched SI {record.si_id}. Expected only "
            f"{', '.join(camel(f) for f in CHANGE_MATCHED_FIELDS)}: matching fields cannot change once "
            "matched. Revoke the matched SI and input a new one instead.",
            pointer=f"/{camel(key)}",
        )
    if record.status == "SETTLED" and key in _LOCKED_WHEN_SETTLED:
        raise DomainError(
            "SETTLED_SI_FIELD_LOCKED",
            f"Received a change of {camel(key)} on SI {record.si_id}, which is SETTLED. Expected only "
            "ownReference or narrative changes after settlement.",
            status=409,
            pointer=f"/{camel(key)}",
        )
    if key == "stock_account":
        participant = reference.participant(record.owner)
        assert participant is not None, "SIs are only input by known participants"
        check_stock_account(participant, value)
    elif key == "exclude_from_batch":
        if not isinstance(value, bool):
            raise DomainError(
                "FIELD_INVALID",
                f"Received excludeFromBatch={value!r}. Expected true or false.",
                pointer="/excludeFromBatch",
            )
    elif value is not None and not isinstance(value, str):
        raise DomainError(
            "FIELD_INVALID",
            f"Received {camel(key)}={value!r}. Expected a string or null.",
            pointer=f"/{camel(key)}",
        )


def unknown_field(key: str, allowed: Iterable[str]) -> DomainError:
    """FIELD_UNKNOWN for a change key, with a "did you mean" (also for camelCase spellings)."""
    allowed = tuple(allowed)
    snake = {camel(f): f for f in allowed}
    hint = f" Did you mean {snake[key]!r}?" if key in snake else did_you_mean(key, allowed)
    return DomainError(
        "FIELD_UNKNOWN",
        f"Received a change of unknown field {key!r}. Expected one of: {', '.join(allowed)}.{hint}",
        pointer=f"/{camel(key)}",
    )
