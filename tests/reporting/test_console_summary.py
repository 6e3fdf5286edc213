"""The terminal summary: per-service tables, the verdict, and the not-contracted sentence."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from rich.console import Console

from ocp_conformance.contracts import Catalogue
from ocp_conformance.reporting import CheckResult, Readiness, build_readiness, render_summary

ResultFactory = Callable[..., CheckResult]
Passing = Callable[[Catalogue], list[CheckResult]]


def render(readiness: Readiness) -> str:
    out = StringIO()
    render_summary(readiness, Console(file=out, width=200, color_system=None))
    return out.getvalue()


def build(catalogue: Catalogue, results: list[CheckResult]) -> Readiness:
    return build_readiness(catalogue, results, target="simulator", contract_version="ocp-api 0.1.0")


def test_tables_list_every_entry(catalogue: Catalogue, passing_everything: Passing) -> None:
    text = render(build(catalogue, passing_everything(catalogue)))
    for service in ("API Services", "GCP Services", "RAP Upload"):
        assert service in text
    for entry in catalogue:
        assert entry.display in text  # the circular's words (display_name), else the name
    assert "Verdict: READY" in text
    uncontracted = sum(not entry.contracted for entry in catalogue)
    note = f"{uncontracted} of {len(catalogue)} catalogue entries are not yet contracted"
    assert (note in text) == bool(uncontracted)  # every entry of ours is contracted since the RAP file types
    assert ("do not count toward the verdict" in text) == bool(uncontracted)


def test_not_ready_with_failure_and_harness_error(catalogue: Catalogue, result: ResultFactory) -> None:
    results = [
        result("Input SI", "contract", "failed", test_id="t::f", message="Contract violation: missing siId"),
        result("Cancel SI", "contract", "error", test_id="t::e", message="[bold]KeyError[/bold]"),
    ]
    text = render(build(catalogue, results))
    assert "Verdict: NOT READY" in text
    assert "Input SI: contract failed: t::f: Contract violation: missing siId" in text
    # Test text is printed literally, never taken as Rich markup.
    assert "t::e: [bold]KeyError[/bold]" in text
    assert "Harness errors (1)" in text


def test_each_entry_says_how_many_tests_ran_and_were_skipped(small_catalogue: Catalogue, passing_everything: Passing,
                                                             result: ResultFactory) -> None:
    """Issue 20: a run prints, per entry, how many tests ran and how many were skipped; skips are partial."""
    skipped = result("Input SI", "scenario", "skipped", test_id="t::isi", message="needs an investor's token")
    text = render(build(small_catalogue, [*passing_everything(small_catalogue), skipped]))
    row = next(line for line in text.splitlines() if "Input SI" in line and "Maintain SI" in line)
    assert "◐ partial" in row and row.replace("│", " ").split()[-2:] == ["4", "1"], row
    assert "Partial (covering tests skipped: not a pass)" in text
    assert "Input SI · scenario: 1 of 2 covering tests skipped: needs an investor's token" in text
    assert "1 test skipped (10 ran)" in text and "tests ran 10, skipped 1" in text
    assert "Verdict: NOT READY" in text and "1 entry counted toward the verdict is partial" in text


def test_an_only_run_lists_the_selection_and_says_why_the_rest_is_out(small_catalogue: Catalogue,
                                                                      passing_everything: Passing) -> None:
    results = [r for r in passing_everything(small_catalogue) if r.functions == ("Input SI",)]
    readiness = build_readiness(small_catalogue, results, target="simulator", contract_version="v",
                                selection=["Input SI"], out_of_scope={"SI": "RAP declared out of scope (--out-of-scope "
                                                                      "rap)"})
    text = render(readiness)
    assert "Cancel SI" not in text  # not selected: counted in a sentence, not listed
    assert "1 entry not selected (--only): the verdict is on the selection" in text
    assert "n/a (1 entry): out of scope: RAP declared out of scope (--out-of-scope rap)" in text
    assert "Verdict: READY — The 1 contracted entry of the selection passed every applicable check." in text
