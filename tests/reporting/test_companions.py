"""The readiness report joins what `record`, `rehearse`, `load` and `diff` wrote beside it (issues 18 and 19: the
client's day and the capacity on one page with the server-side verdict; issue 17: the diff in readiness)."""

from __future__ import annotations

import json
from pathlib import Path

from ocp_conformance.reporting.companions import find_companions, link_companions
from tests.reporting.companion_readiness import readiness_stub

LOAD = {"verdict": "fail", "profile": "peak-day", "users": 20, "duration_s": 60.0, "requests": 4200,
        "throughput_rps": 70.0, "functions": [{"function": "Input SI", "requests": 2500, "p95_ms": 40.0},
                                              {"function": "Enquire SI", "requests": 1700, "p95_ms": 95.5}],
        "contract_sample": {"checked": 210, "violations": 0},
        "invariants": [{"name": "exactly-once", "passed": False}, {"name": "isolation", "passed": True}]}
DIFF = {"identical": False, "steps": 104, "targets": {"A": {"target": "simulator"}, "B": {"target": "http://b"}},
        "functions": {"Input SI": {"divergences": 0}, "Change Matched/Settled SI": {"divergences": 1}}}


def _write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_a_load_report_in_a_folder_inside_the_readiness_folder_gets_a_capacity_section(tmp_path: Path) -> None:
    readiness_stub(tmp_path)
    _write(tmp_path / "load" / "load.json", LOAD)
    (tmp_path / "load" / "load.html").write_text("<html></html>", encoding="utf-8")
    (joined,) = link_companions(tmp_path / "load")  # as `load --report reports/load` calls it
    assert (joined.kind, joined.verdict, joined.link) == ("capacity", "fail", "load/load.html")
    assert "70.0 requests/s over 4200 requests; slowest p95 95.5 ms (Enquire SI)" in joined.summary
    assert "invariants 1 of 2 hold; 0 contract violation(s) in 210 sampled answers" in joined.summary
    markdown = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Readiness\n\n**READY**\n")  # the server-side verdict is not changed
    assert "### Capacity (load)\n\n**FAIL**: profile peak-day" in markdown
    assert "[load/load.html](load/load.html)" in markdown
    page = (tmp_path / "readiness.html").read_text(encoding="utf-8")
    assert page.index('<section id="companions">') < page.index("</main>")
    assert json.loads((tmp_path / "readiness.json").read_text())["companions"][0]["kind"] == "capacity"


def test_linking_again_replaces_the_sections_and_keeps_every_companion(tmp_path: Path) -> None:
    readiness_stub(tmp_path)
    _write(tmp_path / "diff.json", DIFF)
    link_companions(tmp_path)
    _write(tmp_path / "rehearsal.json", {"verdict": "pass", "script": {"title": "SI day", "file": "si-day.yaml",
                                                                       "businessDate": "2027-04-06"},
                                         "tasks": [{"verdict": "pass"}, {"verdict": "pass"}]})
    link_companions(tmp_path)
    link_companions(tmp_path)
    markdown = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert markdown.count("## Beside the server-side verdict") == 1
    assert markdown.index("### Practice-session rehearsal") < markdown.index("### Cross-target diff")
    assert "**PASS**: 2 of 2 task(s) passed; script SI day (si-day.yaml), business date 2027-04-06" in markdown
    assert "**DIVERGENT**: A: simulator vs B: http://b: divergences in Change Matched/Settled SI (1)" in markdown
    assert (tmp_path / "readiness.html").read_text(encoding="utf-8").count('<section id="companions">') == 1
    assert [c["kind"] for c in json.loads((tmp_path / "readiness.json").read_text())["companions"]] == [
        "rehearsal", "diff"]


def test_an_unreadable_companion_is_shown_as_unreadable_not_left_out(tmp_path: Path) -> None:
    readiness_stub(tmp_path)
    (tmp_path / "load.json").write_text("{not json", encoding="utf-8")
    _write(tmp_path / "diff.json", [1, 2])
    found = {c.kind: c for c in find_companions(tmp_path)}
    assert found["capacity"].verdict == found["diff"].verdict == "unreadable"
    assert "load.json could not be read" in found["capacity"].summary
    assert "expected a JSON object, found list" in found["diff"].summary


def test_without_a_readiness_report_nothing_is_written(tmp_path: Path) -> None:
    _write(tmp_path / "load" / "load.json", LOAD)
    assert link_companions(tmp_path / "load") == []
    assert not (tmp_path / "readiness.md").exists()


def test_history_and_allure_folders_are_not_searched(tmp_path: Path) -> None:
    readiness_stub(tmp_path)
    _write(tmp_path / "history" / "load.json", LOAD)
    _write(tmp_path / "allure-results" / "diff.json", DIFF)
    assert find_companions(tmp_path) == []
