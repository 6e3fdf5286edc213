"""One field of a record layout: its JSON Schema, compiled once into a checker, a formatter and a regex fragment.

A layout field says either ``type:`` (string, integer, decimal, date or enum, with length, pattern and range
constraints) or ``schema:`` (any JSON Schema, typically a ``$ref`` to an OCP API component, so a rule is written
once). Either way the field *is* a JSON Schema: the engine's checks are compiled from it and the generated
record schema (:func:`ocp_conformance.rap.layout.detail_schema`) contains it, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ocp_conformance.contracts import SourceError, SourceLocation, YamlDocument, load_yaml

__all__ = ["MAX_DIGITS", "ROLES", "FieldSpec", "SchemaResolver", "field_from_layout"]

MAX_DIGITS = 40
"""Digits an integer field may have: far more than any RAP number (quantities, counts, hash totals), far fewer
than Python's ``int()`` limit (4,300), so a longer value is a FIELD_FORMAT error, never a crash."""

Kind = Literal["string", "integer", "date"]
ROLES = frozenset({"file_type", "participant", "business_date", "sequence", "record_count", "hash_total",
                   "client_reference", "event", "stock_code", "stock_account", "to_account", "quantity"})
# Keywords a field schema may use; anything else would be silently ignored by the engine, so it is refused.
_KEYWORDS = frozenset({"$ref", "type", "pattern", "minLength", "maxLength", "enum", "const", "minimum", "maximum",
                       "format", "description", "examples", "default", "title", "$comment"})
