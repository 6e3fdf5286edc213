"""The readiness matrix and verdict (DESIGN.md §8–§9): every rule, on a small catalogue and the real one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ocp_conformance.contracts import Catalogue
from ocp_conformance.reporting import (
    APPLICABLE_CHECKS,
    CheckKind,
    CheckResult,
    Readiness,
    build_readiness,
    write_readiness,
)
from ocp_conformance.reporting.readiness import NO_TEST, NOT_CONTRACTED

ResultFactory = Callable[..., CheckResult]
Passing = Callable[[Catalogue], list[CheckResult]]


def build(catalogue: Catalogue, results: list[CheckResult]) -> Readiness:
    return build_readiness(
        catalogue,
        results,
        target="simulator",
        contract_version="ocp-api 0.1.0",
        now=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def test_ready_when_every_contracted_entry_passes(
    small_catalogue: Catalogue, passing_everything: Passing
) -> None:
    readiness = build(small_catalogue, passing_everything(small_catalogue))
    assert readiness.verdict == "ready" and readiness.ready
    assert [row.status for row in readiness.entries] == ["pass", "pass", "pass", "not-run"]
    assert readiness.entry("SI").checks["file"].tests == 1
    assert readiness.harness_errors == []


def test_real_catalogue_ready_when_every_contracted_entry_passes(
    catalogue: Catalogue, passing_everything: Passing
) -> None:
    # Counted from the catalogue, so a function group that adds its contract needs no edit here.
    contracted = sum(1 for entry in catalogue if entry.contracted)
    readiness = build(catalogue, passing_everything(catalogue))
    contracted = sum(entry.contracted for entry in catalogue)  # grows as function groups are contracted
    assert readiness.verdict == "ready"
    assert readiness.summary == {
        "entries": 43,
        "contracted": contracted,
        "not_contracted": 43 - contracted,
        "in_run": contracted,
        "pass": contracted,
        "fail": 0,
        "partial": 0,
        "not-run": 43 - contracted,
        "not-selected": 0,
        "n/a": 0,
        "contracted_not_run": 0,
        "tests_ran": sum(len(APPLICABLE_CHECKS[e.kind]) for e in catalogue if e.contracted),
        "tests_skipped": 0,
        "tests_not_applicable": 0,
        "harness_errors": 0,
    }


def test_not_contracted_entries_are_not_run_and_ignore_results(
    small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    failing_uncontracted = result("Stock List", "contract", "failed", message="boom")
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), failing_uncontracted])
    row = readiness.entry("Stock List")
    assert (row.status, row.reason) == ("not-run", NOT_CONTRACTED)
    assert set(row.checks) == set(APPLICABLE_CHECKS["gcp"])
    assert all(c.status == "not-run" and c.reason == NOT_CONTRACTED for c in row.checks.values())
    assert readiness.verdict == "ready"


@pytest.mark.parametrize("kind", ["contract", "negative", "scenario", "security"])
def test_one_missing_check_makes_not_ready(
    small_catalogue: Catalogue, passing_everything: Passing, kind: CheckKind
) -> None:
    results = [
        r
        for r in passing_everything(small_catalogue)
        if not (r.functions == ("Cancel SI",) and r.check == kind)
    ]
    readiness = build(small_catalogue, results)
    row = readiness.entry("Cancel SI")
    assert readiness.verdict == "not-ready"
    assert row.status == "not-run"
    assert row.checks[kind].status == "not-run" and row.checks[kind].reason == NO_TEST
    assert row.reason == f"not run: {kind} ({NO_TEST})"


def test_one_failure_makes_not_ready(
    small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    bad = result("Input SI", "negative", "failed", test_id="t::neg", message="Contract violation: 200\nmore")
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), bad])
    row = readiness.entry("Input SI")
    assert readiness.verdict == "not-ready"
    assert row.status == "fail"
    check = row.checks["negative"]
    assert (check.status, check.tests, check.failed) == ("fail", 2, 1)
    assert check.reason == "t::neg: Contract violation: 200"
    assert row.reason == "negative failed: t::neg: Contract violation: 200"
    assert [r.name for r in readiness.failed_entries()] == ["Input SI"]


def test_failed_functions_attribute_blame(small_catalogue: Catalogue, result: ResultFactory) -> None:
    scenario = result(
        ("Input SI", "Cancel SI"),
        "scenario",
        "failed",
        test_id="t::flow",
        failed_functions=("Cancel SI",),
        message="Business rule: cancel accepted twice",
    )
    readiness = build(small_catalogue, [scenario])
    cancel, inputs = (
        readiness.entry("Cancel SI").checks["scenario"],
        readiness.entry("Input SI").checks["scenario"],
    )
    assert (cancel.status, cancel.tests, cancel.failed) == ("fail", 1, 1)
    # The test stopped on Cancel SI: it proves nothing about Input SI, neither pass nor fail.
    assert (inputs.status, inputs.tests, inputs.failed) == ("not-run", 1, 0)
    assert "failed on other functions: t::flow" in inputs.reason


def test_failure_without_failed_functions_blames_all(
    small_catalogue: Catalogue, result: ResultFactory
) -> None:
    readiness = build(small_catalogue, [result(("Input SI", "Cancel SI"), "security", "failed")])
    assert readiness.entry("Input SI").checks["security"].status == "fail"
    assert readiness.entry("Cancel SI").checks["security"].status == "fail"


def test_failure_beats_pass(small_catalogue: Catalogue, result: ResultFactory) -> None:
    readiness = build(
        small_catalogue, [result("Input SI", test_id="a"), result("Input SI", outcome="failed")]
    )
    check = readiness.entry("Input SI").checks["contract"]
    assert (check.status, check.tests, check.failed) == ("fail", 2, 1)


def test_skips_give_their_reasons(small_catalogue: Catalogue, result: ResultFactory) -> None:
    skips = [
        result("Input SI", "scenario", "skipped", test_id="a", message="target lacks clock-control"),
        result("Input SI", "scenario", "skipped", test_id="b", message="target lacks clock-control"),
        result("Input SI", "scenario", "skipped", test_id="c", message="no second participant"),
    ]
    check = build(small_catalogue, skips).entry("Input SI").checks["scenario"]
    assert (check.status, check.tests, check.failed) == ("partial", 0, 0)
    assert check.reason == "3 of 3 covering tests skipped: target lacks clock-control; no second participant"
    assert check.skipped == (("a", "target lacks clock-control"), ("b", "target lacks clock-control"),
                             ("c", "no second participant"))


def test_a_skip_beside_a_pass_is_partial_never_a_pass(small_catalogue: Catalogue, passing_everything: Passing,
                                                      result: ResultFactory) -> None:
    """Issue 20: with the investor's token missing, Input ISI showed "pass" though its ISI tests were skipped."""
    skipped = result("Input SI", "scenario", "skipped", test_id="t::isi", message="needs an investor's token")
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), skipped])
    row = readiness.entry("Input SI")
    check = row.checks["scenario"]
    assert (check.status, check.tests, check.skipped) == ("partial", 1, (("t::isi", "needs an investor's token"),))
    assert check.reason == "1 of 2 covering tests skipped: needs an investor's token"
    assert row.status == "partial" and row.reason == f"partial: scenario ({check.reason})"
    assert (row.tests_ran, row.tests_skipped) == (4, 1)
    assert readiness.verdict == "not-ready"
    assert readiness.partial_entries() == [row]
    data = readiness.to_json()
    assert data["summary"]["partial"] == 1 and data["summary"]["tests_skipped"] == 1
    cell = next(e for e in data["entries"] if e["name"] == "Input SI")["checks"]["scenario"]
    assert cell["skipped_tests"] == [{"test": "t::isi", "reason": "needs an investor's token"}]


