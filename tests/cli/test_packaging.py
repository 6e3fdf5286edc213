"""The harness as a user installs it: the built wheel in a fresh venv, run from a folder that is not a checkout.

The wheel is built once for this module, and one fresh venv (no harness in it until a step installs it) serves
every test here. Each CI example of ``docs/ci/`` is executed as its CI system would: the shell commands of its
steps, parsed from the YAML, run in order in a participant's repository holding only the example's
``ocp-conformance.toml``; the CI system's part is played by environment variables (the wheel stands in for the
release the example installs, the embedded simulator for the portal) and ``--only "Participant List"`` keeps the
run short. Slow (a minute or two: pip installs the dependencies once); it needs pip's index and npm's registry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ocp_conformance import __version__

# One xdist worker takes the whole module (with `--dist loadgroup`, as .ci/run runs): one wheel, one venv.
pytestmark = [pytest.mark.xdist_group("packaging"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "docs" / "ci"
ONLY = "Participant List"
_TIMEOUT_S = 900


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from this checkout as a release would build it."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    assert built.returncode == 0, f"python -m build failed:\n{built.stdout[-2000:]}\n{built.stderr[-2000:]}"
    (found,) = out.glob("ocp_conformance-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv: the harness is not in it until a step installs it."""
    path = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=_TIMEOUT_S)
    return Venv(path)


def _environment(venv: Venv, tmp: Path, **extra: str) -> dict[str, str]:
    """This process's environment as a CI runner would have it: the fresh venv's python first on PATH, npm's
    global installs in a scratch prefix, nothing of this test run's own venv."""
    ours = Path(sys.prefix).resolve()
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not Path(p).resolve().is_relative_to(ours)]
    npm_prefix = tmp / "npm-global"
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
           and not k.startswith(("OCP_", "PORTAL_"))}
    env.update(PATH=os.pathsep.join([str(venv.bin), str(npm_prefix / "bin"), *path]),
               NPM_CONFIG_PREFIX=str(npm_prefix), **extra)
    return env


def _install(venv: Venv, wheel: Path, tmp: Path) -> None:
    installed = subprocess.run([str(venv.bin / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                               capture_output=True, text=True, env=_environment(venv, tmp), timeout=_TIMEOUT_S,
                               check=False)
    assert installed.returncode == 0, f"pip install {wheel.name} failed:\n{installed.stderr[-3000:]}"


# --- docs/ci/ examples, executed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One CI example as its CI system would run it: the job's variables and its shell scripts, in order."""

    variables: dict[str, str]
    scripts: list[str]
    history_paths: list[str]
    """Where the example restores and saves ``reports/history`` between runs."""


def _ci_expressions(value: Any) -> str:
    # GitHub's ${{ secrets.X }} are filled by the CI system; the embedded simulator needs no secret
    return re.sub(r"\$\{\{[^}]*\}\}", "", str(value))


def _github(document: dict[str, Any]) -> Example:
    job = document["jobs"]["conformance"]
    steps = job["steps"]
    history = [step["with"]["path"] for step in steps
               if str(step.get("uses", "")).startswith(("actions/cache/restore@", "actions/cache/save@"))]
    return Example({k: _ci_expressions(v) for k, v in job.get("env", {}).items()},
                   [step["run"] for step in steps if "run" in step], history)


def _gitlab(document: dict[str, Any]) -> Example:
    job = document["ocp-conformance"]
    # GitLab runs before_script and script in one shell, stopping at the first failing line
    return Example({k: str(v) for k, v in job.get("variables", {}).items()},
                   ["\n".join([*job["before_script"], *job["script"]])], list(job["cache"]["paths"]))


EXAMPLES = {"github-actions.yml": _github, "gitlab-ci.yml": _gitlab}


def _shortened(script: str) -> str:
    """The example's run command, with --only: the whole suite is the main job's, not this test's."""
    assert script.count("ocp-conformance run") <= 1, script
    return script.replace("ocp-conformance run", f"ocp-conformance run --only '{ONLY}'")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_ci_example_steps_run_in_a_fresh_venv(name: str, wheel: Path, venv: Venv, tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("npm is missing: the CI examples install Allure 3 with it; install Node.js 20+")
        pytest.skip("npm not installed here: the CI examples install Allure 3 with it")
    example = EXAMPLES[name](yaml.safe_load((CI / name).read_text(encoding="utf-8")))
    repository = tmp_path / "participant-repo"  # what actions/checkout gives: the participant's own files only
    repository.mkdir()
    shutil.copy(CI / "ocp-conformance.toml", repository / "ocp-conformance.toml")
    env = _environment(venv, tmp_path, **{**example.variables, "OCP_CONFORMANCE": str(wheel),
                                          "OCP_TARGET": "simulator"})
    assert "reports/history" in {p.rstrip("/") for p in example.history_paths}, (
        f"{name} does not keep reports/history between runs, so the readiness trend never builds")

    outputs = []
    for script in example.scripts:
        step = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _shortened(script)],
                              cwd=repository, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S,
                              check=False)
        outputs.append(f"$ {script}\n{step.stdout[-3000:]}\n{step.stderr[-3000:]}")
        is_run = "ocp-conformance run" in script
        # exit 1 (not ready) is a finished run: --only leaves the other entries not run
        assert step.returncode in ((0, 1) if is_run else (0,)), f"{name}: step failed\n" + "\n".join(outputs)

    log = "\n".join(outputs)
    assert "unrecognized arguments" not in log, log
    reports = repository / "reports"
    readiness = json.loads((reports / "readiness.json").read_text(encoding="utf-8"))
    entry = next(e for e in readiness["entries"] if e["name"] == ONLY)
    assert entry["status"] == "pass", json.dumps(entry, indent=1) + "\n" + log[-4000:]
    assert list((reports / "history").glob("*.json")), "the run wrote no history for the trend"
    assert (reports / "junit.xml").is_file() and (reports / "allure-report" / "index.html").is_file(), log[-4000:]


# --- the wheel alone (after the examples, so the first example installs into the empty venv) ---------


def test_the_wheel_runs_from_any_folder(wheel: Path, venv: Venv, tmp_path: Path) -> None:
    _install(venv, wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _environment(venv, tmp_path)
    shown = subprocess.run(["ocp-conformance", "--version"], cwd=elsewhere, env=env, capture_output=True, text=True,
                           timeout=60, check=False)
    assert (shown.returncode, shown.stdout.strip()) == (0, f"ocp-conformance {__version__}"), shown.stderr
    # the bundled contracts, found from a folder with none: the catalogue and every contract lint clean
    lint = subprocess.run(["ocp-conformance", "contracts", "lint"], cwd=elsewhere, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr[-2000:]
    assert "site-packages" in subprocess.run(
        [str(venv.bin / "python"), "-c", "import ocp_conformance; print(ocp_conformance.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
