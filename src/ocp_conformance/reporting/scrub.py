"""Scrub secret values out of the files a run has written (JUnit XML, Allure results, the report folder).

Exchanges, attachments and readiness messages are redacted as they are written. Two writers are not ours: pytest's
JUnit XML and allure-pytest's result files quote a failed test's message and traceback, which may quote a response
body in which the target echoed a secret. :func:`scrub_files` runs the run's :class:`Redactor` over every text file
under the given folders once they are written, so no secret value stays in any report file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ocp_conformance.reporting.redaction import Redactor

__all__ = ["scrub_files"]


def scrub_files(paths: Iterable[Path], redactor: Redactor) -> list[Path]:
    """Redact every UTF-8 text file at or under ``paths`` in place; returns the files that held a secret.

    Files that are not UTF-8 text (screenshots, archives) are left alone: the harness writes no secret into them.
    """
    changed: list[Path] = []
    if redactor.secret_count == 0:
        return changed
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            redacted = redactor.redact_text(text)
            if redacted != text:
                path.write_text(redacted, encoding="utf-8")
                changed.append(path)
    return changed
