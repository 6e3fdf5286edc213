"""Scores (ceiling / achieved), the run history and trend, readiness.html, and the report files together."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ocp_conformance.contracts import Catalogue
from ocp_conformance.reporting import CheckResult, Readiness, build_readiness, score_readiness, write_report
from ocp_conformance.reporting.history import load_history

ResultFactory = Callable[..., CheckResult]
Passing = Callable[[Catalogue], list[CheckResult]]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def build(catalogue: Catalogue, results: list[CheckResult], now: datetime = T0) -> Readiness:
    return build_readiness(catalogue, results, target="simulator", contract_version="ocp-api 0.1.0", now=now)


def test_scores_count_ceiling_and_achieved(small_catalogue: Catalogue, passing_everything: Passing,
                                           result: ResultFactory) -> None:
    results = [r for r in passing_everything(small_catalogue) if not (r.functions == ("Cancel SI",)
                                                                      and r.check == "scenario")]
    results.append(result("Cancel SI", "scenario", "skipped", message="target lacks clock-control"))
    results = [r for r in results if not (r.functions == ("Input SI",) and r.check == "negative")]
    results.append(result("Input SI", "negative", "failed", message="accepted quantity 0"))
    scores = score_readiness(build(small_catalogue, results))
    # Input SI, Cancel SI: 4 checks each; SI file: 2; Stock List (not contracted): 4 -> 14 checks in all.
    assert scores.overall.total == 14
    assert scores.overall.ceiling == 9  # the skipped scenario and the uncontracted entry are outside
    assert scores.overall.achieved == 8
    assert scores.overall.failed == 1
    assert scores.overall.achieved_pct == pytest.approx(88.9)
    assert scores.overall.ceiling_pct == pytest.approx(64.3)
    assert scores.groups["Maintain SI"].ceiling == 7
    assert scores.groups["Reference Data"].ceiling == 0
    assert scores.groups["Reference Data"].achieved_pct == 0.0
    assert scores.services["API Services"].total == 8


def test_a_check_no_test_covers_stays_inside_the_ceiling(small_catalogue: Catalogue) -> None:
    scores = score_readiness(build(small_catalogue, []))
    assert (scores.overall.ceiling, scores.overall.achieved) == (10, 0)


def test_history_keeps_one_snapshot_per_run_and_the_trend_compares(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory) -> None:
    write_report(build(small_catalogue, passing_everything(small_catalogue)), tmp_path, [])
    failing = [r for r in passing_everything(small_catalogue) if r.functions != ("Input SI",)]
    failing.append(result("Input SI", "contract", "failed", message="Contract violation: missing siId"))
    write_report(build(small_catalogue, failing, T0 + timedelta(hours=1)), tmp_path, failing)

    runs, skipped = load_history(tmp_path)
    assert [run.verdict for run in runs] == ["ready", "not-ready"] and not skipped
    document = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    trend = document["trend"]
    assert trend["changes"]["Input SI"] == "was pass"
    assert trend["changes"]["Cancel SI"] == "="
    assert trend["delta_pct"] < 0
    assert [run["verdict"] for run in trend["runs"]] == ["ready", "not-ready"]
    markdown = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert "## Scores" in markdown and "points since the previous run (ready)" in markdown
    html = (tmp_path / "readiness.html").read_text(encoding="utf-8")
    assert "was pass" in html and "<polyline" in html


def test_an_unreadable_snapshot_is_skipped_and_named(tmp_path: Path, small_catalogue: Catalogue) -> None:
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "broken.json").write_text("{not json", encoding="utf-8")
    write_report(build(small_catalogue, []), tmp_path, [])
    assert "broken.json" in (tmp_path / "readiness.html").read_text(encoding="utf-8")


def test_html_is_self_contained_and_shows_verdict_matrix_and_failure_link(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory) -> None:
    failing = [r for r in passing_everything(small_catalogue) if r.functions != ("Input SI",)]
    bad = result("Input SI", "contract", "failed", test_id="suites/test_x.py::test_input<si>",
                 message="Contract violation: <script>alert(1)</script>\nsecond line")
    failing.append(bad)
    allure = tmp_path / "allure-results"
    allure.mkdir()
    (allure / "a-result.json").write_text(json.dumps({
        "uuid": "a8c7320a-7768-4d57-848a-9841ff75eef7", "stop": 5,
        "labels": [{"name": "ocp.test", "value": bad.test_id}]}), encoding="utf-8")
    write_report(build(small_catalogue, failing), tmp_path, failing, allure, allure_html=True)
    html = (tmp_path / "readiness.html").read_text(encoding="utf-8")

    assert "NOT READY" in html
    assert "<script" not in html  # no scripts at all: the failure message is escaped
    assert "&lt;script&gt;" in html and "second line" not in html  # one line per failure
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page must not need the network"
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert 'href="allure-report/index.html#7050f31a100b568fd7e0e38a7af2f99d"' in html
    assert 'class="cell s-fail"' in html and "Stock List" in html


def test_html_without_allure_results_has_no_allure_links(tmp_path: Path, small_catalogue: Catalogue,
                                                          result: ResultFactory) -> None:
    failed = [result("Input SI", "contract", "failed", message="boom")]
    write_report(build(small_catalogue, failed), tmp_path, failed)
    html = (tmp_path / "readiness.html").read_text(encoding="utf-8")
    assert "allure-report" not in html and "boom" in html


def test_a_partial_check_is_in_the_ceiling_but_not_achieved_and_every_page_shows_it(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing, result: ResultFactory) -> None:
    """Issue 20: a check whose tests were partly skipped is shown as partial, with each skipped test and reason,
    on every page, and is not counted as achieved (before, it was a pass everywhere)."""
    results = [*passing_everything(small_catalogue),
               result("Input SI", "security", "skipped", test_id="suites/t.py::three", message="needs three "
                      "participants")]
    readiness = build(small_catalogue, results)
    scores = score_readiness(readiness)
    assert (scores.overall.ceiling, scores.overall.achieved, scores.overall.partial) == (10, 9, 1)
    write_report(readiness, tmp_path, results)
    html = (tmp_path / "readiness.html").read_text(encoding="utf-8")
    assert 'class="cell s-partial"' in html and 'id="partial"' in html
    assert "suites/t.py::three" in html and "needs three participants" in html
    markdown = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert "## Partial (covering tests skipped: not a pass)" in markdown
    assert "- **Input SI** · security: 1 ran, 1 skipped" in markdown
    assert "`suites/t.py::three`: needs three participants" in markdown
    assert "| Input SI | Maintain SI | ◐ partial | ✅ | ✅ | ✅ | ◐ | 4 | 1 |" in markdown
    document = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    assert document["scores"]["overall"]["partial"] == 1
    assert document["verdict"] == "not-ready"


def test_na_and_not_selected_cells_are_styled_and_outside_the_ceiling(
        tmp_path: Path, small_catalogue: Catalogue, passing_everything: Passing) -> None:
    results = [r for r in passing_everything(small_catalogue) if r.functions == ("Input SI",)]
    readiness = build_readiness(small_catalogue, results, target="t", contract_version="v", now=T0,
                                selection=["Input SI", "SI"], out_of_scope={"SI": "RAP out of scope"})
    assert [row.status for row in readiness.entries] == ["pass", "not-selected", "n/a", "not-run"]
    assert readiness.verdict == "ready"
    assert score_readiness(readiness).overall.ceiling == 4
    write_report(readiness, tmp_path, results)
    html = (tmp_path / "readiness.html").read_text(encoding="utf-8")
    assert 'class="cell s-not-selected"' in html and 'class="cell s-na"' in html
    assert "not selected (--only): the verdict is on the selection" in html
