"""The secret scan run before packing: configured secret values in every common encoding, and common token
shapes, file by file; compressed files (gzip, zip) are scanned inside, or refused when they cannot be.

A hit names the file, the line and *what kind* of secret it is (``<secret OCP_TOKEN_B01234>``,
``<secret OCP_TOKEN_B01234, base64>``, ``<token shape: JWT>``), never the value. The harness's own redaction marker
(``[REDACTED]``) and placeholders such as ``<token of B01234>`` do not match any shape.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ocp_conformance.reporting.redaction import MIN_SECRET_LENGTH
from ocp_conformance.reporting.secret_forms import secret_forms

__all__ = ["MAX_INFLATED_SCAN_BYTES", "TOKEN_SHAPES", "SecretHit", "scan_bytes", "scan_files"]

#: name -> pattern of a credential that should never be in a report, whoever configured it.
TOKEN_SHAPES: dict[str, re.Pattern[bytes]] = {
    "bearer token": re.compile(rb"\bBearer\s+[A-Za-z0-9\-._~+/]{20,}=*"),
    "JWT": re.compile(rb"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    "private key": re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(rb"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(rb"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}\b"),
    "URL with credentials": re.compile(rb"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"'<>]+:[^\s/@\"'<>\[\]*]+@"),
}
#: A compressed file whose content inflates to more than this (in all) is refused, not scanned.
MAX_INFLATED_SCAN_BYTES = 256 * 1024 * 1024
_NESTING = 3
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True, order=True)
class SecretHit:
    """A secret found at ``path``:``line``; ``what`` is the masked form, safe to print."""

    path: str
    line: int
    what: str

    def render(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


class _Unscannable(Exception):
    """A compressed file that cannot be inflated within the limits."""


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def scan_bytes(path: str, data: bytes, secrets: Mapping[str, str]) -> list[SecretHit]:
    """Every hit in one file: each configured secret (``label -> value``) in each of its encodings and each
    token shape, at most one hit per kind and line. A gzip or zip file is scanned inside (hits at
    ``file.gz!`` / ``file.zip!member``); one that cannot be inflated within :data:`MAX_INFLATED_SCAN_BYTES`
    is a hit itself: it is refused, since what it holds is unknown."""
    return sorted(_scan(path, data, secrets, _NESTING))


def _scan(path: str, data: bytes, secrets: Mapping[str, str], nesting: int) -> set[SecretHit]:
    hits: set[SecretHit] = set()
    if data.startswith((_GZIP_MAGIC, _ZIP_MAGIC)):
        try:
            if nesting <= 0:
                raise _Unscannable("compressed inside compressed inside compressed")
            members = _inflate_gzip(path, data) if data.startswith(_GZIP_MAGIC) else _inflate_zip(path, data)
        except _Unscannable as exc:
            return {SecretHit(path, 1, f"<compressed file not scanned, so refused: {exc}>")}
        for name, inner in members:
            hits |= _scan(name, inner, secrets, nesting - 1)
    for label, value in secrets.items():
        if len(value) < MIN_SECRET_LENGTH:
            continue
        for form in secret_forms(value):
            kind = f"<secret {label}>" if form.encoding == "raw" else f"<secret {label}, {form.encoding}>"
            start = data.find(form.data)
            while start != -1:
                hits.add(SecretHit(path, _line_of(data, start), kind))
                start = data.find(form.data, start + 1)
    for shape, pattern in TOKEN_SHAPES.items():
        for match in pattern.finditer(data):
            hits.add(SecretHit(path, _line_of(data, match.start()), f"<token shape: {shape}>"))
    return hits


def _inflate_gzip(path: str, data: bytes) -> list[tuple[str, bytes]]:
    """Every member of a gzip file, inflated, as one content (``path!``)."""
    out, budget, rest = bytearray(), MAX_INFLATED_SCAN_BYTES, data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        try:
            chunk = inflater.decompress(rest, budget + 1)
        except zlib.error as exc:
            raise _Unscannable(f"not valid gzip ({exc})") from None
        if len(chunk) > budget or inflater.unconsumed_tail:
            raise _Unscannable(f"inflates beyond {MAX_INFLATED_SCAN_BYTES} bytes")
        if not inflater.eof:
            raise _Unscannable("a truncated gzip member")
        out += chunk
        budget -= len(chunk)
        rest = inflater.unused_data
    return [(f"{path}!", bytes(out))]


def _inflate_zip(path: str, data: bytes) -> list[tuple[str, bytes]]:
    """Every member of a zip file, inflated (``path!member``), within one budget for all."""
    members, budget = [], MAX_INFLATED_SCAN_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.file_size > budget:
                    raise _Unscannable(f"inflates beyond {MAX_INFLATED_SCAN_BYTES} bytes")
                with archive.open(info) as stream:
                    inner = stream.read(budget + 1)
                if len(inner) > budget:
                    raise _Unscannable(f"inflates beyond {MAX_INFLATED_SCAN_BYTES} bytes")
                budget -= len(inner)
                members.append((f"{path}!{info.filename}", inner))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            zlib.error) as exc:
        raise _Unscannable(f"not a readable zip ({exc})") from None
    return members


def scan_files(files: Iterable[tuple[str, bytes]], secrets: Mapping[str, str]) -> list[SecretHit]:
    """Scan ``(path, content)`` pairs; hits in path order."""
    return sorted(hit for path, data in files for hit in scan_bytes(path, data, secrets))
