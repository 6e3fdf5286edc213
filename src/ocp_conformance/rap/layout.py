"""Layouts as data: one YAML file per RAP file type under ``contracts/rap/`` (header H, details D, trailer T).

A layout names its file type, its format (``csv`` with a delimiter, or ``fixed`` with a width per field), its
encoding and line ending, its file-name pattern, the detail field that is hash-totalled, and each record's
fields in order (see :mod:`ocp_conformance.rap.fields`) and cross-field rules. Records may be ``$ref``'d from a
shared file, so the common header and trailer are written once. Nothing about a file type is in code: to follow
the official RAP Batch File Specification, edit the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlparse
from urllib.request import url2pathname

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from ocp_conformance.contracts import (
    SourceError,
    SourceLocation,
    YamlDocument,
    default_contracts_dir,
    did_you_mean,
    load_yaml,
)
from ocp_conformance.rap.fields import FieldSpec, SchemaResolver, field_from_layout
from ocp_conformance.rap.rules import Rule, rule_from_layout

__all__ = ["FileName", "Layout", "RecordLayout", "UnknownFileTypeError", "default_layouts_dir", "detail_schema",
           "detail_validator", "load_layout", "load_layouts"]

RecordKind = Literal["header", "detail", "trailer"]
_TOP_KEYS = {"file_type", "name", "version", "format", "delimiter", "encoding", "line_ending", "file_name",
             "hash_total", "hash_modulo", "header", "detail", "trailer", "description"}
_REQUIRED_ROLES: dict[RecordKind, tuple[str, ...]] = {
    "header": ("file_type", "participant", "business_date", "sequence"),
    "detail": (),
    "trailer": ("record_count",),
}
_NAME_TOKENS = {"participant": "[A-Za-z0-9]+", "file_type": "[A-Za-z0-9]+", "date": "[0-9]{8}", "sequence": "[0-9]+"}


class UnknownFileTypeError(LookupError):
    """A file type no layout describes; offers the closest codes."""

    def __init__(self, file_type: str, known: list[str]) -> None:
        super().__init__(f"no layout for file type {file_type!r}.{did_you_mean(file_type, known)} "
                         f"Known file types: {', '.join(known)}")
        self.file_type = file_type


@dataclass(frozen=True, slots=True, eq=False)
class RecordLayout:
    """One record type: its code (first field / first characters), its fields in order and its rules."""

    kind: RecordKind
    code: str
    fields: tuple[FieldSpec, ...]
    rules: tuple[Rule, ...] = ()
    draws_no_holding: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Enumerated field -> the values of it whose record draws on no holding (an excess application asks for
    shares beyond the rights held): such a record is not checked against, or counted in, the available stock."""

    def draws_on_holding(self, values: Mapping[str, Any]) -> bool:
        """Whether a record with ``values`` draws on the account's holding (see :attr:`draws_no_holding`)."""
        return not any(values.get(name) in exempt for name, exempt in self.draws_no_holding.items())

    def role(self, role: str) -> FieldSpec | None:
        """The field playing ``role`` (e.g. ``participant``), if any."""
        return next((f for f in self.fields if f.role == role), None)

    def index(self, name: str) -> int:
        """The 0-based position of field ``name`` among the fields (the record code is not counted)."""
        return next(i for i, f in enumerate(self.fields) if f.name == name)


@dataclass(frozen=True, slots=True)
class FileName:
    """The parts of a file name, parsed by a layout's ``file_name`` pattern."""

    participant: str
    file_type: str
    date: str
    """YYYYMMDD."""
    sequence: int


