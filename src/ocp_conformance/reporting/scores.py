"""Ceiling and achieved scores per group, per service and overall (DESIGN.md §8).

Every cell of the readiness matrix (a catalogue entry × an applicable check kind) is one *check*:

- **total**: every check of every catalogue entry, contracted or not;
- **ceiling**: the checks this run could test — what the contracts, the target and the selection allow: those of
  contracted entries selected by the run (``--only``) and in scope (not ``n/a``), less the checks every covering
  test skipped (the target lacks a capability, e.g. clock control, or a participant's credentials). A check no
  test covers, or one a harness error left unproven, stays inside the ceiling: it is our gap, not the target's
  limit;
- **achieved**: the checks that passed. A failure under a valid waiver is *not* achieved (it is counted
  apart, as ``waived``); nothing that did not run is, nor a ``partial`` check (a covering test skipped; counted
  apart, as ``partial``).

``ceiling_pct`` = ceiling / total, ``achieved_pct`` = achieved / ceiling (0 when the ceiling is 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ocp_conformance.reporting.readiness import OUT_OF_RUN, EntryStatus, Readiness

__all__ = ["Score", "Scores", "score_readiness"]


@dataclass(frozen=True, slots=True)
class Score:
    """The check counts of one scope (a group, a service or the whole run)."""

    total: int = 0
    ceiling: int = 0
    achieved: int = 0
    failed: int = 0
    waived: int = 0
    partial: int = 0

    @property
    def ceiling_pct(self) -> float:
        return _pct(self.ceiling, self.total)

    @property
    def achieved_pct(self) -> float:
        return _pct(self.achieved, self.ceiling)

    def __add__(self, other: Score) -> Score:
        return Score(self.total + other.total, self.ceiling + other.ceiling, self.achieved + other.achieved,
                     self.failed + other.failed, self.waived + other.waived, self.partial + other.partial)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "ceiling": self.ceiling, "achieved": self.achieved, "failed": self.failed,
                "waived": self.waived, "partial": self.partial, "ceiling_pct": self.ceiling_pct,
                "achieved_pct": self.achieved_pct}


@dataclass(frozen=True, slots=True)
class Scores:
    """The scores of one run: overall, per service (Allure epic) and per group (Allure feature)."""

    overall: Score
    services: dict[str, Score]
    groups: dict[str, Score]

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall.to_json(),
                "services": {name: s.to_json() for name, s in self.services.items()},
                "groups": {name: s.to_json() for name, s in self.groups.items()}}


def score_readiness(readiness: Readiness) -> Scores:
    """Count the checks of every row; groups and services in catalogue order.

    Example:
        >>> from ocp_conformance.contracts import load_contracts
        >>> from ocp_conformance.reporting.readiness import build_readiness
        >>> r = build_readiness(load_contracts().catalogue, [], target="simulator", contract_version="x")
        >>> s = score_readiness(r).overall
        >>> s.achieved, s.ceiling > 0, s.total >= s.ceiling
        (0, True, True)
    """
    groups: dict[str, Score] = {}
    services: dict[str, Score] = {}
    for row in readiness.entries:
        score = _row_score(row)
        groups[row.entry.group] = groups.get(row.entry.group, Score()) + score
        services[row.entry.service] = services.get(row.entry.service, Score()) + score
    return Scores(overall=_sum(groups.values()), services=services, groups=groups)


def _row_score(row: EntryStatus) -> Score:
    total = len(row.checks)
    if not row.contracted or row.status in OUT_OF_RUN:
        return Score(total=total)
    # every covering test skipped: the target (or its credentials) did not allow the check
    skipped = sum(check.status == "partial" and check.tests == 0 for check in row.checks.values())
    states = [check.status for check in row.checks.values()]
    return Score(total=total, ceiling=total - skipped, achieved=states.count("pass"), failed=states.count("fail"),
                 waived=states.count("waived"), partial=states.count("partial"))


def _sum(scores: Iterable[Score]) -> Score:
    result = Score()
    for score in scores:
        result = result + score
    return result


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0
