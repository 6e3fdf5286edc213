"""Companion reports joined to the readiness report: one page for the server-side verdict and what else was measured.

``run`` writes the server-side verdict of a target (``readiness.*``). Four other commands write reports of their
own; when one lies in the readiness folder (or a folder directly inside it, e.g. ``load``'s default
``reports/load``), the readiness report gets a section for it with its verdict, a one-line summary and a link:

- ``record`` (consumer mode): the participant's client, message by message (``client-conformance.json``);
- ``rehearse``: the client living through a practice-session day (``rehearsal.json``);
- ``load``: capacity on a peak day (``load.json``);
- ``diff``: where two targets answer differently (``diff.json``).

Every writer calls :func:`link_companions` after it writes, so the sections survive whichever command writes the
folder last. A companion report that cannot be read is shown as unreadable with the reason, never left out. The
readiness verdict itself is not changed: it is the verdict of the server-side checks.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Companion", "CompanionSummary", "find_companions", "link_companions"]

_MD_START, _MD_END = "<!-- companions: start -->", "<!-- companions: end -->"
_HTML_BLOCK = re.compile(r'\n?<section id="companions">.*?</section>\n?', re.S)
_SKIPPED_FOLDERS = frozenset({"history", "allure-results", "allure-report"})


@dataclass(frozen=True, slots=True)
class CompanionSummary:
    """What the readiness report shows of one companion report."""

    kind: str
    title: str
    verdict: str
    summary: str
    link: str
    """The companion's page, relative to the readiness folder."""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "title": self.title, "verdict": self.verdict, "summary": self.summary,
                "link": self.link}


@dataclass(frozen=True, slots=True)
class Companion:
    """A kind of companion report: the file that says it is there, its page, and how to summarise it."""

    kind: str
    title: str
    json_name: str
    page_name: str
    summarise: Callable[[dict[str, Any]], tuple[str, str]]
    """``(verdict, one-line summary)`` from the companion's JSON document."""


def _client(doc: dict[str, Any]) -> tuple[str, str]:
    return str(doc.get("verdict", "unknown")), "the participant's client, recorded by `ocp-conformance record`"


def _rehearsal(doc: dict[str, Any]) -> tuple[str, str]:
    tasks = [t for t in doc.get("tasks", []) if isinstance(t, dict)]
    passed = sum(1 for t in tasks if t.get("verdict") == "pass")
    script = doc.get("script", {}) if isinstance(doc.get("script"), dict) else {}
    return (str(doc.get("verdict", "unknown")),
            f"{passed} of {len(tasks)} task(s) passed; script {script.get('title', '?')} "
            f"({script.get('file', '?')}), business date {script.get('businessDate', '?')}")


def _capacity(doc: dict[str, Any]) -> tuple[str, str]:
    invariants = [i for i in doc.get("invariants", []) if isinstance(i, dict)]
    held = sum(1 for i in invariants if i.get("passed"))
    functions = [f for f in doc.get("functions", []) if isinstance(f, dict) and f.get("requests")]
    slowest = max(functions, key=lambda f: float(f.get("p95_ms") or 0), default=None)
    worst = (f"; slowest p95 {slowest.get('p95_ms')} ms ({slowest.get('function')})" if slowest else "")
    sample = doc.get("contract_sample", {}) if isinstance(doc.get("contract_sample"), dict) else {}
    return (str(doc.get("verdict", "unknown")),
            f"profile {doc.get('profile', '?')}, {doc.get('users', '?')} users, {doc.get('duration_s', '?')} s: "
            f"{doc.get('throughput_rps', '?')} requests/s over {doc.get('requests', '?')} requests{worst}; "
            f"invariants {held} of {len(invariants)} hold; {sample.get('violations', '?')} contract violation(s) "
            f"in {sample.get('checked', '?')} sampled answers")


def _diff(doc: dict[str, Any]) -> tuple[str, str]:
    targets = doc.get("targets", {}) if isinstance(doc.get("targets"), dict) else {}
    sides = " vs ".join(f"{label}: {side.get('target', '?')}" for label, side in targets.items()
                        if isinstance(side, dict))
    functions = doc.get("functions", {}) if isinstance(doc.get("functions"), dict) else {}
    diverging = {name: f.get("divergences", 0) for name, f in functions.items()
                 if isinstance(f, dict) and f.get("divergences")}
    if doc.get("identical"):
        return "identical", f"{sides}: no divergence in {doc.get('steps', '?')} steps"
    listed = ", ".join(f"{name} ({count})" for name, count in diverging.items())
    return "divergent", f"{sides}: divergences in {listed or '?'}"


