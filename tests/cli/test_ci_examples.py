"""docs/ci/: the GitHub Actions and GitLab CI examples are valid YAML and call `ocp-conformance run` only with
options that exist (parsed by the real command line, so a renamed or removed option fails here)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from ocp_conformance.cli import app

CI = Path(__file__).resolve().parents[2] / "docs" / "ci"
EXAMPLES = ["github-actions.yml", "gitlab-ci.yml"]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _run_commands(document: Any) -> list[list[str]]:
    commands = []
    for text in _strings(document):
        # GitHub's ${{ ... }} and GitLab's $VAR are filled in by the CI system: stand in a URL for them
        text = re.sub(r"\$\{\{[^}]*\}\}|\$[A-Z_][A-Z0-9_]*", "https://ocp.example.net/", text)
        for line in text.replace("\\\n", " ").splitlines():
            if not line.lstrip().startswith("ocp-conformance run"):
                continue  # a step's name or another command: not shell words to parse
            words = shlex.split(line)
            commands.append(words[2:])
    return commands


@pytest.mark.parametrize("name", EXAMPLES)
def test_ci_example_runs_the_harness_with_options_that_exist(name: str) -> None:
    document = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{name} is not a YAML mapping"
    commands = _run_commands(document)
    assert commands, f"{name} never calls `ocp-conformance run`"
    run = _run_command()
    for args in commands:
        context = run.make_context("run", list(args), resilient_parsing=False)  # raises on an unknown option
        assert context.params["report"] == Path("reports")
        assert "--fail-on" in args and "--workers" in args


def test_github_example_is_a_workflow_and_keeps_reports_even_on_failure() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["conformance"]["steps"]
    keep = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert keep["if"] == "always()"


def test_gitlab_example_publishes_junit() -> None:
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))["ocp-conformance"]
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert job["artifacts"]["when"] == "always"


def test_an_unknown_option_would_be_caught() -> None:
    with pytest.raises(Exception, match="No such option") as caught:
        _run_command().make_context("run", ["--fail-on-everything"])
    assert type(caught.value).__name__ == "NoSuchOption"


def _run_command() -> Any:
    """The `run` command as the command-line library sees it (Typer's own Click)."""
    return typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
