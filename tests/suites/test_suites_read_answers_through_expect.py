"""issue 15 item 1: suites read a target's answer through ``Exchange.expect`` / ``BoundExchange.expect`` (status
and contract checked first, a wrong answer blamed on a function), never by indexing ``.body`` or ``.json()``."""

from __future__ import annotations

import re
from pathlib import Path

SUITES = Path(__file__).resolve().parents[2] / "suites"
RAW_READ = re.compile(r"\.body\s*\[|\.json\(\)\s*\[")


def test_no_suite_indexes_a_raw_body() -> None:
    raw = [f"{path.name}:{number}: {line.strip()}"
           for path in sorted(SUITES.glob("*.py"))
           for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if RAW_READ.search(line)]
    assert not raw, "read these through .expect(status, blame=...) instead:\n" + "\n".join(raw)