def test_a_test_that_does_not_apply_to_the_contract_is_listed_but_neither_run_nor_skipped(
        small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory) -> None:
    """Issue 14: an operation without a body has no field to reject; that test does not apply (listed, not partial)
    and a check with only such tests is n/a, never a pass."""
    na = result("Input SI", "negative", "not-applicable", test_id="t::nobody", message="not applicable: no body")
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), na])
    row = readiness.entry("Input SI")
    assert (row.status, row.checks["negative"].status, row.tests_skipped, row.tests_not_applicable) == \
        ("pass", "pass", 0, 1)
    assert row.checks["negative"].not_applicable == (("t::nobody", "not applicable: no body"),)
    assert readiness.to_json()["summary"]["tests_not_applicable"] == 1
    only_na = build(small_catalogue, [r for r in passing_everything(small_catalogue)
                                      if (r.functions, r.check) != (("Input SI",), "negative")] + [na])
    check = only_na.entry("Input SI").checks["negative"]
    assert (check.status, check.tests, check.reason) == ("n/a", 0, "not applicable: no body")
    failing = result("Input SI", "negative", "failed", test_id="t::bad", message="accepted")
    assert build(small_catalogue, [*passing_everything(small_catalogue), na, failing]).entry(
        "Input SI").checks["negative"].status == "fail"


def test_a_partial_conditional_entry_does_not_block(small_catalogue: Catalogue, passing_everything: Passing,
                                                    result: ResultFactory) -> None:
    skipped = result("Cancel SI", "security", "skipped", message="needs three participants")
    plan = {e.name: ("conditional" if e.name == "Cancel SI" else "mandatory", "why") for e in small_catalogue}
    readiness = build_readiness(small_catalogue, [*passing_everything(small_catalogue), skipped], target="t",
                                contract_version="v", plan=plan)
    assert readiness.entry("Cancel SI").status == "partial"
    assert readiness.verdict == "ready"
    plan["Cancel SI"] = ("mandatory", "why")
    assert build_readiness(small_catalogue, [*passing_everything(small_catalogue), skipped], target="t",
                           contract_version="v", plan=plan).verdict == "not-ready"


