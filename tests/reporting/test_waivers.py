"""Waivers (DESIGN.md §8): loading ``waivers.toml`` with precise errors, and their effect on the readiness."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from ocp_conformance.contracts import Catalogue, CatalogueEntry, SourceError
from ocp_conformance.reporting import (
    APPLICABLE_CHECKS,
    CheckKind,
    CheckResult,
    Outcome,
    Readiness,
    Waiver,
    build_readiness,
    load_waivers,
    render_markdown,
    render_summary,
    write_readiness,
)

ResultFactory = Callable[..., CheckResult]
Passing = Callable[[Catalogue], list[CheckResult]]
TODAY = date(2027, 3, 10)

VALID = """\
# accepted failures
[[waiver]]
function = "Input SI"
check = "contract"
reason = "vendor fix in 4.2"
ticket = "OPS-1"
expires = 2027-03-31

[[waiver]]
function = "SI"
check = "file"
reason = "header date format"
ticket = "OPS-2"
expires = 2027-04-30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def waiver(function: str = "Input SI", check: CheckKind = "contract", expires: date = date(2027, 3, 31),
           ticket: str = "OPS-1") -> Waiver:
    return Waiver(function=function, check=check, reason="vendor fix in 4.2", ticket=ticket, expires=expires)


def build(catalogue: Catalogue, results: list[CheckResult], waivers: list[Waiver],
          today: date = TODAY) -> Readiness:
    return build_readiness(catalogue, results, target="simulator", contract_version="ocp-api 0.1.0",
                           now=datetime(2027, 3, 10, 1, 2, 3, tzinfo=UTC), waivers=waivers, today=today)


# --- loading -------------------------------------------------------------------------------------------------


def test_loads_every_field_with_its_position(tmp_path: Path, small_catalogue: Catalogue) -> None:
    path = write(tmp_path, VALID)
    first, second = load_waivers(path, small_catalogue)
    assert (first.function, first.check, first.reason, first.ticket, first.expires) == (
        "Input SI", "contract", "vendor fix in 4.2", "OPS-1", date(2027, 3, 31))
    assert str(first.location) == f"{path}:2:1"
    assert (second.function, second.check, str(second.location)) == ("SI", "file", f"{path}:9:1")


def test_an_empty_file_has_no_waivers(tmp_path: Path, small_catalogue: Catalogue) -> None:
    assert load_waivers(write(tmp_path, "# nothing waived\n"), small_catalogue) == []


def error_of(tmp_path: Path, catalogue: Catalogue, text: str) -> SourceError:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as caught:
        load_waivers(path, catalogue)
    return caught.value


def second_waiver(**changes: str) -> str:
    """VALID with lines of its second waiver (lines 9-14) replaced: ``key="raw TOML line"``, or ``key=""`` to drop."""
    lines = VALID.splitlines()
    for key, raw in changes.items():
        number = next(i for i in range(9, len(lines)) if lines[i].startswith(f"{key} ="))
        lines[number] = raw
    return "\n".join(line for line in lines) + "\n"


@pytest.mark.parametrize(("text", "line", "column", "message", "fix"), [
    pytest.param(second_waiver(function='function = "Si"'), 10, 12,
                 "function 'Si' is not a catalogue entry. Did you mean 'SI'", "exactly as HKEX writes them",
                 id="unknown function"),
    pytest.param(second_waiver(check='check = "contract"'), 11, 9,
                 "check 'contract' does not apply to 'SI' (rap entries take only file, scenario checks)",
                 "use one of file, scenario", id="check not applicable"),
    pytest.param(second_waiver(check='  check = "contracts"'), 11, 11,
                 "check 'contracts' is not a check kind. Did you mean 'contract'", "use one of contract",
                 id="unknown check"),
    pytest.param(second_waiver(ticket=""), 9, 1, "waiver lacks ticket", "every waiver needs", id="missing field"),
    pytest.param(second_waiver(expires='expires = "2027-04-30"'), 14, 11,
                 "expires must be a TOML date, received a string '2027-04-30'", "no quotes", id="quoted date"),
    pytest.param(second_waiver(expires="expires = 2027-04-30T10:00:00Z"), 14, 11,
                 "expires must be a TOML date, received a date-time", "no time", id="date-time"),
    pytest.param(second_waiver(expires="expires = 2027-02-30"), 14, 11, "invalid TOML: Invalid date", "YYYY-MM-DD",
                 id="impossible date"),
    pytest.param(second_waiver(function='function = "Input SI"', check='check = "contract"'), 9, 1,
                 "a second waiver for 'Input SI' / contract (the first is at line 2)", "one waiver per function",
                 id="duplicate"),
    pytest.param(second_waiver(ticket='tikcet = "OPS-2"'), 13, 1, "unknown waiver field 'tikcet'. Did you mean "
                 "'ticket'", "exactly the fields", id="unknown field"),
    pytest.param(second_waiver(reason='reason = ""'), 12, 10, "reason must be a non-empty string", 'reason = "',
                 id="empty reason"),
    pytest.param(VALID.replace("expires = 2027-03-31", "expires = 2027-03-31,"), 7, 21, "invalid TOML",
                 "correct the TOML syntax", id="syntax"),
    pytest.param('owner = "ops"\n' + VALID, 1, 1, "unexpected top-level key 'owner'", "only [[waiver]] tables",
                 id="top-level key"),
    pytest.param('\n[waiver]\nfunction = "Input SI"\n', 2, 1, "`waiver` must be a list of tables",
                 "double brackets", id="single brackets"),
])
def test_loading_errors_say_where_and_how_to_fix(tmp_path: Path, small_catalogue: Catalogue, text: str, line: int,
                                                 column: int, message: str, fix: str) -> None:
    error = error_of(tmp_path, small_catalogue, text)
    rendered = error.render()
    assert rendered.startswith(f"{tmp_path / 'waivers.toml'}:{line}:{column}: "), rendered
    assert message in rendered
    assert fix in error.fix


