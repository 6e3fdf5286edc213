"""Pack a report folder, then verify: intact passes; any changed byte, missing or extra file is named."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.reporting.evidence import (
    MANIFEST_NAME,
    EvidenceError,
    NotAnEvidencePackage,
    SecretsFound,
    pack_evidence,
    verify_evidence,
)
from tests.reporting.evidence_report import make_report

TOKEN = "sim_B01234_a474948e0cc381adf7319706"


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, contracts: ContractSet) -> Path:
    folder = tmp_path_factory.mktemp("evidence")
    report = make_report(folder / "report", contracts)
    return pack_evidence(report, folder / "evidence.zip", contracts, secrets={"OCP_TOKEN_B01234": TOKEN},
                         harness_version="0.1.0").path


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _problems(tmp: Path, entries: dict[str, bytes]) -> tuple[str, ...]:
    path = tmp / "changed.zip"
    path.write_bytes(_zip(entries))
    return verify_evidence(path).problems


def test_the_package_holds_the_report_allure_results_contracts_and_a_manifest(
        package: Path, contracts: ContractSet) -> None:
    entries = _entries(package)
    names = list(entries)
    assert names[0] == MANIFEST_NAME
    assert names[1:] == sorted(names[1:])
    for name in ("readiness.json", "readiness.md", "junit.xml", "allure-results/abc-result.json",
                 "allure-results/environment.properties", "contracts/catalogue.yaml", "contracts/api/ocp-api.yaml"):
        assert name in entries
    assert not any(name.startswith(".results") for name in names)
    manifest = json.loads(entries[MANIFEST_NAME])
    assert manifest["harness_version"] == "0.1.0"
    assert manifest["target"]["description"] == "embedded reference simulator"
    assert manifest["contracts"]["documents"] == {d.name: d.version for d in contracts.documents}
    assert manifest["contracts"]["fingerprint"] == "sha256:" + contracts.fingerprint()
    assert manifest["contracts"]["folder"] == str(contracts.root)
    assert manifest["contracts"]["matches_report_fingerprint"] is True
    assert [f["path"] for f in manifest["files"]] == sorted(names[1:])


def test_an_intact_package_verifies(package: Path) -> None:
    verification = verify_evidence(package)
    assert verification.intact, verification.problems
    assert verification.checked == len(_entries(package)) - 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_flipped_byte_anywhere_is_named(package: Path, tmp_path: Path, data: st.DataObject) -> None:
    entries = _entries(package)
    name = data.draw(st.sampled_from(sorted(n for n in entries if n != MANIFEST_NAME and entries[n])), label="file")
    content = bytearray(entries[name])
    offset = data.draw(st.integers(0, len(content) - 1), label="offset")
    content[offset] ^= data.draw(st.integers(1, 255), label="xor")
    entries[name] = bytes(content)
    assert _problems(tmp_path, entries) == (f"{name}: SHA-256 differs from the manifest",)


def test_a_deleted_file_is_named(package: Path, tmp_path: Path) -> None:
    entries = _entries(package)
    del entries["allure-results/abc-result.json"]
    assert _problems(tmp_path, entries) == (
        "allure-results/abc-result.json: listed in the manifest but missing from the package",)


def test_an_added_file_is_named(package: Path, tmp_path: Path) -> None:
    entries = _entries(package) | {"allure-results/zzz-result.json": b"{}"}
    assert _problems(tmp_path, entries) == ("allure-results/zzz-result.json: in the package but not in the manifest",)


def test_an_edited_manifest_file_list_is_caught(package: Path, tmp_path: Path) -> None:
    entries = _entries(package)
    manifest = json.loads(entries[MANIFEST_NAME])
    manifest["files"] = [f for f in manifest["files"] if f["path"] != "junit.xml"]
    entries[MANIFEST_NAME] = json.dumps(manifest).encode()
    del entries["junit.xml"]
    assert _problems(tmp_path, entries) == (
        f"{MANIFEST_NAME}: its file list differs from the SHA-256 it records (files_sha256)",)


def test_a_zip_without_a_manifest_or_not_a_zip_is_not_a_package(package: Path, tmp_path: Path) -> None:
    no_manifest = tmp_path / "plain.zip"
    no_manifest.write_bytes(_zip({"readiness.json": b"{}"}))
    with pytest.raises(NotAnEvidencePackage, match=r"holds no manifest\.json"):
        verify_evidence(no_manifest)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(package.read_bytes()[: len(package.read_bytes()) // 2])
    with pytest.raises(NotAnEvidencePackage, match="not a readable zip"):
        verify_evidence(corrupt)
    foreign = tmp_path / "foreign.zip"
    foreign.write_bytes(_zip({MANIFEST_NAME: b'{"files": []}'}))
    with pytest.raises(NotAnEvidencePackage, match="not an ocp-conformance evidence manifest"):
        verify_evidence(foreign)


def test_a_planted_secret_fails_the_pack_and_writes_nothing(tmp_path: Path, contracts: ContractSet) -> None:
    report = make_report(tmp_path / "report", contracts)
    attachment = report / "allure-results" / "def-attachment.txt"
    attachment.write_text(attachment.read_text(encoding="utf-8") + f"Authorization: Bearer {TOKEN}\n",
                          encoding="utf-8")
    out = tmp_path / "evidence.zip"
    with pytest.raises(SecretsFound) as found:
        pack_evidence(report, out, contracts, secrets={"OCP_TOKEN_B01234": TOKEN}, harness_version="0.1.0")
    rendered = [hit.render() for hit in found.value.hits]
    assert "allure-results/def-attachment.txt:5: <secret OCP_TOKEN_B01234>" in rendered
    assert all(TOKEN not in line for line in rendered)
    assert list(tmp_path.glob("evidence.zip*")) == []


def test_a_target_url_with_credentials_fails_the_pack(tmp_path: Path, contracts: ContractSet) -> None:
    report = make_report(tmp_path / "report", contracts, target="server at https://alice:hunter2@ocp.example.com/")
    with pytest.raises(SecretsFound) as found:
        pack_evidence(report, tmp_path / "e.zip", contracts, secrets={}, harness_version="0.1.0")
    assert "readiness.json:3: <token shape: URL with credentials>" in [hit.render() for hit in found.value.hits]
    assert all("hunter2" not in hit.render() for hit in found.value.hits)


def test_a_report_made_with_other_contracts_is_refused(tmp_path: Path, contracts: ContractSet) -> None:
    report = make_report(tmp_path / "report", contracts)
    properties = report / "allure-results" / "environment.properties"
    properties.write_text(properties.read_text(encoding="utf-8").replace("contract.sha256=", "contract.sha256=ff"),
                          encoding="utf-8")
    with pytest.raises(EvidenceError, match="other contracts"):
        pack_evidence(report, tmp_path / "e.zip", contracts, secrets={}, harness_version="0.1.0")
    with pytest.raises(EvidenceError, match=r"no readiness\.json"):
        pack_evidence(tmp_path, tmp_path / "e.zip", contracts, secrets={}, harness_version="0.1.0")
