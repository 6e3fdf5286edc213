"""The readiness matrix: one row per catalogue entry × check kind, and the verdict (DESIGN.md §8–§9).

The verdict comes from structured :class:`CheckResult` records only. Entries the contracts do not cover
yet are listed as not-run and do not count toward it. A valid waiver turns a failed check into ``waived``,
which does not block the verdict; nothing turns a check that did not run into a pass, and a check with a
skipped test is ``partial`` (never a pass): it lists each skipped test and why.

Entries outside the run are not counted: ``not-selected`` (left out by ``--only``: the verdict is on the
selection) and ``n/a`` (the capability profile or ``--out-of-scope`` declares them out of scope, with why).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from ocp_conformance.contracts.catalogue import Catalogue, CatalogueEntry, EntryKind
from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.reporting.results import CheckKind, CheckResult
from ocp_conformance.reporting.waivers import Waiver, WaiverOutcome, WaiverState, waiver_counts

__all__ = [
    "APPLICABLE_CHECKS",
    "NOT_CONTRACTED",
    "NOT_SELECTED",
    "NO_TEST",
    "OUT_OF_RUN",
    "CheckState",
    "CheckStatus",
    "EntryStatus",
    "Readiness",
    "Status",
    "Verdict",
    "build_readiness",
    "write_readiness",
]

Status = Literal["pass", "fail", "partial", "not-run", "not-selected", "n/a"]
"""An entry's status. ``partial``: what ran passed, but some covering tests were skipped (see each check);
``not-selected``: left out by ``--only``; ``n/a``: out of scope (capability profile, ``--out-of-scope``)."""
#: A check's status: an entry's, or ``waived`` (failed, but a valid waiver accepts the failure for now).
CheckState = Literal["pass", "fail", "partial", "not-run", "not-selected", "n/a", "waived"]
#: Statuses of entries this run did not set out to test: they do not count toward the verdict or the ceiling.
OUT_OF_RUN: tuple[Status, ...] = ("not-selected", "n/a")
Verdict = Literal["ready", "not-ready"]

#: Which check kinds apply to each kind of catalogue entry. Later work (capability profiles) may change it.
APPLICABLE_CHECKS: dict[EntryKind, tuple[CheckKind, ...]] = {
    "api": ("contract", "negative", "scenario", "security"),
    "gcp": ("contract", "negative", "scenario", "security"),
    "rap": ("file", "scenario"),
}
NOT_CONTRACTED = "not yet contracted"
NOT_SELECTED = "not selected (--only)"
NO_TEST = "no test covers this check"
_MAX_LISTED = 3


@dataclass(frozen=True, slots=True)
class CheckStatus:
    """One cell of the matrix: a catalogue entry × a check kind."""

    status: CheckState
    tests: int = 0
    """How many covering tests ran (passed or failed)."""
    failed: int = 0
    reason: str = ""
    skipped: tuple[tuple[str, str], ...] = ()
    """Each covering test that was skipped, as ``(test id, reason)``."""
    not_applicable: tuple[tuple[str, str], ...] = ()
    """Each covering test that does not apply to the bound contract, as ``(test id, reason)``: neither run nor
    skipped, listed so nothing vanishes silently."""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "tests": self.tests, "failed": self.failed, "skipped": len(self.skipped),
                "reason": self.reason,
                "skipped_tests": [{"test": test_id, "reason": why} for test_id, why in self.skipped],
                "not_applicable_tests": [{"test": test_id, "reason": why} for test_id, why in self.not_applicable]}


@dataclass(frozen=True, slots=True)
class EntryStatus:
    """One row of the matrix: a catalogue entry and its applicable checks, in ``APPLICABLE_CHECKS`` order."""

    entry: CatalogueEntry
    status: Status
    reason: str
    checks: dict[CheckKind, CheckStatus]

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def display(self) -> str:
        """The circular's words for the entry (the catalogue's ``display_name``), else its name."""
        return self.entry.display

    @property
    def contracted(self) -> bool:
        return self.entry.contracted

    @property
    def tests_ran(self) -> int:
        """How many of the entry's covering tests ran (a test has one check kind, so none is counted twice)."""
        return sum(check.tests for check in self.checks.values())

    @property
    def tests_skipped(self) -> int:
        """How many of the entry's covering tests were skipped."""
        return sum(len(check.skipped) for check in self.checks.values())

    @property
    def tests_not_applicable(self) -> int:
        """How many of the entry's covering tests do not apply to the bound contract."""
        return sum(len(check.not_applicable) for check in self.checks.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.entry.name,
            "display_name": self.entry.display,
            "kind": self.entry.kind,
            "group": self.entry.group,
            "status": self.status,
            "reason": self.reason,
            "tests_ran": self.tests_ran,
            "tests_skipped": self.tests_skipped,
            "tests_not_applicable": self.tests_not_applicable,
            "checks": {kind: check.to_json() for kind, check in self.checks.items()},
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    """The readiness matrix of one run and its verdict.

    ``verdict`` is ``ready`` only if every contracted entry the run set out to test (selected, in scope,
    mandatory) passed every applicable check and the harness did not crash; with nothing to count it is never
    ready.
    """

    verdict: Verdict
    target: str
    contract_version: str
    generated_at: datetime
    entries: tuple[EntryStatus, ...]
    harness_errors: list[CheckResult] = field(default_factory=list)
    waivers: tuple[WaiverOutcome, ...] = ()
    stopped_early: str | None = None
    """Why the run stopped before every selected check ran (e.g. its time limit); such a run is never ready."""
    test_plan: tuple[dict[str, str], ...] = ()
    """Each entry's level in the capability profile's test plan (mandatory, conditional, not-applicable) and why."""
    target_warnings: tuple[str, ...] = ()
    """Settings that weaken the run's evidence (e.g. TLS verification off), repeated in every report."""
    contract_source: str = "model"
    """``official`` when the contracts folder's binding declares the exchange's contract bound (``contract:
    official``); ``model`` otherwise: the reports then say the contracts are a model of CCASS, not HKEX's."""

    @property
    def ready(self) -> bool:
        return self.verdict == "ready"

    def entry(self, name: str) -> EntryStatus:
        """The row for catalogue entry ``name``; a KeyError with suggestions if there is none."""
        for row in self.entries:
            if row.name == name:
                return row
        raise KeyError(f"{name!r} is not in the readiness matrix.{did_you_mean(name, self._names())}")

    def failed_entries(self) -> list[EntryStatus]:
        """The rows whose status is ``fail``, in catalogue order."""
        return [row for row in self.entries if row.status == "fail"]

    def waived_checks(self) -> int:
        """How many checks failed but are validly waived."""
        return sum(check.status == "waived" for row in self.entries for check in row.checks.values())

    def waiver_counts(self) -> dict[WaiverState, int]:
        """How many waivers ended in each state (applied, expired, unused-passing, unused-not-run)."""
        return waiver_counts(self.waivers)

    def not_contracted(self) -> list[EntryStatus]:
        """The rows not yet contracted (listed as not-run, outside the verdict)."""
        return [row for row in self.entries if not row.contracted]

    def partial_entries(self) -> list[EntryStatus]:
        """The rows whose status is ``partial`` (a covering test was skipped), in catalogue order."""
        return [row for row in self.entries if row.status == "partial"]

    @property
    def summary(self) -> dict[str, int]:
        """Counts of entries by status, contracted or not, of the tests that ran and were skipped, and of
        harness errors. ``in_run``: contracted entries the run set out to test (neither not-selected nor n/a)."""
        contracted = [row for row in self.entries if row.contracted]
        return {
            "entries": len(self.entries),
            "contracted": len(contracted),
            "not_contracted": len(self.entries) - len(contracted),
            "in_run": sum(row.status not in OUT_OF_RUN for row in contracted),
            "pass": sum(row.status == "pass" for row in self.entries),
            "fail": sum(row.status == "fail" for row in self.entries),
            "partial": sum(row.status == "partial" for row in self.entries),
            "not-run": sum(row.status == "not-run" for row in self.entries),
            "not-selected": sum(row.status == "not-selected" for row in self.entries),
            "n/a": sum(row.status == "n/a" for row in self.entries),
            "contracted_not_run": sum(row.status == "not-run" for row in contracted),
            "tests_ran": sum(row.tests_ran for row in self.entries),
            "tests_skipped": sum(row.tests_skipped for row in self.entries),
            "tests_not_applicable": sum(row.tests_not_applicable for row in self.entries),
            "harness_errors": len(self.harness_errors),
        }

    def to_json(self) -> dict[str, Any]:
        """The ``readiness.json`` document (DESIGN.md §9)."""
        return {
            "verdict": self.verdict,
            "target": self.target,
            "contract_version": self.contract_version,
            "contract_source": self.contract_source,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "summary": self.summary,
            "entries": [row.to_json() for row in self.entries],
            "harness_errors": [r.to_json() for r in self.harness_errors],
            "waivers": [w.to_json() for w in self.waivers],
            "stopped_early": self.stopped_early,
            "test_plan": list(self.test_plan),
            "target_warnings": list(self.target_warnings),
        }

    def _names(self) -> list[str]:
        return [row.name for row in self.entries]


def build_readiness(
    catalogue: Catalogue,
    results: Iterable[CheckResult],
    *,
    target: str,
    contract_version: str,
    now: datetime | None = None,
    selection: Collection[str] | None = None,
    waivers: Iterable[Waiver] = (),
    today: date | None = None,
    stopped_early: str | None = None,
    plan: Mapping[str, tuple[str, str]] | None = None,
    target_warnings: Iterable[str] = (),
    out_of_scope: Mapping[str, str] | None = None,
    contract_source: str = "model",
) -> Readiness:
    """Fold test results into the readiness matrix.

    Args:
        catalogue: every entry becomes one row, in catalogue order.
        results: the run's structured results (from every xdist worker).
        target: the target's name or URL, as shown in the report.
        contract_version: e.g. ``ContractSet.version``.
        now: the report's timestamp (default: the current UTC time); tests pin it.
        selection: the functions or groups a partial run selected (``--only``); other contracted entries are
            ``not-selected`` and do not count: the verdict is on the selection.
        waivers: accepted failures (:func:`~ocp_conformance.reporting.waivers.load_waivers`). A failed check
            with a waiver that has not expired is ``waived`` and does not block the verdict; with an expired one
            it stays ``fail``, and its reason says so. Every waiver is reported with its state.
        today: the run's date for waiver expiry (default: the date of ``now``); tests pin it.
        stopped_early: why the run stopped before every check ran (e.g. ``--run-timeout``): never ready.
        plan: the capability profile's test plan, ``name -> (level, reason)``: only ``mandatory`` entries count
            toward the verdict; ``not-applicable`` ones are ``n/a`` with the reason. ``None``: all are mandatory.
        target_warnings: settings of the target that weaken the evidence, reported as given.
        out_of_scope: ``name -> reason`` of entries declared out of scope for this run (``--out-of-scope``):
            ``n/a`` with the reason, outside the verdict.
        contract_source: ``official`` if the contracts folder's binding says the exchange's contract is bound,
            else ``model`` (the reports then say the contracts are a model).

    Raises:
        ValueError: a result or waiver names a function the catalogue lacks, or a check kind that does not
            apply to that entry's kind. For results, a harness bug: the test declares the wrong coverage.

    Example:
        >>> from ocp_conformance.contracts import load_contracts
        >>> contracts = load_contracts()
        >>> r = build_readiness(contracts.catalogue, [], target="simulator", contract_version="ocp-api 0.1.0")
        >>> r.verdict, r.entry("Input SI").checks["contract"].reason
        ('not-ready', 'no test covers this check')
    """
    by_name = {entry.name: entry for entry in catalogue}
    cells: dict[tuple[str, CheckKind], list[CheckResult]] = {}
    harness_errors: list[CheckResult] = []
    for result in results:
        for name in result.functions:
            entry = by_name.get(name)
            if entry is None:
                raise ValueError(
                    f"test {result.test_id} declares catalogue function {name!r}, which is not in the "
                    f"catalogue.{did_you_mean(name, list(by_name))} Names are exactly as HKEX writes them; "
                    "fix the test's declaration (this is a harness bug, not the target's failure)."
                )
            if result.check not in APPLICABLE_CHECKS[entry.kind]:
                raise ValueError(
                    f"test {result.test_id} declares a {result.check!r} check of {name!r}, but {entry.kind} "
                    f"entries take only {', '.join(APPLICABLE_CHECKS[entry.kind])} checks "
                    "(APPLICABLE_CHECKS in ocp_conformance.reporting.readiness)."
                )
            cells.setdefault((name, result.check), []).append(result)
        if result.outcome == "error":
            harness_errors.append(result)

    generated_at = now or datetime.now(UTC)
    run_date = today or generated_at.date()
    waiver_list = list(waivers)
    by_cell: dict[tuple[str, CheckKind], Waiver] = {}
    for waiver in waiver_list:
        entry = by_name.get(waiver.function)
        if entry is None or waiver.check not in APPLICABLE_CHECKS[entry.kind]:
            raise ValueError(f"waiver {waiver.describe()} does not name a catalogue entry and one of its checks; "
                             "load waivers with load_waivers(), which checks them")
        if (waiver.function, waiver.check) in by_cell:
            raise ValueError(f"two waivers for {waiver.function!r} / {waiver.check}")
        by_cell[(waiver.function, waiver.check)] = waiver

    rows = tuple(_entry_status(entry, cells, selection, by_cell, run_date, plan, out_of_scope or {})
                 for entry in catalogue)
    counted = [row for row in rows if row.contracted and row.status not in OUT_OF_RUN
               and (plan is None or plan[row.name][0] == "mandatory")]
    ready = (bool(counted) and not harness_errors and stopped_early is None
             and all(row.status == "pass" for row in counted))
    by_row = {row.name: row for row in rows}
    return Readiness(
        verdict="ready" if ready else "not-ready",
        target=target,
        contract_version=contract_version,
        generated_at=generated_at,
        entries=rows,
        harness_errors=harness_errors,
        waivers=tuple(_waiver_outcome(w, by_row[w.function].checks[w.check], run_date) for w in waiver_list),
        stopped_early=stopped_early,
        test_plan=tuple({"name": name, "level": level, "reason": why} for name, (level, why) in (plan or {}).items()),
        target_warnings=tuple(target_warnings),
        contract_source=contract_source,
    )


def _entry_status(
    entry: CatalogueEntry, cells: Mapping[tuple[str, CheckKind], list[CheckResult]],
    selection: Collection[str] | None = None, waivers: Mapping[tuple[str, CheckKind], Waiver] | None = None,
    today: date | None = None, plan: Mapping[str, tuple[str, str]] | None = None,
    out_of_scope: Mapping[str, str] | None = None,
) -> EntryStatus:
    kinds = APPLICABLE_CHECKS[entry.kind]
    if plan is not None and plan[entry.name][0] == "not-applicable":
        reason = f"not applicable: {plan[entry.name][1]}"
        return EntryStatus(entry, "n/a", reason, {kind: CheckStatus("n/a", reason=reason) for kind in kinds})
    if out_of_scope and entry.name in out_of_scope:
        reason = f"out of scope: {out_of_scope[entry.name]}"
        return EntryStatus(entry, "n/a", reason, {kind: CheckStatus("n/a", reason=reason) for kind in kinds})
    if not entry.contracted:
        checks = {kind: CheckStatus("not-run", reason=NOT_CONTRACTED) for kind in kinds}
        return EntryStatus(entry, "not-run", NOT_CONTRACTED, checks)
    if selection and entry.name not in selection and entry.group not in selection:
        checks = {kind: CheckStatus("not-selected", reason=NOT_SELECTED) for kind in kinds}
        return EntryStatus(entry, "not-selected", NOT_SELECTED, checks)
    checks = {kind: _check_status(entry.name, cells.get((entry.name, kind), [])) for kind in kinds}
    for kind, check in checks.items():
        waiver = (waivers or {}).get((entry.name, kind))
        if waiver is not None:
            checks[kind] = _waive(check, waiver, today or date.today())
    failed = [kind for kind, check in checks.items() if check.status == "fail"]
    if failed:
        reason = "; ".join(f"{kind} failed: {checks[kind].reason}" for kind in failed)
        return EntryStatus(entry, "fail", reason, checks)
    unproven: dict[str, dict[str, list[CheckKind]]] = {"not-run": {}, "partial": {}}
    for kind, check in checks.items():
        if check.status in unproven:
            unproven[check.status].setdefault(check.reason, []).append(kind)
    if unproven["not-run"] or unproven["partial"]:
        reason = "; ".join(f"{label}: " + "; ".join(f"{', '.join(kinds)} ({why})" for why, kinds in by_reason.items())
                           for label, by_reason in (("not run", unproven["not-run"]), ("partial", unproven["partial"]))
                           if by_reason)
        return EntryStatus(entry, "not-run" if unproven["not-run"] else "partial", reason, checks)
    waived = [kind for kind, check in checks.items() if check.status == "waived"]
    if waived:
        tickets = ", ".join(f"{kind} ({waivers[(entry.name, kind)].ticket})" for kind in waived if waivers)
        return EntryStatus(entry, "pass", f"passed with waived failures: {tickets}", checks)
    return EntryStatus(entry, "pass", "", checks)


def _waive(check: CheckStatus, waiver: Waiver, today: date) -> CheckStatus:
    """A check under a waiver: a failure is waived unless the waiver expired; a pass gets a note; not-run stays."""
    if check.status == "fail":
        if waiver.expired(today):
            note = f"waiver {waiver.ticket} expired on {waiver.expires.isoformat()}, so this failure counts"
            return replace(check, reason=f"{note}: {check.reason}")
        reason = (f"waived by {waiver.ticket} until {waiver.expires.isoformat()}: {waiver.reason} "
                  f"(failed: {check.reason})")
        return replace(check, status="waived", reason=reason)
    if check.status == "pass":
        return replace(check, reason=f"waiver {waiver.ticket} no longer needed")
    return check  # not run or partial: a waiver accepts a failure, never a test that did not run


def _waiver_outcome(waiver: Waiver, check: CheckStatus, today: date) -> WaiverOutcome:
    expired = waiver.expired(today)
    until = f"{'expired on' if expired else 'valid until'} {waiver.expires.isoformat()}"
    if check.status == "waived":
        return WaiverOutcome(waiver, "applied", f"the check failed; the failure is waived ({until})")
    if check.status == "fail":
        return WaiverOutcome(waiver, "expired", f"the check failed and the waiver {until}: it counts as a "
                             "failure; fix the target or renew the waiver (new expires date)")
    if check.status == "pass":
        return WaiverOutcome(waiver, "unused-passing", f"waiver {waiver.ticket} no longer needed: the check "
                             f"passes ({until}); remove it from the waiver file")
    did_not = "did not run" if check.status != "partial" else "is partial, a covering test was skipped"
    return WaiverOutcome(waiver, "unused-not-run", f"the check {did_not} ({check.reason}); a waiver never "
                         "turns a check that did not run into a pass")


def _check_status(function: str, results: list[CheckResult]) -> CheckStatus:
    """Precedence: fail > harness error (not-run) > skipped (partial) > pass > absent (not-run); tests that do not
    apply to the bound contract are left out (only such tests: ``n/a``, with their reasons).

    A crashed test leaves the check unproven even if another test passed, so it is not shown as a pass; nor
    is a check with a skipped test: what the skipped test covers is unproven (partial, with each reason).
    A failed test that blames other functions proves nothing about this one: it counts as run, not passed.
    """
    not_applicable = tuple((r.test_id, r.message.strip()) for r in results if r.outcome == "not-applicable")
    applicable = [r for r in results if r.outcome != "not-applicable"]
    if not applicable and not_applicable:
        status = CheckStatus("n/a", 0, 0, _join(why for _, why in not_applicable))
    else:
        status = _judged(function, applicable)
    return replace(status, not_applicable=not_applicable)


def _judged(function: str, results: list[CheckResult]) -> CheckStatus:
    ran = [r for r in results if r.outcome in ("passed", "failed")]
    skipped = tuple((r.test_id, r.message.strip() or "skipped (no reason given)")
                    for r in results if r.outcome == "skipped")
    against = [r for r in ran if r.blames(function)]
    if against:
        return CheckStatus("fail", len(ran), len(against), _join(f"{r.test_id}: {_first_line(r.message)}"
                                                                for r in against), skipped)
    errors = [r for r in results if r.outcome == "error"]
    if errors:
        reason = _join(f"harness error: {_first_line(r.message)} ({r.test_id})" for r in errors)
        return CheckStatus("not-run", len(ran), 0, reason, skipped)
    if skipped:
        count = f"{len(skipped)} of {len(skipped) + len(ran)} covering tests skipped"
        return CheckStatus("partial", len(ran), 0, f"{count}: {_join(why for _, why in skipped)}", skipped)
    if any(r.outcome == "passed" for r in ran):
        return CheckStatus("pass", len(ran), 0)
    if ran:
        blamed = _join(r.test_id for r in ran)
        return CheckStatus("not-run", len(ran), 0, f"covering tests failed on other functions: {blamed}")
    return CheckStatus("not-run", 0, 0, NO_TEST)


def _join(parts: Iterable[str]) -> str:
    unique = list(dict.fromkeys(parts))
    shown = "; ".join(unique[:_MAX_LISTED])
    return shown + (f"; and {len(unique) - _MAX_LISTED} more" if len(unique) > _MAX_LISTED else "")


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line or "(no message)"


def write_readiness(readiness: Readiness, report_dir: Path) -> list[Path]:
    """Write ``readiness.json`` (indent 2) and ``readiness.md`` into ``report_dir`` (created if missing).

    Returns the paths written, JSON first.
    """
    # Imported here: markdown builds on this module, so a top-level import would be circular.
    from ocp_conformance.reporting.companions import link_companions
    from ocp_conformance.reporting.markdown import render_markdown

    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "readiness.json"
    md_path = report_dir / "readiness.md"
    document = json.dumps(readiness.to_json(), indent=2, ensure_ascii=False)
    json_path.write_text(document + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(readiness), encoding="utf-8")
    link_companions(report_dir)  # record's, rehearse's, load's and diff's reports, if written here
    return [json_path, md_path]