@dataclass(frozen=True, slots=True, eq=False)
class Layout:
    """A RAP file type's layout, loaded and compiled."""

    path: Path
    file_type: str
    name: str
    version: str
    format: Literal["csv", "fixed"]
    delimiter: str
    encoding: Literal["ascii", "utf-8"]
    line_ending: Literal["CRLF", "LF"]
    file_name: str
    hash_total: str | None
    hash_modulo: int | None
    header: RecordLayout
    detail: RecordLayout
    trailer: RecordLayout
    _name_pattern: re.Pattern[str] = field(repr=False)

    @property
    def terminator(self) -> str:
        return "\r\n" if self.line_ending == "CRLF" else "\n"

    @property
    def records(self) -> tuple[RecordLayout, RecordLayout, RecordLayout]:
        return self.header, self.detail, self.trailer

    def parse_file_name(self, name: str) -> FileName | None:
        """The parts of ``name`` (a base name), or ``None`` if it does not follow the pattern."""
        match = self._name_pattern.fullmatch(name)
        if match is None:
            return None
        return FileName(match["participant"], match["file_type"], match["date"], int(match["sequence"]))

    def make_file_name(self, participant: str, date: str, sequence: int) -> str:
        """The file name for these parts; ``date`` as YYYY-MM-DD or YYYYMMDD; the sequence as 3 digits."""
        return self.file_name.format(participant=participant, file_type=self.file_type,
                                     date=date.replace("-", ""), sequence=f"{sequence:03d}")

    def hash_of(self, total: int) -> int:
        """A running sum as the trailer carries it (reduced modulo ``hash_modulo`` if the layout says so)."""
        return total % self.hash_modulo if self.hash_modulo else total


def default_layouts_dir() -> Path:
    """``<contracts>/rap``: the project's layouts, or those under ``$OCP_CONTRACTS``."""
    return default_contracts_dir() / "rap"


def load_layouts(folder: Path | None = None) -> dict[str, Layout]:
    """Every layout in ``folder`` (default :func:`default_layouts_dir`), by file type code.

    Files without a top-level ``file_type`` (such as ``components.yaml``) hold shared parts and are skipped.
    """
    folder = folder if folder is not None else default_layouts_dir()
    resolver = SchemaResolver()
    layouts: dict[str, Layout] = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = resolver.document(path)
        if isinstance(doc.data, Mapping) and "file_type" in doc.data:
            layout = _compile(doc, resolver)
            if layout.file_type in layouts:
                raise SourceError(doc.locate(("file_type",)), f"file type {layout.file_type} is already described "
                                  f"by {layouts[layout.file_type].path.name}", fix="one layout per file type")
            layouts[layout.file_type] = layout
    return layouts


def load_layout(path: Path) -> Layout:
    """Load and compile one layout file; any defect is a :class:`SourceError` at its line and column."""
    resolver = SchemaResolver()
    return _compile(resolver.document(path), resolver)


