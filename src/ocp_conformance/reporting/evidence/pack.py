"""Pack a report folder into an evidence package: report, Allure results, contracts, ``manifest.json``.

Nothing is written if the secret scan finds anything; the zip is written to a temporary name and renamed, so
an interrupted pack never leaves a half package under the requested name. Entries are in path order (the
manifest first, then its signature if signed) with a fixed timestamp, so the same inputs give the same bytes but
for ``created_at``. A symbolic link that leads out of the report (or contracts) folder is never followed: it is
skipped, and named in :attr:`PackResult.skipped`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ocp_conformance.contracts import ContractSet
from ocp_conformance.reporting.evidence.layout import EXTERNAL_ATTR, ZIP_TIME
from ocp_conformance.reporting.evidence.manifest import (
    MANIFEST_NAME,
    FileEntry,
    Manifest,
    canonical_json,
    describe_target,
    sha256_hex,
)
from ocp_conformance.reporting.evidence.secret_scan import SecretHit, scan_files
from ocp_conformance.reporting.evidence.signing import SIGNATURE_NAME, key_id, sign

__all__ = ["REPORT_FILES", "EvidenceError", "PackResult", "SecretsFound", "collect_files", "pack_evidence",
           "report_environment"]

#: The report's own files, packed when present (readiness.json is required).
REPORT_FILES = ("readiness.json", "readiness.md", "readiness.html", "junit.xml")
ALLURE_RESULTS = "allure-results"
CONTRACTS = "contracts"


class EvidenceError(ValueError):
    """The report folder cannot be packed as asked (a usage or configuration problem)."""


class SecretsFound(Exception):
    """The secret scan found secrets; ``hits`` say where (file:line) and what kind, never the value."""

    def __init__(self, hits: list[SecretHit]) -> None:
        super().__init__(f"{len(hits)} secret(s) found")
        self.hits = hits


@dataclass(frozen=True, slots=True)
class PackResult:
    path: Path
    manifest: Manifest
    missing: tuple[str, ...] = field(default=())
    """Optional report parts that the folder did not hold (e.g. junit.xml)."""
    skipped: tuple[str, ...] = field(default=())
    """One line per symbolic link not followed because it leads out of its folder."""
    signed_by: str | None = None
    """The signing key's id, if signed."""


def report_environment(report_dir: Path) -> dict[str, str]:
    """The run's ``allure-results/environment.properties`` (target, target.kind, contract.sha256...), or {}."""
    properties = report_dir / ALLURE_RESULTS / "environment.properties"
    if not properties.is_file():
        return {}
    pairs = (line.split("=", 1) for line in properties.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@dataclass(slots=True)
class _Collected:
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, name: str, path: Path, root: Path) -> None:
        """Read ``path`` as package entry ``name``, unless it is a link (or under one) leading out of ``root``."""
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            self.skipped.append(f"{path}: a symbolic link out of {root} (to {resolved}); not packed")
            return
        self.files[name] = resolved.read_bytes()


def collect_files(report_dir: Path, contracts: ContractSet) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """``package path -> content`` for the report's files, its Allure results and the contract files, and the
    optional report parts that are missing."""
    collected = _collect(report_dir, contracts)
    return collected.files, tuple(collected.missing)


def _collect(report_dir: Path, contracts: ContractSet) -> _Collected:
    if not (report_dir / "readiness.json").is_file():
        raise EvidenceError(f"{report_dir} holds no readiness.json: not a report folder of `ocp-conformance run`")
    collected = _Collected()
    for name in REPORT_FILES:
        if (report_dir / name).is_file():
            collected.add(name, report_dir / name, report_dir)
        elif name != "readiness.html":
            collected.missing.append(name)
    allure = report_dir / ALLURE_RESULTS
    if allure.is_dir():
        for path in sorted(p for p in allure.rglob("*") if p.is_file()):
            collected.add(path.relative_to(report_dir).as_posix(), path, report_dir)
    else:
        collected.missing.append(ALLURE_RESULTS + "/")
    for path in sorted(p for p in contracts.root.rglob("*") if p.is_file()):
        collected.add(f"{CONTRACTS}/{path.relative_to(contracts.root).as_posix()}", path, contracts.root)
    return collected


def pack_evidence(report_dir: Path, out: Path, contracts: ContractSet, *, secrets: Mapping[str, str],
                  harness_version: str, now: datetime | None = None,
                  sign_with: Ed25519PrivateKey | None = None) -> PackResult:
    """Write the evidence package of ``report_dir`` to ``out``.

    Args:
        contracts: the contracts the run used; their fingerprint must match the one the report recorded
            (``allure-results/environment.properties``), if it recorded one. The manifest keeps their folder and
            ``matches_report_fingerprint``: true when checked against the report, null when the report had none.
        secrets: ``label -> value`` of every configured secret (e.g. ``OCP_TOKEN_B01234 -> ...``).
        sign_with: the QA lead's Ed25519 private key: ``manifest.sig`` then holds a detached signature of the
            canonical manifest (see :mod:`.signing`).

    Raises:
        EvidenceError: not a report folder, or other contracts than the run's.
        SecretsFound: a secret or token-shaped string in a file; nothing is written.
    """
    try:
        readiness = json.loads((report_dir / "readiness.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError(f"{report_dir} holds no readiness.json: not a report folder of `ocp-conformance run`"
                            ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise EvidenceError(f"{report_dir / 'readiness.json'} is not JSON: {exc}") from None
    if not isinstance(readiness, dict):
        raise EvidenceError(f"{report_dir / 'readiness.json'} is not a readiness report")
    fingerprint = contracts.fingerprint()
    recorded = report_environment(report_dir).get("contract.sha256")
    if recorded and recorded != fingerprint:
        raise EvidenceError(f"the report was made with other contracts (SHA-256 {recorded[:12]}…) than those in "
                            f"{contracts.root} ({fingerprint[:12]}…); pass the run's --contracts folder")
    collected = _collect(report_dir, contracts)
    files = collected.files
    manifest = Manifest(
        harness_version=harness_version,
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        target=describe_target(str(readiness.get("target", "unknown"))),
        verdict=str(readiness.get("verdict", "unknown")),
        contracts={
            "folder": str(contracts.root),
            "matches_report_fingerprint": True if recorded else None,
            "fingerprint": "sha256:" + fingerprint,
            "version": contracts.version,
            "documents": {doc.name: doc.version for doc in contracts.documents},
        },
        files=tuple(FileEntry(path, sha256_hex(data), len(data)) for path, data in sorted(files.items())),
    )
    manifest_bytes = manifest.dumps()
    hits = scan_files([*files.items(), (MANIFEST_NAME, manifest_bytes)], secrets)
    if hits:
        raise SecretsFound(hits)
    head = [(MANIFEST_NAME, manifest_bytes)]
    if sign_with is not None:
        head.append((SIGNATURE_NAME, sign(sign_with, canonical_json(manifest.to_json()))))
    _write_zip(out, head, files)
    return PackResult(out, manifest, tuple(collected.missing), tuple(collected.skipped),
                      None if sign_with is None else key_id(sign_with.public_key()))


def _write_zip(out: Path, head: list[tuple[str, bytes]], files: Mapping[str, bytes]) -> None:
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in [*head, *sorted(files.items())]:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = EXTERNAL_ATTR
                archive.writestr(info, data)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
