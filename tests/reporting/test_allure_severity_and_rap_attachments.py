"""Allure results of a real run: severity from the test plan, and RAP uploads with their result files attached."""

from __future__ import annotations

import json
from pathlib import Path

from tests.harness_run import run_harness


def test_severity_and_rap_result_attachments(tmp_path: Path) -> None:
    outcome = run_harness(tmp_path, "--only", "ATI")
    assert outcome.entry("ATI")["status"] == "pass", outcome.output[-3000:]  # a partial run is never "ready"
    results = [json.loads(path.read_text(encoding="utf-8"))
               for path in (tmp_path / "allure-results").glob("*-result.json")]
    severities = {label["value"] for result in results for label in result["labels"] if label["name"] == "severity"}
    assert severities == {"critical"}  # no capability profile: every entry is mandatory
    attachments = [a["name"] for result in results for a in result.get("attachments", [])]
    assert any(name.startswith("RAP upload ") for name in attachments), attachments[:10]
    assert any(name.startswith("RAP result of ") for name in attachments), attachments[:10]