def test_missing_file_is_an_error(tmp_path: Path, small_catalogue: Catalogue) -> None:
    with pytest.raises(SourceError, match="waiver file not found"):
        load_waivers(tmp_path / "absent.toml", small_catalogue)


# --- states --------------------------------------------------------------------------------------------------


def test_failed_check_with_valid_waiver_is_waived_and_ready(
    small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory
) -> None:
    results = [r for r in passing_everything(small_catalogue) if (r.functions, r.check) != (("Input SI",), "contract")]
    results += [result("Input SI", "contract", "passed"), result("Input SI", "contract", "failed", message="500")]
    readiness = build(small_catalogue, results, [waiver(expires=TODAY)])  # holds through its expiry date
    check = readiness.entry("Input SI").checks["contract"]
    assert (check.status, check.tests, check.failed) == ("waived", 2, 1)
    assert "OPS-1" in check.reason and "vendor fix in 4.2" in check.reason and "500" in check.reason
    assert readiness.entry("Input SI").status == "pass"
    assert readiness.verdict == "ready"
    (outcome,) = readiness.waivers
    assert outcome.state == "applied"
    assert readiness.to_json()["waivers"][0]["state"] == "applied"


def test_expired_waiver_does_not_waive(small_catalogue: Catalogue, passing_everything: Passing,
                                       result: ResultFactory) -> None:
    results = [*passing_everything(small_catalogue), result("Input SI", "contract", "failed", message="500")]
    readiness = build(small_catalogue, results, [waiver(expires=TODAY - timedelta(days=1))])
    check = readiness.entry("Input SI").checks["contract"]
    assert check.status == "fail"
    assert check.reason.startswith("waiver OPS-1 expired on 2027-03-09")
    assert readiness.verdict == "not-ready"
    assert readiness.waivers[0].state == "expired"


def test_waiver_on_a_passing_check_is_reported_as_no_longer_needed(
    small_catalogue: Catalogue, passing_everything: Passing
) -> None:
    readiness = build(small_catalogue, passing_everything(small_catalogue), [waiver()])
    check = readiness.entry("Input SI").checks["contract"]
    assert (check.status, check.reason) == ("pass", "waiver OPS-1 no longer needed")
    assert readiness.verdict == "ready"
    (outcome,) = readiness.waivers
    assert outcome.state == "unused-passing"
    assert "no longer needed" in outcome.note


@pytest.mark.parametrize("function", ["Input SI", "Stock List"])
def test_waiver_never_turns_not_run_into_pass(small_catalogue: Catalogue, passing_everything: Passing,
                                              function: str) -> None:
    results = [r for r in passing_everything(small_catalogue) if (r.functions, r.check) != ((function,), "contract")]
    readiness = build(small_catalogue, results, [waiver(function=function)])
    assert readiness.entry(function).checks["contract"].status == "not-run"
    assert readiness.waivers[0].state == "unused-not-run"
    assert readiness.verdict == ("not-ready" if function == "Input SI" else "ready")


