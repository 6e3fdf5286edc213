"""A pure-Python model of the Maintain SI rules (DOMAIN.md §3), for the model-based suite.

The model knows only the SIs the suite itself input, never the rest of the target's world. Each operation
returns what the target should answer (:class:`Expected`) and updates the model as the rules say:

- Input SI matches an SI at once with the counterparty's oldest UNMATCHED SI of the same match key
  (deliverer, receiver, stock, quantity, settlement date, payment type, amount and currency for DVP/RDP);
  either side's hold flag makes the pair MATCHED_ON_HOLD. "At once" holds after the business day's first
  matching (10:00, issue 17 correction 4), when the suite runs (the simulator starts at 10:00); before it the
  target keeps both sides UNMATCHED until the first matching.
- Change SI and Cancel SI apply only to UNMATCHED SIs (else 409 SI_STATE_CONFLICT); a change re-matches.
- Change Hold Matched SI sets the caller's own flag on MATCHED / MATCHED_ON_HOLD; the pair is on hold while
  either flag is set.
- Revoke Matched SI: the first side's request makes the pair REVOKE_PENDING, the second side's REVOKED; a
  repeated request from the same side is 409 REVOCATION_ALREADY_REQUESTED.
- Change Matched/Settled SI amends non-matching attributes at MATCHED, MATCHED_ON_HOLD, REVOKE_PENDING or
  SETTLED without unmatching (excludeFromBatch is locked once SETTLED).
- A batch run settles MATCHED pairs (neither side excluded) whose settlement date is on or before the
  business date; pairs on hold or revoke pending stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "DELETED",
    "Expected",
    "ModelSi",
    "SiModel",
]

DELETED: Final = frozenset({"CANCELLED", "REVOKED", "PURGED"})
MATCHED_ACTIVE: Final = frozenset({"MATCHED", "MATCHED_ON_HOLD"})
# SHARES_ON_HOLD (an RDP pair in real-time settlement) is revocable too; the model draws no RDP SI, so never reaches it.
REVOCABLE: Final = frozenset({"MATCHED", "MATCHED_ON_HOLD", "SHARES_ON_HOLD", "REVOKE_PENDING"})
CHANGE_MATCHED: Final = frozenset({"MATCHED", "MATCHED_ON_HOLD", "REVOKE_PENDING", "SETTLED"})

_OK: Final = 200


@dataclass(frozen=True, slots=True)
class Expected:
    """What the target should answer: an HTTP status and, for errors, the problem ``code``."""

    status: int
    code: str | None = None

    def __str__(self) -> str:
        return f"HTTP {self.status}" + (f" {self.code}" if self.code else "")


_CONFLICT: Final = Expected(409, "SI_STATE_CONFLICT")


@dataclass(slots=True)
class ModelSi:
    """One side's SI as the model sees it."""

    si_id: str
    owner: str
    side: str
    counterparty: str
    stock_code: str
    quantity: int
    settlement_date: str
    payment_type: str
    amount: str | None
    currency: str | None
    own_reference: str
    hold: bool = False
    exclude_from_batch: bool = False
    narrative: str | None = None
    status: str = "UNMATCHED"
    partner: str | None = None
    """The other side's si_id once matched."""
    revoke_by_me: bool = False
    revoke_by_counterparty: bool = False
    rule: str = "Input SI"
    """The catalogue function whose rule last set :attr:`status` (blamed when the status diverges)."""

    def match_key(self) -> tuple[object, ...]:
        """The fields CCASS matches on, seen from the deliverer's side."""
        deliverer, receiver = (self.owner, self.counterparty) if self.side == "DELIVER" \
            else (self.counterparty, self.owner)
        amount = Decimal(self.amount) if self.amount is not None else None
        return (deliverer, receiver, self.stock_code, self.quantity, self.settlement_date,
                self.payment_type, amount, self.currency)

    def describe(self) -> str:
        return (f"{self.si_id} ({self.owner} {self.side} {self.quantity} x {self.stock_code} "
                f"{'to' if self.side == 'DELIVER' else 'from'} {self.counterparty}, {self.payment_type}, "
                f"ownReference {self.own_reference}, model status {self.status})")


