"""readiness.md: title, verdict, the not-contracted note, one table per service, failures with reasons."""

from __future__ import annotations

from collections.abc import Callable

from ocp_conformance.contracts import Catalogue
from ocp_conformance.reporting import CheckResult, Readiness, build_readiness, render_markdown

ResultFactory = Callable[..., CheckResult]
Passing = Callable[[Catalogue], list[CheckResult]]


def build(catalogue: Catalogue, results: list[CheckResult]) -> Readiness:
    return build_readiness(
        catalogue, results, target="https://portal.example", contract_version="ocp-api 0.1.0"
    )


def _table_rows(markdown: str, service: str) -> list[str]:
    section = markdown.split(f"## {service}\n", 1)[1]
    return [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("| ")][1:]


def test_all_entries_one_table_per_service(catalogue: Catalogue, passing_everything: Passing) -> None:
    markdown = render_markdown(build(catalogue, passing_everything(catalogue)))
    assert markdown.startswith("# OCP conformance readiness\n")
    assert "**Verdict: READY**" in markdown
    assert "`https://portal.example`" in markdown and "`ocp-api 0.1.0`" in markdown
    rows = {s: _table_rows(markdown, s) for s in ("API Services", "GCP Services", "RAP Upload")}
    assert sum(len(r) for r in rows.values()) == 43 == len(catalogue)
    for entry in catalogue:
        assert any(line.startswith(f"| {entry.display} | ") for line in rows[entry.service]), entry.name
    assert "| Function | Group | Status | contract | negative | scenario | security |" in markdown
    assert "| Function | Group | Status | file | scenario |" in markdown
    assert "| Input SI | Maintain SI | ✅ pass | ✅ | ✅ | ✅ | ✅ |" in markdown
    assert "| Stock List | Reference Data | ✅ pass | ✅ | ✅ | ✅ | ✅ |" in markdown
    assert "| Election Instructions | Corporate Action Instructions Upload | ✅ pass | ✅ | ✅ |" in markdown
    assert "## Failures\n\nNone." in markdown


def test_not_contracted_note(small_catalogue: Catalogue) -> None:
    catalogue = small_catalogue  # ours contracts every entry now; this one leaves a GCP service uncontracted
    markdown = render_markdown(build(catalogue, []))
    contracted = sum(entry.contracted for entry in catalogue)
    assert 0 < contracted < len(catalogue)
    assert (
        f"{len(catalogue) - contracted} of {len(catalogue)} catalogue entries is not yet contracted; they are "
        "listed as not-run and do not count toward the verdict."
    ) in markdown
    assert "**Verdict: NOT READY**" in markdown
    assert f"{contracted} contracted entries did not run every applicable check" in markdown


def test_no_note_when_everything_is_contracted(
    small_catalogue: Catalogue, passing_everything: Passing
) -> None:
    contracted = [e for e in small_catalogue if e.contracted]
    catalogue = Catalogue(path=small_catalogue.path, entries=tuple(contracted), discontinued=())
    assert "not yet contracted" not in render_markdown(build(catalogue, passing_everything(catalogue)))


def test_failures_section_lists_each_failed_check(
    catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    failures = [
        result(
            "Cancel SI", "negative", "failed", test_id="t::neg", message="Contract violation: accepted qty 0"
        ),
        result("Cancel SI", "security", "failed", test_id="t::sec", message="Received: 200 / Expected: 404"),
    ]
    markdown = render_markdown(build(catalogue, [*passing_everything(catalogue), *failures]))
    assert "| Cancel SI | Maintain SI | ❌ fail | ✅ | ❌ | ✅ | ❌ |" in markdown
    failures_section = markdown.split("## Failures\n", 1)[1]
    assert "### Cancel SI (API Services / Maintain SI)" in failures_section
    assert (
        "- **negative**: 1 of 2 tests failed — t::neg: Contract violation: accepted qty 0" in failures_section
    )
    assert "- **security**: 1 of 2 tests failed — t::sec: Received: 200 / Expected: 404" in failures_section
    assert "1 contracted entry failed" in markdown


def test_harness_errors_and_not_run_sections(catalogue: Catalogue, result: ResultFactory) -> None:
    crash = result("Input SI", "scenario", "error", test_id="t::crash", message="AttributeError: x")
    markdown = render_markdown(build(catalogue, [crash]))
    assert "## Harness errors" in markdown
    assert "- `t::crash` (scenario): AttributeError: x" in markdown
    assert "1 harness error (a crash of ours, not the target's)" in markdown
    assert "## Not run (contracted entries)" in markdown
    assert "scenario (harness error: AttributeError: x (t::crash))" in markdown


def test_text_from_tests_cannot_break_a_table(small_catalogue: Catalogue, result: ResultFactory) -> None:
    message = "bad | pipe\n| injected | row |"
    markdown = render_markdown(
        build(small_catalogue, [result("Input SI", outcome="failed", message=message)])
    )
    assert "| injected | row |" not in markdown.splitlines()
