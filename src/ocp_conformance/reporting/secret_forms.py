"""Every common way a secret value is written down: raw, base64/base64url (at each alignment inside a longer
base64 string), hex, URL-encoded, JSON ``\\u``-escaped and UTF-16. Built once per secret, used by the redactor
(the text forms) and by the evidence pack's secret scan (the byte forms).

Why the alignments: a token inside a larger encoded blob (``base64("Bearer " + token)``, a basic-auth header, a
JWT payload) is not ``base64(token)``; its encoding depends on where the token starts modulo 3. For each offset
the characters that depend on the token's bytes alone are the same whatever surrounds it, so those are the form.

Example:
    >>> forms = {f.encoding: f.data for f in secret_forms("s3cr3t-token")}
    >>> forms["raw"], forms["hex"], forms["base64"]
    (b's3cr3t-token', b'7333637233742d746f6b656e', b'czNjcjN0LXRva2Vu')
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, quote_plus

__all__ = ["MIN_FORM_LENGTH", "SecretForm", "secret_forms", "text_forms"]

#: Encoded forms shorter than this are not kept: a 5-character base64 fragment would match ordinary text.
MIN_FORM_LENGTH = 8
_ESCAPE = re.compile(r"%[0-9A-F]{2}")


@dataclass(frozen=True, slots=True)
class SecretForm:
    """One encoding of a secret: its bytes as they would appear in a file, and what encoding it is."""

    encoding: str
    data: bytes
    marker_codec: str = "utf-8"
    """How to encode a replacement marker written in its place (UTF-16 forms take a UTF-16 marker)."""


def _base64_cores(raw: bytes) -> list[tuple[str, str]]:
    """``(label, core)`` per alignment: the base64 characters that depend only on ``raw`` when it starts at
    byte offset 0, 1 or 2 of a 3-byte group inside a longer string."""
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
        # Character i holds bits [6i, 6i+6); keep those inside the secret's bits [8*offset, 8*(offset+len)).
        first = -(-8 * offset // 6)
        last = (8 * (offset + len(raw))) // 6
        label = "base64" if offset == 0 else f"base64 (offset {offset})"
        cores.append((label, encoded[first:last]))
    return cores


def _json_escaped(value: str) -> set[str]:
    every = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else _surrogates(c) for c in value)
    minimal = value.replace("\\", "\\\\").replace('"', '\\"')
    non_ascii = "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04x}" for c in minimal)
    return {every, every.upper().replace("\\U", "\\u"), minimal.replace("/", "\\/"), non_ascii}


def _surrogates(char: str) -> str:
    code = ord(char) - 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


@lru_cache(maxsize=256)
def secret_forms(value: str) -> tuple[SecretForm, ...]:
    """Every form of ``value`` (raw first), each at least :data:`MIN_FORM_LENGTH` long but the raw one."""
    raw = value.encode("utf-8")
    forms: dict[bytes, SecretForm] = {raw: SecretForm("raw", raw)}

    def add(encoding: str, text: str) -> None:
        data = text.encode("utf-8")
        if len(data) >= MIN_FORM_LENGTH and data not in forms:
            forms[data] = SecretForm(encoding, data)

    for label, core in _base64_cores(raw):
        add(label, core)
        add(label.replace("base64", "base64url"), core.replace("+", "-").replace("/", "_"))
    hexed = binascii.hexlify(raw).decode("ascii")
    add("hex", hexed)
    add("hex (upper case)", hexed.upper())
    quoted = quote(value, safe="")
    add("URL-encoded", quoted)
    add("URL-encoded (lower-case escapes)", _ESCAPE.sub(lambda m: m.group(0).lower(), quoted))
    add("URL-encoded (form)", quote_plus(value, safe=""))
    for escaped in sorted(_json_escaped(value)):
        add("JSON-escaped", escaped)
    for codec in ("utf-16-le", "utf-16-be"):
        data = value.encode(codec)
        if data not in forms:
            forms[data] = SecretForm(codec.upper(), data, codec)
    return tuple(forms.values())


def text_forms(value: str) -> tuple[str, ...]:
    """The forms of ``value`` that can stand in a UTF-8 text (all but UTF-16 of non-ASCII values)."""
    texts = []
    for form in secret_forms(value):
        try:
            texts.append(form.data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return tuple(texts)
