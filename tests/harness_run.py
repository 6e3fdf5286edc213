"""Run `ocp-conformance run` as a user would (a subprocess) and read its structured report."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    output: str
    readiness: dict[str, Any] | None

    def entry(self, name: str) -> dict[str, Any]:
        assert self.readiness is not None, f"no readiness.json written; output:\n{self.output[-3000:]}"
        return next(e for e in self.readiness["entries"] if e["name"] == name)


def run_harness(report: Path, *args: str, allure_html: bool = False) -> RunOutcome:
    """``allure_html``: also build the Allure HTML report (seconds per run; off unless a test checks it)."""
    skip = [] if allure_html else ["--no-allure-html"]
    completed = subprocess.run(
        [sys.executable, "-m", "ocp_conformance", "run", "--report", str(report), *skip, *args],
        capture_output=True, text=True, timeout=900, check=False,
    )
    readiness_path = report / "readiness.json"
    readiness = json.loads(readiness_path.read_text(encoding="utf-8")) if readiness_path.exists() else None
    return RunOutcome(completed.returncode, completed.stdout + completed.stderr, readiness)
