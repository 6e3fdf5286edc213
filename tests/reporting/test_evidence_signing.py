"""Issue 16 item 5: a signed package verifies with the signer's public key, and any change to any byte of any
packed file or of the manifest (the verdict, created_at, a recomputed hash) makes it fail."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.reporting.evidence import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    SigningKeyError,
    generate_keys,
    load_private_key,
    load_public_key,
    pack_evidence,
    verify_evidence,
)
from ocp_conformance.reporting.evidence.layout import EXTERNAL_ATTR, ZIP_TIME
from ocp_conformance.reporting.evidence.manifest import FileEntry, Manifest, canonical_json, sha256_hex
from ocp_conformance.reporting.evidence.pack import _write_zip
from ocp_conformance.reporting.evidence.signing import sign
from tests.reporting.evidence_report import make_report


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    generate_keys(folder / "lead.key", folder / "lead.pub")
    return folder / "lead.key", folder / "lead.pub"


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, contracts: ContractSet, keys: tuple[Path, Path]) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    report = make_report(folder / "report", contracts)
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8")) | {"verdict": "not-ready"}
    (report / "readiness.json").write_text(json.dumps(readiness), encoding="utf-8")
    return pack_evidence(report, folder / "evidence.zip", contracts, secrets={}, harness_version="0.1.0",
                         sign_with=load_private_key(keys[0])).path


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(tmp: Path, entries: dict[str, bytes]) -> Path:
    """The entries zipped again exactly as `pack` lays them out (so only the planted change differs)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, EXTERNAL_ATTR
            archive.writestr(info, data)
    path = tmp / "changed.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path) -> None:
    generate_keys(tmp_path / "k.key", tmp_path / "k.pub")
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in (tmp_path / "k.key").read_bytes()
    assert b"PUBLIC KEY" in (tmp_path / "k.pub").read_bytes()
    with pytest.raises(FileExistsError):
        generate_keys(tmp_path / "k.key", tmp_path / "other.pub")
    with pytest.raises(SigningKeyError, match=r"this is a private key: give the \.pub file"):
        load_public_key(tmp_path / "k.key")


def test_a_signed_package_verifies_with_the_signers_key(signed: Path, keys: tuple[Path, Path]) -> None:
    entries = _entries(signed)
    assert list(entries)[:2] == [MANIFEST_NAME, SIGNATURE_NAME]
    manifest = json.loads(entries[MANIFEST_NAME])
    for field in ("verdict", "created_at", "target", "contracts"):
        assert field in manifest
    assert manifest["verdict"] == "not-ready" and manifest["target"]["fingerprint"].startswith("sha256:")
    verification = verify_evidence(signed, public_key=load_public_key(keys[1]))
    assert verification.intact, verification.problems
    assert verification.signed and verification.signature is not None
    assert verification.signature.startswith("signature valid: signed by key sha256:")


