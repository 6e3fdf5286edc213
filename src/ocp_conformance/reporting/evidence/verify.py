"""Verify an evidence package: every file's SHA-256 against the manifest, and nothing missing or extra."""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ocp_conformance.reporting.evidence.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    parse_manifest,
    sha256_hex,
)

__all__ = ["NotAnEvidencePackage", "Verification", "verify_evidence"]


class NotAnEvidencePackage(ValueError):
    """The file is not an evidence package at all (not a zip, no or unreadable manifest)."""


@dataclass(frozen=True, slots=True)
class Verification:
    manifest: Manifest
    problems: tuple[str, ...]
    """One line per problem, each starting with the file it is about."""

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        return len(self.manifest.files)


def verify_evidence(path: Path) -> Verification:
    """Recompute every hash of the package at ``path``.

    Raises:
        NotAnEvidencePackage: not a readable zip, or no valid ``manifest.json`` in it.
    """
    if not path.is_file():
        raise NotAnEvidencePackage(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _verify(path, archive)
    except zipfile.BadZipFile as exc:
        raise NotAnEvidencePackage(f"{path} is not a readable zip file: {exc}") from None


def _verify(path: Path, archive: zipfile.ZipFile) -> Verification:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if MANIFEST_NAME not in names:
        raise NotAnEvidencePackage(f"{path} holds no {MANIFEST_NAME}: not an evidence package of "
                                   "`ocp-conformance evidence pack`")
    try:
        manifest, recorded_digest = parse_manifest(archive.read(MANIFEST_NAME))
    except ManifestError as exc:
        raise NotAnEvidencePackage(f"{path}: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise NotAnEvidencePackage(f"{path}: {MANIFEST_NAME} cannot be read from the zip: {exc}") from None
    problems: list[str] = []
    if manifest.files_sha256 != recorded_digest:
        problems.append(f"{MANIFEST_NAME}: its file list differs from the SHA-256 it records (files_sha256)")
    for name, count in sorted(Counter(names).items()):
        if count > 1:
            problems.append(f"{name}: in the package {count} times")
    present = set(names)
    listed = {entry.path for entry in manifest.files}
    for entry in manifest.files:
        if entry.path not in present:
            problems.append(f"{entry.path}: listed in the manifest but missing from the package")
            continue
        try:
            data = archive.read(entry.path)
        except (zipfile.BadZipFile, OSError) as exc:
            problems.append(f"{entry.path}: cannot be read from the zip ({exc})")
            continue
        if sha256_hex(data) != entry.sha256:
            problems.append(f"{entry.path}: SHA-256 differs from the manifest")
    for name in sorted(present - listed - {MANIFEST_NAME}):
        problems.append(f"{name}: in the package but not in the manifest")
    return Verification(manifest, tuple(problems))
