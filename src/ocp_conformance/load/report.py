"""The load report: ``load.json`` (machine-readable), ``load.md``, ``load.html`` (latency over time as an inline
SVG, no network) and ``load-junit.xml`` (one test case per threshold and invariant, for CI).

Built from plain rows (Locust's statistics turned into dicts by the engine), the run's :class:`RunRecord` and the
invariant results, so it is rendered and tested without Locust.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ocp_conformance.load.invariants import InvariantResult
from ocp_conformance.load.profile import Profile
from ocp_conformance.load.record import RunRecord, percentile
from ocp_conformance.load.traffic import parse_error_text
from ocp_conformance.reporting.companions import link_companions

__all__ = ["FunctionStats", "LoadReport", "ThresholdResult", "build_report", "write_report"]


@dataclass(frozen=True, slots=True)
class FunctionStats:
    function: str
    role: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float

    def to_dict(self) -> dict[str, Any]:
        return {"function": self.function, "role": self.role, "requests": self.requests, "failures": self.failures,
                "p50_ms": self.p50, "p95_ms": self.p95, "p99_ms": self.p99, "max_ms": self.max,
                "mean_ms": round(self.mean, 1)}


@dataclass(frozen=True, slots=True)
class ThresholdResult:
    name: str
    passed: bool
    detail: str


@dataclass(slots=True)
class LoadReport:
    profile: str
    target: str
    users: int
    workers: int
    duration_s: float
    sample: float
    functions: list[FunctionStats]
    errors: list[dict[str, Any]]
    record: RunRecord
    invariants: list[InvariantResult]
    thresholds: list[ThresholdResult] = field(default_factory=list)
    fault_note: str = ""
    harness_errors: list[str] = field(default_factory=list)
    """Exceptions of ours inside the users' tasks (Locust caught them): the run is not to be trusted (exit 3)."""

    @property
    def requests(self) -> int:
        return sum(f.requests for f in self.functions)

    @property
    def throughput(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def passed(self) -> bool:
        return (all(i.passed for i in self.invariants) and all(t.passed for t in self.thresholds)
                and not self.harness_errors)

    @property
    def verdict(self) -> str:
        """``fail`` (an invariant, a threshold, the harness); ``partial`` when everything that ran passed but part of
        the profile was not run (an upload without a RAP channel, a role the binding lacks): not a pass, since the
        day's traffic was not what the profile says; else ``pass``."""
        if not self.passed:
            return "fail"
        return "partial" if self.record.not_run else "pass"

    def timeline(self) -> dict[str, list[tuple[int, int, int, int]]]:
        """function -> [(second from the start, requests, p50 ms, p95 ms)]."""
        if not self.record.timeline:
            return {}
        first = min(s for s, _ in self.record.timeline)
        lines: dict[str, list[tuple[int, int, int, int]]] = {}
        for (second, function), counts in sorted(self.record.timeline.items()):
            lines.setdefault(function, []).append((second - first, sum(counts.values()), percentile(counts, 0.5),
                                                   percentile(counts, 0.95)))
        return lines

    def to_dict(self) -> dict[str, Any]:
        checked = sum(self.record.checked.values())
        return {
            "verdict": self.verdict, "profile": self.profile, "target": self.target,
            "users": self.users, "workers": self.workers, "duration_s": round(self.duration_s, 1),
            "requests": self.requests, "throughput_rps": round(self.throughput, 1),
            "functions": [f.to_dict() for f in self.functions], "errors": self.errors,
            "contract_sample": {"share": self.sample, "checked": checked,
                                "violations": sum(self.record.violations.values()),
                                "by_function": {f: {"checked": n, "violations": self.record.violations.get(f, 0)}
                                                for f, n in sorted(self.record.checked.items())},
                                "examples": self.record.violation_examples},
            "acknowledged": len(self.record.acknowledged),
            "invariants": [i.to_dict() for i in self.invariants],
            "thresholds": [{"name": t.name, "passed": t.passed, "detail": t.detail} for t in self.thresholds],
            "not_run": self.record.not_run, "harness_errors": self.harness_errors,
            "timeline": {f: [{"second": s, "requests": n, "p50_ms": p50, "p95_ms": p95} for s, n, p50, p95 in rows]
                         for f, rows in self.timeline().items()},
        }


def build_report(profile: Profile, *, target: str, users: int, workers: int, duration_s: float, sample: float,
                 rows: list[dict[str, Any]], errors: list[dict[str, Any]], record: RunRecord,
                 invariants: list[InvariantResult]) -> LoadReport:
    """``rows``: per (function, role) ``requests, failures, p50, p95, p99, max, mean``; ``errors``: per (function,
    role, error text) ``occurrences``."""
    functions = [FunctionStats(r["function"], r["role"], int(r["requests"]), int(r["failures"]), float(r["p50"]),
                               float(r["p95"]), float(r["p99"]), float(r["max"]), float(r["mean"]))
                 for r in sorted(rows, key=lambda r: (-int(r["requests"]), r["function"], r["role"]))]
    error_rows = []
    for e in errors:
        status, code = parse_error_text(str(e["error"]))
        error_rows.append({"function": e["function"], "role": e["role"], "status": status, "code": code,
                           "count": int(e["occurrences"]), "expected": code in profile.expected_errors})
    error_rows.sort(key=lambda e: (-e["count"], e["function"]))
    report = LoadReport(profile=profile.name, target=target, users=users, workers=workers, duration_s=duration_s,
                        sample=sample, functions=functions, errors=error_rows, record=record, invariants=invariants)
    report.thresholds = _thresholds(profile, report)
    return report


def _thresholds(profile: Profile, report: LoadReport) -> list[ThresholdResult]:
    limits = profile.thresholds
    results: list[ThresholdResult] = []
    if limits.error_rate is not None:
        failed = sum(e["count"] for e in report.errors if not e["expected"])
        rate = failed / report.requests if report.requests else 0.0
        results.append(ThresholdResult("error rate", rate <= limits.error_rate,
                                       f"{failed} of {report.requests} requests failed ({rate:.2%}; expected errors "
                                       f"aside), at most {limits.error_rate:.2%}"))
    if limits.violations is not None:
        found = sum(report.record.violations.values())
        results.append(ThresholdResult("contract violations", found <= limits.violations,
                                       f"{found} in {sum(report.record.checked.values())} sampled responses, at most "
                                       f"{limits.violations}"))
    if limits.min_throughput is not None:
        results.append(ThresholdResult("throughput", report.throughput >= limits.min_throughput,
                                        f"{report.throughput:.1f} requests/s, at least {limits.min_throughput}"))
    for which in ("p95", "p99"):
        for stats in report.functions:
            limit = limits.latency_limit(which, stats.function)
            if limit is None:
                continue
            value = stats.p95 if which == "p95" else stats.p99
            results.append(ThresholdResult(f"{which} {stats.function} ({stats.role})", value <= limit,
                                           f"{value:.0f} ms, at most {limit:.0f} ms"))
    if not report.requests:
        results.append(ThresholdResult("requests", False, "no request was made"))
    return results


# ---------------------------------------------------------------------- rendering
def write_report(report: LoadReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"load.json": json.dumps(report.to_dict(), indent=2) + "\n", "load.md": render_markdown(report),
             "load.html": render_html(report), "load-junit.xml": render_junit(report)}
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    link_companions(folder)  # the readiness report beside it (or above it) gets a "Capacity" section
    return written


def render_markdown(report: LoadReport) -> str:
    data = report.to_dict()
    lines = [f"# Load: {report.profile} against {report.target}", "",
             f"**{report.verdict.upper()}**: {report.requests} requests in {report.duration_s:.0f} s "
             f"({report.throughput:.1f}/s), {report.users} users, {report.workers or 'no'} worker processes; "
             f"{len(report.record.acknowledged)} instructions acknowledged"
             + (f"; {len(report.record.not_run)} part(s) of the profile not run (below)." if report.record.not_run
                else "."), ""]
    if report.fault_note:
        lines += [report.fault_note, ""]
    lines += ["## Latency per function", "",
              "| function | role | requests | failures | p50 ms | p95 ms | p99 ms | max ms |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {f.function} | {f.role} | {f.requests} | {f.failures} | {f.p50:.0f} | {f.p95:.0f} | {f.p99:.0f} | "
              f"{f.max:.0f} |" for f in report.functions]
    lines += ["", "## Errors by status and code", ""]
    if report.errors:
        lines += ["| function | role | status | code | count | expected |", "|---|---|---|---|---:|---|"]
        lines += [f"| {e['function']} | {e['role']} | {e['status']} | {e['code']} | {e['count']} | "
                  f"{'yes' if e['expected'] else 'no'} |" for e in report.errors]
    else:
        lines.append("None.")
    sample = data["contract_sample"]
    lines += ["", "## Contract sample", "",
              f"{sample['checked']} responses checked against the contract ({report.sample:.0%} sampled): "
              f"{sample['violations']} violations.", ""]
    lines += [f"- {example}" for example in sample["examples"]]
    lines += ["", "## Invariants", ""]
    lines += [f"- **{'pass' if i.passed else 'FAIL'}** {i.name}: {i.detail}"
              + "".join(f"\n  - {example}" for example in i.examples) for i in report.invariants]
    lines += ["", "## Thresholds", ""]
    lines += [f"- **{'pass' if t.passed else 'FAIL'}** {t.name}: {t.detail}" for t in report.thresholds] or ["None."]
    if report.harness_errors:
        lines += ["", "## Harness errors (ours, not the target's)", ""]
        lines += [f"- {error.splitlines()[0]}" for error in report.harness_errors]
    if report.record.not_run:
        lines += ["", "## Not run", ""]
        lines += [f"- {label}: {why}" for label, why in sorted(report.record.not_run.items())]
    return "\n".join(lines) + "\n"


def render_junit(report: LoadReport) -> str:
    cases = [(f"invariant {i.name} {i.function}", i.passed, i.detail) for i in report.invariants]
    cases += [(f"threshold {t.name}", t.passed, t.detail) for t in report.thresholds]
    suite = ElementTree.Element("testsuite", name=f"load {report.profile}", tests=str(len(cases)),
                                failures=str(sum(not ok for _, ok, _ in cases)), errors="0",
                                time=f"{report.duration_s:.1f}")
    for name, ok, detail in cases:
        case = ElementTree.SubElement(suite, "testcase", classname=f"load.{report.profile}", name=name)
        if not ok:
            ElementTree.SubElement(case, "failure", message=detail).text = detail
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def latency_svg(report: LoadReport, width: int = 760, height: int = 260) -> str:
    """p95 latency per function per second, one polyline each (an inline SVG: no script, no network)."""
    lines = report.timeline()
    if not lines:
        return "<p>No request was made.</p>"
    last = max(s for rows in lines.values() for s, *_ in rows) or 1
    top = max(p95 for rows in lines.values() for *_, p95 in rows) or 1
    top = 10 ** math.ceil(math.log10(top)) if top > 1 else 1
    left, bottom, right, up = 50, height - 30, width - 10, 10

    def x(second: int) -> float:
        return left + (right - left) * second / last

    def y(ms: float) -> float:
        return bottom - (bottom - up) * min(ms, top) / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20 * len(lines)}" '
             f'role="img" aria-label="p95 latency over time per function">',
             f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#888"/>',
             f'<line x1="{left}" y1="{up}" x2="{left}" y2="{bottom}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{up + 10}" text-anchor="end" font-size="11">{top:g} ms</text>',
             f'<text x="{left - 4}" y="{bottom}" text-anchor="end" font-size="11">0</text>',
             f'<text x="{right}" y="{bottom + 16}" text-anchor="end" font-size="11">{last} s</text>']
    for index, (function, rows) in enumerate(sorted(lines.items())):
        colour = _COLOURS[index % len(_COLOURS)]
        points = " ".join(f"{x(s):.1f},{y(p95):.1f}" for s, _, _, p95 in rows)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
        legend_y = height + 20 * index
        parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="12" height="3" fill="{colour}"/>'
                     f'<text x="{left + 18}" y="{legend_y}" font-size="12">{html.escape(function)} (p95)</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: LoadReport) -> str:
    markdown_sections = render_markdown(report)
    counts = Counter(i.passed for i in report.invariants)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Load {html.escape(report.profile)}: {report.verdict}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}</style></head><body>"
        f"<h1>Load: {html.escape(report.profile)} — {report.verdict.upper()}</h1>"
        f"<p>{report.requests} requests, {report.throughput:.1f}/s; invariants: {counts[True]} pass, "
        f"{counts[False]} fail.</p>"
        "<h2>p95 latency over time</h2>" + latency_svg(report)
        + "<h2>Details</h2><pre>" + html.escape(markdown_sections) + "</pre></body></html>\n")