COMPANIONS: tuple[Companion, ...] = (
    Companion("client", "Client conformance (consumer mode)", "client-conformance.json", "client-conformance.md",
              _client),
    Companion("rehearsal", "Practice-session rehearsal (the client's day)", "rehearsal.json", "rehearsal.html",
              _rehearsal),
    Companion("capacity", "Capacity (load)", "load.json", "load.html", _capacity),
    Companion("diff", "Cross-target diff", "diff.json", "diff.md", _diff),
)


def find_companions(report_dir: Path) -> list[CompanionSummary]:
    """Every companion report in ``report_dir`` or a folder directly inside it, in :data:`COMPANIONS` order."""
    folders = [report_dir, *sorted(p for p in report_dir.iterdir() if p.is_dir() and p.name not in _SKIPPED_FOLDERS
                                   and not p.name.startswith("."))] if report_dir.is_dir() else []
    found = []
    for companion in COMPANIONS:
        for folder in folders:
            path = folder / companion.json_name
            if path.is_file():
                found.append(_summarise(companion, path, report_dir))
    return found


def _summarise(companion: Companion, path: Path, report_dir: Path) -> CompanionSummary:
    page = path.with_name(companion.page_name)
    link = (page if page.is_file() else path).relative_to(report_dir).as_posix()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError(f"expected a JSON object, found {type(document).__name__}")
        verdict, summary = companion.summarise(document)
    except (OSError, ValueError, TypeError, AttributeError) as error:
        verdict, summary = "unreadable", f"{path.name} could not be read ({error}); rerun the command that writes it"
    return CompanionSummary(companion.kind, companion.title, verdict, summary, link)


def link_companions(folder: Path) -> list[CompanionSummary]:
    """Join the companion reports to the readiness report in ``folder`` (or in its parent, for a companion written
    into a folder inside the readiness folder). Returns what was joined; nothing if there is no readiness report."""
    report_dir = folder if (folder / "readiness.md").is_file() else folder.parent
    if not (report_dir / "readiness.md").is_file():
        return []
    found = find_companions(report_dir)
    _write_markdown(report_dir / "readiness.md", found)
    _write_html(report_dir / "readiness.html", found)
    _write_json(report_dir / "readiness.json", found)
    return found


def _write_markdown(path: Path, found: list[CompanionSummary]) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(re.escape(_MD_START) + r".*?" + re.escape(_MD_END) + r"\n?", "", text, flags=re.S).rstrip("\n")
    if not found:
        path.write_text(text + "\n", encoding="utf-8")
        return
    lines = ["", _MD_START, "## Beside the server-side verdict", "",
             "What else was measured, written by other commands into this folder (the verdict above is the "
             "server-side checks' alone).", ""]
    for c in found:
        lines += [f"### {c.title}", "", f"**{c.verdict.upper()}**: {c.summary}; see [{c.link}]({c.link}).", ""]
    path.write_text(text + "\n" + "\n".join(lines) + _MD_END + "\n", encoding="utf-8")


def _write_html(path: Path, found: list[CompanionSummary]) -> None:
    if not path.is_file():
        return
    page = _HTML_BLOCK.sub("\n", path.read_text(encoding="utf-8"))
    if found and "</main>" in page:
        items = "".join(f'<li><b>{html.escape(c.title)}</b>: <span class="companion-verdict">'
                        f"{html.escape(c.verdict.upper())}</span> — {html.escape(c.summary)} "
                        f'(<a href="{html.escape(c.link)}">{html.escape(c.link)}</a>)</li>' for c in found)
        block = ('<section id="companions">\n<h2>Beside the server-side verdict</h2>\n<p class="note">What else was '
                 "measured, written by other commands into this folder (the verdict above is the server-side "
                 f"checks' alone).</p>\n<ul>{items}</ul>\n</section>\n")
        head, _, tail = page.rpartition("</main>")
        page = head + block + "</main>" + tail
    path.write_text(page, encoding="utf-8")


def _write_json(path: Path, found: list[CompanionSummary]) -> None:
    if not path.is_file():
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # not ours to repair: the run that wrote it reports its own problems
    if not isinstance(document, dict) or (not found and "companions" not in document):
        return
    if found:
        document["companions"] = [c.to_json() for c in found]
    else:
        del document["companions"]
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