def test_a_verdict_edited_to_ready_fails_even_with_every_hash_recomputed(signed: Path, keys: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    entries = _entries(signed)
    entries[MANIFEST_NAME] = entries[MANIFEST_NAME].replace(b'"verdict": "not-ready"', b'"verdict": "ready"')
    changed = _rezip(tmp_path, entries)
    assert verify_evidence(changed).intact  # hashes alone cannot tell: the reason to sign
    problems = verify_evidence(changed, public_key=load_public_key(keys[1])).problems
    assert problems == (f"{SIGNATURE_NAME}: the signature does not match manifest.json: the manifest changed after "
                        "it was signed",)


def test_an_edited_file_with_its_hash_recomputed_fails(signed: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    entries = _entries(signed)
    entries["readiness.md"] = b"# Readiness\n\nVerdict: ready\n\n(edited)\n"
    manifest = json.loads(entries[MANIFEST_NAME])
    for row in manifest["files"]:
        if row["path"] == "readiness.md":
            row["sha256"], row["size"] = sha256_hex(entries["readiness.md"]), len(entries["readiness.md"])
    lines = "".join(f"{f['sha256']}  {f['size']}  {f['path']}\n" for f in manifest["files"])
    manifest["files_sha256"] = sha256_hex(lines.encode())
    entries[MANIFEST_NAME] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    changed = _rezip(tmp_path, entries)
    assert verify_evidence(changed).intact
    assert "the signature does not match" in verify_evidence(changed, public_key=load_public_key(keys[1])).problems[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_flipped_byte_in_any_entry_fails_a_signed_package(signed: Path, keys: tuple[Path, Path], tmp_path: Path,
                                                             data: st.DataObject) -> None:
    entries = _entries(signed)
    name = data.draw(st.sampled_from(sorted(n for n in entries if entries[n])), label="entry")
    content = bytearray(entries[name])
    content[data.draw(st.integers(0, len(content) - 1), label="offset")] ^= data.draw(st.integers(1, 255))
    entries[name] = bytes(content)
    try:
        verification = verify_evidence(_rezip(tmp_path, entries), public_key=load_public_key(keys[1]))
    except ValueError:  # NotAnEvidencePackage: the manifest no longer parses
        return
    assert not verification.intact


def test_the_signature_covers_the_canonical_manifest(signed: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Re-indenting manifest.json keeps the canonical form but still changes the package's bytes: refused."""
    entries = _entries(signed)
    document = json.loads(entries[MANIFEST_NAME])
    assert canonical_json(document) == json.dumps(document, sort_keys=True, separators=(",", ":"),
                                                  ensure_ascii=False).encode()
    entries[MANIFEST_NAME] = json.dumps(document, indent=4).encode()
    problems = verify_evidence(_rezip(tmp_path, entries), public_key=load_public_key(keys[1])).problems
    assert problems == (f"{MANIFEST_NAME}: its bytes differ from the form `evidence pack` writes (edited whitespace, "
                        "order or escapes)",)


def test_a_key_given_for_an_unsigned_package_or_another_key_fails(signed: Path, keys: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    entries = _entries(signed)
    del entries[SIGNATURE_NAME]
    unsigned = _rezip(tmp_path, entries)
    assert verify_evidence(unsigned).intact and not verify_evidence(unsigned).signed
    assert verify_evidence(unsigned, public_key=load_public_key(keys[1])).problems == (
        f"{SIGNATURE_NAME}: missing: the package is not signed, but --key asks for a signature",)
    generate_keys(tmp_path / "other.key", tmp_path / "other.pub")
    problems = verify_evidence(signed, public_key=load_public_key(tmp_path / "other.pub")).problems
    assert len(problems) == 1 and "not by the trusted key" in problems[0]


def test_the_zip_itself_is_checked_byte_for_byte(signed: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Same content, other bookkeeping (a timestamp, a zip comment, bytes appended): refused with --key."""
    entries = _entries(signed)
    assert verify_evidence(_rezip(tmp_path, entries), public_key=load_public_key(keys[1])).intact
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2027, 4, 6, 9, 0, 0)), data)
        archive.comment = b"looks harmless"
    (tmp_path / "restamped.zip").write_bytes(buffer.getvalue() + b"appended")
    problems = verify_evidence(tmp_path / "restamped.zip", public_key=load_public_key(keys[1])).problems
    assert "manifest.json: timestamp is (2027, 4, 6, 9, 0, 0), not (1980, 1, 1, 0, 0, 0) as `evidence pack` writes " \
           "it" in problems
    assert any("the zip has a comment" in line for line in problems)


def test_a_flipped_bit_anywhere_in_a_signed_package_fails(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Every byte of a small signed package, one at a time: verify with the key never passes."""
    files = {"readiness.json": b'{"verdict": "not-ready"}\n', "allure-results/a-result.json": b'{"status": "failed"}'}
    manifest = Manifest("0.1.0", "2027-04-06T09:00:00+00:00", {"description": "x", "fingerprint": "sha256:ab"},
                        "not-ready", {"fingerprint": "sha256:cd"},
                        tuple(FileEntry(n, sha256_hex(d), len(d)) for n, d in sorted(files.items())))
    private = load_private_key(keys[0])
    package = tmp_path / "small.zip"
    _write_zip(package, [(MANIFEST_NAME, manifest.dumps()),
                         (SIGNATURE_NAME, sign(private, canonical_json(manifest.to_json())))], files)
    public = load_public_key(keys[1])
    assert verify_evidence(package, public_key=public).intact
    original = package.read_bytes()
    changed = tmp_path / "flipped.zip"
    passed = []
    for offset in range(len(original)):
        data = bytearray(original)
        data[offset] ^= 0x01  # the lowest bit: in deflate data, never a padding bit
        changed.write_bytes(bytes(data))
        try:
            if verify_evidence(changed, public_key=public).intact:
                passed.append(offset)
        except ValueError:  # not a readable zip or manifest any more: refused too (exit 2)
            continue
    assert passed == [], f"{len(passed)} of {len(original)} flipped bytes still verify, e.g. at {passed[:5]}"
