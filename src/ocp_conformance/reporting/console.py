"""The end-of-run summary on the terminal: a Rich table per service, then the verdict."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ocp_conformance.reporting._view import (
    not_contracted_note,
    out_of_run_note,
    partial_note,
    service_tables,
    verdict_explanation,
)
from ocp_conformance.reporting.readiness import CheckState, Readiness, Status

__all__ = ["render_summary"]

_CELL: dict[CheckState, tuple[str, str]] = {
    "pass": ("✅ pass", "green"),
    "waived": ("⚠ waived", "yellow"),
    "fail": ("❌ fail", "bold red"),
    "partial": ("◐ partial", "yellow"),
    "not-run": ("— not run", "dim"),
    "not-selected": ("· not selected", "dim"),
    "n/a": ("n/a", "dim"),
}
_SHORT_CELL: dict[CheckState, str] = {"not-selected": "·"}
"""Check cells shorter than the entry's status, which already says it."""


def render_summary(readiness: Readiness, console: Console) -> None:
    """Print the readiness matrix and verdict to ``console``.

    Entries not yet contracted are shown as not-run, and a plain sentence says they do not count toward
    the verdict. Text from tests is printed literally (never interpreted as Rich markup).

    Example:
        >>> from io import StringIO
        >>> from ocp_conformance.contracts import load_contracts
        >>> from ocp_conformance.reporting.readiness import build_readiness
        >>> c = load_contracts()
        >>> out = Console(file=StringIO(), width=160)
        >>> render_summary(build_readiness(c.catalogue, [], target="simulator", contract_version="x"), out)
    """
    for table in service_tables(readiness):
        rows = [row for row in table.rows if row.status != "not-selected"]  # a sentence below counts them
        if not rows:
            continue
        grid = Table(title=table.service, title_justify="left", show_lines=False)
        grid.add_column("Function", no_wrap=True)
        grid.add_column("Group")
        grid.add_column("Status", no_wrap=True)
        for kind in table.columns:
            grid.add_column(kind, justify="center", no_wrap=True)
        grid.add_column("ran", justify="right", no_wrap=True)
        grid.add_column("skipped", justify="right", no_wrap=True)
        for row in rows:
            cells = [
                _status(row.checks[kind].status, short=True) if kind in row.checks else Text("")
                for kind in table.columns
            ]
            status = Text("— not contracted", style="dim") if not row.contracted else _status(row.status)
            skipped = Text(str(row.tests_skipped), style="yellow" if row.tests_skipped else "")
            grid.add_row(Text(row.display), Text(row.entry.group), status, *cells, Text(str(row.tests_ran)), skipped)
        console.print(grid)

    failed = readiness.failed_entries()
    if failed:
        console.print(Text("Failures", style="bold red"))
        for row in failed:
            console.print(Text(f"  {row.display}: {row.reason}"))
    partial = readiness.partial_entries()
    if partial:
        console.print(Text("Partial (covering tests skipped: not a pass)", style="bold yellow"))
        for row in partial:
            for kind, check in row.checks.items():
                if check.status == "partial":
                    console.print(Text(f"  {row.display} · {kind}: {check.reason}"))
    if readiness.harness_errors:
        count = len(readiness.harness_errors)
        console.print(Text(f"Harness errors ({count}), a crash of ours:", style="bold red"))
        for result in readiness.harness_errors:
            first = result.message.strip().splitlines()[0] if result.message.strip() else "(no message)"
            console.print(Text(f"  {result.test_id}: {first}"))

    if readiness.waivers:
        counts = ", ".join(f"{n} {state}" for state, n in readiness.waiver_counts().items() if n)
        console.print(Text(f"Waivers: {counts}", style="yellow"))
        for outcome in readiness.waivers:
            if outcome.state != "applied":
                console.print(Text(f"  {outcome.waiver.describe()}: {outcome.state}: {outcome.note}"))
    for note in (not_contracted_note(readiness), out_of_run_note(readiness), partial_note(readiness)):
        if note:
            console.print(Text(note, style="yellow"))
    out_of_scope = Counter(row.reason for row in readiness.entries if row.status == "n/a")
    for reason, count in out_of_scope.items():
        console.print(Text(f"  n/a ({count} entr{'y' if count == 1 else 'ies'}): {reason}", style="dim"))
    summary = readiness.summary
    out_of_run = (f" · not selected {summary['not-selected']}" if summary["not-selected"] else "") + (
        f" · n/a {summary['n/a']}" if summary["n/a"] else "")
    console.print(
        Text(
            f"Contracted entries: {summary['contracted']} · pass {_contracted(readiness, 'pass')} · "
            f"fail {_contracted(readiness, 'fail')} · partial {_contracted(readiness, 'partial')} · "
            f"not run {summary['contracted_not_run']}{out_of_run} · tests ran {summary['tests_ran']}, "
            f"skipped {summary['tests_skipped']}"
            + (f", not applicable to this contract {summary['tests_not_applicable']}"
               if summary.get("tests_not_applicable") else "")
        )
    )
    verdict = Text("Verdict: ", style="bold")
    if readiness.ready:
        verdict.append("READY", style="bold green")
    else:
        verdict.append("NOT READY", style="bold red")
    verdict.append(f" — {verdict_explanation(readiness)}")
    console.print(verdict)
    for warning in readiness.target_warnings:
        console.print(Text(f"WARNING: {warning}", style="bold red"))


def _status(status: CheckState, *, short: bool = False) -> Text:
    label, style = _CELL[status]
    return Text(_SHORT_CELL.get(status, label) if short else label, style=style)


def _contracted(readiness: Readiness, status: Status) -> int:
    return sum(1 for row in readiness.entries if row.contracted and row.status == status)
