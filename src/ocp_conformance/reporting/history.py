"""The run history kept in the report folder: ``REPORT/history/<timestamp>.json``, one snapshot per run.

A snapshot holds what the trend needs (verdict, scores, each entry's status), not the whole report. The trend
compares this run with the earlier snapshots: the achieved score over time and, per entry, what changed since
the previous run. Unreadable snapshots are skipped with a note, never a crash: history is a convenience.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocp_conformance.reporting.readiness import Readiness
from ocp_conformance.reporting.scores import Scores

__all__ = ["HISTORY_DIR", "RunSnapshot", "Trend", "load_history", "snapshot", "trend", "write_snapshot"]

HISTORY_DIR = "history"
#: How many earlier runs the trend shows.
TREND_RUNS = 20


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    """One run as the history keeps it."""

    generated_at: str
    verdict: str
    achieved_pct: float
    ceiling_pct: float
    achieved: int
    ceiling: int
    statuses: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"generated_at": self.generated_at, "verdict": self.verdict, "achieved_pct": self.achieved_pct,
                "ceiling_pct": self.ceiling_pct, "achieved": self.achieved, "ceiling": self.ceiling,
                "statuses": self.statuses}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSnapshot:
        return cls(str(data["generated_at"]), str(data["verdict"]), float(data["achieved_pct"]),
                   float(data["ceiling_pct"]), int(data["achieved"]), int(data["ceiling"]),
                   {str(k): str(v) for k, v in dict(data["statuses"]).items()})


@dataclass(frozen=True, slots=True)
class Trend:
    """This run against the earlier ones (oldest first)."""

    runs: tuple[RunSnapshot, ...]
    """The earlier runs and this one, last; at most ``TREND_RUNS + 1``."""
    changes: dict[str, str] = field(default_factory=dict)
    """Per entry name: ``new`` (first run), ``=`` (same status), or ``was <status>``."""
    skipped: tuple[str, ...] = ()
    """Snapshots that could not be read, with why."""

    @property
    def previous(self) -> RunSnapshot | None:
        return self.runs[-2] if len(self.runs) > 1 else None

    @property
    def delta_pct(self) -> float | None:
        """Achieved score now minus the previous run's, in points; None on the first run."""
        previous = self.previous
        return None if previous is None else round(self.runs[-1].achieved_pct - previous.achieved_pct, 1)

    def to_json(self) -> dict[str, Any]:
        return {"runs": [r.to_json() | {"statuses": None} for r in self.runs], "delta_pct": self.delta_pct,
                "changes": self.changes}


def snapshot(readiness: Readiness, scores: Scores) -> RunSnapshot:
    return RunSnapshot(
        generated_at=readiness.generated_at.isoformat(timespec="seconds"), verdict=readiness.verdict,
        achieved_pct=scores.overall.achieved_pct, ceiling_pct=scores.overall.ceiling_pct,
        achieved=scores.overall.achieved, ceiling=scores.overall.ceiling,
        statuses={row.name: row.status for row in readiness.entries})


def load_history(report_dir: Path) -> tuple[list[RunSnapshot], list[str]]:
    """The snapshots in ``report_dir/history`` (oldest first) and the files skipped, each with why."""
    folder = report_dir / HISTORY_DIR
    runs: list[RunSnapshot] = []
    skipped: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            runs.append(RunSnapshot.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            skipped.append(f"{path.name}: {exc}")  # the name: a report carries no machine path
    runs.sort(key=lambda run: run.generated_at)
    return runs, skipped


def trend(current: RunSnapshot, report_dir: Path) -> Trend:
    """Compare ``current`` with the earlier snapshots in ``report_dir`` (call before :func:`write_snapshot`)."""
    earlier, skipped = load_history(report_dir)
    earlier = [run for run in earlier if run.generated_at != current.generated_at][-TREND_RUNS:]
    previous = earlier[-1] if earlier else None
    changes: dict[str, str] = {}
    for name, status in current.statuses.items():
        before = previous.statuses.get(name) if previous is not None else None
        changes[name] = "new" if before is None else "=" if before == status else f"was {before}"
    return Trend(runs=(*earlier, current), changes=changes, skipped=tuple(skipped))


def write_snapshot(current: RunSnapshot, report_dir: Path) -> Path:
    """Keep ``current`` as ``report_dir/history/<timestamp>.json`` (a filename-safe ISO timestamp)."""
    folder = report_dir / HISTORY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = current.generated_at.replace(":", "").replace("+0000", "Z")
    path = folder / f"{stamp}.json"
    path.write_text(json.dumps(current.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
