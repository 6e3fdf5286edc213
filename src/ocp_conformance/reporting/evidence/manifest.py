"""The evidence package's ``manifest.json``: what the package holds and the SHA-256 of every file.

The manifest names the harness version, when it was made, the target (described without credentials, and
fingerprinted), the contracts (folder, fingerprint, each OpenAPI document's ``info.version``) and one row per
file, sorted by path. ``files_sha256`` hashes the file list itself, so an edited list is caught too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FORMAT", "MANIFEST_NAME", "FileEntry", "Manifest", "ManifestError", "canonical_json", "describe_target",
           "files_digest", "load_document", "parse_manifest", "pretty_json", "sha256_hex"]

MANIFEST_NAME = "manifest.json"
FORMAT = "ocp-conformance evidence package 1"
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/@]+)@")
_URL_QUERY = re.compile(r"(?P<url>[A-Za-z][A-Za-z0-9+.-]*://[^\s?#]*)[?#]\S*")


class ManifestError(ValueError):
    """A manifest.json that is not one of ours (not JSON, wrong format, fields missing)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


def files_digest(files: tuple[FileEntry, ...]) -> str:
    """SHA-256 of the file list: one ``<sha256>  <size>  <path>`` line per file, in path order."""
    lines = "".join(f"{f.sha256}  {f.size}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return sha256_hex(lines.encode("utf-8"))


def describe_target(target: str) -> dict[str, str]:
    """The target as the manifest keeps it: credentials and query strings removed from any URL, and a
    SHA-256 fingerprint of the full text (which identifies the target without storing what it held)."""
    cleaned = _URL_QUERY.sub(r"\g<url>", target)
    cleaned = _URL_CREDENTIALS.sub(r"\g<scheme><credentials removed>@", cleaned)
    return {"description": cleaned, "fingerprint": "sha256:" + sha256_hex(target.encode("utf-8"))}


@dataclass(frozen=True, slots=True)
class Manifest:
    harness_version: str
    created_at: str
    target: Mapping[str, str]
    verdict: str
    contracts: Mapping[str, Any]
    files: tuple[FileEntry, ...]

    @property
    def files_sha256(self) -> str:
        return files_digest(self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "harness_version": self.harness_version,
            "created_at": self.created_at,
            "target": dict(self.target),
            "verdict": self.verdict,
            "contracts": dict(self.contracts),
            "files": [f.to_json() for f in sorted(self.files, key=lambda f: f.path)],
            "files_sha256": self.files_sha256,
        }

    def dumps(self) -> bytes:
        return pretty_json(self.to_json())


def pretty_json(document: Mapping[str, Any]) -> bytes:
    """``manifest.json`` as `evidence pack` writes it (indented, keys in the manifest's order)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """The canonical form of a manifest, the bytes a signature covers: sorted keys, compact, UTF-8.

    Example:
        >>> canonical_json({"verdict": "ready", "created_at": "2027-04-06T09:00:00+00:00"})
        b'{"created_at":"2027-04-06T09:00:00+00:00","verdict":"ready"}'
    """
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_document(data: bytes) -> dict[str, Any]:
    """``manifest.json`` parsed, as a JSON object; a manifest nested too deeply to parse is a ManifestError."""
    try:
        document = json.loads(data.decode("utf-8"))
        if isinstance(document, dict):
            canonical_json(document)  # what a signature check will do: fail here, as a usage error
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"{MANIFEST_NAME} is not JSON: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{MANIFEST_NAME} is nested too deeply to be a manifest (received a JSON document "
                            "deeper than Python can parse; expected the flat manifest `evidence pack` writes)"
                            ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ManifestError(f"{MANIFEST_NAME} is not an ocp-conformance evidence manifest (expected "
                            f"\"format\": \"{FORMAT}\")")
    return document


def parse_manifest(data: bytes) -> tuple[Manifest, str]:
    """The manifest and the ``files_sha256`` it records (to compare with :attr:`Manifest.files_sha256`)."""
    document = load_document(data)
    try:
        files = tuple(FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in document["files"])
        manifest = Manifest(str(document["harness_version"]), str(document["created_at"]), dict(document["target"]),
                            str(document["verdict"]), dict(document["contracts"]), files)
        recorded = str(document["files_sha256"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"{MANIFEST_NAME} lacks a field or has one of the wrong type: {exc!r}") from None
    return manifest, recorded

