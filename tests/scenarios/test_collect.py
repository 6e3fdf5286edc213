"""The pytest layer: one item per workflow, marked with its functions; failures and collection errors read well.

These run pytest in a subprocess, as a user would, with the project's plugin collecting ``*.arazzo.yaml``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.scenarios import load_arazzo, run_workflow

REPO = Path(__file__).resolve().parents[2]
SI = REPO / "scenarios" / "si"


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False)


def test_one_item_per_workflow() -> None:
    completed = _pytest("--co", "-q", str(SI / "si-hold.arazzo.yaml"))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "si-hold.arazzo.yaml::holdThenRelease" in completed.stdout
    assert "si-hold.arazzo.yaml::reholdMatchedSi" in completed.stdout


def test_failure_is_attributed_to_the_declared_functions(tmp_path: Path) -> None:
    completed = _pytest(str(SI / "si-deletion.arazzo.yaml"), "--ocp-fault", "cancel-matched-si-allowed",
                        "--ocp-report", str(tmp_path))
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "Workflow cancelWhileUnmatched failed at step cancelMatchedRefused" in output
    assert "Received: $statusCode = 200" in output
    readiness = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in readiness["entries"]}
    assert entries["Cancel SI"]["checks"]["scenario"]["status"] == "fail"
    assert entries["Revoke Matched SI"]["checks"]["scenario"]["status"] == "pass"


def test_malformed_file_is_a_collection_error_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.arazzo.yaml"
    text = (SI / "si-amend.arazzo.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("x-ocp-functions: [Input SI]", "x-ocp-functions: [Input Sl]", 1)
                   .replace("../../contracts/api/", ""), encoding="utf-8")
    completed = _pytest("--co", "-q", str(bad))
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert f"{bad}:" in output and "'Input Sl' is not a catalogue function. Did you mean 'Input SI'" in output


def test_workflows_pass_twice_in_a_shared_world(contracts: ContractSet,
                                                make_client: Callable[..., OcpClient]) -> None:
    """Files never assume an empty world: every workflow passes again on a target it already ran on."""
    client = make_client()
    for path in sorted(SI.glob("*.arazzo.yaml")):
        document = load_arazzo(path, contracts)
        for workflow_id in document.workflows:
            for _ in range(2):
                run_workflow(document, workflow_id, client).check()


@pytest.mark.parametrize("name", ["collect_file", "run_workflow", "ScenarioFailure", "load_arazzo"])
def test_public_api(name: str) -> None:
    import ocp_conformance.scenarios as scenarios

    assert name in scenarios.__all__
    assert getattr(scenarios, name) is not None