_SHORTHAND = {"name", "role", "required", "type", "pattern", "min_length", "max_length", "minimum", "maximum",
              "values", "digits", "scale", "width", "description", "schema"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _printable_except(delimiter: str) -> str:
    """A regex class of printable ASCII but ``delimiter``: free text in the fast path."""
    code = ord(delimiter)
    if not 0x20 <= code <= 0x7E:
        return r"[\x20-\x7e]"
    return f"[\\x20-\\x{code - 1:02x}\\x{code + 1:02x}-\\x7e]"

FieldCheck = tuple[str, str] | None
"""``None`` when the value is fine, else ``(code, what was expected)``."""


class SchemaResolver:
    """Follows ``$ref``s from layout files into other YAML files (the OCP API components), caching each file."""

    def __init__(self) -> None:
        self._documents: dict[Path, YamlDocument] = {}

    def document(self, path: Path) -> YamlDocument:
        path = path.resolve()
        if path not in self._documents:
            self._documents[path] = load_yaml(path)
        return self._documents[path]

    def resolve(self, ref: str, base: Path, where: SourceLocation) -> tuple[Any, Path, SourceLocation]:
        """The value ``ref`` points at, the file it is in, and its position there."""
        file_part, _, pointer = ref.partition("#")
        target = (base.parent / file_part).resolve() if file_part else base.resolve()
        if not target.is_file():
            raise SourceError(where, f"$ref {ref!r} names {target}, which does not exist",
                              fix="write the path relative to this file")
        doc = self.document(target)
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")] if pointer else []
        node: Any = doc.data
        for part in parts:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SourceError(where, f"$ref {ref!r}: {target.name} has nothing at {pointer!r}",
                                  fix="point at an existing schema, e.g. #/components/schemas/StockCode")
        return node, target, doc.locate(tuple(parts))


@dataclass(frozen=True, slots=True, eq=False)
class FieldSpec:
    """A compiled field: what it accepts, how it is written, and its regex fragment for the fast path."""

    name: str
    schema: Mapping[str, Any]
    """The field's JSON Schema as the layout writes it (``$ref``s kept, relative to the layout file)."""
    kind: Kind
    required: bool
    role: str | None
    width: int | None
    patterns: tuple[re.Pattern[str], ...]
    min_length: int | None
    max_length: int | None
    enum: tuple[str, ...] | None
    minimum: int | None
    maximum: int | None
    examples: tuple[Any, ...]
    location: SourceLocation

    # --- reading -------------------------------------------------------------------------------------------
    def check(self, text: str) -> tuple[Any, FieldCheck]:
        """``(value, None)`` for a good value (``None`` if empty and optional), else ``(None, (code, expected))``."""
        if not text:
            return None, (("FIELD_REQUIRED", "a value") if self.required else None)
        if self.kind == "integer":
            digits = text[1:] if text[0] == "-" else text
            if not (digits.isascii() and digits.isdigit()):
                return None, ("FIELD_FORMAT", "an integer (ASCII digits only)")
            if len(digits) > MAX_DIGITS:  # before int(): Python refuses to convert more than 4,300 digits
                return None, ("FIELD_FORMAT", f"an integer of at most {MAX_DIGITS} digits (received "
                                              f"{len(digits):,} digits)")
            value = int(text)
            if (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                return None, ("FIELD_RANGE", f"an integer {self.range_text()}")
            return value, None
        if self.kind == "date":
            if _DATE.fullmatch(text) is None:
                return None, ("FIELD_DATE", "a date as YYYY-MM-DD")
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return None, ("FIELD_DATE", "a real calendar date as YYYY-MM-DD")
        if self.enum is not None and text not in self.enum:
            return None, ("FIELD_ENUM", "one of " + ", ".join(self.enum))
        if (self.min_length is not None and len(text) < self.min_length) or (
                self.max_length is not None and len(text) > self.max_length):
            return None, ("FIELD_LENGTH", self.length_text())
        for pattern in self.patterns:
            if pattern.search(text) is None:
                example = f" (e.g. {self.examples[0]})" if self.examples else ""
                return None, ("FIELD_FORMAT", f"text matching {pattern.pattern}{example}")
        return text, None

    def range_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"from {self.minimum} to {self.maximum}"
        return f"at least {self.minimum}" if self.minimum is not None else f"at most {self.maximum}"

    def length_text(self) -> str:
        return f"{self.min_length or 0} to {self.max_length if self.max_length is not None else 'any'} characters"

    # --- writing -------------------------------------------------------------------------------------------
    def format(self, value: Any) -> str:
        """The text of ``value`` (``""`` for ``None``); padded to the width in a fixed-width layout."""
        text = "" if value is None else str(value)
        if self.width is None:
            return text
        if len(text) > self.width:
            raise ValueError(f"{self.name}: {text!r} is longer than the field's width {self.width}")
        if self.kind == "integer" and text:
            if text.startswith("-"):
                raise ValueError(f"{self.name}: negative numbers do not fit a zero-padded fixed-width field")
            return text.rjust(self.width, "0")
        return text.ljust(self.width)

    def unpad(self, text: str) -> str:
        """A fixed-width slice back to the value's text: trailing spaces off; an all-space slice is empty."""
        return text.rstrip(" ") if self.kind != "integer" or not text.strip(" ") else text.strip(" ")

    # --- the fast path -------------------------------------------------------------------------------------
    def fragment(self, delimiter: str = ",") -> str | None:
        """A regex (without groups) matching exactly the good non-empty texts, or ``None`` if not expressible.

        Integer ranges and calendar dates are checked after the match, so their fragments only fix the shape.
        """
        if self.kind == "integer":
            body = f"-?[0-9]{{1,{MAX_DIGITS}}}"
        elif self.kind == "date":
            body = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
        elif self.enum is not None:
            body = "(?:" + "|".join(re.escape(v) for v in self.enum) + ")"
        elif len(self.patterns) > 1:
            return None
        elif self.patterns:
            inner = _anchored_inner(self.patterns[0].pattern)
            if inner is None:
                return None
            body = f"(?:{inner})"
        else:
            body = f"{_printable_except(delimiter)}+"
        if self.kind == "string" and self.enum is None and (self.min_length or self.max_length is not None):
            upper = "" if self.max_length is None else str(self.max_length)
            text = _printable_except(delimiter)
            end = re.escape(delimiter)
            body = f"(?={text}{{{max(self.min_length or 0, 1)},{upper}}}(?:{end}|\\r|\\n|$)){body}"
        if self.kind == "date" and self.patterns:
            return None
        if self.required and re.fullmatch(body, "") is not None:
            body = f"(?!{re.escape(delimiter)}|\\r|\\n|$){body}"  # a pattern may allow "", a required field may not
        return body


def _anchored_inner(pattern: str) -> str | None:
    """The part between ``^`` and ``$``, its groups made non-capturing, if the pattern is anchored at both ends
    with no top-level ``|`` and no back-reference; else ``None``."""
    if not (pattern.startswith("^") and pattern.endswith("$")) or pattern.endswith("\\$") or not pattern.isascii():
        return None
    inner, out = pattern[1:-1], []
    depth, escaped, in_class = 0, False, False
    for position, char in enumerate(inner):
        if escaped:
            escaped = False
            if char.isdigit():
                return None
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
            if inner[position + 1:position + 2] != "?":
                out.append("(?:")
                continue
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        out.append(char)
    return "".join(out)


def _shorthand_schema(raw: Mapping[str, Any], where: Callable[..., SourceLocation]) -> dict[str, Any]:
    """The JSON Schema a ``type:`` field stands for."""
    kind = raw["type"]
    schema: dict[str, Any]
    if kind == "string":
        schema = {"type": "string"}
        for key, keyword in (("pattern", "pattern"), ("min_length", "minLength"), ("max_length", "maxLength")):
            if key in raw:
                schema[keyword] = raw[key]
    elif kind == "integer":
        schema = {"type": "integer"}
        for key in ("minimum", "maximum"):
            if key in raw:
                schema[key] = raw[key]
    elif kind == "decimal":
        digits, scale = int(raw.get("digits", 15)), int(raw.get("scale", 4))
        fraction = f"(\\.[0-9]{{1,{scale}}})?" if scale else ""
        schema = {"type": "string", "pattern": f"^(0|[1-9][0-9]{{0,{digits - 1}}}){fraction}$"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "enum":
        values = raw.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise SourceError(where("values"), "an enum field needs `values`, a non-empty list of strings",
                              fix="e.g. values: [CASH, SCRIP]")
        schema = {"type": "string", "enum": list(values)}
    else:
        raise SourceError(where("type"), f"unknown field type {kind!r}",
                          fix="use string, integer, decimal, date or enum, or `schema:` with a JSON Schema")
    if "description" in raw:
        schema["description"] = raw["description"]
    return schema


@dataclass(slots=True)
class _Collected:
    types: set[str]
    patterns: list[str]
    min_length: int | None = None
    max_length: int | None = None
    enum: list[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    date: bool = False
    examples: tuple[Any, ...] = ()


def _collect(schema: Any, base: Path, where: SourceLocation, resolver: SchemaResolver, into: _Collected,
             depth: int = 0) -> None:
    """Accumulate the constraints of ``schema`` and everything it ``$ref``s (2020-12: siblings apply too)."""
    if depth > 20:
        raise SourceError(where, "$ref chain too deep (a cycle?)", fix="break the reference cycle")
    if not isinstance(schema, Mapping):
        raise SourceError(where, f"a field schema must be a mapping, received {type(schema).__name__}")
    unknown = sorted(set(schema) - _KEYWORDS)
    if unknown:
        raise SourceError(where, f"the RAP engine does not support the keyword(s) {', '.join(unknown)} in a field "
                          "schema", fix=f"use only {', '.join(sorted(_KEYWORDS))}")
    if "$ref" in schema:
        target, target_path, target_where = resolver.resolve(str(schema["$ref"]), base, where)
        _collect(target, target_path, target_where, resolver, into, depth + 1)
    if "type" in schema:
        into.types.add(str(schema["type"]))
    if "pattern" in schema:
        into.patterns.append(str(schema["pattern"]))
    if "minLength" in schema:
        into.min_length = max(into.min_length or 0, int(schema["minLength"]))
    if "maxLength" in schema:
        value = int(schema["maxLength"])
        into.max_length = value if into.max_length is None else min(into.max_length, value)
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if values is not None:
        strings = [str(v) for v in values]
        into.enum = strings if into.enum is None else [v for v in into.enum if v in strings]
    if "minimum" in schema:
        into.minimum = max(into.minimum if into.minimum is not None else -(10**30), int(schema["minimum"]))
    if "maximum" in schema:
        into.maximum = min(into.maximum if into.maximum is not None else 10**30, int(schema["maximum"]))
    if "format" in schema:
        if schema["format"] != "date":
            raise SourceError(where, f"format {schema['format']!r} is not supported in a RAP field",
                              fix="use format: date (YYYY-MM-DD) or a pattern")
        into.date = True
    if "examples" in schema and not into.examples:
        into.examples = tuple(schema["examples"])


def field_from_layout(raw: Any, *, doc: YamlDocument, path: tuple[str | int, ...], resolver: SchemaResolver,
                      fixed: bool) -> FieldSpec:
    """Compile one entry of a record's ``fields`` list; any defect is a :class:`SourceError` at its line."""

    def where(*keys: str | int) -> SourceLocation:
        return doc.locate((*path, *keys))

    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise SourceError(where(), "a field must be a mapping with a `name`", fix="e.g. - {name: quantity, ...}")
    unknown = sorted(set(raw) - _SHORTHAND)
    if unknown:
        raise SourceError(where(unknown[0]), f"unknown field key(s) {', '.join(unknown)}",
                          fix=f"use only {', '.join(sorted(_SHORTHAND))}")
    if ("type" in raw) == ("schema" in raw):
        raise SourceError(where(), f"field {raw['name']!r} needs exactly one of `type` and `schema`",
                          fix="type: string|integer|decimal|date|enum with constraints, or schema: {$ref: ...}")
    role = raw.get("role")
    if role is not None and role not in ROLES:
        raise SourceError(where("role"), f"unknown role {role!r}", fix=f"use one of {', '.join(sorted(ROLES))}")
    width = raw.get("width")
    if fixed and not (isinstance(width, int) and width > 0):
        raise SourceError(where(), f"field {raw['name']!r} of a fixed-width layout needs a positive `width`")
    schema = dict(raw["schema"]) if "schema" in raw else _shorthand_schema(raw, where)
    collected = _Collected(types=set(), patterns=[])
    schema_where = where("schema") if "schema" in raw else where()
    _collect(schema, doc.path, schema_where, resolver, collected)
    if len(collected.types) != 1 or not collected.types <= {"string", "integer"}:
        raise SourceError(schema_where, f"field {raw['name']!r} resolves to type(s) {sorted(collected.types)}",
                          fix="a RAP field is a single string or integer")
    kind: Kind = "integer" if "integer" in collected.types else ("date" if collected.date else "string")
    try:
        patterns = tuple(re.compile(p, re.ASCII) for p in collected.patterns)
    except re.error as exc:
        raise SourceError(schema_where, f"invalid pattern: {exc}", fix="write a valid regular expression") from None
    if fixed and isinstance(width, int):
        if kind == "integer":
            collected.maximum = min(collected.maximum if collected.maximum is not None else 10**30, 10**width - 1)
        else:
            collected.max_length = min(collected.max_length or width, width)
    return FieldSpec(
        name=raw["name"], schema=schema, kind=kind, required=bool(raw.get("required", False)), role=role,
        width=width if fixed else None, patterns=patterns, min_length=collected.min_length,
        max_length=collected.max_length, enum=tuple(collected.enum) if collected.enum is not None else None,
        minimum=collected.minimum, maximum=collected.maximum, examples=collected.examples, location=where(),
    )
