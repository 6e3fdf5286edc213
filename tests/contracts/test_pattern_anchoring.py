"""JSON Schema ``pattern`` as ECMA-262 means it (issue 16, item 9): ``$`` matches only at the very end, in the
simulator's request validation and the client's checks alike (both use contracts.validation)."""

from __future__ import annotations

import pytest
from referencing import Registry

from ocp_conformance.contracts.validation import _validator


@pytest.mark.parametrize(("pattern", "value", "valid"), [
    ("^[A-Z0-9]{1,16}$", "REF1", True),
    ("^[A-Z0-9]{1,16}$", "REF1\n", False),
    ("^[0-9]{5}$", "00005\n", False),
    ("^a[$]$", "a$", True),  # a $ inside a class is a literal
    ("^a\\$$", "a$", True),  # so is an escaped one
    ("^a\\$$", "a$\n", False),
    ("^(ATI|STI)[0-9]{10}$", "ATI0000000001", True),
    ("[0-9]", "x1x", True),  # unanchored patterns still search
])
def test_dollar_matches_only_at_the_very_end(pattern: str, value: str, valid: bool) -> None:
    validator = _validator({"type": "string", "pattern": pattern}, Registry(), "urn:test")
    assert validator.is_valid(value) is valid
