"""The command line's own surface: `--version`, shell completion, and help texts a user can read."""

from __future__ import annotations

import re
import sys
from importlib.metadata import requires, version

import pytest
import typer.main
from typer.testing import CliRunner

from ocp_conformance import __version__
from ocp_conformance.cli import app

RUNNER = CliRunner()


def _commands() -> list[list[str]]:
    """Every command path, e.g. ["run"], ["contracts", "lint"]."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            paths.append(path)
            return
        for name, child in children.items():
            walk(child, [*path, name])

    walk(root, [])
    return paths


def test_version_is_the_installed_distributions() -> None:
    result = RUNNER.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"ocp-conformance {__version__}"
    assert __version__ == version("ocp-conformance"), "pyproject and the package disagree on the version"


def test_shell_completion_is_offered() -> None:
    help_text = RUNNER.invoke(app, ["--help"]).output
    assert "--install-completion" in help_text and "--show-completion" in help_text
    script = RUNNER.invoke(app, ["--show-completion", "bash"], prog_name="ocp-conformance")
    assert script.exit_code == 0, script.output
    assert "complete " in script.output and "_OCP_CONFORMANCE_COMPLETE" in script.output


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_help_shows_no_bool_or_list_types(command: list[str]) -> None:
    result = RUNNER.invoke(app, [*command, "--help"], prog_name="ocp-conformance", terminal_width=120)
    assert result.exit_code == 0, result.output
    # A repeatable option names its value (FUNCTION, NAME), not the Python list it fills; a flag takes no value.
    options = "\n".join(line for line in result.output.splitlines() if line.lstrip().startswith("--"))
    noise = re.findall(r"<bool>", result.output) + re.findall(r"<list\[[^\]]*\]>", options)
    assert not noise, f"`ocp-conformance {' '.join(command)} --help` shows Python types {noise}:\n{result.output}"


def test_help_keeps_bracketed_names_of_the_profile() -> None:
    # Rich markup would swallow `[targets.NAME]` and `[participant]` as if they were styles.
    result = RUNNER.invoke(app, ["run", "--help"], terminal_width=120)
    assert "[targets.NAME]" in result.output and "[participant]" in result.output


def test_workers_without_pytest_xdist_is_a_usage_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xdist", None)  # as if not installed: find_spec answers None
    result = RUNNER.invoke(app, ["run", "--workers", "auto", "--report", "unused"])
    assert result.exit_code == 2, result.output
    assert "--workers auto needs pytest-xdist" in result.output and "pip install 'pytest-xdist" in result.output


def test_pytest_xdist_is_a_dependency_of_the_plain_install() -> None:
    plain = [r for r in requires("ocp-conformance") or [] if "extra ==" not in r]
    assert any(r.replace(" ", "").startswith("pytest-xdist") for r in plain), plain
