"""Redaction of secrets from anything a report keeps: exchanges, messages, attachments.

Two layers: header names that always carry credentials lose their values whatever they are, and every
configured secret value is replaced wherever it appears in text, in any of its common encodings
(:mod:`~ocp_conformance.reporting.secret_forms`: base64, hex, URL-encoded, JSON-escaped...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ocp_conformance.reporting.secret_forms import secret_forms, text_forms

__all__ = ["MIN_SECRET_LENGTH", "REDACTED", "SENSITIVE_HEADERS", "Redactor", "is_sensitive_header"]

REDACTED = "[REDACTED]"
#: Shorter values are ignored: redacting "1" or "abc" everywhere would destroy the report and protect nothing.
MIN_SECRET_LENGTH = 4
#: Header names (lower case) whose values are always redacted.
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
_SENSITIVE_PARTS = ("token", "secret", "key", "password", "cert")
_HARMLESS_PARTS = ("idempotency-key",)


class Redactor:
    """Replaces configured secret values and credential headers with ``[REDACTED]``.

    Example:
        >>> r = Redactor(["s3cr3t-token"])
        >>> r.redact_text("curl -H 'Authorization: Bearer s3cr3t-token'")
        "curl -H 'Authorization: Bearer [REDACTED]'"
        >>> r.redact_headers({"Authorization": "Bearer x", "Accept": "s3cr3t-token"})
        {'Authorization': '[REDACTED]', 'Accept': '[REDACTED]'}
    """

    __slots__ = ("_byte_forms", "_count", "_kept", "_secrets")

    def __init__(self, secrets: Iterable[str]) -> None:
        self._use(secrets)

    def add(self, secret: str) -> None:
        """Redact ``secret`` too from now on: a credential the run obtains from the target as it goes."""
        if secret and secret not in self._kept:
            self._use(self._kept | {secret})

    def _use(self, secrets: Iterable[str]) -> None:
        kept = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        inside_marker = sorted(s for s in kept if s in REDACTED)
        if inside_marker:
            # Every redacted text would then still "contain" the secret, and the evidence scan would fail.
            raise ValueError(
                f"cannot redact secret values that are part of the marker {REDACTED!r} "
                f"({len(inside_marker)} such value(s)); choose a different secret"
            )
        self._kept = frozenset(kept)
        self._count = len(kept)
        # Every encoded form too; one that the marker spells could never be removed, so it is dropped.
        forms = {form for secret in kept for form in text_forms(secret) if form not in REDACTED}
        # Longest first, so that a secret containing another is replaced whole.
        self._secrets: tuple[str, ...] = tuple(sorted(forms, key=lambda s: (-len(s), s)))
        byte_forms = {(form.data, REDACTED.encode(form.marker_codec)) for secret in kept
                      for form in secret_forms(secret)}
        self._byte_forms: tuple[tuple[bytes, bytes], ...] = tuple(
            sorted(byte_forms, key=lambda pair: (-len(pair[0]), pair[0])))

    @property
    def secret_count(self) -> int:
        """How many secret values are redacted (after dropping empty and short ones)."""
        return self._count

    def redact_text(self, text: str) -> str:
        """``text`` with every occurrence of every secret, in any of its encoded forms, replaced by ``[REDACTED]``.

        Overlapping or adjacent occurrences become one marker. The result never contains a secret, even
        one that a marker next to ordinary text would spell.
        """
        if not self._secrets:
            return text
        current, markers = text, list[tuple[int, int]]()
        while True:
            spans = self._occurrences(current)
            if not spans:
                return current
            current, markers = _replace(current, spans, markers)

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` without any secret: UTF-8 text goes through :meth:`redact_text`; other bytes (a UTF-16 file,
        a binary attachment) have every byte form replaced by the marker in the form's own encoding."""
        if not self._secrets:
            return data
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return self.redact_text(text).encode("utf-8")
        for form, marker in self._byte_forms:
            data = data.replace(form, marker)
        return data

    def redact_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of ``headers`` with credential headers' values redacted and secrets removed from the rest.

        Names are matched case-insensitively and kept as given. Credential headers are
        ``authorization``, ``proxy-authorization``, ``cookie``, ``set-cookie``, ``x-api-key`` and any name
        containing ``token``, ``secret``, ``key``, ``password`` or ``cert`` (``idempotency-key`` excepted).
        """
        return {
            name: REDACTED if is_sensitive_header(name) else self.redact_text(value)
            for name, value in headers.items()
        }

    def _occurrences(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for secret in self._secrets:
            start = text.find(secret)
            while start != -1:
                spans.append((start, start + len(secret)))
                start = text.find(secret, start + 1)
        return spans


def is_sensitive_header(name: str) -> bool:
    """True if a header called ``name`` carries credentials by its name alone."""
    lowered = name.strip().lower()
    if lowered in SENSITIVE_HEADERS:
        return True
    for harmless in _HARMLESS_PARTS:
        lowered = lowered.replace(harmless, "")
    return any(part in lowered for part in _SENSITIVE_PARTS)


def _replace(
    text: str, spans: list[tuple[int, int]], markers: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """Replace ``spans`` with markers; spans that overlap or touch each other or a marker become one marker.

    Markers therefore never touch each other, so any later match must include an original character
    and every round shrinks the original text: the loop in :meth:`Redactor.redact_text` ends.
    """
    merged: list[list[int]] = []
    for start, end in sorted([*spans, *markers]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    new_markers: list[tuple[int, int]] = []
    cursor = 0
    length = 0
    for start, end in merged:
        out.append(text[cursor:start])
        length += start - cursor
        out.append(REDACTED)
        new_markers.append((length, length + len(REDACTED)))
        length += len(REDACTED)
        cursor = end
    out.append(text[cursor:])
    return "".join(out), new_markers
