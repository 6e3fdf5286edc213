"""Issue 16 items 6 and 10: `evidence verify` treats a package as hostile input (zip bombs, odd entry names, a
manifest nested too deeply) and `evidence pack` never follows a link out of the report folder."""

from __future__ import annotations

import io
import json
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.reporting.evidence import (
    MANIFEST_NAME,
    Limits,
    NotAnEvidencePackage,
    pack_evidence,
    verify_evidence,
)
from ocp_conformance.reporting.evidence.manifest import FORMAT, FileEntry, Manifest, sha256_hex
from tests.reporting.evidence_report import make_report

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


def _package(path: Path, files: dict[str, bytes], *, extra: tuple[tuple[str, bytes], ...] = (),
             listed: dict[str, bytes] | None = None) -> Path:
    """A package whose manifest lists ``listed`` (default: ``files``), holding ``files`` and then ``extra``."""
    rows = tuple(FileEntry(name, sha256_hex(data), len(data)) for name, data in (listed or files).items())
    manifest = Manifest("0.1.0", "2027-04-06T09:00:00+00:00", {"description": "x", "fingerprint": "sha256:0"},
                        "ready", {}, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate names we plant
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST_NAME, manifest.dumps())
            for name, data in [*files.items(), *extra]:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_a_zip_bomb_is_hashed_as_a_stream_in_bounded_memory(tmp_path: Path) -> None:
    bomb = bytes(48 * MiB)  # deflates to ~50 kB
    package = _package(tmp_path / "bomb.zip", {"allure-results/big-attachment.bin": bomb})
    assert package.stat().st_size < MiB
    del bomb
    tracemalloc.start()
    try:
        verification = verify_evidence(package)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verification.intact, verification.problems
    assert peak < 8 * MiB, f"verifying a 48 MiB entry took {peak / MiB:.1f} MiB of memory"


def test_a_package_inflating_beyond_the_cap_is_refused_without_inflating_it(tmp_path: Path) -> None:
    package = _package(tmp_path / "bomb.zip", {"readiness.json": b"{}", "allure-results/bomb.bin": bytes(4 * MiB)})
    verification = verify_evidence(package, limits=Limits(max_total_bytes=MiB))
    assert len(verification.problems) == 1
    assert verification.problems[0].startswith("allure-results/bomb.bin: the package declares ")
    assert verification.problems[0].endswith(f"bytes inflated, more than the limit of {MiB} (--max-inflated-mb); "
                                             "refused without inflating it")


def test_a_package_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    package = _package(tmp_path / "many.zip", {f"allure-results/{i}-result.json": b"{}" for i in range(20)})
    verification = verify_evidence(package, limits=Limits(max_entries=10))
    assert not verification.intact and verification.manifest is None
    assert "21 entries, more than the limit of 10 (--max-entries)" in verification.problems[0]


@pytest.mark.parametrize(("name", "why"), [
    ("/etc/cron.d/evil", "an absolute path"),
    ("../../outside.txt", "a path with '..'"),
    ("allure-results/../../x", "a path with '..'"),
    ("C:/Windows/evil.dll", "an absolute path"),
    ("allure-results\\..\\x", "a name with a backslash or NUL"),
])
def test_absolute_and_dot_dot_entries_are_refused_by_name(tmp_path: Path, name: str, why: str) -> None:
    package = _package(tmp_path / "odd.zip", {"readiness.json": b"{}"}, extra=((name, b"payload"),))
    problems = verify_evidence(package).problems
    assert f"{name}: {why}; refused" in problems
    listed = _package(tmp_path / "listed.zip", {"readiness.json": b"{}", name: b"payload"})
    assert any(line.startswith(f"{name}: ") and "refused" in line for line in verify_evidence(listed).problems)


def test_duplicate_and_unlisted_entries_are_refused_by_name(tmp_path: Path) -> None:
    package = _package(tmp_path / "dup.zip", {"readiness.json": b"{}"},
                       extra=(("readiness.json", b"{\"verdict\": \"ready\"}"), ("allure-results/planted.json", b"{}")))
    problems = verify_evidence(package).problems
    assert "readiness.json: in the package 2 times" in problems
    assert "allure-results/planted.json: in the package but not in the manifest" in problems


def test_a_deeply_nested_manifest_is_not_a_package(tmp_path: Path) -> None:
    deep = '{"format": "' + FORMAT + '", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    package = tmp_path / "deep.zip"
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, deep)
    with pytest.raises(NotAnEvidencePackage, match="nested too deeply"):
        verify_evidence(package)


def test_pack_never_follows_a_link_out_of_the_report_folder(tmp_path: Path, contracts: ContractSet) -> None:
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    report = make_report(tmp_path / "report", contracts)
    (report / "allure-results" / "passwd-attachment.txt").symlink_to(outside)
    (report / "junit.xml").unlink()
    (report / "junit.xml").symlink_to(outside)
    inside = report / "allure-results" / "abc-result.json"
    (report / "allure-results" / "alias-result.json").symlink_to(inside)
    packed = pack_evidence(report, tmp_path / "e.zip", contracts, secrets={}, harness_version="0.1.0")
    with zipfile.ZipFile(packed.path) as archive:
        names = set(archive.namelist())
        assert all(b"root:x:0" not in archive.read(name) for name in names)
    assert "allure-results/passwd-attachment.txt" not in names and "junit.xml" not in names
    assert "allure-results/alias-result.json" in names  # a link inside the folder is packed
    assert sorted(packed.skipped) == sorted(
        f"{link}: a symbolic link out of {report} (to {outside.resolve()}); not packed"
        for link in (report / "allure-results" / "passwd-attachment.txt", report / "junit.xml"))
    assert json.loads(io.BytesIO(zipfile.ZipFile(packed.path).read(MANIFEST_NAME)).read())["verdict"] == "ready"
