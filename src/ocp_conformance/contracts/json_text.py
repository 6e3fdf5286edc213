"""Strict JSON text: what the contract's ``application/json`` means, checked before a body is parsed or validated.

Python's ``json`` module is lenient where a hostile client counts on it: it guesses UTF-16/32 from bytes, accepts
``NaN`` and ``Infinity``, decodes a lone surrogate escape (``"\\ud800"``) into a string no UTF-8 encoder can
write back, and recurses once per nesting level (10,000 levels raise ``RecursionError``). A body that passes
:func:`parse_json_text` is I-JSON (RFC 7493): UTF-8 without a byte-order mark, finite numbers, valid Unicode
strings, nesting at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

__all__ = ["MAX_DEPTH", "JsonTextError", "is_json_media_type", "parse_json_text", "unicode_problem"]

MAX_DEPTH: Final = 64
"""Nesting levels of arrays and objects accepted; the contract's bodies use fewer than 5."""

_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_JSON_MEDIA_TYPE: Final = re.compile(r"application/(?:[A-Za-z0-9!#$&^_.-]+\+)?json", re.ASCII)


class JsonTextError(ValueError):
    """The body is not strict JSON text; the message says what was received and what is expected, ``pointer``
    where (a JSON pointer into the body, "" for the whole body)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/<x>+json``, with no charset other than UTF-8."""
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if not _JSON_MEDIA_TYPE.fullmatch(media_type.lower()):
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def parse_json_text(raw: bytes) -> Any:
    """The JSON value of ``raw``, or :class:`JsonTextError`."""
    if raw.startswith(_BOMS):
        raise JsonTextError("received a body that starts with a byte-order mark; expected UTF-8 JSON without one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonTextError(f"received bytes that are not UTF-8 (at byte {exc.start}: "
                            f"{raw[exc.start:exc.start + 4]!r}); expected UTF-8 JSON") from None
    depth = _nesting(text)
    if depth > MAX_DEPTH:
        raise JsonTextError(f"received JSON nested {depth} levels deep; expected at most {MAX_DEPTH}")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:  # includes json.JSONDecodeError and numbers beyond Python's digit limit
        raise JsonTextError(f"not valid JSON: {exc}") from None
    pointer = _lone_surrogate(value)
    if pointer is not None:
        raise JsonTextError(_SURROGATE_REASON, pointer)
    return value


def unicode_problem(value: Any) -> str | None:
    """``"<pointer>: <reason>"`` if ``value`` holds a lone surrogate (which no UTF-8 encoder can write), or None."""
    pointer = _lone_surrogate(value)
    return None if pointer is None else f"{pointer or '/'}: {_SURROGATE_REASON}"


_SURROGATE_REASON: Final = ("received a lone surrogate (a \\ud800-\\udfff escape not in a pair); expected valid "
                            "Unicode text")


def _lone_surrogate(value: Any) -> str | None:
    """The JSON pointer of the first string (or property name) in ``value`` with a lone surrogate, or None."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return pointer
        elif isinstance(node, dict):
            for key, item in node.items():
                child = pointer + "/" + str(key).replace("~", "~0").replace("/", "~1")
                if _SURROGATE.search(str(key)):
                    return child
                stack.append((child, item))
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(node))
    return None


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text``, brackets inside strings ignored (no recursion)."""
    if "[" not in text and "{" not in text:
        return 0
    deepest = depth = 0
    for token in _STRUCTURE.finditer(text):
        char = token.group()
        if char == "[" or char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]" or char == "}":
            depth -= 1
    return deepest


_STRUCTURE: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
"""Strings (skipped) and brackets: what :func:`_nesting` counts."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"received {name}; expected a finite number (JSON has no NaN or Infinity)")
