"""The secret scan run before packing: configured secret values and common token shapes, file by file.

A hit names the file, the line and *what kind* of secret it is (``<secret OCP_TOKEN_B01234>``,
``<token shape: JWT>``), never the value. The harness's own redaction marker (``[REDACTED]``) and placeholders
such as ``<token of B01234>`` do not match any shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from ocp_conformance.reporting.redaction import MIN_SECRET_LENGTH

__all__ = ["TOKEN_SHAPES", "SecretHit", "scan_bytes", "scan_files"]

#: name -> pattern of a credential that should never be in a report, whoever configured it.
TOKEN_SHAPES: dict[str, re.Pattern[bytes]] = {
    "bearer token": re.compile(rb"\bBearer\s+[A-Za-z0-9\-._~+/]{20,}=*"),
    "JWT": re.compile(rb"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    "private key": re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(rb"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(rb"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}\b"),
    "URL with credentials": re.compile(rb"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"'<>]+:[^\s/@\"'<>\[\]*]+@"),
}


@dataclass(frozen=True, slots=True, order=True)
class SecretHit:
    """A secret found at ``path``:``line``; ``what`` is the masked form, safe to print."""

    path: str
    line: int
    what: str

    def render(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _forms(value: str) -> set[bytes]:
    """The ways a value is written in a report: as is, URL-encoded, JSON-escaped."""
    forms = {value.encode("utf-8"), quote(value, safe="").encode("ascii")}
    forms.add(value.replace("\\", "\\\\").replace('"', '\\"').replace("/", "\\/").encode("utf-8"))
    return forms


def scan_bytes(path: str, data: bytes, secrets: Mapping[str, str]) -> list[SecretHit]:
    """Every hit in one file: each configured secret (``label -> value``) and each token shape, at most one hit
    per kind and line."""
    hits: set[SecretHit] = set()
    for label, value in secrets.items():
        if len(value) < MIN_SECRET_LENGTH:
            continue
        for form in _forms(value):
            start = data.find(form)
            while start != -1:
                hits.add(SecretHit(path, _line_of(data, start), f"<secret {label}>"))
                start = data.find(form, start + 1)
    for shape, pattern in TOKEN_SHAPES.items():
        for match in pattern.finditer(data):
            hits.add(SecretHit(path, _line_of(data, match.start()), f"<token shape: {shape}>"))
    return sorted(hits)


def scan_files(files: Iterable[tuple[str, bytes]], secrets: Mapping[str, str]) -> list[SecretHit]:
    """Scan ``(path, content)`` pairs; hits in path order."""
    return sorted(hit for path, data in files for hit in scan_bytes(path, data, secrets))
