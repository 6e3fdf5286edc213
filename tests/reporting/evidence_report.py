"""A small hand-made report folder, shaped like `ocp-conformance run --report` writes it, for evidence tests."""

from __future__ import annotations

import json
from pathlib import Path

from ocp_conformance.contracts import ContractSet


def make_report(folder: Path, contracts: ContractSet, *, target: str = "embedded reference simulator") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    readiness = {"verdict": "ready", "target": target, "contract_version": contracts.version, "entries": []}
    (folder / "readiness.json").write_text(json.dumps(readiness, indent=2), encoding="utf-8")
    (folder / "readiness.md").write_text("# Readiness\n\nVerdict: ready\n", encoding="utf-8")
    (folder / "junit.xml").write_text('<testsuites><testsuite name="x" tests="1"/></testsuites>\n', encoding="utf-8")
    allure = folder / "allure-results"
    allure.mkdir(exist_ok=True)
    (allure / "environment.properties").write_text(
        f"target={target}\ntarget.kind=simulator\ncontract.sha256={contracts.fingerprint()}\n", encoding="utf-8")
    (allure / "abc-result.json").write_text(json.dumps({"name": "test_input_si", "status": "passed"}),
                                            encoding="utf-8")
    (allure / "def-attachment.txt").write_text(
        "POST http://simulator.invalid/ocp/v1/si\nAuthorization: [REDACTED]\n\n{\"quantity\": 100}\n",
        encoding="utf-8")
    (folder / ".results").mkdir(exist_ok=True)
    (folder / ".results" / "main.jsonl").write_text("{}\n", encoding="utf-8")
    return folder
