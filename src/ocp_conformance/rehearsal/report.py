"""rehearsal.json, rehearsal.md and rehearsal.html: each task's verdict, the evidence (redacted exchanges) and what
was missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ocp_conformance.consumer import Exchange
from ocp_conformance.rehearsal.allure import write_rehearsal_allure
from ocp_conformance.rehearsal.engine import RehearsalResult, TaskStatus
from ocp_conformance.reporting.companions import link_companions

__all__ = ["rehearsal_json", "render_rehearsal_html", "render_rehearsal_markdown", "write_rehearsal"]


def _task_json(status: TaskStatus, by_index: dict[int, Exchange]) -> dict[str, Any]:
    task = status.task
    return {
        "id": task.id, "title": task.title, "window": [f"{task.opens:%H:%M}", f"{task.closes:%H:%M}"],
        "instruction": task.instruction, "verdict": status.state, "reason": status.reason,
        "rules": [{"kind": r.rule.kind, "where": r.rule.where, "passed": r.passed, "reason": r.reason,
                   "evidence": list(r.evidence)} for r in status.results],
        "missing": [r.reason for r in status.results if not r.passed],
        "evidence": [by_index[i].to_json() for i in status.evidence if i in by_index],
    }


def rehearsal_json(result: RehearsalResult) -> dict[str, Any]:
    """The whole rehearsal, for machines (exchanges as consumer mode keeps them: credentials redacted)."""
    by_index = {e.index: e for e in result.exchanges}
    script = result.script
    return {
        "script": {"title": script.title, "file": script.path.name, "participant": script.participant,
                   "businessDate": script.business_date.isoformat(),
                   "clock": {"start": f"{script.clock.start:%H:%M}", "end": f"{script.clock.end:%H:%M}",
                             "minutes": script.clock.minutes}},
        "verdict": result.verdict,
        "stoppedBy": result.stopped_by,
        "clockReached": result.clock_reached.isoformat(timespec="seconds"),
        "speed": result.speed,
        "wallSeconds": None if result.wall_seconds is None else round(result.wall_seconds, 1),
        "clientExit": result.client_exit,
        "exchanges": len(result.exchanges),
        "problems": result.problems,
        "harnessErrors": result.harness_errors,
        "tasks": [_task_json(s, by_index) for s in result.tasks],
        "timeline": [entry.to_json() for entry in result.timeline],
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rehearsal_markdown(result: RehearsalResult) -> str:
    script = result.script
    passed = sum(1 for s in result.tasks if s.state == "pass")
    lines = [
        f"# Rehearsal: {script.title}",
        "",
        f"**{result.verdict.upper()}**: {passed} of {len(result.tasks)} task(s) passed. Participant "
        f"{script.participant}, business date {script.business_date.isoformat()}, clock "
        f"{script.clock.start:%H:%M}-{script.clock.end:%H:%M} (reached {result.clock_reached:%H:%M}, stopped by "
        f"{result.stopped_by})" + (f", {result.wall_seconds:.0f} s of wall time at speed {result.speed:g}"
                                   if result.wall_seconds is not None and result.speed else "")
        + f"; {len(result.exchanges)} exchange(s) recorded.",
        "",
    ]
    if result.verdict == "incomplete":
        lines += ["The rehearsal is incomplete: " + "; ".join(
            result.problems + result.harness_errors
            + ([f"the clock stopped at {result.clock_reached:%H:%M}"]
               if result.clock_reached < script.clock.end else [])), ""]
    lines += ["| task | window | verdict | why |", "|---|---|---|---|"]
    for status in result.tasks:
        task = status.task
        lines.append(f"| {_cell(task.title)} (`{task.id}`) | {task.opens:%H:%M}-{task.closes:%H:%M} | "
                     f"{status.state.upper()} | {_cell(status.reason)} |")
    by_index = {e.index: e for e in result.exchanges}
    for status in result.tasks:
        task = status.task
        lines += ["", f"## {task.title} (`{task.id}`): {status.state.upper()}", "", f"> {task.instruction}", ""]
        for rule_result in status.results:
            mark = "met" if rule_result.passed else "**missing**"
            lines.append(f"- `{rule_result.rule.kind}` {mark}: {rule_result.reason}")
        evidence = [by_index[i] for i in status.evidence if i in by_index]
        if evidence:
            lines += ["", "Evidence (full requests and answers, redacted, in rehearsal.json):", ""]
            for exchange in evidence:
                when = "?" if exchange.business_time is None else f"{exchange.business_time:%H:%M}"
                answered = "dropped" if exchange.status is None else str(exchange.status)
                lines.append(f"- #{exchange.index} at {when}: `{exchange.method} {exchange.path}"
                             f"{'?' + exchange.query if exchange.query else ''}` ({exchange.function}) -> {answered}")
    lines += ["", "## Timeline", "", "| time | what |", "|---|---|"]
    lines += [f"| {entry.at:%H:%M} | {_cell(entry.text)} |" for entry in result.timeline]
    return "\n".join(lines) + "\n"


def render_rehearsal_html(result: RehearsalResult) -> str:
    """One self-contained page (no script, no network): the verdict, the tasks, each one's rules and evidence."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(loader=PackageLoader("ocp_conformance.rehearsal", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    data = rehearsal_json(result)
    passed = sum(1 for task in data["tasks"] if task["verdict"] == "pass")
    return environment.get_template("rehearsal.html.j2").render(r=data, passed=passed)


def write_rehearsal(result: RehearsalResult, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "rehearsal.json", folder / "rehearsal.md", folder / "rehearsal.html"]
    written[0].write_text(json.dumps(rehearsal_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written[1].write_text(render_rehearsal_markdown(result), encoding="utf-8")
    written[2].write_text(render_rehearsal_html(result), encoding="utf-8")
    written.append(write_rehearsal_allure(result, folder))
    link_companions(folder)  # the readiness report beside it joins the client's day to the server-side verdict
    return written
