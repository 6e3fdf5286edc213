"""The "Client conformance" section of ``readiness.md``: a link to consumer mode's report in the same folder.

Both writers call :func:`link_client_conformance`: ``ocp-conformance record`` after it writes its report, and
:func:`~ocp_conformance.reporting.report_files.write_report` (and ``write_readiness``) after it rewrites
``readiness.md``, so the link survives whichever of ``run`` and ``record`` writes the folder last.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["CLIENT_CONFORMANCE_JSON", "CLIENT_CONFORMANCE_MD", "link_client_conformance"]

CLIENT_CONFORMANCE_JSON = "client-conformance.json"
CLIENT_CONFORMANCE_MD = "client-conformance.md"
_SECTION = "## Client conformance (consumer mode)"


def link_client_conformance(report_dir: Path) -> bool:
    """Add (or replace) the section in ``readiness.md`` if both it and the client report exist; True if done."""
    readiness, client = report_dir / "readiness.md", report_dir / CLIENT_CONFORMANCE_JSON
    if not readiness.is_file() or not client.is_file():
        return False
    try:
        verdict = str(json.loads(client.read_text(encoding="utf-8")).get("verdict", "unknown")).upper()
    except (OSError, ValueError, AttributeError):
        verdict = "UNREADABLE"
    text = readiness.read_text(encoding="utf-8").split("\n" + _SECTION + "\n")[0].rstrip("\n") + "\n"
    readiness.write_text(f"{text}\n{_SECTION}\n\n**{verdict}**: the participant's client, recorded by "
                         f"`ocp-conformance record`; see [{CLIENT_CONFORMANCE_MD}]({CLIENT_CONFORMANCE_MD}).\n",
                         encoding="utf-8")
    return True
