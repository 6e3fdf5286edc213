"""The suites' strength, measured: each fault profile run against the suites, and whether a check caught it on
the function it breaks (``ocp-conformance faults --score``, issue 15 item 4).

Plain data in (a profile's name, function and the :class:`CheckResult` records of its run), judgement and
renderings out; running the faults is the command's business (``cli_faults.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ocp_conformance.reporting.results import CheckResult

__all__ = ["Catch", "FaultOutcome", "FaultRun", "FaultScore", "judge_fault_run"]

FaultOutcome = Literal["caught", "wrong-attribution", "not-caught", "harness-error", "not-scored"]
"""``caught``: a check failed the function the fault breaks (exit 1, no harness error); ``wrong-attribution``:
checks failed, but only other functions; ``harness-error``: a check crashed on the faulty answer instead of
failing the target (or the run did not finish); ``not-scored``: a conformance run cannot see it (a load fault)."""


@dataclass(frozen=True, slots=True)
class Catch:
    """One failed check of a fault run: its kind, its test, and the functions it failed."""

    check: str
    test_id: str
    functions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "test_id": self.test_id, "functions": list(self.functions)}


@dataclass(frozen=True, slots=True)
class FaultRun:
    """What one fault profile's run showed."""

    name: str
    function: str
    breaks: str
    outcome: FaultOutcome
    caught_by: tuple[Catch, ...] = ()
    """Failed checks blamed on ``function``."""
    elsewhere: tuple[Catch, ...] = ()
    """Failed checks blamed only on other functions."""
    exit_code: int | None = None
    detail: str = ""
    seconds: float = 0.0

    @property
    def caught(self) -> bool:
        return self.outcome == "caught"

    def summary(self) -> str:
        """One line: the check that caught it, or why it counts as not caught."""
        if self.outcome == "caught":
            first = self.caught_by[0]
            more = f" (+{len(self.caught_by) - 1} more)" if len(self.caught_by) > 1 else ""
            return f"caught by {first.check}: {first.test_id}{more}"
        if self.outcome == "wrong-attribution":
            blamed = sorted({f for c in self.elsewhere for f in c.functions})
            return (f"WRONG ATTRIBUTION: failed {', '.join(blamed)}, not {self.function} "
                    f"({self.elsewhere[0].check}: {self.elsewhere[0].test_id})")
        if self.outcome == "harness-error":
            return f"HARNESS ERROR: {self.detail}"
        if self.outcome == "not-scored":
            return f"not scored: {self.detail}"
        return "NOT CAUGHT" + (f" ({self.detail})" if self.detail else "")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "function": self.function, "breaks": self.breaks, "outcome": self.outcome,
                "caught_by": [c.to_json() for c in self.caught_by],
                "elsewhere": [c.to_json() for c in self.elsewhere], "exit_code": self.exit_code,
                "detail": self.detail, "seconds": round(self.seconds, 1), "summary": self.summary()}


def judge_fault_run(name: str, function: str, breaks: str, results: Iterable[CheckResult], *, exit_code: int | None,
                    harness_errors: Sequence[str] = (), seconds: float = 0.0, expected_check: str = "") -> FaultRun:
    """Judge one fault's run: caught only if a failed check blames ``function`` (the plugin's blame rule,
    :meth:`CheckResult.blames`), the run exited 1 and no check crashed into a harness error. Failures of the
    ``expected_check`` kind (the one the profile names) come first."""
    failed = sorted((r for r in results if r.outcome == "failed"), key=lambda r: r.check != expected_check)
    on_function = tuple(Catch(r.check, r.test_id, tuple(r.failed_functions or r.functions))
                        for r in failed if r.blames(function))
    elsewhere = tuple(Catch(r.check, r.test_id, tuple(r.failed_functions or r.functions))
                      for r in failed if not r.blames(function))

    def judged(outcome: FaultOutcome, detail: str = "") -> FaultRun:
        return FaultRun(name, function, breaks, outcome, caught_by=on_function, elsewhere=elsewhere,
                        exit_code=exit_code, detail=detail, seconds=seconds)

    if harness_errors:
        shown = "; ".join(harness_errors[:3]) + (f"; +{len(harness_errors) - 3} more" if len(harness_errors) > 3
                                                 else "")
        return judged("harness-error", shown)
    if exit_code not in (0, 1):
        return judged("harness-error", f"the run exited {exit_code}")
    if on_function and exit_code == 1:
        return judged("caught")
    if elsewhere:
        return judged("wrong-attribution")
    return judged("not-caught", f"every check passed, exit {exit_code}")


@dataclass(slots=True)
class FaultScore:
    """Every fault run, in the order the functions are to be shown."""

    runs: list[FaultRun] = field(default_factory=list)

    @property
    def scored(self) -> list[FaultRun]:
        return [r for r in self.runs if r.outcome != "not-scored"]

    @property
    def all_caught(self) -> bool:
        return all(r.caught for r in self.scored)

    def by_function(self) -> dict[str, list[FaultRun]]:
        grouped: dict[str, list[FaultRun]] = {}
        for run in self.runs:
            grouped.setdefault(run.function, []).append(run)
        return grouped

    def totals(self) -> tuple[int, int]:
        """(caught, scored)."""
        return sum(r.caught for r in self.scored), len(self.scored)

    def headline(self) -> str:
        caught, scored = self.totals()
        percent = f"{100 * caught / scored:.0f} %" if scored else "n/a"
        unscored = len(self.runs) - scored
        return (f"{caught}/{scored} fault profiles caught on their function ({percent})"
                + (f"; {unscored} not scored (load faults: only `ocp-conformance load` sees them)" if unscored
                   else ""))

    def to_json(self) -> dict[str, Any]:
        caught, scored = self.totals()
        return {
            "caught": caught, "scored": scored, "all_caught": self.all_caught, "headline": self.headline(),
            "functions": [{"function": function, "caught": sum(r.caught for r in runs),
                           "defined": sum(r.outcome != "not-scored" for r in runs),
                           "faults": [r.to_json() for r in runs]}
                          for function, runs in self.by_function().items()],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def markdown(self) -> str:
        lines = ["# Fault score", "", self.headline(), "",
                 "Each fault profile breaks one rule of the simulator; a run of the suites against it, selecting the "
                 "function it breaks, must fail that function (exit 1, no harness error). A fault caught only on "
                 "another function counts as wrong attribution, not caught.", "",
                 "| function | caught / defined | fault | result |", "|---|---|---|---|"]
        for function, runs in self.by_function().items():
            defined = sum(r.outcome != "not-scored" for r in runs)
            tally = f"{sum(r.caught for r in runs)}/{defined}"
            for i, run in enumerate(runs):
                cells = [function if i == 0 else "", tally if i == 0 else "", f"`{run.name}`",
                         run.summary().replace("|", "\\|")]
                lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
