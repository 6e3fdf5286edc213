"""Build the Allure HTML report from ``allure-results`` with Allure 3 (``allure`` from npm), when Node is present.

The readiness report never needs it (DESIGN.md §7). Allure is looked up in the project's ``node_modules``
(pinned in ``package.json`` / ``package-lock.json``; ``npm ci`` installs it), then on ``PATH``. It runs
offline: the report's scripts and styles ship inside the npm package. The report is one ``index.html``
(Allure's ``singleFile`` option), so it opens from disk (``file://``) and travels in the evidence package;
a multi-file Allure report needs a web server. Our :data:`CATEGORIES` go in through Allure 3's configuration
(it takes them from there, not from ``categories.json``), and the node-id label is hidden.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ocp_conformance.reporting.allure_labels import CATEGORIES
from ocp_conformance.reporting.allure_links import NODE_ID_LABEL

__all__ = ["ALLURE_REPORT_DIR", "AllureBuild", "build_allure_html", "find_allure"]

ALLURE_REPORT_DIR = "allure-report"
_HOW = ("install Node.js 20+ and run `npm ci` in the ocp-conformance checkout (Allure 3 is pinned in "
        "package.json), or `npm install -g allure@3`; then `allure generate REPORT/allure-results -o "
        "REPORT/allure-report`. The readiness report does not need it.")
_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class AllureBuild:
    """What happened: ``built`` with the report's ``index.html``, or not, and why (with how to fix)."""

    built: bool
    message: str
    index: Path | None = None


def find_allure(project_root: Path | None) -> list[str] | None:
    """The command that runs Allure 3: the project's ``node_modules/.bin/allure`` or ``allure`` on PATH."""
    node = shutil.which("node")
    if node is None:
        return None
    if project_root is not None:
        local = project_root.resolve() / "node_modules" / "allure" / "cli.js"
        if local.is_file():
            return [node, str(local)]
    on_path = shutil.which("allure")
    return [on_path] if on_path else None


def build_allure_html(results_dir: Path, output_dir: Path, *, project_root: Path | None,
                      report_name: str = "OCP conformance") -> AllureBuild:
    """Run ``allure generate results_dir -o output_dir``; never raises for a missing or failing Allure."""
    command = find_allure(project_root)
    if command is None:
        return AllureBuild(False, f"Allure HTML report not built: Node.js or Allure 3 not found. To build it: {_HOW}")
    if not results_dir.is_dir():
        return AllureBuild(False, f"Allure HTML report not built: no results folder {results_dir}")
    shutil.rmtree(output_dir, ignore_errors=True)
    env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
    config = {"name": report_name, "output": str(output_dir.resolve()), "hideLabels": [NODE_ID_LABEL],
              "categories": list(CATEGORIES),
              "plugins": {"awesome": {"options": {"singleFile": True, "reportName": report_name}}}}
    try:
        with tempfile.TemporaryDirectory(prefix="ocp-allure-") as scratch:  # outside the report folder
            config_path = Path(scratch) / "allurerc.json"
            config_path.write_text(json.dumps(config), encoding="utf-8")
            completed = subprocess.run(
                [*command, "generate", str(results_dir.resolve()), "--config", str(config_path)],
                cwd=scratch, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return AllureBuild(False, f"Allure HTML report not built: {' '.join(command)} failed to run ({exc})")
    index = output_dir / "index.html"
    if completed.returncode != 0 or not index.is_file():
        tail = (completed.stderr or completed.stdout).strip()[-800:]
        return AllureBuild(False, f"Allure HTML report not built: allure exited {completed.returncode}: {tail}")
    return AllureBuild(True, f"Allure HTML report: {index}", index)