def _compile(doc: YamlDocument, resolver: SchemaResolver) -> Layout:
    data = doc.data
    if not isinstance(data, Mapping):
        raise SourceError(doc.locate(()), "a layout must be a mapping", fix="see contracts/rap/si.yaml")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise SourceError(doc.locate((unknown[0],)), f"unknown layout key {unknown[0]!r}."
                          + did_you_mean(unknown[0], _TOP_KEYS), fix=f"use only {', '.join(sorted(_TOP_KEYS))}")
    missing = [k for k in ("file_type", "format", "header", "detail", "trailer") if k not in data]
    if missing:
        raise SourceError(doc.locate(()), f"the layout lacks {', '.join(missing)}",
                          fix="every layout needs file_type, format, header, detail and trailer")

    def choice(key: str, allowed: tuple[str, ...], default: str) -> Any:
        value = data.get(key, default)
        if value not in allowed:
            raise SourceError(doc.locate((key,)), f"{key} {value!r} is not one of {', '.join(allowed)}")
        return value

    fmt = choice("format", ("csv", "fixed"), "csv")
    delimiter = str(data.get("delimiter", ","))
    if fmt == "csv" and len(delimiter) != 1:
        raise SourceError(doc.locate(("delimiter",)), "the delimiter must be one character", fix='e.g. ","')
    records = {kind: _record(kind, doc, resolver, fixed=fmt == "fixed", delimiter=delimiter)
               for kind in ("header", "detail", "trailer")}
    codes = [r.code for r in records.values()]
    if len(set(codes)) != 3 or (fmt == "fixed" and len({len(c) for c in codes}) != 1):
        raise SourceError(doc.locate(()), f"record codes {codes} must differ (and, fixed-width, be equally long)")
    hash_total = data.get("hash_total")
    if hash_total is not None:
        spec = next((f for f in records["detail"].fields if f.name == hash_total), None)
        if spec is None or spec.kind != "integer" or not spec.required:
            raise SourceError(doc.locate(("hash_total",)), f"hash_total {hash_total!r} is not a required integer "
                              "detail field", fix="name the detail field whose values the trailer sums")
        if records["trailer"].role("hash_total") is None:
            raise SourceError(doc.locate(("trailer",)), "the trailer has no field with role hash_total",
                              fix="add one, or drop hash_total")
    file_name = str(data.get("file_name", "{participant}_{file_type}_{date}_{sequence}.csv"))
    try:
        pattern = _name_pattern(file_name)
    except (KeyError, ValueError, re.error) as exc:
        raise SourceError(doc.locate(("file_name",)), f"bad file_name pattern: {exc}",
                          fix="use {participant}, {file_type}, {date} and {sequence} and literal text") from None
    return Layout(
        path=doc.path, file_type=str(data["file_type"]), name=str(data.get("name", data["file_type"])),
        version=str(data.get("version", "0")), format=fmt, delimiter=delimiter,
        encoding=choice("encoding", ("ascii", "utf-8"), "ascii"),
        line_ending=choice("line_ending", ("CRLF", "LF"), "CRLF"), file_name=file_name,
        hash_total=str(hash_total) if hash_total is not None else None,
        hash_modulo=int(data["hash_modulo"]) if data.get("hash_modulo") else None,
        header=records["header"], detail=records["detail"], trailer=records["trailer"], _name_pattern=pattern,
    )


def _name_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = ""
    for i, part in enumerate(parts):
        regex += f"(?P<{part}>{_NAME_TOKENS[part]})" if i % 2 else re.escape(part)
    missing = set(_NAME_TOKENS) - set(parts[1::2])
    if missing:
        raise ValueError(f"missing {', '.join(sorted(missing))}")
    return re.compile(regex)


def _record(kind: RecordKind, doc: YamlDocument, resolver: SchemaResolver, *, fixed: bool,
            delimiter: str) -> RecordLayout:
    raw: Any = doc.data[kind]
    where_doc: YamlDocument = doc
    path: tuple[str, ...] = (kind,)
    if isinstance(raw, Mapping) and set(raw) == {"$ref"}:
        raw, target, _ = resolver.resolve(str(raw["$ref"]), doc.path, doc.locate(path))
        pointer = str(doc.data[kind]["$ref"]).partition("#")[2]
        where_doc = resolver.document(target)
        path = tuple(pointer.strip("/").split("/"))
    if not isinstance(raw, Mapping) or not isinstance(raw.get("code"), str) or not isinstance(
            raw.get("fields"), list) or not raw["fields"]:
        raise SourceError(where_doc.locate(path), f"the {kind} record needs a `code` and a non-empty `fields` list")
    fields = tuple(field_from_layout(f, doc=where_doc, path=(*path, "fields", i), resolver=resolver, fixed=fixed)
                   for i, f in enumerate(raw["fields"]))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise SourceError(where_doc.locate((*path, "fields")), f"duplicate field names in the {kind} record")
    for role in _REQUIRED_ROLES[kind]:
        if not any(f.role == role for f in fields):
            raise SourceError(where_doc.locate((*path, "fields")), f"the {kind} record has no field with role {role}",
                              fix=f"mark the field that carries it with `role: {role}`")
    if not fixed and delimiter in str(raw["code"]):
        raise SourceError(where_doc.locate((*path, "code")), "a record code cannot contain the delimiter")

    def locator(index: int) -> Callable[..., SourceLocation]:
        return lambda *keys: where_doc.locate((*path, "rules", index, *keys))

    rules = tuple(rule_from_layout(r, set(names), locator(i)) for i, r in enumerate(raw.get("rules") or []))
    exempt = _draws_no_holding(raw.get("draws_no_holding"), fields, lambda *keys: where_doc.locate(
        (*path, "draws_no_holding", *keys)))
    return RecordLayout(kind=kind, code=str(raw["code"]), fields=fields, rules=rules, draws_no_holding=exempt)


