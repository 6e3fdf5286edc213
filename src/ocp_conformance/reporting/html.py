"""``readiness.html``: one self-contained page (inline CSS and SVG, no scripts, fonts or network) with the verdict,
the scores and their trend, a heat-map matrix (rows = catalogue entries by group, columns = check kinds) and
the failures, one line each, linked to their Allure detail. Rendered with Jinja2 from ``templates/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ocp_conformance.reporting._view import (
    contract_note,
    out_of_run_note,
    partial_note,
    service_tables,
    status_label,
    verdict_explanation,
)
from ocp_conformance.reporting.history import Trend
from ocp_conformance.reporting.readiness import Readiness
from ocp_conformance.reporting.results import CHECK_KINDS, CheckResult
from ocp_conformance.reporting.scores import Scores

__all__ = ["FailureLine", "failure_lines", "render_html"]

_SPARK_W, _SPARK_H = 240, 48
_SPARK_PAD, _SPARK_STEP, _SPARK_LABEL, _SPARK_WORDS = 5, 24, 46, 6


@dataclass(frozen=True, slots=True)
class FailureLine:
    """One failed check, explained in one line, with the Allure detail of the test that failed it."""

    function: str
    group: str
    check: str
    test_id: str
    message: str
    href: str | None


def failure_lines(readiness: Readiness, results: Iterable[CheckResult], links: Mapping[str, str]) -> list[FailureLine]:
    """A line per failing test of every failed (or expired-waiver) check, in catalogue order."""
    by_cell: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        if result.outcome == "failed":
            for name in result.functions:
                if result.blames(name):
                    by_cell.setdefault((name, result.check), []).append(result)
    lines: list[FailureLine] = []
    for row in readiness.failed_entries():
        for kind, check in row.checks.items():
            if check.status != "fail":
                continue
            blamed = by_cell.get((row.name, kind), [])
            for result in blamed:
                lines.append(FailureLine(row.display, row.entry.group, kind, result.test_id,
                                         _first_line(result.message), links.get(result.test_id)))
            if not blamed:
                lines.append(FailureLine(row.display, row.entry.group, kind, "", _first_line(check.reason), None))
    for error in readiness.harness_errors:
        lines.append(FailureLine(", ".join(error.functions), "harness error", error.check, error.test_id,
                                 _first_line(error.message), links.get(error.test_id)))
    return lines


def render_html(readiness: Readiness, scores: Scores, trend: Trend, failures: list[FailureLine], *,
                allure_href: str | None = "allure-report/index.html") -> str:
    """The page as a string; every value is HTML-escaped by the template engine."""
    environment = Environment(loader=PackageLoader("ocp_conformance.reporting", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = environment.get_template("readiness.html.j2")
    columns = [kind for kind in CHECK_KINDS if any(kind in row.checks for row in readiness.entries)]
    groups: list[tuple[str, str, list[object]]] = []
    for table in service_tables(readiness):
        for row in table.rows:
            if not groups or groups[-1][1] != row.entry.group or groups[-1][0] != table.service:
                groups.append((table.service, row.entry.group, []))
            groups[-1][2].append(row)
    return template.render(
        r=readiness, verdict_text=verdict_explanation(readiness), scores=scores, trend=trend,
        failures=failures, columns=columns, groups=groups, status_label=status_label,
        spark=_sparkline([run.achieved_pct for run in trend.runs]), spark_w=_SPARK_W, spark_h=_SPARK_H,
        spark_points=_spark_points(trend), spark_values=_spark_values(trend),
        allure_href=allure_href, partial_rows=readiness.partial_entries(), contract_note=contract_note(readiness),
        notes=[out_of_run_note(readiness), partial_note(readiness)])


def _sparkline(values: list[float]) -> str:
    """SVG polyline points of the achieved scores (0–100 %), oldest left."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in _xy(values))


def _xy(values: list[float]) -> list[tuple[float, float]]:
    """Each run's point: at most ``_SPARK_STEP`` apart, so two or three runs read as points a few steps apart
    rather than one line stretched across the card; the right ``_SPARK_LABEL`` pixels hold the last value."""
    step = min((_SPARK_W - _SPARK_LABEL - 2 * _SPARK_PAD) / max(len(values) - 1, 1), _SPARK_STEP)
    return [(_SPARK_PAD + i * step, _SPARK_H - _SPARK_PAD - (v / 100) * (_SPARK_H - 2 * _SPARK_PAD))
            for i, v in enumerate(values)]


def _spark_points(trend: Trend) -> list[dict[str, object]]:
    """A marker per run, coloured by its verdict, with its date and score on hover."""
    return [{"x": round(x, 1), "y": round(y, 1), "ready": run.verdict == "ready",
             "title": f"{run.generated_at}: achieved {run.achieved_pct} % ({run.verdict})"}
            for (x, y), run in zip(_xy([run.achieved_pct for run in trend.runs]), trend.runs, strict=True)]


def _spark_values(trend: Trend) -> str:
    """The last runs' achieved scores in words, oldest first, e.g. ``87.5 → 100.0 %``: readable with few runs."""
    shown = trend.runs[-_SPARK_WORDS:]
    more = "… → " if len(trend.runs) > len(shown) else ""
    return more + " → ".join(f"{run.achieved_pct}" for run in shown) + " %"


def _first_line(message: str) -> str:
    text = message.strip()
    return text.splitlines()[0][:300] if text else "(no message)"
