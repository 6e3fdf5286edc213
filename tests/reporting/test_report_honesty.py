"""What a user reads in readiness.md / .html (issue 20 item 11): the contracts are a model unless an official one is
bound; entries outside the capability profile are n/a; the Allure link only when the Allure HTML is built; no
absolute machine paths in failure lines; a trend readable with few runs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ocp_conformance.binding import load_binding
from ocp_conformance.contracts import Catalogue, default_contracts_dir
from ocp_conformance.reporting import CheckResult, Readiness, build_readiness, write_report
from ocp_conformance.reporting.machine_paths import without_machine_paths
from ocp_conformance.reporting.report_files import unlink_allure

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
Passing = Callable[[Catalogue], list[CheckResult]]


def _pages(folder: Path) -> tuple[str, str, dict[str, object]]:
    read = {ext: (folder / f"readiness.{ext}").read_text(encoding="utf-8") for ext in ("md", "html", "json")}
    return read["md"], read["html"], json.loads(read["json"])


def _build(catalogue: Catalogue, results: list[CheckResult], now: datetime = T0, **kwargs: object) -> Readiness:
    return build_readiness(catalogue, results, target="simulator", contract_version="v", now=now, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- model or official contract

def test_our_binding_declares_the_model_and_an_adopted_one_official(tmp_path: Path) -> None:
    assert load_binding(default_contracts_dir()).contract == "model"
    assert load_binding(tmp_path).contract == "model"  # no binding: nothing says official
    folder = tmp_path / "c"  # (load_binding caches per file: each case its own folder)
    folder.mkdir()
    ours = (default_contracts_dir() / "binding.yaml").read_text(encoding="utf-8")
    (folder / "binding.yaml").write_text(ours.replace("contract: model", "contract: official"), encoding="utf-8")
    assert load_binding(folder).contract == "official"
    without = tmp_path / "d"
    without.mkdir()
    (without / "binding.yaml").write_text(ours.replace("contract: model\n", ""), encoding="utf-8")
    assert load_binding(without).contract == "model"  # unsaid is a model: never claim the official contract


def test_contracts_adopt_scaffolds_an_official_binding(tmp_path: Path) -> None:
    from ocp_conformance.binding.adopt import adopt
    from ocp_conformance.contracts import load_contracts

    official = Path(__file__).parents[1] / "data" / "official-variant" / "api" / "official.yaml"
    adopt(official, tmp_path / "adopted", load_contracts())
    assert "\ncontract: official\n" in (tmp_path / "adopted" / "binding.yaml").read_text(encoding="utf-8")


def test_pages_say_the_contracts_are_a_model_unless_the_official_one_is_bound(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing) -> None:
    results = passing_everything(small_catalogue)
    write_report(_build(small_catalogue, results), tmp_path / "model", results)
    markdown, html, document = _pages(tmp_path / "model")
    assert document["contract_source"] == "model"
    assert "**Model contracts.** Contracts: a model of CCASS built from public rules, not HKEX's official" in markdown
    assert 'class="contract model"' in html and "not HKEX&#39;s official OCP API contract" in html
    write_report(_build(small_catalogue, results, contract_source="official"), tmp_path / "official", results)
    markdown, html, document = _pages(tmp_path / "official")
    assert document["contract_source"] == "official"
    assert "**Official contract.**" in markdown and "a model" not in markdown
    assert 'class="contract official"' in html and "a model of CCASS" not in html


# ---------------------------------------------------------------- n/a outside the capability profile

def test_entries_outside_the_capability_profile_are_na_not_not_run(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing) -> None:
    results = [r for r in passing_everything(small_catalogue) if r.functions != ("Cancel SI",)]
    plan = {"Input SI": ("mandatory", "profile"), "Cancel SI": ("not-applicable", "cancel not subscribed"),
            "SI": ("mandatory", "profile"), "Stock List": ("not-applicable", "no GCP")}
    readiness = _build(small_catalogue, results, plan=plan)
    assert readiness.entry("Cancel SI").status == "n/a" and readiness.verdict == "ready"
    write_report(readiness, tmp_path, results)
    markdown, html, _ = _pages(tmp_path)
    assert "| Cancel SI | Maintain SI | n/a n/a | n/a | n/a | n/a | n/a | 0 | 0 |" in markdown
    assert html.count('class="cell s-na" title="Cancel SI') == 4 and "not run" not in html.split('id="matrix"')[1]


# ---------------------------------------------------------------- the Allure link

def _allure_results(folder: Path, test_id: str) -> Path:
    allure = folder / "allure-results"
    allure.mkdir(parents=True)
    (allure / "a-result.json").write_text(json.dumps({
        "uuid": "a8c7320a-7768-4d57-848a-9841ff75eef7", "stop": 5,
        "labels": [{"name": "ocp.test", "value": test_id}]}), encoding="utf-8")
    return allure


def test_no_allure_link_unless_the_allure_html_is_built(tmp_path: Path, small_catalogue: Catalogue,
                                                        result: Callable[..., CheckResult]) -> None:
    """Issue 20: with allure-results but no Allure HTML (--no-allure-html, or no Node), the pages linked a report
    that was not there."""
    failed = [result("Input SI", "contract", "failed", test_id="suites/t.py::test_a[Input SI:create]", message="x")]
    allure = _allure_results(tmp_path, failed[0].test_id)
    write_report(_build(small_catalogue, failed), tmp_path, failed, allure)
    markdown, html, _ = _pages(tmp_path)
    assert "allure-report" not in html and "allure-report" not in markdown
    assert "suites/t.py::test_a[Input SI:create]" in html


def test_links_taken_out_when_the_allure_build_fails_after_the_pages_were_written(
        tmp_path: Path, small_catalogue: Catalogue, result: Callable[..., CheckResult]) -> None:
    failed = [result("Input SI", "contract", "failed", test_id="suites/t.py::test_a[Input SI:create]", message="x")]
    allure = _allure_results(tmp_path, failed[0].test_id)
    write_report(_build(small_catalogue, failed), tmp_path, failed, allure, allure_html=True)
    markdown, html, _ = _pages(tmp_path)
    assert 'id="allure-link"' in html and "](allure-report/index.html#" in markdown
    unlink_allure(tmp_path)
    markdown, html, _ = _pages(tmp_path)
    assert "allure-report" not in html and "allure-report" not in markdown
    assert "suites/t.py::test_a[Input SI:create]</span>" in html.replace(")</span>", "</span>").replace("(", "")
    assert "(`suites/t.py::test_a[Input SI:create]`)" in markdown


# ---------------------------------------------------------------- machine paths

def test_machine_paths_are_made_relative_or_shortened_and_pointers_stay(tmp_path: Path) -> None:
    project = tmp_path / "work" / "ocp"
    (project / "scenarios" / "si").mkdir(parents=True)
    elsewhere = tmp_path / "v2"
    elsewhere.mkdir()
    text = (f"not run: {project}/scenarios/si/si-hold.arazzo.yaml:10:10: written for ocp-api; "
            f"no binding for functions.\"Cancel SI\" in {elsewhere}/binding.yaml; "
            "field /errors/0/pointer of POST http://127.0.0.1:8000/api/v1/si/{siId} ('/quantity')")
    assert without_machine_paths(text, [project]) == (
        "not run: scenarios/si/si-hold.arazzo.yaml:10:10: written for ocp-api; "
        "no binding for functions.\"Cancel SI\" in …/v2/binding.yaml; "
        "field /errors/0/pointer of POST http://127.0.0.1:8000/api/v1/si/{siId} ('/quantity')")


def test_a_failure_line_written_from_a_results_message_keeps_no_path(tmp_path: Path) -> None:
    """The plugin applies it to every result before the reports: shown on the function level here."""
    site = Path(pytest.__file__).resolve().parent  # a folder that exists on any machine running this test
    assert str(site) not in without_machine_paths(f"AssertionError at {site}/python_api.py:12", [tmp_path])


# ---------------------------------------------------------------- trend with few runs

def test_the_trend_is_readable_with_one_and_two_runs(tmp_path: Path, small_catalogue: Catalogue,
                                                    passing_everything: Passing,
                                                    result: Callable[..., CheckResult]) -> None:
    passing = passing_everything(small_catalogue)
    write_report(_build(small_catalogue, passing), tmp_path, passing)
    _, html, _ = _pages(tmp_path)
    assert html.count("<circle") == 1 and "100.0 % · first run: no history yet" in html
    failing = [r for r in passing if r.functions != ("Input SI",)]
    failing.append(result("Input SI", "contract", "failed", message="boom"))
    write_report(_build(small_catalogue, failing, T0 + timedelta(hours=1)), tmp_path, failing)
    _, html, _ = _pages(tmp_path)
    trend_card = html.split('id="trend"')[1].split("</svg>")[0]
    assert trend_card.count("<circle") == 2 and 'fill="#2e7d32"' in trend_card and 'fill="#c62828"' in trend_card
    assert "achieved 100.0 % (ready)" in trend_card and "<polyline" in trend_card
    assert '<div class="small" id="trend-values">100.0 → 60.0 %</div>' in html
    xs = [float(part.split('"')[1]) for part in trend_card.split('cx=')[1:]]
    assert xs[1] - xs[0] <= 24  # two runs a step apart, not stretched across the card


def test_history_skipped_names_the_file_not_its_path(tmp_path: Path, small_catalogue: Catalogue) -> None:
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "broken.json").write_text("{not json", encoding="utf-8")
    write_report(_build(small_catalogue, []), tmp_path, [])
    _, html, _ = _pages(tmp_path)
    assert "broken.json" in html and str(tmp_path) not in html


def test_our_contracts_folder_can_be_copied_and_still_says_model(tmp_path: Path) -> None:
    shutil.copytree(default_contracts_dir(), tmp_path / "contracts")
    assert load_binding(tmp_path / "contracts").contract == "model"
