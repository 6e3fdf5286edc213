"""Business-rule validation of ISI input (Input ISI and Change ISI): who may input one, for whom, and what.

[F] An ISI is input by a broker/custodian for an Investor Participant; without affirmation it must be free of
payment and its broker/custodian on the investor's list. [F] It carries a settlement date, a payment type FOP, DVP or
RDP and a "DVP on-hold required" indicator (CCASS Terminal User Guide, report data file layout of the ISI Activity
Report CIPSI02); [M] the indicator is refused on a FOP ISI (DVP_ON_HOLD_NOT_ALLOWED, the code is ours) and the
settlement date follows the SI's rules (not in the past, a settlement day of the stock's market).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from ._validation import camel, check_payment, check_quantity, check_settlement_date, unknown_stock
from .calendar import TradingCalendar
from .errors import DomainError, did_you_mean
from .reference import Participant, ReferenceData

if TYPE_CHECKING:
    from .isi import IsiInput

__all__ = ["DIRECTIONS", "PAYMENT_TYPES", "investor_participant", "is_investor", "non_investor", "validate_isi"]

DIRECTIONS: Final = ("DELIVER_TO_INVESTOR", "RECEIVE_FROM_INVESTOR")
PAYMENT_TYPES: Final = ("FOP", "DVP", "RDP")
"""[F] FOP, DVP and RDP (real-time DVP): the ISI Activity Report's payment instruction (CIPSI02)."""
_INVESTOR_TYPE: Final = "INVESTOR"


def is_investor(participant: Participant | None) -> bool:
    """Investors have participant type ``"Investor"`` (any case)."""
    return participant is not None and participant.participant_type.upper() == _INVESTOR_TYPE


def investor_participant(reference: ReferenceData, investor_id: object) -> Participant:
    """The Investor Participant ``investor_id``, or INVESTOR_UNKNOWN (422) at /investorId."""
    participant = reference.participant(investor_id) if isinstance(investor_id, str) else None
    if participant is None or not is_investor(participant):
        kind = "not an Investor Participant" if participant is not None else "not on the participant list"
        raise DomainError(
            "INVESTOR_UNKNOWN",
            f"Received investorId={investor_id!r}, {kind}. Expected an Investor Participant."
            f"{did_you_mean(str(investor_id), _investor_ids(reference))}",
            pointer="/investorId",
        )
    return participant


def _investor_ids(reference: ReferenceData) -> list[str]:
    return [pid for pid, p in reference.participants.items() if is_investor(p)]


def non_investor(reference: ReferenceData, pid: str, code: str, pointer: str, *, status: int) -> Participant:
    """The broker/custodian ``pid`` (anyone on the participant list but an investor), else ``code``."""
    participant = reference.participant(pid)
    if participant is None or is_investor(participant):
        kind = "an Investor Participant" if participant is not None else "not on the participant list"
        raise DomainError(
            code,
            f"Received participant {pid!r}, {kind}. Expected a broker or custodian: ISIs are input by the "
            "broker/custodian, never by the investor.",
            status=status,
            pointer=pointer,
        )
    return participant


def validate_isi(reference: ReferenceData, allowed: Mapping[str, Container[str]], owner: str, isi: IsiInput, *,
                 calendar: TradingCalendar, today: date) -> None:
    """Every rule of an ISI as ``owner`` inputs (or changes) it; ``allowed``: investor -> listed counterparties;
    ``calendar`` and ``today`` judge its settlement date (``None``: the caller's default, not judged here)."""
    non_investor(reference, owner, "OWNER_NOT_ALLOWED", "", status=403)
    investor_participant(reference, isi.investor_id)
    if isi.direction not in DIRECTIONS:
        raise _invalid("direction", isi.direction, f"one of {', '.join(DIRECTIONS)}")
    check_quantity(isi.quantity)
    code = isi.stock_code
    stock = reference.stock(code) if isinstance(code, str) else None
    if stock is None:
        raise unknown_stock(reference, code)
    for flag in ("with_affirmation", "dvp_on_hold_required", "hold_before_settlement"):
        if not isinstance(getattr(isi, flag), bool):
            raise _invalid(flag, getattr(isi, flag), "true or false")
    settlement_date = isi.settlement_date
    if settlement_date is not None:
        if not isinstance(settlement_date, date) or isinstance(settlement_date, datetime):
            raise _invalid("settlement_date", settlement_date, "a date (YYYY-MM-DD)")
        check_settlement_date(settlement_date, calendar, today, stock.market)
    _check_payment(isi)
    if not isi.with_affirmation:
        _check_without_affirmation(allowed, owner, isi)


def _check_without_affirmation(allowed: Mapping[str, Container[str]], owner: str, isi: IsiInput) -> None:
    if isi.payment_type != "FOP":
        raise DomainError(
            "AFFIRMATION_REQUIRED_FOR_DVP",
            f"Received withAffirmation=false with paymentType={isi.payment_type}. Expected FOP: only free-"
            "of-payment ISIs may be input without affirmation (DVP and RDP need the investor's affirmation). Set "
            "withAffirmation=true.",
            pointer="/withAffirmation",
        )
    if owner not in allowed.get(isi.investor_id, ()):
        raise DomainError(
            "COUNTERPARTY_NOT_LISTED",
            f"Received an ISI without affirmation from {owner} for investor {isi.investor_id}. Expected "
            f"{owner} on the investor's list of counterparties allowed to input ISIs without "
            "affirmation. Ask the investor to add you, or set withAffirmation=true.",
            pointer="/withAffirmation",
        )


def _invalid(field: str, received: object, expected: str) -> DomainError:
    return DomainError(
        "FIELD_INVALID", f"Received {camel(field)}={received!r}. Expected {expected}.", pointer=f"/{camel(field)}"
    )


def _check_payment(isi: IsiInput) -> None:
    if isi.payment_type not in PAYMENT_TYPES:
        raise _invalid("payment_type", isi.payment_type, f"one of {', '.join(PAYMENT_TYPES)}")
    check_payment(isi.payment_type, isi.amount, isi.currency, noun="ISI", paid="DVP/RDP")
    # [M] "DVP on-hold required" only means something where money moves against the stock.
    if isi.dvp_on_hold_required and isi.payment_type == "FOP":
        raise DomainError(
            "DVP_ON_HOLD_NOT_ALLOWED",
            "Received dvpOnHoldRequired=true with paymentType=FOP. Expected it only on a DVP or RDP ISI: set "
            "dvpOnHoldRequired=false, or input the ISI as DVP or RDP.",
            pointer="/dvpOnHoldRequired",
        )
