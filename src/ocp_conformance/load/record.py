"""What one load process saw beyond Locust's own statistics: the acknowledged instructions (for the invariants), the
contract sample, expected business errors and the latency over time. Plain data, so a worker can send it to the
master in a Locust message and the master can merge them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Acknowledged", "RunRecord", "percentile"]

_EXAMPLES = 5


@dataclass(slots=True)
class Acknowledged:
    """One instruction the target acknowledged (2xx with its id)."""

    function: str
    owner: str
    id: str
    reference: str | None
    status: object = None
    cancelled: bool = False


@dataclass(slots=True)
class RunRecord:
    acknowledged: list[Acknowledged] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)
    """function -> responses checked against the contract."""
    violations: Counter[str] = field(default_factory=Counter)
    violation_examples: list[str] = field(default_factory=list)
    timeline: dict[tuple[int, str], Counter[int]] = field(default_factory=dict)
    """(epoch second, function) -> latency in ms (rounded) -> count."""
    requests: int = 0
    not_run: dict[str, str] = field(default_factory=dict)
    """mix entry -> why it was not run (a role the binding does not name)."""
    _index: dict[tuple[str, str, str], Acknowledged] = field(default_factory=dict, repr=False)

    def acknowledge(self, ack: Acknowledged) -> None:
        self.acknowledged.append(ack)
        self._index[(ack.function, ack.owner, ack.id)] = ack

    def latency(self, second: int, function: str, ms: float) -> None:
        self.requests += 1
        bucket = self.timeline.get((second, function))
        if bucket is None:
            bucket = self.timeline[(second, function)] = Counter()
        bucket[round(ms)] += 1

    def sample(self, function: str, violations: list[str], describe: str) -> None:
        self.checked[function] += 1
        if violations:
            self.violations[function] += 1
            if len(self.violation_examples) < _EXAMPLES:
                self.violation_examples.append(f"{describe}: {violations[0]}")

    def cancelled(self, function: str, owner: str, instruction: str) -> None:
        ack = self._index.get((function, owner, instruction))
        if ack is not None:
            ack.cancelled = True

    # ------------------------------------------------------------------ transport between processes
    def to_dict(self) -> dict[str, Any]:
        return {"acknowledged": [[a.function, a.owner, a.id, a.reference, a.status, a.cancelled]
                                 for a in self.acknowledged],
                "checked": dict(self.checked), "violations": dict(self.violations),
                "violation_examples": self.violation_examples,
                "timeline": [[s, f, [[ms, n] for ms, n in c.items()]] for (s, f), c in self.timeline.items()],
                "requests": self.requests, "not_run": self.not_run}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        record = cls(acknowledged=[Acknowledged(*a) for a in data["acknowledged"]],
                     checked=Counter(data["checked"]), violations=Counter(data["violations"]),
                     violation_examples=list(data["violation_examples"]), requests=int(data["requests"]),
                     not_run=dict(data["not_run"]))
        record.timeline = {(int(s), str(f)): Counter({int(ms): int(n) for ms, n in c}) for s, f, c in data["timeline"]}
        return record

    def merge(self, other: RunRecord) -> None:
        self.acknowledged += other.acknowledged
        self.checked.update(other.checked)
        self.violations.update(other.violations)
        self.violation_examples = (self.violation_examples + other.violation_examples)[:_EXAMPLES]
        for key, counts in other.timeline.items():
            self.timeline.setdefault(key, Counter()).update(counts)
        self.requests += other.requests
        self.not_run.update(other.not_run)


def percentile(counts: Counter[int], share: float) -> int:
    """The latency (ms) at ``share`` (0.95: p95) of a histogram of rounded latencies (0 when empty)."""
    total = sum(counts.values())
    if total == 0:
        return 0
    wanted = share * total
    seen = 0
    for ms in sorted(counts):
        seen += counts[ms]
        if seen >= wanted:
            return ms
    return max(counts)
