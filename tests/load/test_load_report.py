"""The load report: load.json, load.md, load.html (inline SVG) and the JUnit file, thresholds from the profile."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from ocp_conformance.load.invariants import InvariantResult
from ocp_conformance.load.profile import find_profile, load_profile
from ocp_conformance.load.record import Acknowledged, RunRecord
from ocp_conformance.load.report import LoadReport, build_report, write_report


def _report(*, lost: int = 0, p95: float = 12.0) -> LoadReport:
    record = RunRecord()
    record.acknowledge(Acknowledged("Input SI", "B01234", "SI1", "R-1", "UNMATCHED"))
    record.sample("Input SI", [], "Input SI as B01234")
    record.sample("Enquire SI", ["/items/0/status: 'LOST' is not one of [...]"], "Enquire SI as B01234")
    record.timeline = {(1000, "Input SI"): Counter({5: 8, 40: 2}), (1001, "Input SI"): Counter({6: 10}),
                       (1001, "Enquire SI"): Counter({12: 4})}
    rows = [{"function": "Input SI", "role": "create", "requests": 180, "failures": 2, "p50": 5, "p95": p95,
             "p99": 40, "max": 41, "mean": 7.5},
            {"function": "Enquire SI", "role": "list", "requests": 20, "failures": 0, "p50": 12, "p95": 15,
             "p99": 15, "max": 15, "mean": 12}]
    errors = [{"function": "Input SI", "role": "create", "error": "HTTP 422 COUNTERPARTY_UNKNOWN", "occurrences": 1},
              {"function": "Cancel SI", "role": "cancel", "error": "HTTP 409 SI_STATE_CONFLICT", "occurrences": 1}]
    invariants = [InvariantResult("exactly-once", "Input SI", lost == 0, lost,
                                  f"Input SI: {lost} of 200 acknowledged Input SI instructions lost")]
    return build_report(load_profile(find_profile("peak-day")), target="http://127.0.0.1:8000", users=10, workers=2,
                        duration_s=10.0, sample=0.05, rows=rows, errors=errors, record=record, invariants=invariants)


def test_numbers_errors_and_sample_in_load_json(tmp_path: Path) -> None:
    report = _report()
    write_report(report, tmp_path)
    data = json.loads((tmp_path / "load.json").read_text())
    assert (data["requests"], data["throughput_rps"]) == (200, 20.0)
    assert data["functions"][0] == {"function": "Input SI", "role": "create", "requests": 180, "failures": 2,
                                    "p50_ms": 5.0, "p95_ms": 12.0, "p99_ms": 40.0, "max_ms": 41.0, "mean_ms": 7.5}
    assert {(e["status"], e["code"], e["expected"]) for e in data["errors"]} == {
        ("422", "COUNTERPARTY_UNKNOWN", False), ("409", "SI_STATE_CONFLICT", True)}
    assert data["contract_sample"]["checked"] == 2 and data["contract_sample"]["violations"] == 1
    assert data["timeline"]["Input SI"] == [{"second": 0, "requests": 10, "p50_ms": 5, "p95_ms": 40},
                                            {"second": 1, "requests": 10, "p50_ms": 6, "p95_ms": 6}]
    # peak-day allows no contract violation and 1 % failed requests (the expected 409 aside): 1 of 200 passes
    thresholds = {t["name"]: t["passed"] for t in data["thresholds"]}
    assert thresholds["error rate"] is True
    assert thresholds["contract violations"] is False
    assert data["verdict"] == "fail"


def test_markdown_junit_and_html(tmp_path: Path) -> None:
    report = _report(lost=3, p95=2500)
    write_report(report, tmp_path)
    markdown = (tmp_path / "load.md").read_text()
    assert "| Input SI | create | 180 | 2 | 5 | 2500 | 40 | 41 |" in markdown
    assert "- **FAIL** exactly-once: Input SI: 3 of 200 acknowledged Input SI instructions lost" in markdown
    assert "- **FAIL** p95 Input SI (create): 2500 ms, at most 2000 ms" in markdown
    suite = ElementTree.parse(tmp_path / "load-junit.xml").getroot().find("testsuite")
    assert suite is not None
    failed = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert {"invariant exactly-once Input SI", "threshold p95 Input SI (create)",
            "threshold contract violations"} <= failed
    assert "threshold error rate" not in failed
    page = (tmp_path / "load.html").read_text()
    assert "<svg" in page and page.count("<polyline") == 2 and "http" not in page.split("<svg", 1)[1].split(
        "</svg>")[0].replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_an_empty_run_fails() -> None:
    report = build_report(load_profile(find_profile("enquiry-storm")), target="t", users=1, workers=0, duration_s=1,
                          sample=0.05, rows=[], errors=[], record=RunRecord(), invariants=[])
    assert not report.passed
    assert any(t.name == "requests" and not t.passed for t in report.thresholds)


def test_a_harness_error_is_never_a_pass(tmp_path: Path) -> None:
    report = _report()
    report.thresholds = []
    report.record.violations.clear()
    assert report.passed
    report.harness_errors = ["KeyError: 'si_id' (x3)\nTraceback ..."]
    assert not report.passed
    write_report(report, tmp_path)
    markdown = (tmp_path / "load.md").read_text()
    assert "## Harness errors (ours, not the target's)\n\n- KeyError: 'si_id' (x3)" in markdown
