"""Reference data: CCASS participants with their stock accounts, and the stock list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "CLEARING_ACCOUNT",
    "DEMO_ISI_COUNTERPARTIES",
    "SPSA_ACCOUNT_RANGE",
    "AccountKind",
    "Participant",
    "ReferenceData",
    "Stock",
    "account_kind",
    "demo_reference_data",
]

AccountKind = Literal["clearing", "segregated", "spsa"]

# [M] account 01 is the stock clearing account; 02–99 are segregated, with a reserved range for SPSAs.
CLEARING_ACCOUNT: Final = "01"
# [M] the SPSA range (inclusive) is not published as a fixed rule; 80–99 is the usual example.
SPSA_ACCOUNT_RANGE: Final[tuple[int, int]] = (80, 99)


def account_kind(account: str, *, spsa_range: tuple[int, int] = SPSA_ACCOUNT_RANGE) -> AccountKind:
    """The kind of a 2-digit stock account: ``"clearing"`` (01), ``"spsa"`` (in ``spsa_range``) or ``"segregated"``.

    Raises:
        ValueError: ``account`` is not 2 digits.

    Example:
        >>> [account_kind(a) for a in ("01", "02", "80")]
        ['clearing', 'segregated', 'spsa']
    """
    if len(account) != 2 or not (account.isascii() and account.isdigit()):
        raise ValueError(f"Received stock account {account!r}; expected 2 digits, e.g. '01'.")
    if account == CLEARING_ACCOUNT:
        return "clearing"
    low, high = spsa_range
    return "spsa" if low <= int(account) <= high else "segregated"


@dataclass(frozen=True, slots=True)
class Participant:
    """A CCASS participant.

    Attributes:
        participant_id: a letter and 5 digits, e.g. ``"B01234"`` (B broker, C custodian).
        name: registered name.
        participant_type: e.g. ``"BROKER"`` or ``"CUSTODIAN"``.
        stock_accounts: the 2-digit stock account numbers it holds, e.g. ``("01", "02", "80")``; see
            :func:`account_kind` for what each number means.
    """

    participant_id: str
    name: str
    participant_type: str
    stock_accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stock:
    """A security on the CCASS stock list.

    Attributes:
        stock_code: 5 digits with leading zeros, e.g. ``"00005"``.
        name: short name.
        market: market code, e.g. ``"HKMK"`` (Hong Kong).
    """

    stock_code: str
    name: str
    market: str


class ReferenceData:
    """Read-only lookup of participants and stocks.

    Args:
        participants: the participants; ids must be unique.
        stocks: the stocks; codes must be unique.

    Example:
        >>> ref = demo_reference_data()
        >>> ref.participant("B01234").name
        'Alpha Securities'
        >>> ref.stock("00700").name
        'Tencent Holdings'
    """

    __slots__ = ("_participants", "_stocks")

    def __init__(self, participants: Iterable[Participant], stocks: Iterable[Stock]) -> None:
        by_id: dict[str, Participant] = {}
        for participant in participants:
            if participant.participant_id in by_id:
                raise ValueError(
                    f"Duplicate participant id {participant.participant_id!r} in reference data."
                )
            by_id[participant.participant_id] = participant
        by_code: dict[str, Stock] = {}
        for stock in stocks:
            if stock.stock_code in by_code:
                raise ValueError(f"Duplicate stock code {stock.stock_code!r} in reference data.")
            by_code[stock.stock_code] = stock
        self._participants: Mapping[str, Participant] = MappingProxyType(by_id)
        self._stocks: Mapping[str, Stock] = MappingProxyType(by_code)

    @property
    def participants(self) -> Mapping[str, Participant]:
        """Participants by id (read-only)."""
        return self._participants

    @property
    def stocks(self) -> Mapping[str, Stock]:
        """Stocks by code (read-only)."""
        return self._stocks

    def participant(self, pid: str) -> Participant | None:
        """The participant with id ``pid``, or ``None``."""
        return self._participants.get(pid)

    def stock(self, code: str) -> Stock | None:
        """The stock with code ``code`` (exact 5-digit form), or ``None``."""
        return self._stocks.get(code)

    def __repr__(self) -> str:
        return f"ReferenceData(participants={len(self._participants)}, stocks={len(self._stocks)})"


# [M] each demo broker/custodian has its clearing account 01, a segregated account 02 and two SPSAs, 80 and 81: an
# SPSA belongs to a single investor [F], so a participant serving two China Connect investors holds one per investor
# (and the refusal of a transfer from one SPSA into another can be shown).
_DEMO_ACCOUNTS = ("01", "02", "80", "81")


# [M] Who may input ISIs without affirmation for each demo investor: some demo brokers/custodians, not all, so
# both the accepted and the COUNTERPARTY_NOT_LISTED paths can be shown. B05678 and B07777 are not listed.
DEMO_ISI_COUNTERPARTIES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({"I00001": ("B01234", "C00019")})


def demo_reference_data() -> ReferenceData:
    """The demo market: four brokers/custodians (accounts 01, 02, 80, 81), one Investor Participant (account 01
    only; its id sorts after the others', so harnesses that act as the first two sorted participants never act
    as the investor by accident), and eight stocks: six HKMK, one of them GEM, and two China Connect securities
    (Shanghai and Shenzhen)."""
    participants = [
        Participant("B01234", "Alpha Securities", "BROKER", _DEMO_ACCOUNTS),
        Participant("B05678", "Beta Brokerage", "BROKER", _DEMO_ACCOUNTS),
        Participant("C00019", "Gamma Custodian Bank", "CUSTODIAN", _DEMO_ACCOUNTS),
        Participant("B07777", "Delta Securities", "BROKER", _DEMO_ACCOUNTS),
        Participant("I00001", "Chan Tai Man", "INVESTOR", (CLEARING_ACCOUNT,)),
    ]
    stocks = [
        Stock("00001", "CK Hutchison Holdings", "HKMK"),
        Stock("00005", "HSBC Holdings", "HKMK"),
        Stock("00388", "Hong Kong Exchanges and Clearing", "HKMK"),
        Stock("00700", "Tencent Holdings", "HKMK"),
        Stock("02800", "Tracker Fund of Hong Kong", "HKMK"),
        Stock("08001", "Orient Securities International Holdings", "HKMK"),  # GEM (08000–08999)
        # China Connect securities [M: codes 7xxxx Shenzhen, 9xxxx Shanghai; the real ones come from the list].
        Stock("70001", "Contemporary Amperex Technology (SZSE 300750)", "SZMK"),
        Stock("90001", "Kweichow Moutai (SSE 600519)", "MAMK"),
    ]
    return ReferenceData(participants, stocks)
