"""Links between the readiness report and Allure: each test's Allure detail, and each test's contract operation.

The plugin labels every covered test with its pytest node id (:data:`NODE_ID_LABEL`), so a readiness row can
find the test's Allure result; Allure 3 names a result in its HTML report by the MD5 of the result's uuid and
routes to it by the URL fragment (``allure-report/index.html#<id>``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ocp_conformance.contracts import ApiDocument

__all__ = ["NODE_ID_LABEL", "allure_detail_links", "operation_link"]

#: The Allure label holding the test's pytest node id (hidden in the HTML report).
NODE_ID_LABEL = "ocp.test"


def allure_detail_links(results_dir: Path, report_href: str = "allure-report/index.html") -> dict[str, str]:
    """Per pytest node id, the href of its latest result in the Allure HTML report built from ``results_dir``.

    Unreadable result files are skipped: a missing link is a lesser evil than a crashed report.
    """
    latest: dict[str, tuple[int, str]] = {}
    for path in results_dir.glob("*-result.json") if results_dir.is_dir() else []:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        node_id = next((label.get("value") for label in data.get("labels", [])
                        if isinstance(label, dict) and label.get("name") == NODE_ID_LABEL), None)
        uuid = data.get("uuid")
        if not isinstance(node_id, str) or not isinstance(uuid, str):
            continue
        stop = int(data.get("stop") or 0)
        if node_id not in latest or stop >= latest[node_id][0]:
            latest[node_id] = (stop, uuid)
    return {node_id: f"{report_href}#{hashlib.md5(uuid.encode(), usedforsecurity=False).hexdigest()}"
            for node_id, (_, uuid) in latest.items()}


def operation_link(document: ApiDocument, operation_id: str) -> tuple[str, str]:
    """``(name, url)`` of an Allure link to ``operation_id`` in its contract file.

    The URL is the contract file with the operation's JSON pointer as fragment; the name gives the file and line.
    """
    operation = document.operations[operation_id]
    pointer = "/paths/" + operation.path.replace("~", "~0").replace("/", "~1") + "/" + operation.method
    where = document.source.locate(("paths", operation.path, operation.method))
    name = f"contract: {operation_id} ({operation.method.upper()} {operation.path}) {where.path.name}:{where.line}"
    return name, document.path.resolve().as_uri() + "#" + quote(pointer, safe="/~")
