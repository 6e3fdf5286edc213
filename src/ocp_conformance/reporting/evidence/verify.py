"""Verify an evidence package: its signature (if a trusted key is given, and then the zip's layout byte for
byte, see :mod:`.layout`), every file's SHA-256 against the manifest, and nothing missing, extra or odd.

A package is hostile input: entries are hashed as streams in bounded memory, under a cap on the total inflated
size and on the number of entries (a zip bomb is refused, not inflated), and absolute, ``..``, duplicate and
unlisted entries are refused by name. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ocp_conformance.reporting.evidence.layout import layout_problems
from ocp_conformance.reporting.evidence.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    canonical_json,
    load_document,
    parse_manifest,
    pretty_json,
)
from ocp_conformance.reporting.evidence.signing import SIGNATURE_NAME, check_signature

__all__ = ["Limits", "NotAnEvidencePackage", "Verification", "verify_evidence"]

_CHUNK = 1 << 20
#: What zipfile raises on a damaged or unsupported entry (encrypted, unknown method, bad CRC, cut short...).
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
               RuntimeError, ValueError, struct.error)
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class NotAnEvidencePackage(ValueError):
    """The file is not an evidence package at all (not a zip, no or unreadable manifest)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What a package may inflate to: in all (bytes) and in entries. Defaults fit a full run's report with room."""

    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_entries: int = 100_000


@dataclass(frozen=True, slots=True)
class Verification:
    manifest: Manifest | None
    """None when the package was refused before its manifest was read (too many entries)."""
    problems: tuple[str, ...]
    """One line per problem, each starting with the file it is about."""
    signed: bool = False
    """The package holds a signature (``manifest.sig``)."""
    signature: str | None = None
    """The signature check's line when a trusted key was given and the signature is valid."""

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        return len(self.manifest.files) if self.manifest is not None else 0


