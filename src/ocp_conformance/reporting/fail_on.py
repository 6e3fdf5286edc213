"""``run --fail-on``: when a finished run exits 1 (not ready) — the CI threshold (DESIGN.md §9).

Conditions (repeatable; the run fails if any holds):

- ``mandatory`` (the default): the verdict is not-ready — a mandatory check failed, did not run, is partial (a
  covering test was skipped), or its waiver expired (with no capability profile, every applicable check is
  mandatory); a partial *conditional* check is reported and does not count, as the test plan says;
- ``any``: as ``mandatory``, and also any failure under a valid waiver and any partial check, conditional too;
- ``score<N``: the overall achieved score (passed checks / ceiling, in %) is below ``N`` (0–100). Alone, it
  lets a run that is not yet ready pass CI while the score holds, e.g. during onboarding.

Harness errors always exit 3, whatever the conditions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DEFAULT_FAIL_ON", "FailOn", "FailOnError", "fail_on_breaches", "parse_fail_on"]

_SCORE = re.compile(r"score\s*<\s*(\d+(?:\.\d+)?)\s*%?")


class FailOnError(ValueError):
    """A ``--fail-on`` value that is not one of the conditions; the message says which are."""


@dataclass(frozen=True, slots=True)
class FailOn:
    """One condition: ``mandatory``, ``any`` or ``score`` (below ``threshold`` %)."""

    kind: Literal["mandatory", "any", "score"]
    threshold: float = 0.0

    def __str__(self) -> str:
        return f"score<{self.threshold:g}" if self.kind == "score" else self.kind


DEFAULT_FAIL_ON = (FailOn("mandatory"),)


def parse_fail_on(values: Iterable[str], where: str = "--fail-on") -> tuple[FailOn, ...]:
    """Parse ``--fail-on`` values (default :data:`DEFAULT_FAIL_ON` when none); ``where`` names their source in
    an error (e.g. the profile's ``file:line:column: fail_on``).

    Example:
        >>> [str(c) for c in parse_fail_on(["any", "score<80"])]
        ['any', 'score<80']
    """
    conditions: list[FailOn] = []
    for value in values:
        text = value.strip().lower()
        match = _SCORE.fullmatch(text)
        if text in ("mandatory", "any"):
            conditions.append(FailOn("mandatory" if text == "mandatory" else "any"))
        elif match and float(match.group(1)) <= 100:
            conditions.append(FailOn("score", float(match.group(1))))
        else:
            example = "--fail-on 'score<80'; quote it, < is a shell redirection" if where == "--fail-on" \
                else 'fail_on = ["mandatory", "score<80"]'
            raise FailOnError(f"{where} {value!r} is not a condition: expected mandatory, any, or score<N with "
                              f"N from 0 to 100 (e.g. {example})")
    return tuple(conditions) or DEFAULT_FAIL_ON


def fail_on_breaches(conditions: Iterable[FailOn], readiness: Mapping[str, Any]) -> list[str]:
    """Which conditions the run's ``readiness.json`` document meets, each with why; empty means exit 0."""
    breaches: list[str] = []
    ready = readiness.get("verdict") == "ready"
    overall = dict(readiness.get("scores", {}).get("overall", {}))
    achieved = float(overall.get("achieved_pct", 0.0))
    waived = int(overall.get("waived", 0))
    partial = int(overall.get("partial", 0))
    for condition in conditions:
        if condition.kind in ("mandatory", "any") and not ready:
            breaches.append(f"{condition}: the verdict is not-ready")
        elif condition.kind == "any" and (waived or partial):
            counts = [f"{waived} check(s) failed under a waiver"] if waived else []
            counts += [f"{partial} check(s) partial (a covering test skipped)"] if partial else []
            breaches.append(f"any: {' and '.join(counts)}")
        elif condition.kind == "score" and achieved < condition.threshold:
            breaches.append(f"{condition}: the achieved score is {achieved:g} %")
    return breaches
