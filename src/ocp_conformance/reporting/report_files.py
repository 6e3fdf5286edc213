"""Write every readiness file of a run: ``readiness.json``/``.md``/``.html`` and the history snapshot.

``readiness.json`` is the DESIGN.md §9 document plus ``scores`` and ``trend``; the Markdown and HTML pages
show the same scores, the trend against ``history/`` and each failure in one line linked to its Allure detail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from ocp_conformance.reporting.allure_links import allure_detail_links
from ocp_conformance.reporting.companions import link_companions
from ocp_conformance.reporting.history import Trend, snapshot, trend, write_snapshot
from ocp_conformance.reporting.html import FailureLine, failure_lines, render_html
from ocp_conformance.reporting.markdown import render_markdown
from ocp_conformance.reporting.readiness import Readiness
from ocp_conformance.reporting.results import CheckResult
from ocp_conformance.reporting.scores import Scores, score_readiness

__all__ = ["ALLURE_HREF", "unlink_allure", "write_report"]

#: Where the readiness pages link the Allure HTML report (relative to the report folder).
ALLURE_HREF = "allure-report/index.html"


def write_report(readiness: Readiness, report_dir: Path, results: Iterable[CheckResult],
                 allure_results: Path | None = None, *, allure_html: bool = False) -> list[Path]:
    """Write ``readiness.json``, ``readiness.md``, ``readiness.html`` and ``history/<timestamp>.json``.

    Returns the paths written, JSON first. The trend compares with the snapshots already in ``history/``. The
    pages link the Allure HTML report (and each failure's detail in it) only when ``allure_html`` says it will be
    built from ``allure_results``; if its build then fails, :func:`unlink_allure` takes the links out again.
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    scores = score_readiness(readiness)
    current = snapshot(readiness, scores)
    run_trend = trend(current, report_dir)
    linked = allure_html and allure_results is not None
    links = allure_detail_links(allure_results, ALLURE_HREF) if linked and allure_results is not None else {}
    failures = failure_lines(readiness, results, links)

    json_path, md_path, html_path = (report_dir / f"readiness.{ext}" for ext in ("json", "md", "html"))
    document = readiness.to_json() | {"scores": scores.to_json(), "trend": run_trend.to_json()}
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(readiness, head=_score_lines(scores, run_trend),
                                       tail=_failure_lines(failures)), encoding="utf-8")
    html_path.write_text(render_html(readiness, scores, run_trend, failures,
                                     allure_href=ALLURE_HREF if linked else None),
                         encoding="utf-8")
    link_companions(report_dir)  # record's, rehearse's, load's and diff's reports, if written here
    history_path = write_snapshot(current, report_dir)
    return [json_path, md_path, html_path, history_path]


def _score_lines(scores: Scores, run_trend: Trend) -> list[str]:
    overall = scores.overall
    delta = run_trend.delta_pct
    previous = run_trend.previous
    since = ("first run (no earlier report in history/)" if delta is None or previous is None
             else f"{delta:+.1f} points since the previous run ({previous.verdict})")
    lines = [
        "## Scores",
        "",
        "A check is one catalogue entry × one applicable check kind. **Ceiling**: the checks this run could test "
        "(contracted, selected, not skipped for a capability the target lacks), as a share of all checks. "
        "**Achieved**: the checks that passed, as a share of the ceiling; waived failures are not achieved.",
        "",
        f"- Overall: achieved **{overall.achieved_pct} %** ({overall.achieved} of {overall.ceiling}), "
        f"ceiling {overall.ceiling_pct} % ({overall.ceiling} of {overall.total}); trend: {since}",
        "- Trend (achieved %, oldest first): " + " → ".join(f"{run.achieved_pct}" for run in run_trend.runs),
        "",
        "| Group | Checks | Ceiling | Achieved | Failed |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {name.replace('|', '/')} | {s.total} | {s.ceiling} ({s.ceiling_pct} %) | {s.achieved} "
              f"({s.achieved_pct} %) | {s.failed} |" for name, s in scores.groups.items()]
    return [*lines, ""]


def _failure_lines(failures: list[FailureLine]) -> list[str]:
    if not failures:
        return []
    lines = ["## Failures, one line each", ""]
    for f in failures:
        test = f" ([{f.test_id}]({f.href}))" if f.href else (f" (`{f.test_id}`)" if f.test_id else "")
        message = " ".join(f.message.split()).replace("|", "/")
        lines.append(f"- **{f.function}** · {f.check}: {message}{test}")
    return [*lines, ""]


_HTML_REPORT_LINK = re.compile(r'<span id="allure-link">.*?</span>', re.S)
_HTML_DETAIL_LINK = re.compile(r'<a href="' + re.escape(ALLURE_HREF) + r'#[^"]*">(.*?)</a>', re.S)
_MD_DETAIL_LINK = re.compile(r"\(\[([^\]\n]*(?:\[[^\]\n]*\][^\]\n]*)*)\]\(" + re.escape(ALLURE_HREF) + r"#[^)\s]*\)\)")


def unlink_allure(report_dir: Path) -> None:
    """Take the Allure links out of ``readiness.html`` and ``readiness.md`` (the Allure HTML build failed after
    they were written): the report link goes, each failure keeps its test id as plain text."""
    html_path, md_path = report_dir / "readiness.html", report_dir / "readiness.md"
    if html_path.is_file():
        html = html_path.read_text(encoding="utf-8")
        html_path.write_text(_HTML_DETAIL_LINK.sub(r"\1", _HTML_REPORT_LINK.sub("", html)), encoding="utf-8")
    if md_path.is_file():
        md = md_path.read_text(encoding="utf-8")
        md_path.write_text(_MD_DETAIL_LINK.sub(lambda m: f"(`{m.group(1)}`)", md), encoding="utf-8")
