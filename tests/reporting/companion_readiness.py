"""A minimal readiness report (the three files ``run`` writes) for tests of the companion sections."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["readiness_stub"]


def readiness_stub(folder: Path) -> None:
    """Write a ``readiness.md``, ``.html`` and ``.json`` of a READY run into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "readiness.md").write_text("# Readiness\n\n**READY**\n", encoding="utf-8")
    (folder / "readiness.html").write_text("<html><body><main><h1>Readiness</h1></main></body></html>\n",
                                           encoding="utf-8")
    (folder / "readiness.json").write_text(json.dumps({"verdict": "ready"}) + "\n", encoding="utf-8")
