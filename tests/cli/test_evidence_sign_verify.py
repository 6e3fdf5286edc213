"""`ocp-conformance evidence keygen | pack --sign | verify --key` in process, on a small hand-made report:
exit codes, the warning an unsigned package earns, hostile packages (issue 16 items 5, 6 and 10)."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app
from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting.evidence import MANIFEST_NAME
from ocp_conformance.reporting.evidence.manifest import FORMAT
from tests.reporting.evidence_report import make_report

runner = CliRunner()


def cli(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, ["evidence", *(str(a) for a in args)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a report, a key pair (lead.key, lead.pub), a signed and an unsigned package."""
    folder = tmp_path_factory.mktemp("lab")
    report = make_report(folder / "report", load_contracts())
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8")) | {"verdict": "not-ready"}
    (report / "readiness.json").write_text(json.dumps(readiness), encoding="utf-8")
    code, out, err = cli("keygen", "--out", folder / "lead")
    assert code == 0, out + err
    code, out, err = cli("pack", report, "--out", folder / "signed.zip", "--sign", folder / "lead.key")
    assert code == 0, out + err
    assert "signed by key sha256:" in out
    code, out, err = cli("pack", report, "--out", folder / "unsigned.zip")
    assert code == 0, out + err
    assert "NOT signed" in out
    return folder


def test_keygen_writes_a_0600_private_key_and_a_public_key_and_never_overwrites(lab: Path) -> None:
    assert stat.S_IMODE((lab / "lead.key").stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in (lab / "lead.pub").read_bytes()
    before = (lab / "lead.key").read_bytes()
    code, _, err = cli("keygen", "--out", lab / "lead")
    assert code == 2 and "exists; a key is never overwritten" in err
    assert (lab / "lead.key").read_bytes() == before


def test_a_signed_package_verifies_with_the_key(lab: Path) -> None:
    code, out, err = cli("verify", lab / "signed.zip", "--key", lab / "lead.pub")
    assert code == 0, out + err
    assert "signature valid: signed by key sha256:" in out and "verdict not-ready" in out
    assert "WARNING" not in err


def test_without_a_key_only_hashes_are_checked_and_the_user_is_told(lab: Path) -> None:
    code, out, err = cli("verify", lab / "unsigned.zip")
    assert code == 0 and "verified" in out
    assert "WARNING:" in err and "is NOT signed: only its hashes were checked" in err
    code, _, err = cli("verify", lab / "signed.zip")
    assert code == 0 and "is signed, but no --key was given: the signature was NOT checked" in err


def test_a_key_for_an_unsigned_package_fails(lab: Path) -> None:
    code, out, _ = cli("verify", lab / "unsigned.zip", "--key", lab / "lead.pub")
    assert code == 1
    assert "manifest.sig: missing: the package is not signed, but --key asks for a signature" in out


def test_an_edited_verdict_fails_with_the_key(lab: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(lab / "signed.zip") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[MANIFEST_NAME] = entries[MANIFEST_NAME].replace(b'"verdict": "not-ready"', b'"verdict": "ready"')
    with zipfile.ZipFile(tmp_path / "edited.zip", "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    code, out, _ = cli("verify", tmp_path / "edited.zip", "--key", lab / "lead.pub")
    assert code == 1
    assert "the signature does not match manifest.json" in out


def test_keys_that_are_not_keys_are_usage_errors(lab: Path) -> None:
    code, _, err = cli("verify", lab / "signed.zip", "--key", lab / "lead.key")
    assert code == 2 and "this is a private key: give the .pub file" in err
    code, _, err = cli("pack", lab / "report", "--out", lab / "x.zip", "--sign", lab / "lead.pub")
    assert code == 2 and "--sign: private key" in err and not (lab / "x.zip").exists()


def test_a_deeply_nested_manifest_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "deep.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, '{"format": "' + FORMAT + '", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = cli("verify", tmp_path / "deep.zip")
    assert code == 2, err
    assert "nested too deeply" in err and "Traceback" not in err


def test_the_entry_cap_is_an_option(lab: Path) -> None:
    code, out, _ = cli("verify", lab / "unsigned.zip", "--max-entries", "3")
    assert code == 1 and "more than the limit of 3 (--max-entries)" in out


def test_pack_skips_a_link_out_of_the_report_with_a_warning(lab: Path, tmp_path: Path) -> None:
    report = make_report(tmp_path / "report", load_contracts())
    link = report / "allure-results" / "passwd-attachment.txt"
    link.symlink_to("/etc/passwd")
    code, out, err = cli("pack", report, "--out", tmp_path / "e.zip")
    assert code == 0, out + err
    assert f"warning: {link}: a symbolic link out of {report}" in err
    with zipfile.ZipFile(tmp_path / "e.zip") as archive:
        assert "allure-results/passwd-attachment.txt" not in archive.namelist()


def test_a_signing_key_others_can_read_is_warned_about(lab: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared.key"
    shared.write_bytes((lab / "lead.key").read_bytes())
    shared.chmod(0o644)
    code, out, err = cli("pack", lab / "report", "--out", tmp_path / "e.zip", "--sign", shared)
    assert code == 0, out + err
    assert f"warning: --sign {shared} can be read by other users (mode 644)" in err
