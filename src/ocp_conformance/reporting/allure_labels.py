"""Allure metadata: behaviour labels per catalogue entry, ``environment.properties`` and ``categories.json``.

Labels follow DESIGN.md §7: epic = service (API Services, GCP Services, RAP Upload), feature = group,
story = the function's exact catalogue name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ocp_conformance.contracts.catalogue import CatalogueEntry

__all__ = [
    "CATEGORIES",
    "CONTRACT_VIOLATION_PREFIX",
    "labels_for",
    "properties_escape",
    "write_categories",
    "write_environment",
]

#: Failure messages of contract checks start with this; the "Contract violations" category keys on it.
CONTRACT_VIOLATION_PREFIX = "Contract violation"

# Allure 2 matches with Java's String.matches (whole message, `.` stops at newlines) and Allure 3 with
# JavaScript regular expressions; `[\s\S]*` spans multi-line messages in both, where `.*` would not.
_ANY = r"[\s\S]*"

#: The defect categories written to ``categories.json``; Allure tries them in order, first match wins.
CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "name": "Contract violations",
        "messageRegex": f"{_ANY}{CONTRACT_VIOLATION_PREFIX}{_ANY}",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Business-rule failures",
        "messageRegex": f"{_ANY}Business rule{_ANY}",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Connectivity",
        "messageRegex": f"{_ANY}(ConnectError|ConnectTimeout|ReadTimeout|ReadError|RemoteProtocolError|"
                        f"Connection refused|ResponseTooLarge|ResponseTooSlow|TargetGaveUp){_ANY}",
        "matchedStatuses": ["failed", "broken"],
    },
    {
        "name": "Harness errors",
        "matchedStatuses": ["broken"],
    },
)


def labels_for(entry: CatalogueEntry) -> dict[str, str]:
    """The Allure behaviour labels of a test covering ``entry``.

    Example:
        >>> from ocp_conformance.contracts import load_contracts
        >>> labels_for(load_contracts().catalogue.entry("Input SI"))
        {'epic': 'API Services', 'feature': 'Maintain SI', 'story': 'Input SI'}
    """
    return {"epic": entry.service, "feature": entry.group, "story": entry.name}


def write_environment(results_dir: Path, properties: Mapping[str, str]) -> Path:
    """Write Allure's ``environment.properties`` (target, participant, contract version, …).

    Keys and values are escaped as ``java.util.Properties.store`` does, so Allure reads them back exactly;
    the file is ASCII (other characters as ``\\uXXXX``). Pass values already redacted.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "environment.properties"
    lines = [
        f"{properties_escape(key, is_key=True)}={properties_escape(value, is_key=False)}"
        for key, value in properties.items()
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="ascii")
    return path


def write_categories(results_dir: Path) -> Path:
    """Write Allure's ``categories.json`` with :data:`CATEGORIES`."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "categories.json"
    path.write_text(json.dumps(list(CATEGORIES), indent=2) + "\n", encoding="utf-8")
    return path


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f",
            "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!"}


def properties_escape(text: str, *, is_key: bool) -> str:
    """Escape ``text`` for a Java ``.properties`` line, like ``Properties.store``.

    Spaces are escaped everywhere in a key and only at the start of a value; characters outside
    printable ASCII become ``\\uXXXX`` (UTF-16 code units, so astral characters take two).

    Example:
        >>> properties_escape("contract version", is_key=True), properties_escape(" a=b", is_key=False)
        ('contract\\\\ version', '\\\\ a\\\\=b')
    """
    out: list[str] = []
    for index, char in enumerate(text):
        if char == " ":
            out.append("\\ " if is_key or index == 0 else " ")
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif " " < char <= "~":
            out.append(char)
        else:
            encoded = char.encode("utf-16-be")
            out.extend(f"\\u{int.from_bytes(encoded[i:i + 2], 'big'):04X}" for i in range(0, len(encoded), 2))
    return "".join(out)
