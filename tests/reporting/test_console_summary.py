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
        assert entry.name in text
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
