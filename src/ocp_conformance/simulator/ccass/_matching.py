"""Indexes of unmatched SIs: O(1) matching by key, and per-counterparty candidates for unmatched reasons."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from .si import FieldDifference, SettlementInstruction, UnmatchedCandidate

__all__ = ["MatchIndex", "MatchKey", "PairIndex", "differences", "match_key", "rank_candidates"]

MatchKey = tuple[str, str, str, int, date, str, Decimal | None, str | None]


def match_key(si: SettlementInstruction) -> MatchKey:
    """The fields two SIs must agree on to match: the same key from both sides' point of view.

    Decimal equality and hashing are by value (``Decimal("100.00") == Decimal("1E+2")``), so amounts need no
    normalising; ``Decimal.normalize`` would even round to the context precision.
    """
    return (
        si.deliverer,
        si.receiver,
        si.stock_code,
        si.quantity,
        si.settlement_date,
        si.payment_type,
        si.amount,
        si.currency,
    )


class _Bucket:
    """FIFO of unmatched SI ids for one key and one side; stale entries are skipped lazily."""

    __slots__ = ("live", "queue")

    def __init__(self) -> None:
        self.queue: deque[tuple[str, int]] = deque()
        self.live = 0


BucketKey = tuple[MatchKey, str]


class MatchIndex:
    """Unmatched SIs by match key and side, oldest first.

    Every operation is O(1) (amortised): removal only forgets the entry's token, and the stale queue entry is
    dropped when it reaches the front. Tokens, not ids, mark liveness, so an SI that leaves and re-enters the
    same bucket (Change SI) is not matched at its old position.

    Most keys are held by one SI at a time (quantities, dates and amounts differ), so a bucket of one is the bare
    SI id, with no queue; it becomes a :class:`_Bucket` when a second SI joins it. A bare id is always live:
    removing the only SI of a bucket drops the bucket.
    """

    __slots__ = ("_buckets", "_entries", "_key", "_next_token")

    def __init__(self, key: Callable[[SettlementInstruction], MatchKey] = match_key) -> None:
        self._key = key
        self._buckets: dict[BucketKey, _Bucket | str] = {}
        self._entries: dict[str, tuple[BucketKey, int]] = {}
        self._next_token = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, si_id: object) -> bool:
        return si_id in self._entries

    def take_counterpart(self, si: SettlementInstruction) -> str | None:
        """Remove and return the oldest unmatched SI id that matches ``si``, if any."""
        other_side = "RECEIVE" if si.side == "DELIVER" else "DELIVER"
        return self._take((self._key(si), other_side))

    def take_or_add(self, si: SettlementInstruction) -> str | None:
        """:meth:`take_counterpart`, and if there is none, :meth:`add` ``si``: one key computation for both."""
        key = self._key(si)
        side = si.side
        found = self._take((key, "RECEIVE" if side == "DELIVER" else "DELIVER"))
        if found is None:
            self._add(si.si_id, (key, side))
        return found

    def add(self, si: SettlementInstruction) -> None:
        """Queue ``si`` as unmatched (it must not be queued already)."""
        self._add(si.si_id, (self._key(si), si.side))

    def _take(self, bucket_key: BucketKey) -> str | None:
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            return None
        entries = self._entries
        if isinstance(bucket, str):
            del entries[bucket]
            del self._buckets[bucket_key]
            return bucket
        queue = bucket.queue
        while queue:
            si_id, token = queue.popleft()
            entry = entries.get(si_id)
            if entry is not None and entry[1] == token:
                del entries[si_id]
                bucket.live -= 1
                if not bucket.live:
                    del self._buckets[bucket_key]
                return si_id
        # Only stale entries were left (live == 0 would already have dropped the bucket).
        del self._buckets[bucket_key]  # pragma: no cover - defensive
        return None  # pragma: no cover - defensive

    def _add(self, si_id: str, bucket_key: BucketKey) -> None:
        buckets = self._buckets
        token = self._next_token
        self._next_token = token + 1
        self._entries[si_id] = (bucket_key, token)
        bucket = buckets.get(bucket_key)
        if bucket is None:
            buckets[bucket_key] = si_id
            return
        if isinstance(bucket, str):  # a second SI joins the bucket of one: it gets its queue
            first = bucket
            bucket = buckets[bucket_key] = _Bucket()
            bucket.queue.append((first, self._entries[first][1]))
            bucket.live = 1
        bucket.queue.append((si_id, token))
        bucket.live += 1

    def remove(self, si_id: str) -> None:
        """Forget ``si_id`` (no-op if not queued)."""
        entry = self._entries.pop(si_id, None)
        if entry is None:
            return
        bucket_key = entry[0]
        bucket = self._buckets[bucket_key]
        if isinstance(bucket, str):
            del self._buckets[bucket_key]
            return
        bucket.live -= 1
        if not bucket.live:
            # Dropping the whole bucket also drops its stale entries, keeping memory bounded.
            del self._buckets[bucket_key]


class PairIndex:
    """Unmatched SI ids by (owner, counterparty), in input order; insert and remove are O(1)."""

    __slots__ = ("_by_pair",)

    def __init__(self) -> None:
        # A dict used as an ordered set: O(1) delete while keeping input order for stable ranking.
        self._by_pair: dict[tuple[str, str], dict[str, None]] = {}

    def add(self, si: SettlementInstruction) -> None:
        """Record ``si`` as unmatched."""
        key = (si.owner, si.counterparty_id)
        ids = self._by_pair.get(key)
        if ids is None:  # not setdefault: that would build a throwaway dict on every call of this hot path
            ids = self._by_pair[key] = {}
        ids[si.si_id] = None

    def remove(self, si: SettlementInstruction) -> None:
        """Forget ``si`` (no-op if absent); ``si`` must carry the owner/counterparty it was added with."""
        pair = (si.owner, si.counterparty_id)
        ids = self._by_pair.get(pair)
        if ids is not None:
            ids.pop(si.si_id, None)
            if not ids:
                del self._by_pair[pair]

    def naming(self, owner: str, counterparty: str) -> list[str]:
        """Unmatched SI ids input by ``counterparty`` that name ``owner`` as their counterparty."""
        return list(self._by_pair.get((counterparty, owner), ()))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def differences(own: SettlementInstruction, other: SettlementInstruction) -> tuple[FieldDifference, ...]:
    """Matching fields on which ``own`` and the counterparty's ``other`` disagree, in reporting order."""
    found: list[FieldDifference] = []
    if own.side == other.side:
        found.append(FieldDifference("side", "DELN", own.side, other.side))
    pairs = (
        ("stockCode", "DSEC", own.stock_code, other.stock_code),
        ("quantity", "DQUA", own.quantity, other.quantity),
        ("settlementDate", "DDAT", own.settlement_date, other.settlement_date),
        ("paymentType", "FRAP", own.payment_type, other.payment_type),
        ("amount", "DMON", own.amount, other.amount),
        ("currency", "NCRR", own.currency, other.currency),
    )
    for field, code, mine, theirs in pairs:
        if mine != theirs:
            found.append(FieldDifference(field, code, _text(mine), _text(theirs)))
    return tuple(found)


def rank_candidates(
    own: SettlementInstruction, others: list[SettlementInstruction], *, limit: int = 3
) -> tuple[UnmatchedCandidate, ...]:
    """The ``limit`` closest candidates: fewest differences first, then oldest input first."""
    scored = [differences(own, other) for other in others]
    # sorted() is stable, so equally close candidates keep input order.
    scored.sort(key=len)
    return tuple(UnmatchedCandidate(diff) for diff in scored[:limit])
