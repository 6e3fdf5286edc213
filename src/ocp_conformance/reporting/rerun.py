"""``run --rerun-failed``: which entries the last run of a report folder failed, from its ``readiness.json``."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["RerunError", "failed_in_last_run"]


class RerunError(ValueError):
    """There is nothing to rerun: no readiness.json, an unreadable one, or no failed entry; says the fix."""


def failed_in_last_run(report_dir: Path) -> list[str]:
    """The catalogue names of the entries whose status is ``fail`` in ``report_dir/readiness.json``.

    Raises:
        RerunError: the file is missing or is not a readiness report, or no entry failed.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "readiness.json").write_text('{"entries": [{"name": "Input SI", "status": "fail"}, '
        ...                                            '{"name": "Cancel SI", "status": "pass"}]}')
        >>> failed_in_last_run(folder)
        ['Input SI']
    """
    path = report_dir / "readiness.json"
    if not path.is_file():
        raise RerunError(f"--rerun-failed: {path} does not exist, so there is no last run to take the failed entries "
                         "from; run once without --rerun-failed (with the same --report folder) first")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["entries"]
        failed = [str(entry["name"]) for entry in entries if entry.get("status") == "fail"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RerunError(f"--rerun-failed: {path} is not a readiness report written by `ocp-conformance run` "
                         f"({type(exc).__name__}: {exc}); expected an object with entries[].name and .status. "
                         "Run once without --rerun-failed to write a new one") from None
    if not failed:
        verdict = document.get("verdict", "unknown") if isinstance(document, dict) else "unknown"
        raise RerunError(f"--rerun-failed: no entry failed in the last run ({path}, verdict {verdict}), so there is "
                         "nothing to rerun; run without --rerun-failed for a full run")
    return failed
