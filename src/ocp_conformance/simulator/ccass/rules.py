"""The modelled ([M]) rules of the SI book that a deployment may want to differ: data, not code paths.

DOMAIN.md asks that every modelled choice be configurable. The defaults are our model of CCASS; the
simulator's fault profiles use other values to break a rule on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ._matching import MatchKey, match_key
from .si import SettlementInstruction

__all__ = ["DEFAULT_RULES", "MatchKey", "SiRules"]


@dataclass(frozen=True, slots=True)
class SiRules:
    """Rules of matching and settlement.

    Attributes:
        match_key: the fields two SIs must agree on to match (default: deliverer, receiver, stock, quantity,
            settlement date, payment type, amount, currency).
        settleable_statuses: the matched statuses a batch settlement run may settle (default: only MATCHED;
            a matched SI on hold waits until every side that set a hold releases it).
        rdp_real_time: settle RDP pairs in real time, pair by pair, never in a batch run (default; issue 17
            correction 6, ``SiBook.process_rdp``); off, an RDP pair settles in the batch runs as a DVP pair does.
    """

    match_key: Callable[[SettlementInstruction], MatchKey] = match_key
    settleable_statuses: frozenset[str] = field(default_factory=lambda: frozenset({"MATCHED"}))
    rdp_real_time: bool = True


DEFAULT_RULES = SiRules()