def test_report_files_show_waivers(tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing,
                                   result: ResultFactory) -> None:
    results = [*passing_everything(small_catalogue), result("Input SI", "contract", "failed", message="500")]
    waivers = [waiver(), waiver("SI", "file", ticket="OPS-2"), waiver("Cancel SI", "negative", TODAY.replace(day=1),
                                                                      ticket="OPS-3")]
    readiness = build(small_catalogue, results, waivers)
    write_readiness(readiness, tmp_path)
    document = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    assert [(w["ticket"], w["state"]) for w in document["waivers"]] == [
        ("OPS-1", "applied"), ("OPS-2", "unused-passing"), ("OPS-3", "unused-passing")]
    assert set(document["waivers"][0]) == {"function", "check", "reason", "ticket", "expires", "source", "state",
                                           "note"}
    assert document["entries"][0]["checks"]["contract"]["status"] == "waived"
    markdown = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert markdown == render_markdown(readiness)
    assert "## Waivers" in markdown and "| OPS-2 | SI | file | 2027-03-31 | unused-passing |" in markdown
    assert "✅ pass (waived)" in markdown
    assert "but for 1 failed check under a valid waiver" in markdown


def test_console_summary_counts_waivers_and_names_the_unused(small_catalogue: Catalogue, passing_everything: Passing,
                                                             result: ResultFactory) -> None:
    results = [*passing_everything(small_catalogue), result("Input SI", "contract", "failed", message="500")]
    readiness = build(small_catalogue, results, [waiver(), waiver("SI", "file", ticket="OPS-2")])
    console = Console(file=StringIO(), record=True, width=200)
    render_summary(readiness, console)
    text = console.export_text()
    assert "⚠ waived" in text
    assert "Waivers: 1 applied, 1 unused-passing" in text
    assert "OPS-2 (SI / file): unused-passing: waiver OPS-2 no longer needed" in text
    assert "OPS-1 (Input SI / contract)" not in text  # applied waivers are counted, not listed


# --- the verdict, for any results and waivers -----------------------------------------------------------------

_CATALOGUE = Catalogue(path=Path("catalogue.yaml"), discontinued=(), entries=(
    CatalogueEntry("Input SI", "api", "Maintain SI", "CD/1", False, operations=("inputSi",)),
    CatalogueEntry("SI", "rap", "SI/ISI/ATI/STI Upload", "CD/1", False, file_type="SI"),
    CatalogueEntry("Stock List", "gcp", "Reference Data", "CD/1", False),
))
_CELLS = [(entry.name, kind) for entry in _CATALOGUE for kind in APPLICABLE_CHECKS[entry.kind]]
_OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped", "error")


@settings(max_examples=300, deadline=None, database=None)
@given(
    outcomes=st.fixed_dictionaries({cell: st.lists(st.sampled_from(_OUTCOMES), max_size=3) for cell in _CELLS}),
    expiry=st.fixed_dictionaries({cell: st.one_of(st.none(), st.integers(-2, 2)) for cell in _CELLS}),
)
def test_ready_iff_every_applicable_check_passed_or_is_validly_waived(
    outcomes: dict[tuple[str, CheckKind], list[Outcome]], expiry: dict[tuple[str, CheckKind], int | None]
) -> None:
    results = [CheckResult(f"t::{name}-{kind}-{i}", (name,), kind, outcome)
               for (name, kind), cell in outcomes.items() for i, outcome in enumerate(cell)]
    waivers = [waiver(name, kind, TODAY + timedelta(days=days), ticket=f"W-{name}-{kind}")
               for (name, kind), days in expiry.items() if days is not None]
    readiness = build(_CATALOGUE, results, waivers)

    def good(name: str, kind: CheckKind) -> bool:
        cell, days = outcomes[(name, kind)], expiry[(name, kind)]
        if "error" in cell:
            return False
        if "failed" in cell:
            return days is not None and days >= 0
        return "passed" in cell and "skipped" not in cell  # a skipped test leaves the check partial: no pass

    harness_error = any("error" in cell for cell in outcomes.values())
    contracted = [(e.name, k) for e in _CATALOGUE if e.contracted for k in APPLICABLE_CHECKS[e.kind]]
    expected = not harness_error and all(good(name, kind) for name, kind in contracted)
    assert readiness.ready is expected
    states = {(o.waiver.function, o.waiver.check): o.state for o in readiness.waivers}
    for (name, kind), state in states.items():
        status = readiness.entry(name).checks[kind].status
        assert (state, status) in {("applied", "waived"), ("expired", "fail"), ("unused-passing", "pass"),
                                   ("unused-not-run", "not-run"), ("unused-not-run", "partial")}


def test_readme_example_loads(tmp_path: Path, catalogue: Catalogue) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (loaded,) = load_waivers(write(tmp_path, example), catalogue)
    assert (loaded.function, loaded.check, loaded.expires) == ("Revoke Matched SI", "contract", date(2027, 3, 31))
