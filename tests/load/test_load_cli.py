"""`ocp-conformance load`'s usage errors: exit 2 before any request, with the reason and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app

RUNNER = CliRunner()


def _load(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, ["load", *args], terminal_width=200)
    return result.exit_code, result.output


def test_an_unknown_profile_is_a_usage_error_naming_the_shipped_ones() -> None:
    code, output = _load("--target", "http://127.0.0.1:9", "--profile", "peak-dya")
    assert code == 2
    assert "no load profile 'peak-dya'" in output and "peak-day" in output


def test_the_embedded_simulator_is_refused_with_the_fix() -> None:
    code, output = _load("--target", "simulator", "--profile", "peak-day")
    assert code == 2
    assert "ocp-conformance simulate --port 8000" in output


def test_fewer_than_two_participants_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("OCP_TOKEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OCP_TOKEN_B01234", "token")
    code, output = _load("--target", "http://127.0.0.1:9", "--profile", "peak-day")
    assert code == 2
    assert "credentials for 1" in output


def test_a_profile_defect_is_reported_at_its_position(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("version: 1\ndescription: d\nusers: 0\n", encoding="utf-8")
    code, output = _load("--target", "http://127.0.0.1:9", "--profile", str(mine))
    assert code == 2
    assert f"{mine}:" in output and "load profile:" in output


def test_worker_needs_a_master() -> None:
    code, output = _load("--target", "http://127.0.0.1:9", "--profile", "peak-day", "--worker")
    assert code == 2 and "--worker needs --master" in output
