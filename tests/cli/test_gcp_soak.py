"""The GCP trade soak (benchmarks/soak_gcp_trades.py) at a small size: clean it passes; a feed that skips or
repeats a sequence number fails it, so the soak can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak_gcp_trades.py"


def _soak(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SOAK), "--trades", "3000", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_a_clean_feed_survives_disconnects_without_loss_or_duplication() -> None:
    result = _soak()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: OK: every reader stored sequences 1..3,000 exactly once" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("plain", "pull,", "stream,"))]
    assert len(rows) == 3 and all(row[-9] == "0" and row[-8] == "0" for row in rows), result.stdout  # lost, dup


@pytest.mark.parametrize(("fault", "seen"), [("trade-sequence-gap", "skipped"), ("trade-duplicated", "duplicated")])
def test_a_broken_feed_fails_the_soak(fault: str, seen: str) -> None:
    result = _soak("--fault", fault)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "verdict: FAIL" in result.stdout and seen in result.stdout


def test_without_the_projects_packages_it_says_how_to_run_it_in_one_line() -> None:
    # -S: no site-packages, as the system's python3 outside the venv
    result = subprocess.run([sys.executable, "-S", str(SOAK)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert ".venv/bin/python benchmarks/soak_gcp_trades.py" in result.stderr and "pip install -e" in result.stderr
