"""Scrub secret values out of the files a run has written (JUnit XML, Allure results, the report folder).

Exchanges, attachments, failure reports (the plugin redacts each test report's ``longrepr`` and Allure's status
details as they are made) and readiness messages are redacted at the point the text is made. This is the safety
net behind them: :func:`scrub_files` runs the run's :class:`Redactor` over every file under the given folders
once they are written, in every encoding it knows (see :mod:`~ocp_conformance.reporting.secret_forms`), and inside
gzip members, so no secret value stays in any report file.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from pathlib import Path

from ocp_conformance.reporting.redaction import Redactor

__all__ = ["MAX_SCRUBBED_INFLATED_BYTES", "scrub_files"]

#: A gzip member that inflates to more than this is left as is; the evidence scan refuses to pack it.
MAX_SCRUBBED_INFLATED_BYTES = 256 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def scrub_files(paths: Iterable[Path], redactor: Redactor) -> list[Path]:
    """Redact every file at or under ``paths`` in place; returns the files that held a secret.

    UTF-8 text is redacted as text; other files byte form by byte form (a UTF-16 secret gets a UTF-16 marker);
    a gzip file is inflated (up to :data:`MAX_SCRUBBED_INFLATED_BYTES`), redacted and compressed again.
    Symbolic links are not followed: the run wrote none, and a link may point outside the report.
    """
    changed: list[Path] = []
    if redactor.secret_count == 0:
        return changed
    for root in paths:
        if root.is_symlink():
            continue
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for path in files:
            if path.is_symlink():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            redacted = _redact_gzip(data, redactor) if data.startswith(_GZIP_MAGIC) else redactor.redact_bytes(data)
            if redacted is not None and redacted != data:
                path.write_bytes(redacted)
                changed.append(path)
    return changed


def _redact_gzip(data: bytes, redactor: Redactor) -> bytes | None:
    """The gzip file re-compressed with its content redacted; None (left for the evidence scan to refuse) if it
    inflates too far or holds more than one member."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        inner = inflater.decompress(data, MAX_SCRUBBED_INFLATED_BYTES + 1)
    except zlib.error:
        return redactor.redact_bytes(data)
    if len(inner) > MAX_SCRUBBED_INFLATED_BYTES or inflater.unconsumed_tail or inflater.unused_data:
        return None
    redacted = redactor.redact_bytes(inner)
    return data if redacted == inner else gzip.compress(redacted, mtime=0)
