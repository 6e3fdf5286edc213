"""`ocp-conformance rehearse` refuses what it cannot play before serving anything: exit 2 with the reason."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ocp_conformance.cli import app


def test_an_unknown_script_names_the_shipped_ones() -> None:
    result = CliRunner().invoke(app, ["rehearse", "no-such-day", "--port", "0"])
    assert result.exit_code == 2
    assert "no rehearsal script no-such-day" in result.output and "si-day" in result.output


def test_a_broken_script_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_text('version: 1\ntitle: t\nparticipant: B01234\nbusiness_date: "2027-04-06"\n'
                    'clock: {start: "08:00", end: "19:00", minutes: 20}\ntasks: []\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["rehearse", str(path), "--port", "0"])
    assert result.exit_code == 2
    assert "day.yaml:6:" in result.output and "should be non-empty" in result.output


def test_a_client_that_cannot_run_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["rehearse", "si-day", "--port", "0", "--client", "no-such-program --x"])
    assert result.exit_code == 2
    assert "no-such-program is not a program on PATH" in result.output
