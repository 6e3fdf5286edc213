"""`ocp-conformance evidence pack|verify` on a real run's report, as a user runs them (subprocesses)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.reporting.evidence import MANIFEST_NAME, verify_evidence
from tests.harness_run import run_harness

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJCMDEyMzQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OCP_TOKEN_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "ocp_conformance", "evidence", *args], capture_output=True,
                          text=True, timeout=300, check=False, env=environ)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "report"
    outcome = run_harness(folder, "--only", "Input SI")
    assert outcome.readiness is not None, outcome.output[-3000:]
    return folder


@pytest.fixture(scope="module")
def package(report: Path) -> Path:
    out = report.parent / "evidence.zip"
    packed = _cli("pack", str(report), "--out", str(out))
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert f"wrote {out}" in packed.stdout
    return out


def _said(outcome: subprocess.CompletedProcess[str]) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(outcome.stderr.split())


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_packed_run_verifies(package: Path, report: Path) -> None:
    entries = _entries(package)
    for name in ("readiness.json", "readiness.md", "junit.xml", "allure-results/environment.properties",
                 "contracts/catalogue.yaml", MANIFEST_NAME):
        assert name in entries
    assert sum(name.endswith("-result.json") for name in entries) == len(
        list((report / "allure-results").glob("*-result.json")))
    verified = _cli("verify", str(package))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"verified {len(entries) - 1} files" in verified.stdout


def test_the_default_output_sits_next_to_the_report(report: Path) -> None:
    packed = _cli("pack", str(report))
    assert packed.returncode == 0, packed.stderr
    default = report.parent / "report-evidence.zip"
    assert default.is_file()
    default.unlink()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_flipped_byte_in_any_packed_file_is_named(package: Path, tmp_path: Path, data: st.DataObject) -> None:
    entries = _entries(package)
    name = data.draw(st.sampled_from(sorted(n for n in entries if n != MANIFEST_NAME and entries[n])), label="file")
    content = bytearray(entries[name])
    content[data.draw(st.integers(0, len(content) - 1), label="offset")] ^= data.draw(st.integers(1, 255))
    entries[name] = bytes(content)
    problems = verify_evidence(_write_zip(tmp_path / "flipped.zip", entries)).problems
    assert problems == (f"{name}: SHA-256 differs from the manifest",)


def test_verify_names_the_changed_missing_and_extra_files(package: Path, tmp_path: Path) -> None:
    entries = _entries(package)
    result = sorted(n for n in entries if n.endswith("-result.json"))
    entries[result[0]] = entries[result[0]].replace(b'"passed"', b'"failed"', 1)
    del entries["junit.xml"]
    entries["allure-results/planted-result.json"] = b"{}"
    verified = _cli("verify", str(_write_zip(tmp_path / "tampered.zip", entries)))
    assert verified.returncode == 1, verified.stdout + verified.stderr
    lines = verified.stdout.splitlines()
    assert f"{result[0]}: SHA-256 differs from the manifest" in lines
    assert "junit.xml: listed in the manifest but missing from the package" in lines
    assert "allure-results/planted-result.json: in the package but not in the manifest" in lines
    assert "3 problem(s)" in _said(verified)


def test_what_is_not_a_package_is_a_usage_error(package: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(package.read_bytes()[:1000])
    outcome = _cli("verify", str(truncated))
    assert outcome.returncode == 2
    assert "is not a readable zip file" in _said(outcome)
    plain = _write_zip(tmp_path / "plain.zip", {"readiness.json": b"{}"})
    outcome = _cli("verify", str(plain))
    assert outcome.returncode == 2
    assert "holds no manifest.json" in _said(outcome)
    assert _cli("verify", str(tmp_path / "absent.zip")).returncode == 2


def _copy_with(report: Path, tmp_path: Path, text: str) -> tuple[Path, str]:
    copy = tmp_path / "report"
    shutil.copytree(report, copy)
    attachment = sorted((copy / "allure-results").glob("*-attachment.txt"))[0]
    lines = attachment.read_text(encoding="utf-8").splitlines()
    attachment.write_text("\n".join([*lines, text]) + "\n", encoding="utf-8")
    return copy, f"{attachment.relative_to(copy).as_posix()}:{len(lines) + 1}"


def test_a_planted_token_fails_the_pack_naming_file_and_line_never_the_token(report: Path, tmp_path: Path) -> None:
    token = "tok-7f3e9a1c5b2d4e6f8a0b"
    copy, where = _copy_with(report, tmp_path, f"X-Echo: {token}")
    out = tmp_path / "evidence.zip"
    packed = _cli("pack", str(copy), "--out", str(out), env={"OCP_TOKEN_B01234": token})
    assert packed.returncode == 1, packed.stdout + packed.stderr
    assert f"{where}: <secret OCP_TOKEN_B01234>" in packed.stdout
    assert token not in packed.stdout + packed.stderr
    assert list(tmp_path.glob("evidence.zip*")) == []


def test_a_secret_named_by_secret_env_and_a_jwt_fail_the_pack(report: Path, tmp_path: Path) -> None:
    copy, where = _copy_with(report, tmp_path, f"note {JWT} and the-vault-password-42")
    packed = _cli("pack", str(copy), "--out", str(tmp_path / "e.zip"), "--secret-env", "VAULT_PASSWORD",
                  env={"VAULT_PASSWORD": "the-vault-password-42"})
    assert packed.returncode == 1
    assert f"{where}: <token shape: JWT>" in packed.stdout
    assert f"{where}: <secret VAULT_PASSWORD>" in packed.stdout
    assert JWT not in packed.stdout + packed.stderr and "the-vault-password-42" not in packed.stdout + packed.stderr
    assert not (tmp_path / "e.zip").exists()


def test_the_simulator_demo_tokens_are_scanned_for_a_simulator_report(report: Path, tmp_path: Path) -> None:
    from ocp_conformance.simulator.state import demo_token

    copy, where = _copy_with(report, tmp_path, f"token={demo_token('B05678')}")
    packed = _cli("pack", str(copy), "--out", str(tmp_path / "e.zip"))
    assert packed.returncode == 1
    assert f"{where}: <secret simulator demo token of B05678>" in packed.stdout


def test_usage_errors(report: Path, tmp_path: Path) -> None:
    outcome = _cli("pack", str(report), "--out", str(tmp_path / "e.zip"), "--secret-env", "NO_SUCH_VARIABLE_XYZ")
    assert outcome.returncode == 2
    assert "--secret-env NO_SUCH_VARIABLE_XYZ: no such environment variable" in _said(outcome)
    assert _cli("pack", str(tmp_path / "missing")).returncode == 2
    outcome = _cli("pack", str(tmp_path), "--out", str(tmp_path / "e.zip"))
    assert outcome.returncode == 2
    assert "holds no readiness.json" in _said(outcome)


def test_every_secret_a_profile_resolves_is_scanned_never_printed(report: Path, tmp_path: Path) -> None:
    """--config/--target: the profile's bearer token (env), API key (file) and private key text are scanned."""
    token, api_key = "profile-token-5d1c9e7a3b", "profile-api-key-8e2f4a6c0d"
    (tmp_path / "b05678.key").write_text(api_key + "\n", encoding="utf-8")
    (tmp_path / "firm.key").write_text("firm-private-key-material-2b7d9f\n", encoding="utf-8")
    (tmp_path / "firm.pem").write_text("certificate\n", encoding="utf-8")
    config = tmp_path / "ocp-conformance.toml"
    config.write_text('[targets.lab]\nbase_url = "https://lab.example"\nclient_cert = "firm.pem"\n'
                      'client_key = "firm.key"\n\n[targets.lab.auth.B01234]\ntype = "bearer"\n'
                      'token_env = "LAB_TOKEN_B01234"\n\n[targets.lab.auth.B05678]\ntype = "api-key"\n'
                      'key_file = "b05678.key"\n', encoding="utf-8")
    copy, where = _copy_with(report, tmp_path, f"echo {token} / {api_key} / firm-private-key-material-2b7d9f")
    pack = ("pack", str(copy), "--out", str(tmp_path / "e.zip"), "--config", str(config), "--target", "lab")
    packed = _cli(*pack, env={"LAB_TOKEN_B01234": token})
    said = packed.stdout + packed.stderr
    assert packed.returncode == 1, said
    assert f"{where}: <secret targets.lab.auth.B01234 secret (environment variable LAB_TOKEN_B01234)>" in said
    assert f"{where}: <secret targets.lab.auth.B05678 secret (file {tmp_path / 'b05678.key'})>" in said
    assert f"{where}: <secret targets.lab client_key {tmp_path / 'firm.key'}>" in said
    assert token not in said and api_key not in said and "firm-private-key-material" not in said
    assert not (tmp_path / "e.zip").exists()

    clean = _cli("pack", str(report), *pack[2:], env={"LAB_TOKEN_B01234": token})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    unset = _cli(*pack)
    assert unset.returncode == 2
    assert "environment variable LAB_TOKEN_B01234 is not set" in _said(unset)
    no_target = _cli("pack", str(report), "--out", str(tmp_path / "e.zip"), "--config", str(config))
    assert no_target.returncode == 2 and "--config needs --target NAME" in _said(no_target)
