"""Building the Allure HTML report: says how when Node or Allure is missing, never crashes the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.reporting import allure_html, build_allure_html


def test_without_node_it_says_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allure_html.shutil, "which", lambda name: None)
    (tmp_path / "allure-results").mkdir()
    built = build_allure_html(tmp_path / "allure-results", tmp_path / "allure-report", project_root=tmp_path)
    assert not built.built and built.index is None
    assert "Node.js or Allure 3 not found" in built.message and "npm ci" in built.message
    assert not (tmp_path / "allure-report").exists()


def test_a_failing_allure_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "node_modules" / "allure" / "cli.js"
    fake.parent.mkdir(parents=True)
    fake.write_text("console.error('boom: cannot read results'); process.exit(3);\n", encoding="utf-8")
    if allure_html.shutil.which("node") is None:
        pytest.skip("Node.js not installed here")
    (tmp_path / "allure-results").mkdir()
    built = build_allure_html(tmp_path / "allure-results", tmp_path / "allure-report", project_root=tmp_path)
    assert not built.built
    assert "allure exited 3" in built.message and "boom: cannot read results" in built.message


def test_missing_results_folder(tmp_path: Path) -> None:
    built = build_allure_html(tmp_path / "nope", tmp_path / "allure-report", project_root=tmp_path)
    assert not built.built and ("no results folder" in built.message or "not found" in built.message)
