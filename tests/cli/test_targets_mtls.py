"""`run --target PROFILE` and `targets check` against `ocp-conformance simulate` served over HTTPS with mutual TLS
(certificates made in the test): the run passes; a wrong client certificate is one line and exit 2; no secret
given to the profile reaches the report folder."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness_run import RunOutcome, run_harness
from tests.targets.tls_simulator import MtlsSimulator, mtls_simulator

SECRET_ENV = "MTLS_TEST_TOKEN_B05678"


@dataclass(frozen=True)
class Setup:
    simulator: MtlsSimulator
    config: Path
    secrets: tuple[str, ...]
    run: RunOutcome
    report: Path


def _profile(name: str, simulator: MtlsSimulator, cert: Path, key: Path, extra: str = "") -> str:
    return (f'[targets.{name}]\nbase_url = "{simulator.base_url}"\nca_bundle = "{simulator.ca}"\n'
            f'client_cert = "{cert}"\nclient_key = "{key}"\nrate_limit = 500\n{extra}'
            f'[targets.{name}.auth.B01234]\ntype = "bearer"\ntoken_file = "b01234.token"\n\n'
            f'[targets.{name}.auth.B05678]\ntype = "bearer"\ntoken_env = "{SECRET_ENV}"\n\n')


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("mtls")
    with pytest.MonkeyPatch.context() as patch, mtls_simulator(folder) as simulator:
        (folder / "b01234.token").write_text(simulator.tokens["B01234"] + "\n", encoding="utf-8")
        patch.setenv(SECRET_ENV, simulator.tokens["B05678"])
        config = folder / "ocp-conformance.toml"
        config.write_text(
            '[participant]\ntype = "Custodian"\nfunctions = ["Enquire Broadcast Message"]\npg_user = true\n\n'
            + _profile("lab", simulator, simulator.client.cert, simulator.client.key)
            + _profile("rogue", simulator, simulator.rogue_client.cert, simulator.rogue_client.key)
            + _profile("lab-insecure", simulator, simulator.client.cert, simulator.client.key, "insecure = true\n"),
            encoding="utf-8")
        report = folder / "report"
        run = run_harness(report, "--target", "lab", "--config", str(config))
        yield Setup(simulator, config, (simulator.tokens["B01234"], simulator.tokens["B05678"]), run, report)


def _targets_check(setup: Setup, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ocp_conformance", "targets", "check", name, "--config",
                           str(setup.config)], capture_output=True, text=True, timeout=120, check=False,
                          env=None)


def test_run_over_mutual_tls_passes(setup: Setup) -> None:
    assert setup.run.exit_code == 0, setup.run.output[-4000:]
    assert setup.run.readiness is not None and setup.run.readiness["verdict"] == "ready"
    entry = setup.run.entry("Enquire Broadcast Message")
    assert entry["status"] == "pass", entry
    assert {check["status"] for check in entry["checks"].values()} == {"pass"}
    plan = {item["name"]: item for item in setup.run.readiness["test_plan"]}
    assert plan["Enquire Broadcast Message"]["level"] == "mandatory"
    assert "PG" in plan["Enquire Broadcast Message"]["reason"]
    assert setup.run.entry("Input SI")["reason"].startswith("not applicable")


def test_no_secret_of_the_profile_appears_under_the_report_folder(setup: Setup) -> None:
    files = [path for path in setup.report.rglob("*") if path.is_file()]
    assert len(files) > 5  # readiness, junit, allure results with attachments
    assert any("authorization: [redacted]" in path.read_text(encoding="utf-8", errors="replace").lower()
               for path in files)  # the exchanges were attached, their credentials redacted
    for path in files:
        data = path.read_bytes()
        for secret in setup.secrets:
            assert secret.encode() not in data, f"a secret given to the profile leaked into {path}"


def test_targets_check_passes_with_the_right_certificate(setup: Setup) -> None:
    checked = _targets_check(setup, "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["B01234", "B05678"]
    assert all("ok: GET" in line and "client certificate" in line for line in lines)


def test_wrong_client_certificate_is_one_line_and_exit_2_from_targets_check(setup: Setup) -> None:
    checked = _targets_check(setup, "rogue")
    assert checked.returncode == 2, checked.stdout + checked.stderr
    lines = checked.stdout.strip().splitlines()
    assert len(lines) == 2, lines  # one line per participant
    text = setup.config.read_text(encoding="utf-8").splitlines()
    cert_line = text.index(f'client_cert = "{setup.simulator.rogue_client.cert}"') + 1
    for line in lines:
        assert "rejected the client certificate" in line, line
        assert f"client_cert/client_key at {setup.config}:{cert_line}:1" in line, line  # where to fix it
    assert "Traceback" not in checked.stderr


def test_wrong_client_certificate_is_one_line_and_exit_2_from_run(setup: Setup, tmp_path: Path) -> None:
    outcome = run_harness(tmp_path, "--target", "rogue", "--config", str(setup.config))
    assert outcome.exit_code == 2, outcome.output[-3000:]
    errors = [line for line in outcome.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("rejected the client certificate" in line for line in errors), outcome.output
    assert outcome.readiness is None and "Traceback" not in outcome.output


def test_insecure_is_reported_loudly(setup: Setup) -> None:
    checked = _targets_check(setup, "lab-insecure")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARNING" in checked.stderr and "TLS verification is OFF" in " ".join(checked.stderr.split())


def test_readiness_json_records_the_plan_only_with_a_profile(setup: Setup) -> None:
    assert setup.run.readiness is not None
    readiness = json.loads((setup.report / "readiness.json").read_text(encoding="utf-8"))
    assert readiness["target_warnings"] == []
    assert {item["level"] for item in readiness["test_plan"]} == {"mandatory", "not-applicable"}
