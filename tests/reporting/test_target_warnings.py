"""A target's warnings (e.g. TLS verification off) are repeated in readiness.json, readiness.md and the console."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting import build_readiness, render_summary, write_readiness

WARNING = "TLS verification is OFF for target lab (insecure = true at ocp-conformance.toml:1:1)"


def test_warnings_reach_every_report(tmp_path: Path) -> None:
    readiness = build_readiness(load_contracts().catalogue, [], target="lab", contract_version="v",
                                target_warnings=[WARNING])
    write_readiness(readiness, tmp_path)
    assert json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))["target_warnings"] == [WARNING]
    assert f"**WARNING:** {WARNING}" in (tmp_path / "readiness.md").read_text(encoding="utf-8")
    out = io.StringIO()
    render_summary(readiness, Console(file=out, width=300))
    assert f"WARNING: {WARNING}" in out.getvalue()


def test_no_warning_no_noise(tmp_path: Path) -> None:
    readiness = build_readiness(load_contracts().catalogue, [], target="simulator", contract_version="v")
    write_readiness(readiness, tmp_path)
    assert json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))["target_warnings"] == []
    assert "WARNING" not in (tmp_path / "readiness.md").read_text(encoding="utf-8")