def _draws_no_holding(raw: object, fields: tuple[FieldSpec, ...],
                      where: Callable[..., SourceLocation]) -> Mapping[str, frozenset[str]]:
    """``draws_no_holding: {field: [value, ...]}``: each field an enum of the record, each value one of its values."""
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, Mapping):
        raise SourceError(where(), "draws_no_holding must map an enum field to a list of its values",
                          fix="write it as {<enum field>: [<value>, ...]}")
    by_name = {f.name: f for f in fields}
    exempt: dict[str, frozenset[str]] = {}
    for name, values in raw.items():
        spec = by_name.get(str(name))
        if spec is None or spec.enum is None:
            raise SourceError(where(name), f"draws_no_holding names {name!r}, which is not an enum field of the "
                              "record", fix=f"name one of {', '.join(f.name for f in fields if f.enum) or '(none)'}")
        if not isinstance(values, list) or not values:
            raise SourceError(where(name), f"draws_no_holding.{name} must be a non-empty list of its values")
        unknown = [v for v in values if v not in spec.enum]
        if unknown:
            raise SourceError(where(name), f"draws_no_holding.{name}: {', '.join(map(str, unknown))} not among "
                              f"its values", fix=f"use values of {', '.join(spec.enum)}")
        exempt[str(name)] = frozenset(map(str, values))
    return MappingProxyType(exempt)


def detail_schema(layout: Layout) -> dict[str, Any]:
    """A JSON Schema (Draft 2020-12) of one detail record as a JSON object of typed values.

    Each property is the field's own schema, ``$ref``s kept relative to the layout file (``$id``), so the
    record schema and the OCP API share one definition; absent optional fields are absent properties.
    Cross-field rules are listed under ``x-ocp-rules`` (JSON Schema cannot say "a + b + c = d").

    Example:
        >>> schema = detail_schema(load_layouts()["SI"])
        >>> schema["properties"]["stockCode"]
        {'$ref': '../api/components/common.yaml#/components/schemas/StockCode'}
    """
    properties: dict[str, Any] = {}
    for spec in layout.detail.fields:
        schema = dict(spec.schema)
        if spec.width is not None:
            schema["maxLength" if spec.kind != "integer" else "maximum"] = (
                spec.max_length if spec.kind != "integer" else spec.maximum)
        properties[spec.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": layout.path.resolve().as_uri(),
        "title": f"{layout.name} ({layout.file_type}) detail record",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in layout.detail.fields if f.required],
        "properties": properties,
        "x-ocp-rules": [{"kind": r.kind, "fields": list(r.fields)} for r in layout.detail.rules],
    }


def detail_validator(layout: Layout) -> Draft202012Validator:
    """A validator for :func:`detail_schema` (formats checked), resolving its ``$ref``s into the YAML files.

    Example:
        >>> detail_validator(load_layouts()["SI"]).is_valid({"clientReference": "R1", ...})
    """
    @cache  # the registry is immutable, so without this each validation would parse the YAML again
    def retrieve(uri: str) -> Resource[Any]:
        if not uri.startswith("file:"):
            raise NoSuchResource(uri)
        path = Path(url2pathname(urlparse(uri).path))
        return Resource.from_contents(load_yaml(path).data, default_specification=DRAFT202012)

    return Draft202012Validator(detail_schema(layout), registry=Registry(retrieve=retrieve),  # type: ignore[call-arg]
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
