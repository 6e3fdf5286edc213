"""``readiness.md``: the readiness matrix as Markdown, one table per service, then what failed and why."""

from __future__ import annotations

from collections.abc import Sequence

from ocp_conformance.reporting._view import (
    contract_note,
    not_contracted_note,
    out_of_run_note,
    partial_note,
    service_tables,
    status_label,
    verdict_explanation,
)
from ocp_conformance.reporting.readiness import CheckState, Readiness

__all__ = ["STATUS_SYMBOLS", "render_markdown"]

#: How a status shows in a table cell.
STATUS_SYMBOLS: dict[CheckState, str] = {"pass": "✅", "fail": "❌", "partial": "◐", "not-run": "—",
                                          "not-selected": "·", "n/a": "n/a", "waived": "⚠️"}


def render_markdown(readiness: Readiness, *, head: Sequence[str] = (), tail: Sequence[str] = ()) -> str:
    """The readiness report as GitHub-flavoured Markdown (ends with a newline).

    ``head`` lines go before the tables (scores, trend), ``tail`` lines after the failures (their links).

    Example:
        >>> from ocp_conformance.contracts import load_contracts
        >>> from ocp_conformance.reporting.readiness import build_readiness
        >>> c = load_contracts()
        >>> md = render_markdown(build_readiness(c.catalogue, [], target="simulator", contract_version="x"))
        >>> md.splitlines()[0]
        '# OCP conformance readiness'
    """
    verdict = "READY" if readiness.ready else "NOT READY"
    lines = [
        "# OCP conformance readiness",
        "",
        f"**Verdict: {verdict}** — {verdict_explanation(readiness)}",
        "",
        f"- Target: `{_code(readiness.target)}`",
        f"- Contract version: `{_code(readiness.contract_version)}`",
        f"- Generated: {readiness.generated_at.isoformat(timespec='seconds')}",
        "",
        f"> {'**Official contract.**' if readiness.contract_source == 'official' else '**Model contracts.**'} "
        f"{_text(contract_note(readiness))}",
        "",
    ]
    lines += [f"> **WARNING:** {_text(warning)}" for warning in readiness.target_warnings]
    lines += [""] if readiness.target_warnings else []
    for note in (not_contracted_note(readiness), out_of_run_note(readiness), partial_note(readiness)):
        if note:
            lines += [f"> {note}", ""]
    lines += [f"Legend: {STATUS_SYMBOLS['pass']} pass · {STATUS_SYMBOLS['fail']} fail · "
              f"{STATUS_SYMBOLS['partial']} partial (a covering test skipped) · "
              f"{STATUS_SYMBOLS['not-run']} not run · {STATUS_SYMBOLS['waived']} failed, waived · "
              f"{STATUS_SYMBOLS['not-selected']} not selected (--only) · n/a out of scope", ""]
    lines += head

    for table in service_tables(readiness):
        lines += [f"## {table.service}", ""]
        header = ["Function", "Group", "Status", *table.columns, "Ran", "Skipped"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in table.rows:
            cells = [
                _cell(row.display),
                _cell(row.entry.group),
                f"{STATUS_SYMBOLS[row.status]} {status_label(row)}",
                *(STATUS_SYMBOLS[row.checks[k].status] if k in row.checks else "" for k in table.columns),
                str(row.tests_ran),
                str(row.tests_skipped),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    lines += _failures(readiness)
    lines += tail
    lines += _waivers(readiness)
    lines += _harness_errors(readiness)
    lines += _partial(readiness)
    lines += _contracted_not_run(readiness)
    return "\n".join(lines).rstrip("\n") + "\n"


def _failures(readiness: Readiness) -> list[str]:
    failed = readiness.failed_entries()
    lines = ["## Failures", ""]
    if not failed:
        return [*lines, "None.", ""]
    for row in failed:
        lines.append(f"### {_text(row.display)} ({row.entry.service} / {_text(row.entry.group)})")
        lines.append("")
        for kind, check in row.checks.items():
            if check.status == "fail":
                counts = f"{check.failed} of {check.tests} tests failed"
                lines.append(f"- **{kind}**: {counts} — {_text(check.reason)}")
        lines.append("")
    return lines


def _waivers(readiness: Readiness) -> list[str]:
    if not readiness.waivers:
        return []
    counts = readiness.waiver_counts()
    lines = ["## Waivers", "", ", ".join(f"{n} {state}" for state, n in counts.items()) + ".", ""]
    lines += ["| Waiver | Function | Check | Expires | State | Reason | Note |", "|---|---|---|---|---|---|---|"]
    for outcome in readiness.waivers:
        waiver = outcome.waiver
        cells = [waiver.ticket, waiver.function, waiver.check, waiver.expires.isoformat(), outcome.state,
                 waiver.reason, outcome.note]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def _harness_errors(readiness: Readiness) -> list[str]:
    if not readiness.harness_errors:
        return []
    lines = [
        "## Harness errors",
        "",
        "These are crashes of the harness, not failures of the target; "
        "the run cannot be ready until they are fixed.",
        "",
    ]
    for result in readiness.harness_errors:
        message = result.message.strip().splitlines()[0] if result.message.strip() else "(no message)"
        lines.append(f"- `{_code(result.test_id)}` ({result.check}): {_text(message)}")
    return [*lines, ""]


def _partial(readiness: Readiness) -> list[str]:
    rows = readiness.partial_entries()
    if not rows:
        return []
    lines = ["## Partial (covering tests skipped: not a pass)", ""]
    for row in rows:
        for kind, check in row.checks.items():
            if check.status != "partial":
                continue
            lines.append(f"- **{_text(row.display)}** · {kind}: {check.tests} ran, {len(check.skipped)} skipped")
            lines += [f"  - `{_code(test_id)}`: {_text(why)}" for test_id, why in check.skipped]
    return [*lines, ""]


def _contracted_not_run(readiness: Readiness) -> list[str]:
    rows = [row for row in readiness.entries if row.contracted and row.status == "not-run"]
    if not rows:
        return []
    lines = ["## Not run (contracted entries)", ""]
    lines += [f"- **{_text(row.display)}**: {_text(row.reason)}" for row in rows]
    return [*lines, ""]


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|")


def _text(text: str) -> str:
    """One line, with Markdown-active characters that could break the layout escaped."""
    flat = " ".join(text.split())
    for char in ("\\", "*", "_", "`", "<", ">", "[", "]"):
        flat = flat.replace(char, "\\" + char)
    return flat


def _code(text: str) -> str:
    return " ".join(text.split()).replace("`", "'")
