"""``diff.json`` and ``diff.md``: every divergence between two targets, per catalogue function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ocp_conformance.diff.runner import DiffResult, Divergence
from ocp_conformance.reporting.companions import link_companions

__all__ = ["diff_json", "diff_markdown", "write_diff_report"]

_KINDS = {
    "status": "HTTP status differs",
    "error_code": "error code differs",
    "error_fields": "the fields the error names differ",
    "field": "a field on one side only",
    "value": "a value determined by the input differs",
    "state": "a state transition one side makes and the other does not",
    "contract": "one side answers outside the contract",
    "not_sent": "the request could not be sent on one side (what it names does not exist there)",
}


def diff_json(result: DiffResult) -> dict[str, Any]:
    by_function = result.by_function()
    return {
        "identical": not result.primary,
        "targets": {side.label: {"target": side.target, "description": side.description,
                                 "participants": list(side.participants), "business_date": side.business_date,
                                 "requests": side.requests} for side in (result.a, result.b)},
        "seed": result.seed, "run_id": result.run_id, "settlement_date": result.settlement_date,
        "rules": result.rules_file, "steps": result.steps,
        "functions": {name: {"display_name": result.shown(name), "divergences": len(found),
                             "consequences": sum(1 for d in result.divergences
                                                 if d.follows is not None and d.function == name)}
                      for name, found in by_function.items()},
        "divergences": [d.to_json() for d in result.divergences],
        "not_run": result.not_run, "notes": result.notes,
    }


def _value(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`{text[:120]}`"


def _row(d: Divergence) -> str:
    where = d.step + (f" `{d.path}`" if d.path else "")
    return f"| {d.kind} | {where} | {_value(d.a)} | {_value(d.b)} |"


def diff_markdown(result: DiffResult) -> str:
    a, b = result.a, result.b
    primary = result.primary
    lines = [
        "# Cross-target diff",
        "",
        f"- **A**: {a.description} ({a.target}); participants {', '.join(a.participants)}; business date "
        f"{a.business_date}; {a.requests} requests",
        f"- **B**: {b.description} ({b.target}); participants {', '.join(b.participants)}; business date "
        f"{b.business_date}; {b.requests} requests",
        f"- Sequence: {result.steps} steps (Maintain SI workflows, enquiries, property cases of seed {result.seed}), "
        f"run id `{result.run_id}`, settlement date {result.settlement_date}",
        f"- Values allowed to differ: `{Path(result.rules_file).name}` ({result.rules_file})",
        "",
        f"**{'No divergence' if not primary else f'{len(primary)} divergence' + ('s' if len(primary) != 1 else '')}"
        f"**" + (f" ({len(result.divergences) - len(primary)} consequences of them listed below each)"
                 if len(result.divergences) > len(primary) else ""),
        "",
        "| function | divergences |",
        "|---|---|",
    ]
    by_function = result.by_function()
    lines += [f"| {result.shown(name)} | {len(found) or 'same'} |" for name, found in by_function.items()]
    unbound = sorted({n["function"] for n in result.not_run} - set(by_function))
    lines += [f"| {result.shown(name)} | not run (see below) |" for name in unbound]
    for name, found in by_function.items():
        if not found:
            continue
        lines += ["", f"## {result.shown(name)}", "", "| kind | step | A | B |", "|---|---|---|---|"]
        for d in found:
            lines.append(_row(d))
            index = result.divergences.index(d)
            follows = [c for c in result.divergences if c.follows == index]
            lines += [_row(c).replace("| ", "| ↳ ", 1) for c in follows]
        kinds = sorted({d.kind for d in found})
        lines += ["", "Kinds: " + "; ".join(f"{k}: {_KINDS[k]}" for k in kinds)]
    if result.not_run:
        lines += ["", "## Not run", ""]
        lines += [f"- {n['step']} ({result.shown(n['function'])}): {n['reason']}" for n in result.not_run]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def write_diff_report(result: DiffResult, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "diff.json", folder / "diff.md"
    json_path.write_text(json.dumps(diff_json(result), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(diff_markdown(result), encoding="utf-8")
    link_companions(folder)  # the readiness report beside it gets a "Cross-target diff" section
    return json_path, md_path