def verify_evidence(path: Path, *, public_key: Ed25519PublicKey | None = None,
                    limits: Limits | None = None) -> Verification:
    """Check the package at ``path``.

    Args:
        public_key: the signer's trusted public key: the package must then be signed with it, and the signature
            must match the manifest. Without it a signature is not checked (and an unsigned package only proves
            that its hashes agree with a manifest anyone could have rewritten).
        limits: caps on inflated size and entry count (default :class:`Limits`).

    Raises:
        NotAnEvidencePackage: not a readable zip, or no valid ``manifest.json`` in it.
    """
    if not path.is_file():
        raise NotAnEvidencePackage(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _verify(path, archive, public_key, limits or Limits())
    except NotAnEvidencePackage:
        raise
    except _UNREADABLE as exc:
        raise NotAnEvidencePackage(f"{path} is not a readable zip file: {exc}") from None


def _odd_name(name: str) -> str | None:
    """Why an entry name is refused, or None."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name or "\0" in name:
        return "a name with a backslash or NUL"
    if ".." in PurePosixPath(name).parts:
        return "a path with '..'"
    return None


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.left = limits.max_total_bytes
        self.limit = limits.max_total_bytes


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, budget: _Budget) -> bytes:
    """Read one small entry whole (the manifest, the signature), at most ``cap`` bytes."""
    limit = min(cap, budget.left)
    parts: list[bytes] = []
    size = _inflate(archive, info, limit, budget, parts.append)
    if size > limit:
        raise NotAnEvidencePackage(f"{info.filename}: inflates to more than {limit} bytes; not a manifest of "
                                   "`evidence pack`")
    return b"".join(parts)


def _hash(archive: zipfile.ZipFile, info: zipfile.ZipInfo, expected_size: int, budget: _Budget) -> tuple[str, int]:
    """SHA-256 and size of one entry, streamed; stops one byte past the listed size or the budget."""
    digest = hashlib.sha256()
    size = _inflate(archive, info, expected_size, budget, digest.update)
    return digest.hexdigest(), size


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: _Budget,
             sink: Callable[[bytes], object]) -> int:
    """Inflate one entry into ``sink`` in chunks; returns its size, stopping one byte past ``limit`` or the budget.

    The deflate stream is inflated here rather than by zipfile, which stops at the declared size: this also
    demands that the stream ends exactly where the entry's compressed data ends (a cleared "final block" bit or
    bytes after the end would otherwise go unnoticed) and that the CRC-32 matches.
    """
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        raise NotImplementedError(f"compression method {info.compress_type}; expected deflate (or stored)")
    stream = archive.fp
    if stream is None:
        raise OSError("the zip is closed")
    stream.seek(info.header_offset + 26)
    name_length, extra_length = struct.unpack("<HH", stream.read(4))
    stream.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        return _copy_stored(stream, info, limit, budget, sink)
    inflater, size, crc, left, pending = zlib.decompressobj(-15), 0, 0, info.compress_size, b""
    while size <= limit and budget.left >= 0:
        if not pending:
            if left == 0 or inflater.eof:
                break
            pending = stream.read(min(_CHUNK, left))
            if not pending:
                raise EOFError("the entry's compressed data is cut short")
            left -= len(pending)
        chunk = inflater.decompress(pending, min(_CHUNK, limit + 1 - size, budget.left + 1))
        pending = inflater.unconsumed_tail
        size += len(chunk)
        budget.left -= len(chunk)
        sink(chunk)
        crc = zlib.crc32(chunk, crc)
    if size <= limit and budget.left >= 0:
        if not inflater.eof or left or inflater.unused_data or pending:
            raise zlib.error("the deflate stream does not end exactly where the entry's data ends")
        if crc != info.CRC or size != info.file_size:
            raise zipfile.BadZipFile(f"CRC-32 or size differs from the zip's header for {info.filename}")
    return size


def _copy_stored(stream: IO[bytes], info: zipfile.ZipInfo, limit: int, budget: _Budget,
                 sink: Callable[[bytes], object]) -> int:
    size, crc, left = 0, 0, info.compress_size
    while left and size <= limit and budget.left >= 0:
        chunk = stream.read(min(_CHUNK, left, limit + 1 - size, budget.left + 1))
        if not chunk:
            raise EOFError("the entry's data is cut short")
        left -= len(chunk)
        size += len(chunk)
        budget.left -= len(chunk)
        sink(chunk)
        crc = zlib.crc32(chunk, crc)
    if size <= limit and budget.left >= 0 and (crc != info.CRC or size != info.file_size):
        raise zipfile.BadZipFile(f"CRC-32 or size differs from the zip's header for {info.filename}")
    return size


def _verify(path: Path, archive: zipfile.ZipFile, public_key: Ed25519PublicKey | None,
            limits: Limits) -> Verification:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        return Verification(None, (f"{path}: {len(infos)} entries, more than the limit of {limits.max_entries} "
                                   "(--max-entries); refused without reading them",))
    problems: list[str] = []
    names = [info.filename for info in infos]
    for name in names:
        why = _odd_name(name)
        if why is not None:
            problems.append(f"{name}: {why}; refused")
    for name, count in sorted(Counter(names).items()):
        if count > 1:
            problems.append(f"{name}: in the package {count} times")
    by_name = {info.filename: info for info in infos if not info.is_dir()}
    if MANIFEST_NAME not in by_name:
        raise NotAnEvidencePackage(f"{path} holds no {MANIFEST_NAME}: not an evidence package of "
                                   "`ocp-conformance evidence pack`")
    budget = _Budget(limits)
    try:
        manifest_bytes = _read_small(archive, by_name[MANIFEST_NAME], _MAX_MANIFEST_BYTES, budget)
        manifest, recorded_digest = parse_manifest(manifest_bytes)
        document = load_document(manifest_bytes)
    except ManifestError as exc:
        raise NotAnEvidencePackage(f"{path}: {exc}") from None
    except NotAnEvidencePackage:
        raise
    except _UNREADABLE as exc:
        raise NotAnEvidencePackage(f"{path}: {MANIFEST_NAME} cannot be read from the zip: {exc}") from None
    signed = SIGNATURE_NAME in by_name
    signature_line = None
    if public_key is not None:
        if not signed:
            problems.append(f"{SIGNATURE_NAME}: missing: the package is not signed, but --key asks for a signature")
        else:
            try:
                signature_file = _read_small(archive, by_name[SIGNATURE_NAME], 4096, budget)
            except _UNREADABLE as exc:  # NotAnEvidencePackage (too large) included: a ValueError
                problems.append(f"{SIGNATURE_NAME}: cannot be read ({exc})")
            else:
                check = check_signature(public_key, signature_file, canonical_json(document))
                if check.valid:
                    signature_line = check.message
                else:
                    problems.append(check.message)
            if manifest_bytes != pretty_json(document):
                problems.append(f"{MANIFEST_NAME}: its bytes differ from the form `evidence pack` writes (edited "
                                "whitespace, order or escapes)")
            problems += layout_problems(path, archive)
    if manifest.files_sha256 != recorded_digest:
        problems.append(f"{MANIFEST_NAME}: its file list differs from the SHA-256 it records (files_sha256)")
    declared = sum(info.file_size for info in by_name.values())
    if declared > limits.max_total_bytes:
        biggest = max(by_name.values(), key=lambda info: info.file_size)
        return Verification(manifest, (*problems, f"{biggest.filename}: the package declares {declared} bytes "
                                       f"inflated, more than the limit of {limits.max_total_bytes} "
                                       "(--max-inflated-mb); refused without inflating it"), signed)
    problems += _check_files(archive, manifest, by_name, budget)
    listed = {entry.path for entry in manifest.files} | {MANIFEST_NAME, SIGNATURE_NAME}
    problems += [f"{name}: in the package but not in the manifest" for name in sorted(set(names) - listed)]
    return Verification(manifest, tuple(problems), signed, signature_line)


def _check_files(archive: zipfile.ZipFile, manifest: Manifest, by_name: dict[str, zipfile.ZipInfo],
                 budget: _Budget) -> list[str]:
    problems = []
    for entry in manifest.files:
        why = _odd_name(entry.path)
        if why is not None:
            problems.append(f"{entry.path}: listed in the manifest with {why}; refused")
            continue
        info = by_name.get(entry.path)
        if info is None:
            problems.append(f"{entry.path}: listed in the manifest but missing from the package")
            continue
        try:
            digest, size = _hash(archive, info, entry.size, budget)
        except _UNREADABLE as exc:
            problems.append(f"{entry.path}: cannot be read from the zip ({exc})")
            continue
        if budget.left < 0:
            problems.append(f"{entry.path}: inflating it passes the limit of {budget.limit} bytes for the whole "
                            "package (--max-inflated-mb); refused, the rest not checked")
            return problems
        if size > entry.size:
            problems.append(f"{entry.path}: larger than the {entry.size} bytes the manifest lists")
        elif digest != entry.sha256:
            problems.append(f"{entry.path}: SHA-256 differs from the manifest")
    return problems
