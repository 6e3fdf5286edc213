"""`simulate --rap-max-bytes/--rap-max-records/--rap-errors-per-code` reach the simulator's RAP processing, and
`--state-new` needs `--state` (in process: the server itself is not started)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

import ocp_conformance.simulator.app as simulator_app
import ocp_conformance.simulator.bound_shape as bound_shape
from ocp_conformance.cli import app
from ocp_conformance.simulator import serving
from ocp_conformance.simulator.rap.limits import RapLimits

runner = CliRunner()


def test_the_rap_cap_options_set_the_processors_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[simulator_app.SimulatorApp] = []
    original = simulator_app.build_app

    def build(*args: Any, **kwargs: Any) -> simulator_app.SimulatorApp:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(bound_shape, "build_app", build)  # what simulate builds through
    monkeypatch.setattr(serving, "serve", lambda *args, **kwargs: None)  # do not serve
    result = runner.invoke(app, ["simulate", "--port", "0", "--rap-max-bytes", "4096", "--rap-max-records", "7",
                                 "--rap-errors-per-code", "3"])
    assert result.exit_code == 0, result.output
    assert built[0].rap.limits == RapLimits(max_bytes=4096, max_records=7, errors_per_code=3)


def test_the_help_states_the_real_defaults() -> None:
    """cli.py writes the defaults into the help without importing the simulator: they must stay the same."""
    help_text = " ".join(runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "1000"}).output.split())
    defaults = RapLimits()
    for option, value in (("--rap-max-bytes", defaults.max_bytes), ("--rap-max-records", defaults.max_records),
                          ("--rap-errors-per-code", defaults.errors_per_code)):
        assert option in help_text and f"default: {value}" in help_text, option


def test_state_new_without_state_is_a_usage_error() -> None:
    result = runner.invoke(app, ["simulate", "--state-new"])
    assert result.exit_code == 2
    assert "--state-new needs --state PATH" in " ".join(result.output.split())
