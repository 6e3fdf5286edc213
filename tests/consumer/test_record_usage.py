"""`ocp-conformance record` refuses bad options with exit 2 and a message that says what is accepted."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from ocp_conformance.cli import app

runner = CliRunner()


def test_an_unknown_failure_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["record", "--port", "0", "--report", str(tmp_path), "--inject", "timeout"])
    assert result.exit_code == 2
    assert "'timeout' is not a failure kind; expected one of 429, 503, drop" in " ".join(result.output.split())
    assert not list(tmp_path.iterdir())


def test_an_unknown_function_offers_the_closest_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["record", "--port", "0", "--report", str(tmp_path), "--inject", "drop:Input DIs"])
    assert result.exit_code == 2
    assert "Did you mean 'Input DI'" in " ".join(result.output.split())


def test_a_port_in_use_is_a_usage_error_with_the_fix(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["record", "--port", str(port), "--report", str(tmp_path)])
    assert result.exit_code == 2
    assert "--port 0 for any free port" in " ".join(result.output.split())