def test_harness_error_is_not_run_and_not_ready(
    small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    crash = result(
        "Input SI", "contract", "error", test_id="t::crash", message="KeyError: 'siId'\nTraceback..."
    )
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), crash])
    check = readiness.entry("Input SI").checks["contract"]
    assert check.status == "not-run"
    assert check.reason == "harness error: KeyError: 'siId' (t::crash)"
    assert readiness.entry("Input SI").status == "not-run"
    assert readiness.harness_errors == [crash]
    assert readiness.verdict == "not-ready"
    assert readiness.to_json()["summary"]["harness_errors"] == 1
    assert readiness.to_json()["harness_errors"][0]["test_id"] == "t::crash"


def test_harness_error_on_uncontracted_entry_still_counts(
    small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    crash = result("Stock List", "contract", "error", message="ImportError")
    readiness = build(small_catalogue, [*passing_everything(small_catalogue), crash])
    assert readiness.harness_errors == [crash]
    assert readiness.verdict == "not-ready"


def test_nothing_contracted_is_not_ready(small_catalogue: Catalogue) -> None:
    empty = Catalogue(path=Path("c.yaml"), entries=(small_catalogue.entry("Stock List"),), discontinued=())
    assert build(empty, []).verdict == "not-ready"


def test_no_results_is_not_ready(catalogue: Catalogue) -> None:
    readiness = build(catalogue, [])
    assert readiness.verdict == "not-ready"
    assert readiness.summary["contracted_not_run"] == sum(entry.contracted for entry in catalogue)


def test_unknown_function_raises_with_suggestion(small_catalogue: Catalogue, result: ResultFactory) -> None:
    with pytest.raises(ValueError, match=r"test t::typo declares .*'Input S1'.*Did you mean 'Input SI'"):
        build(small_catalogue, [result("Input S1", test_id="t::typo")])


def test_inapplicable_check_raises(small_catalogue: Catalogue, result: ResultFactory) -> None:
    with pytest.raises(ValueError, match=r"'security' check of 'SI'.*rap entries take only file, scenario"):
        build(small_catalogue, [result("SI", "security")])


def test_entries_in_catalogue_order_with_applicable_checks(catalogue: Catalogue) -> None:
    readiness = build(catalogue, [])
    assert [row.name for row in readiness.entries] == [e.name for e in catalogue]
    for row in readiness.entries:
        assert tuple(row.checks) == APPLICABLE_CHECKS[row.entry.kind]


def test_entry_lookup_suggests(catalogue: Catalogue) -> None:
    readiness = build(catalogue, [])
    with pytest.raises(KeyError, match="Did you mean 'Cancel SI'"):
        readiness.entry("Cancel S1")


def test_json_shape(catalogue: Catalogue, passing_everything: Passing) -> None:
    data = json.loads(json.dumps(build(catalogue, passing_everything(catalogue)).to_json()))
    assert set(data) >= {"verdict", "target", "contract_version", "generated_at", "summary", "entries"}
    assert (data["verdict"], data["target"], data["contract_version"]) == (
        "ready",
        "simulator",
        "ocp-api 0.1.0",
    )
    assert data["generated_at"] == "2025-01-02T03:04:05+00:00"
    assert len(data["entries"]) == 43
    first = data["entries"][0]
    assert set(first) == {"name", "display_name", "kind", "group", "status", "reason", "checks", "tests_ran",
                          "tests_skipped", "tests_not_applicable"}
    assert first["checks"]["contract"] == {"status": "pass", "tests": 1, "failed": 0, "skipped": 0, "reason": "",
                                           "skipped_tests": [], "not_applicable_tests": []}
    rap = next(e for e in data["entries"] if e["kind"] == "rap")
    assert set(rap["checks"]) == {"file", "scenario"}


def test_write_readiness(tmp_path: Path, catalogue: Catalogue, result: ResultFactory) -> None:
    readiness = build(catalogue, [result("Input SI", outcome="failed", message="Contract violation")])
    paths = write_readiness(readiness, tmp_path / "reports")
    assert [p.name for p in paths] == ["readiness.json", "readiness.md"]
    text = paths[0].read_text(encoding="utf-8")
    assert text.startswith('{\n  "verdict": "not-ready"')
    assert json.loads(text) == readiness.to_json()
    assert paths[1].read_text(encoding="utf-8").startswith("# OCP conformance readiness")


def test_not_run_reason_groups_checks_by_reason(small_catalogue: Catalogue, result: ResultFactory) -> None:
    crash = result("Input SI", "scenario", "error", test_id="t::c", message="KeyError")
    row = build(small_catalogue, [result("Input SI"), crash]).entry("Input SI")
    assert row.status == "not-run"
    assert row.reason == f"not run: negative, security ({NO_TEST}); scenario (harness error: KeyError (t::c))"


def test_with_only_the_verdict_is_on_the_selection() -> None:
    """Issue 20: `--only X` always exited 1 ("42 entries did not run"); now unselected entries do not block."""
    from ocp_conformance.contracts import load_contracts
    from ocp_conformance.reporting import CheckResult, build_readiness

    catalogue = load_contracts().catalogue
    results = [CheckResult(f"t::{check}", ("Input SI",), check, "passed")  # type: ignore[arg-type]
               for check in ("contract", "negative", "scenario", "security")]
    readiness = build_readiness(catalogue, results, target="t", contract_version="v", selection=["Input SI"])
    assert readiness.entry("Input SI").status == "pass"
    cancel = readiness.entry("Cancel SI")
    assert (cancel.status, cancel.reason) == ("not-selected", "not selected (--only)")
    assert {c.status for c in cancel.checks.values()} == {"not-selected"}
    assert all(readiness.entry(e.name).reason == "not yet contracted" for e in catalogue if not e.contracted)
    assert readiness.verdict == "ready"
    assert readiness.summary["not-selected"] == sum(e.contracted for e in catalogue) - 1
    failing = [*results[:3], CheckResult("t::sec", ("Input SI",), "security", "failed", message="leak")]
    assert build_readiness(catalogue, failing, target="t", contract_version="v",
                           selection=["Input SI"]).verdict == "not-ready"
    by_group = build_readiness(catalogue, results, target="t", contract_version="v", selection=["Maintain SI"])
    assert by_group.entry("Cancel SI").checks["contract"].reason == "no test covers this check"
    assert by_group.verdict == "not-ready"  # Cancel SI is selected (its group) and proved nothing


def test_out_of_scope_entries_are_na_with_the_reason(small_catalogue: Catalogue, passing_everything: Passing) -> None:
    results = [r for r in passing_everything(small_catalogue) if "SI" not in r.functions]
    readiness = build_readiness(small_catalogue, results, target="t", contract_version="v",
                                out_of_scope={"SI": "RAP declared out of scope (--out-of-scope rap)"})
    row = readiness.entry("SI")
    assert (row.status, row.reason) == ("n/a", "out of scope: RAP declared out of scope (--out-of-scope rap)")
    assert {c.status for c in row.checks.values()} == {"n/a"}
    assert readiness.verdict == "ready"
    assert build(small_catalogue, results).verdict == "not-ready"  # in scope, SI ran nothing


def test_entries_outside_the_capability_profile_are_na(small_catalogue: Catalogue, passing_everything: Passing) -> None:
    """A profile with no file types puts RAP out of scope: n/a with the plan's reason (it said "not-run")."""
    results = [r for r in passing_everything(small_catalogue) if "SI" not in r.functions]
    plan = {e.name: ("mandatory", "declared") for e in small_catalogue}
    plan["SI"] = ("not-applicable", "not used by this Custodian participant (not declared in [participant])")
    readiness = build_readiness(small_catalogue, results, target="t", contract_version="v", plan=plan)
    row = readiness.entry("SI")
    assert (row.status, row.reason) == ("n/a", f"not applicable: {plan['SI'][1]}")
    assert readiness.verdict == "ready" and readiness.summary["n/a"] == 1


def test_rap_entries_show_the_circular_s_words_while_their_names_stay_ids(catalogue: Catalogue) -> None:
    """Issue 17 correction 10: the display names are PT/SCS/CCASS/007/2026's exact words; ids are unchanged."""
    from ocp_conformance.reporting import render_markdown

    shown = {entry.name: entry.display for entry in catalogue if entry.display_name}
    assert shown == {
        "Election": "Election Instructions", "Subscription": "Subscription Instructions",
        "Voting": "Voting Instructions",
        "Corporate Representative/Proxy": "Corporate Representative / Proxy Instructions",
        "Tender": "Tender Instructions", "SI": "Settlement Instructions", "ISI": "Investor Settlement Instructions",
        "ATI": "Account Transfer Instructions", "STI": "Stock Segregated Account Transfer Instructions",
        "NCP/GCP Mapping": "NCP/ GCP Mapping"}
    readiness = build_readiness(catalogue, [], target="simulator", contract_version="ocp-api 0.1.0")
    entries = {e["name"]: e for e in readiness.to_json()["entries"]}
    assert entries["STI"]["display_name"] == "Stock Segregated Account Transfer Instructions"
    assert entries["Input SI"]["display_name"] == "Input SI"
    assert "| Election Instructions |" in render_markdown(readiness)
