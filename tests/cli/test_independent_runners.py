"""The simulator honours its own contract as an independent runner (the schemathesis CLI) sees it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.served_simulator import served_simulator

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_cli_finds_no_failure() -> None:
    with served_simulator() as simulator:
        completed = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "contracts/api/ocp-api.yaml"),
             "--url", f"{simulator.base_url}/ocp/v1",
             "-H", f"Authorization: Bearer {simulator.tokens['B01234']}",
             "--max-examples", "30", "--seed", "1", "--no-color"],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout


def test_schemathesis_cli_catches_a_fault() -> None:
    with served_simulator("server-error-on-revoke") as simulator:
        completed = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "contracts/api/ocp-api.yaml"),
             "--url", f"{simulator.base_url}/ocp/v1",
             "-H", f"Authorization: Bearer {simulator.tokens['B01234']}",
             "--max-examples", "30", "--seed", "1", "--no-color"],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "revocation" in completed.stdout
