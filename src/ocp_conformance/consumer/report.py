"""The client-conformance report: ``client-conformance.json`` and ``.md`` in the readiness report folder.

Per operation the participant's client called: requests, contract violations (field, expected, seen), the
verdicts on its retries of injected failures, and calls to discontinued PG functions; then one overall verdict.
``readiness.md`` in the same folder, if there is one, gets a section linking to it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from ocp_conformance.consumer.recorder import Exchange
from ocp_conformance.consumer.retries import RetryOutcome, analyse_retries, duplicate_creations
from ocp_conformance.reporting.companions import link_companions

__all__ = ["ClientConformance", "ClientVerdict", "OperationSummary", "build_client_conformance",
           "render_client_markdown", "write_client_conformance"]

ClientVerdict = Literal["pass", "fail", "incomplete"]
JSON_NAME, MARKDOWN_NAME, EXCHANGES_NAME = "client-conformance.json", "client-conformance.md", "client-exchanges.jsonl"


@dataclass(slots=True)
class OperationSummary:
    """What the client did with one operation (or one path the contract does not have)."""

    name: str
    function: str | None
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    """HTTP status (or ``dropped``) -> how many responses."""
    violations: list[tuple[Exchange, Any]] = field(default_factory=list)
    retries: list[RetryOutcome] = field(default_factory=list)
    discontinued: list[Exchange] = field(default_factory=list)

    @property
    def state(self) -> ClientVerdict:
        if self.violations or self.discontinued or any(r.state == "fail" for r in self.retries):
            return "fail"
        return "incomplete" if any(r.state == "not-observed" for r in self.retries) else "pass"

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.name, "function": self.function, "requests": self.requests, "state": self.state,
            "statuses": dict(sorted(self.statuses.items())),
            "violations": [{"exchange": e.index, **v.to_json()} for e, v in self.violations],
            "retries": [r.to_json() for r in self.retries],
            "discontinuedCalls": [{"exchange": e.index, "function": e.discontinued, "call": f"{e.method} {e.path}"}
                                  for e in self.discontinued],
        }


@dataclass(frozen=True, slots=True)
class ClientConformance:
    """The whole session: per-operation summaries, duplicates, and the verdict with its reasons."""

    started_at: datetime
    stopped_at: datetime
    stopped_by: str
    operations: tuple[OperationSummary, ...]
    duplicates: tuple[tuple[Exchange, ...], ...]
    exchanges: int
    injections: tuple[str, ...]
    harness_errors: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        """Why the verdict is not a pass (empty when it is)."""
        found = [f"harness error (ours, not the client's): {e}" for e in self.harness_errors]
        if not self.exchanges:
            found.append("no request was recorded: point the client at the recorder and exercise it")
        for op in self.operations:
            if op.violations:
                found.append(f"{op.name}: {len(op.violations)} contract violation(s)")
            if op.discontinued:
                found.append(f"{op.name}: {len(op.discontinued)} call(s) to a discontinued PG function")
            for retry in op.retries:
                for check in retry.checks:
                    if check.state != "pass":
                        found.append(f"{op.name}: #{retry.failed.index} {check.name} {check.state}")
        for group in self.duplicates:
            found.append(f"duplicate instruction: exchanges {', '.join(f'#{e.index}' for e in group)} each created "
                         f"one from the same request ({group[0].operation_id})")
        return found

    @property
    def verdict(self) -> ClientVerdict:
        if not self.exchanges or self.harness_errors:
            return "incomplete"
        if self.duplicates or any(op.state == "fail" for op in self.operations):
            return "fail"
        return "incomplete" if any(op.state == "incomplete" for op in self.operations) else "pass"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "reasons": self.reasons, "startedAt": self.started_at.isoformat(),
            "stoppedAt": self.stopped_at.isoformat(), "stoppedBy": self.stopped_by, "requests": self.exchanges,
            "injections": list(self.injections), "operations": [op.to_json() for op in self.operations],
            "duplicates": [{"operationId": g[0].operation_id, "participant": g[0].participant,
                            "exchanges": [e.index for e in g]} for g in self.duplicates],
            "exchangesFile": EXCHANGES_NAME, "harnessErrors": list(self.harness_errors),
        }


def build_client_conformance(exchanges: Sequence[Exchange], *, started_at: datetime, stopped_at: datetime,
                             stopped_by: str, retry_after: int, min_backoff: float,
                             injections: Sequence[str] = (), harness_errors: Sequence[str] = ()
                             ) -> ClientConformance:
    """Summarise a recording session (the recorder's exchanges) into the report."""
    summaries: dict[str, OperationSummary] = {}

    def summary(exchange: Exchange) -> OperationSummary:
        name = exchange.operation_id or (f"{exchange.discontinued} (discontinued)" if exchange.discontinued
                                         else f"{exchange.method} {exchange.path} (not in the contract)")
        return summaries.setdefault(name, OperationSummary(name, exchange.function or exchange.discontinued))

    for exchange in exchanges:
        op = summary(exchange)
        op.requests += 1
        op.statuses["dropped" if exchange.status is None else str(exchange.status)] += 1
        if exchange.discontinued:
            op.discontinued.append(exchange)
        else:
            op.violations += [(exchange, v) for v in exchange.violations]
    for outcome in analyse_retries(exchanges, retry_after=retry_after, min_backoff=min_backoff):
        summary(outcome.failed).retries.append(outcome)
    return ClientConformance(started_at, stopped_at, stopped_by, tuple(summaries.values()),
                             tuple(duplicate_creations(exchanges)), len(exchanges), tuple(injections),
                             tuple(harness_errors))


def write_client_conformance(report: ClientConformance, exchanges: Sequence[Exchange], folder: Path) -> list[Path]:
    """Write the JSON, the Markdown and every (redacted) exchange into ``folder``; link it from readiness.md."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path, exchanges_path = folder / JSON_NAME, folder / MARKDOWN_NAME, folder / EXCHANGES_NAME
    json_path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_client_markdown(report), encoding="utf-8")
    with exchanges_path.open("w", encoding="utf-8") as stream:
        for exchange in exchanges:
            stream.write(json.dumps(exchange.to_json(), ensure_ascii=False, default=str) + "\n")
    written = [json_path, md_path, exchanges_path]
    if link_companions(folder):
        written.append(folder / "readiness.md")
    return written


_VERDICTS: dict[ClientVerdict, str] = {"pass": "PASS", "fail": "FAIL", "incomplete": "INCOMPLETE"}
_STATE = {"pass": "✅", "fail": "❌", "incomplete": "—", "not-observed": "—"}


def render_client_markdown(report: ClientConformance) -> str:
    """The report as GitHub-flavoured Markdown (ends with a newline)."""
    lines = ["# OCP client conformance (consumer mode)", "",
             f"**Verdict: {_VERDICTS[report.verdict]}**" + (" — " + "; ".join(report.reasons) if report.reasons
                                                             else " — every request conformed and every retry "
                                                             "was safe"), "",
             f"- Recorded: {report.started_at.isoformat(timespec='seconds')} to "
             f"{report.stopped_at.isoformat(timespec='seconds')} (stopped by {report.stopped_by})",
             f"- Requests: {report.exchanges}; injected failures: {', '.join(report.injections) or 'none'}",
             f"- Every exchange (credentials redacted): `{EXCHANGES_NAME}`", "",
             "| Operation | Function | Requests | Statuses | Violations | Retries | Discontinued calls | State |",
             "|---|---|---|---|---|---|---|---|"]
    for op in report.operations:
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(op.statuses.items()))
        retries = ", ".join(f"#{r.failed.index} {_STATE[r.state]}" for r in op.retries)
        lines.append(f"| `{op.name}` | {_cell(op.function or '')} | {op.requests} | {statuses} | "
                     f"{len(op.violations)} | {retries} | {len(op.discontinued)} | {_STATE[op.state]} |")
    lines.append("")
    violations = [(op, e, v) for op in report.operations for e, v in op.violations]
    if violations:
        lines += ["## Contract violations", ""]
        for op, exchange, violation in violations:
            seen = f" Received: `{_cell(json.dumps(violation.seen, ensure_ascii=False))}`." \
                if violation.seen is not None else ""
            lines.append(f"- #{exchange.index} `{op.name}` at `{violation.pointer or '/'}`: "
                         f"{_cell(violation.reason)}.{seen}")
        lines.append("")
    outcomes = [r for op in report.operations for r in op.retries]
    if outcomes:
        lines += ["## Retry behaviour", ""]
        for retry in outcomes:
            lines.append(f"- #{retry.failed.index} `{retry.failed.operation_id}` ({retry.failed.injected}): "
                         f"{_STATE[retry.state]} {retry.state}")
            lines += [f"  - {check.name}: {check.state} — {_cell(check.detail)}" for check in retry.checks]
        lines.append("")
    discontinued = [(op, e) for op in report.operations for e in op.discontinued]
    if discontinued:
        lines += ["## Calls to discontinued PG functions", ""]
        lines += [f"- #{e.index}: {_cell(e.violations[0].reason if e.violations else str(e.discontinued))}"
                  for _, e in discontinued]
        lines.append("")
    if report.duplicates:
        lines += ["## Duplicate instructions", ""]
        lines += [f"- {', '.join(f'#{e.index}' for e in group)}: `{group[0].operation_id}` by "
                  f"{group[0].participant}, the same request created more than once" for group in report.duplicates]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