@dataclass(slots=True)
class SiModel:
    """The expected state of the suite's own SIs."""

    sis: dict[str, ModelSi] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ModelSi]:
        return iter(self.sis.values())

    def __getitem__(self, si_id: str) -> ModelSi:
        return self.sis[si_id]

    def partner(self, si: ModelSi) -> ModelSi | None:
        return self.sis[si.partner] if si.partner is not None else None

    # ------------------------------------------------------------ Maintain SI rules
    def input(self, si: ModelSi) -> ModelSi | None:
        """Input SI (201): store ``si`` and match it with the oldest UNMATCHED counter-SI; returns that one."""
        self.sis[si.si_id] = si
        si.rule = "Input SI"
        return self._match(si)

    def change(self, si_id: str, changes: Mapping[str, Any]) -> tuple[Expected, ModelSi | None]:
        """Change SI: only UNMATCHED; apply ``changes`` (snake_case) and re-match."""
        si = self.sis[si_id]
        if si.status != "UNMATCHED":
            return _CONFLICT, None
        for key, value in changes.items():
            setattr(si, key, value)
        si.rule = "Change SI"
        return Expected(_OK), self._match(si)

    def cancel(self, si_id: str) -> Expected:
        """Cancel SI: only UNMATCHED; becomes CANCELLED."""
        si = self.sis[si_id]
        if si.status != "UNMATCHED":
            return _CONFLICT
        si.status, si.rule = "CANCELLED", "Cancel SI"
        return Expected(_OK)

    def set_hold(self, si_id: str, hold: bool) -> Expected:
        """Change Hold Matched SI: the caller's flag; the pair is on hold while either flag is set."""
        si = self.sis[si_id]
        if si.status not in MATCHED_ACTIVE:
            return _CONFLICT
        other = self.partner(si)
        assert other is not None
        si.hold = hold
        status = "MATCHED_ON_HOLD" if si.hold or other.hold else "MATCHED"
        for side in (si, other):
            side.status, side.rule = status, "Change Hold Matched SI"
        return Expected(_OK)

    def revoke(self, si_id: str) -> Expected:
        """Revoke Matched SI: first request -> REVOKE_PENDING, the counterparty's -> REVOKED."""
        si = self.sis[si_id]
        if si.status not in REVOCABLE:
            return _CONFLICT
        if si.revoke_by_me:
            return Expected(409, "REVOCATION_ALREADY_REQUESTED")
        other = self.partner(si)
        assert other is not None
        si.revoke_by_me = other.revoke_by_counterparty = True
        status = "REVOKED" if other.revoke_by_me else "REVOKE_PENDING"
        for side in (si, other):
            side.status, side.rule = status, "Revoke Matched SI"
        return Expected(_OK)

    def change_matched(self, si_id: str, changes: Mapping[str, Any]) -> Expected:
        """Change Matched/Settled SI: non-matching attributes only, status unchanged."""
        si = self.sis[si_id]
        if si.status not in CHANGE_MATCHED:
            return _CONFLICT
        if si.status == "SETTLED" and "exclude_from_batch" in changes:
            return Expected(409, "SETTLED_SI_FIELD_LOCKED")
        for key, value in changes.items():
            setattr(si, key, value)
        return Expected(_OK)

    def unmatched_reason(self, si_id: str) -> Expected:
        """Enquire SI Unmatched Reason: only for UNMATCHED SIs."""
        return Expected(_OK) if self.sis[si_id].status == "UNMATCHED" else _CONFLICT

    def due_pairs(self, business_date: str) -> list[tuple[ModelSi, ModelSi]]:
        """(deliver, receive) pairs a batch run must settle: MATCHED, not excluded, due by ``business_date``."""
        pairs = []
        for si in self.sis.values():
            other = self.partner(si)
            if si.side != "DELIVER" or other is None or si.status != "MATCHED":
                continue
            if si.exclude_from_batch or other.exclude_from_batch or si.settlement_date > business_date:
                continue
            pairs.append((si, other))
        return pairs

    def settle(self, business_date: str) -> list[tuple[ModelSi, ModelSi]]:
        """A batch run with every deliverer holding enough stock: the due pairs become SETTLED."""
        pairs = self.due_pairs(business_date)
        for pair in pairs:
            for side in pair:
                side.status = "SETTLED"
        return pairs

    # ------------------------------------------------------------ views
    @staticmethod
    def listed(si: ModelSi) -> bool:
        """Enquire SI without a status filter lists only SIs that are not deleted."""
        return si.status not in DELETED

    def _match(self, si: ModelSi) -> ModelSi | None:
        key = si.match_key()
        for other in self.sis.values():  # dicts keep insertion order: oldest first
            if (other is not si and other.status == "UNMATCHED" and other.owner == si.counterparty
                    and other.side != si.side and other.match_key() == key):
                status = "MATCHED_ON_HOLD" if si.hold or other.hold else "MATCHED"
                si.partner, other.partner = other.si_id, si.si_id
                for side in (si, other):
                    side.status, side.rule = status, si.rule
                return other
        return None
