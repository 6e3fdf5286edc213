"""What the Markdown and console renderings share: grouping by service and the plain-language sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ocp_conformance.reporting.readiness import APPLICABLE_CHECKS, EntryStatus, Readiness
from ocp_conformance.reporting.results import CheckKind

SERVICES: tuple[str, ...] = ("API Services", "GCP Services", "RAP Upload")


@dataclass(frozen=True, slots=True)
class ServiceTable:
    """The rows of one service and the check columns that apply to them."""

    service: str
    columns: tuple[CheckKind, ...]
    rows: tuple[EntryStatus, ...]


def service_tables(readiness: Readiness) -> list[ServiceTable]:
    """One table per service in :data:`SERVICES` order, rows in catalogue order; empty services left out."""
    order = list(SERVICES) + sorted({r.entry.service for r in readiness.entries} - set(SERVICES))
    tables: list[ServiceTable] = []
    for service in order:
        rows = tuple(r for r in readiness.entries if r.entry.service == service)
        if not rows:
            continue
        columns: dict[CheckKind, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(APPLICABLE_CHECKS[row.entry.kind]))
        tables.append(ServiceTable(service, tuple(columns), rows))
    return tables


def contract_note(readiness: Readiness) -> str:
    """Whose contract the run checked: a model unless the contracts folder's binding declares the official one.

    Example:
        >>> from datetime import UTC, datetime
        >>> contract_note(Readiness("ready", "simulator", "ocp-api 0.1.0", datetime.now(UTC), ())).split(":")[0]
        'Contracts: a model'
    """
    if readiness.contract_source == "official":
        return ("Contract: the exchange's official contract, bound by the contracts folder's binding.yaml "
                "(contract: official).")
    return ("Contracts: a model of CCASS built from public rules, not HKEX's official OCP API contract; a verdict "
            "here shows conformance to the model. Bind the official contract to certify against it "
            "(docs/adopting-the-official-contract.md; its binding.yaml says contract: official).")


def not_contracted_note(readiness: Readiness) -> str | None:
    """The sentence about entries outside the verdict because no contract covers them yet, if any."""
    count = len(readiness.not_contracted())
    if not count:
        return None
    verb = "is" if count == 1 else "are"
    return (
        f"{count} of {len(readiness.entries)} catalogue entries {verb} not yet contracted; "
        "they are listed as not-run and do not count toward the verdict."
    )


def out_of_run_note(readiness: Readiness) -> str | None:
    """The sentence about entries this run did not set out to test (``--only``, out of scope), if any."""
    summary = readiness.summary
    parts = []
    if summary["not-selected"]:
        parts.append(f"{_count(summary['not-selected'], 'entry', 'entries')} not selected (--only): the verdict is "
                     "on the selection")
    if summary["n/a"]:
        parts.append(f"{_count(summary['n/a'], 'entry', 'entries')} n/a (out of scope for this run, each with why)")
    return ("; ".join(parts) + "; they do not count toward the verdict.") if parts else None


def partial_note(readiness: Readiness) -> str | None:
    """The sentence about skipped tests, if any: a check with a skipped test is partial, never a pass."""
    summary = readiness.summary
    if not summary["tests_skipped"]:
        return None
    return (f"{_count(summary['tests_skipped'], 'test')} skipped ({summary['tests_ran']} ran): each check they "
            "cover is partial, not a pass, with the reason.")


def verdict_explanation(readiness: Readiness) -> str:
    """Why the verdict is what it is, in one sentence."""
    summary = readiness.summary
    if readiness.ready and readiness.test_plan:
        levels = [item["level"] for item in readiness.test_plan]
        mandatory = sum(1 for row in readiness.entries if row.contracted
                        for item in readiness.test_plan if item["name"] == row.name and item["level"] == "mandatory")
        return (f"All {_count(mandatory, 'mandatory entry', 'mandatory entries')} of the capability profile's test "
                f"plan passed every applicable check ({levels.count('conditional')} conditional, reported; "
                f"{levels.count('not-applicable')} not applicable).")
    if readiness.ready:
        waived = readiness.waived_checks()
        if waived:
            checks = "check" if waived == 1 else "checks"
            return (f"{_all(summary)} passed every applicable check, but for {waived} failed {checks} under a "
                    "valid waiver.")
        return f"{_all(summary)} passed every applicable check."
    if not summary["contracted"]:
        return "No catalogue entry is contracted yet, so nothing can be shown ready."
    if not summary["in_run"]:
        return "No contracted entry is selected and in scope, so nothing can be shown ready."
    reasons: list[str] = []
    if readiness.stopped_early:
        reasons.append(f"the run stopped early ({readiness.stopped_early})")
    if summary["harness_errors"]:
        errors = _count(summary["harness_errors"], "harness error")
        reasons.append(f"{errors} (a crash of ours, not the target's)")
    if summary["fail"]:
        reasons.append(f"{_count(summary['fail'], 'contracted entry', 'contracted entries')} failed")
    partial = [row for row in readiness.partial_entries() if _counts(readiness, row.name)]
    if partial:
        reasons.append(f"{_count(len(partial), 'entry', 'entries')} counted toward the verdict "
                       f"{'is' if len(partial) == 1 else 'are'} partial (a covering test was skipped)")
    if summary["contracted_not_run"]:
        reasons.append(
            f"{_count(summary['contracted_not_run'], 'contracted entry', 'contracted entries')} "
            "did not run every applicable check"
        )
    return "; ".join(reasons) + "."


def _all(summary: dict[str, int]) -> str:
    """``All 43 contracted entries`` / ``The 1 contracted entry of the selection``."""
    count = summary["in_run"]
    return (f"The 1 contracted entry{_scope(summary)}" if count == 1
            else f"All {count} contracted entries{_scope(summary)}")


def _scope(summary: dict[str, int]) -> str:
    """`` of the selection`` / `` in scope`` when the run left entries out, else nothing."""
    if summary["not-selected"]:
        return " of the selection"
    return " in scope" if summary["n/a"] else ""


def _counts(readiness: Readiness, name: str) -> bool:
    """Whether entry ``name`` counts toward the verdict: mandatory in the test plan (every entry, without one)."""
    return all(item["level"] == "mandatory" for item in readiness.test_plan if item["name"] == name)


def status_label(row: EntryStatus) -> str:
    """The status word of a row; uncontracted rows say so, to tell them apart from checks that did not run."""
    if not row.contracted:
        return "not-run (not yet contracted)"
    if any(check.status == "waived" for check in row.checks.values()):
        return f"{row.status} (waived)"
    return row.status


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
