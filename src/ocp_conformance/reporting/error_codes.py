"""Which documented error codes a run provoked: each operation's ``x-ocp-error-codes`` against the codes the target
answered with (issue 15: every documented code of every function needs a case that provokes it).

A code *provoked* is one the target answered some request of the run with (status and code as documented). A
documented code never provoked is a rule no check reached in this run: ``error-codes.md`` lists them per function,
so a missing case is visible instead of assumed. Codes are the bound contract's own (read at the binding's error
pointer); an answer with a code the operation does not document is listed too (schemathesis and the suites judge
it; this report only counts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ocp_conformance.contracts import ContractSet

__all__ = ["BUSINESS_STATUSES", "CodeCoverage", "SeenCode", "business_counts", "coverage", "load_seen",
           "write_coverage"]

SeenCode = tuple[str, str, str]
"""(operationId, status, code) of one error answer (``ocp_conformance.bound_client.seen_code`` reads it)."""


@dataclass(frozen=True, slots=True)
class CodeCoverage:
    """One operation's documented error codes, those the run provoked, and undocumented ones it saw."""

    function: str
    operation_id: str
    documented: tuple[tuple[str, str], ...]
    provoked: tuple[tuple[str, str], ...]
    undocumented: tuple[tuple[str, str], ...]

    @property
    def missing(self) -> tuple[tuple[str, str], ...]:
        return tuple(pair for pair in self.documented if pair not in set(self.provoked))


BUSINESS_STATUSES = frozenset({"404", "409", "422"})
"""Statuses of a function's own rules (not found, conflict, business rejection): a request can always provoke them,
where 401/403/429/503 depend on credentials, subscriptions, load or the hour."""


def business_counts(rows: Iterable[CodeCoverage]) -> tuple[int, int]:
    """(provoked, documented) over the business statuses only."""
    rows = list(rows)
    return (sum(1 for row in rows for status, _ in row.provoked if status in BUSINESS_STATUSES),
            sum(1 for row in rows for status, _ in row.documented if status in BUSINESS_STATUSES))


def coverage(contracts: ContractSet, seen: Iterable[SeenCode]) -> list[CodeCoverage]:
    """Per operation of a catalogue function that documents error codes: documented, provoked, undocumented."""
    by_operation: dict[str, set[tuple[str, str]]] = {}
    for operation_id, status, code in seen:
        by_operation.setdefault(operation_id, set()).add((status, code))
    rows = []
    for document in contracts.api_documents:
        for operation in document.operations.values():
            documented_codes: Mapping[str, list[str]] = operation.spec.get("x-ocp-error-codes") or {}
            documented = tuple(sorted((str(status), str(code)) for status, codes in documented_codes.items()
                                      for code in codes))
            if operation.function is None or not documented:
                continue
            answered = by_operation.get(operation.operation_id, set())
            rows.append(CodeCoverage(operation.function, operation.operation_id, documented,
                                     tuple(sorted(answered & set(documented))),
                                     tuple(sorted(answered - set(documented)))))
    return sorted(rows, key=lambda row: (row.function, row.operation_id))


def load_seen(paths: Iterable[Path]) -> list[SeenCode]:
    """The codes each worker of a run saved (``[[operationId, status, code], ...]`` per file)."""
    seen: list[SeenCode] = []
    for path in paths:
        seen += [(str(o), str(s), str(c)) for o, s, c in json.loads(path.read_text(encoding="utf-8"))]
    return seen


def write_coverage(rows: list[CodeCoverage], report_dir: Path) -> tuple[int, int]:
    """``error-codes.json`` and ``error-codes.md`` in ``report_dir``; (provoked, documented) over all operations."""
    provoked = sum(len(row.provoked) for row in rows)
    documented = sum(len(row.documented) for row in rows)
    business = business_counts(rows)
    (report_dir / "error-codes.json").write_text(json.dumps({
        "provoked": provoked, "documented": documented,
        "business": {"statuses": sorted(BUSINESS_STATUSES), "provoked": business[0], "documented": business[1]},
        "operations": [{"function": row.function, "operation": row.operation_id,
                        "documented": [list(p) for p in row.documented], "provoked": [list(p) for p in row.provoked],
                        "never_provoked": [list(p) for p in row.missing],
                        "undocumented_seen": [list(p) for p in row.undocumented]} for row in rows],
    }, indent=2) + "\n", encoding="utf-8")
    lines = ["# Documented error codes this run provoked", "",
             f"{provoked} of {documented} documented (status, code) pairs were answered by the target in this run. "
             "A pair never provoked is a rule no check reached: a case for it is missing (or the selection left "
             "it out).", "",
             f"Of the business statuses ({', '.join(sorted(BUSINESS_STATUSES))}: a function's own rules, which a "
             f"request can always provoke): {business[0]} of {business[1]}. The others (401, 403, 429, 503) depend on "
             "credentials, subscriptions, load or the hour: a target with simulator control answers 403, 429 and 503 "
             "to a refusing token; on any other they stay unprovoked unless the target can be made to refuse.", "",
             "| function | operation | provoked | never provoked |", "|---|---|---|---|"]
    for row in rows:
        never = ", ".join(f"{status} {code}" for status, code in row.missing) or "—"
        lines.append(f"| {row.function} | `{row.operation_id}` | {len(row.provoked)}/{len(row.documented)} | "
                     f"{never} |")
    (report_dir / "error-codes.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return provoked, documented
