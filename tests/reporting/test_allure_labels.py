"""Allure metadata: labels per catalogue entry, environment.properties escaping, categories.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocp_conformance.contracts import Catalogue
from ocp_conformance.reporting import CATEGORIES, labels_for, write_categories, write_environment
from ocp_conformance.reporting.allure_labels import properties_escape


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Input SI", {"epic": "API Services", "feature": "Maintain SI", "story": "Input SI"}),
        ("Stock List", {"epic": "GCP Services", "feature": "Reference Data", "story": "Stock List"}),
        (
            "Voting",
            {"epic": "RAP Upload", "feature": "Corporate Action Instructions Upload", "story": "Voting"},
        ),
    ],
)
def test_labels(catalogue: Catalogue, name: str, expected: dict[str, str]) -> None:
    assert labels_for(catalogue.entry(name)) == expected


def _load_properties(text: str) -> dict[str, str]:
    """Just enough of java.util.Properties.load for lines that Properties.store would write."""
    result: dict[str, str] = {}
    for line in text.splitlines():
        key, current, i, in_key = "", list[str](), 0, True
        while i < len(line):
            char = line[i]
            if char == "\\":
                nxt = line[i + 1]
                if nxt == "u":
                    current.append(chr(int(line[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                current.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(nxt, nxt))
                i += 2
                continue
            if char == "=" and in_key:
                key, current, in_key = "".join(current), [], False
            else:
                current.append(char)
            i += 1
        result[_join_surrogates(key)] = _join_surrogates("".join(current))
    return result


def _join_surrogates(text: str) -> str:
    """Surrogate pairs written as two \\u escapes become one character again, as in Java's UTF-16 strings."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


def test_write_environment(tmp_path: Path) -> None:
    props = {
        "target": "https://portal.example:8443/ocp",
        "contract version": "ocp-api 0.1.0",
        "participant": "B01",
    }
    path = write_environment(tmp_path / "allure-results", props)
    assert path.name == "environment.properties"
    text = path.read_text(encoding="ascii")
    assert "target=https\\://portal.example\\:8443/ocp\n" in text
    assert "contract\\ version=ocp-api 0.1.0\n" in text
    assert _load_properties(text) == props


@given(st.dictionaries(st.text(min_size=1, max_size=15), st.text(max_size=30), max_size=5))
def test_environment_round_trips(props: dict[str, str]) -> None:
    lines = [
        f"{properties_escape(k, is_key=True)}={properties_escape(v, is_key=False)}" for k, v in props.items()
    ]
    text = "\n".join(lines)
    assert text.isascii()
    assert _load_properties(text) == props


def test_write_categories(tmp_path: Path) -> None:
    path = write_categories(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [c["name"] for c in data] == [
        "Contract violations",
        "Business-rule failures",
        "Connectivity",
        "Harness errors",
    ]
    assert data == list(CATEGORIES)
    assert data[-1] == {"name": "Harness errors", "matchedStatuses": ["broken"]}


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("Contract violation: response lacks siId\nReceived: {}", "Contract violations"),
        ("Business rule: a matched SI cannot be cancelled", "Business-rule failures"),
        ("httpx.ConnectError: [Errno 111] Connection refused", "Connectivity"),
        ("ReadTimeout", "Connectivity"),
    ],
)
def test_category_regexes_match_whole_multiline_messages(message: str, category: str) -> None:
    # Allure matches the whole message (Java String.matches), so test with fullmatch.
    matched = [
        c["name"] for c in CATEGORIES if "messageRegex" in c and re.fullmatch(c["messageRegex"], message)
    ]
    assert matched[:1] == [category]
