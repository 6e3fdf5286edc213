"""Hypothesis strategies for RAP files: valid files of any layout, and files with one named defect.

Valid records are drawn from each field's own constraints (enum values, integer ranges, patterns via
``from_regex``, real dates), then made to satisfy the layout's cross-field rules, so they explore far more
than the demo-market generator; defective files come from :func:`ocp_conformance.rap.generate_file`.

Example:
    >>> @given(rap_files(load_layouts()["SI"]))
    ... def test_valid(example): assert validate(io.BytesIO(example.data), example.layout).run().valid
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ocp_conformance.rap.fields import FieldSpec
from ocp_conformance.rap.generator import DEFECTS, DEMO_PARTICIPANT, GeneratedFile, generate_file
from ocp_conformance.rap.layout import Layout
from ocp_conformance.rap.writer import FileHeader, write_file

__all__ = ["DefectiveFile", "RapFile", "defective_files", "detail_records", "field_values", "rap_files"]


@dataclass(frozen=True, slots=True)
class RapFile:
    """A generated valid file: its bytes, the name it should have, and the records written."""

    layout: Layout
    file_name: str
    data: bytes
    header: FileHeader
    records: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class DefectiveFile:
    """A generated file with exactly one planted defect."""

    layout: Layout
    data: bytes
    generated: GeneratedFile


def _printable(layout: Layout) -> st.SearchStrategy[str]:
    """Free text: printable ASCII without the delimiter (and no trailing space in fixed-width layouts)."""
    text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=layout.delimiter),
                   min_size=1)
    return text.filter(lambda s: not s.endswith(" ")) if layout.format == "fixed" else text


def _matches(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda text: pattern.search(text) is not None


def _length_between(low: int, high: int | None) -> Callable[[Any], bool]:
    return lambda text: low <= len(text) and (high is None or len(text) <= high)


def _other_than(value: Any) -> Callable[[Any], bool]:
    return lambda other: other != value


def _non_empty(value: Any) -> bool:
    return value is not None and value != ""


def field_values(spec: FieldSpec, layout: Layout) -> st.SearchStrategy[Any]:
    """Good values of one field (``None`` included when the field is optional)."""
    strategy: st.SearchStrategy[Any]
    if spec.kind == "integer":
        strategy = st.integers(spec.minimum if spec.minimum is not None else -(10**12),
                               spec.maximum if spec.maximum is not None else 10**12)
        if layout.format == "fixed":
            strategy = strategy.filter(lambda v: v >= 0)
    elif spec.kind == "date":
        strategy = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat)
    elif spec.enum is not None:
        strategy = st.sampled_from(spec.enum)
    elif spec.patterns:
        strategy = st.from_regex(spec.patterns[0], fullmatch=True)
        for extra in spec.patterns[1:]:
            strategy = strategy.filter(_matches(extra))
        strategy = strategy.filter(lambda s: s.isascii() and s.isprintable() and layout.delimiter not in s
                                   and (layout.format != "fixed" or not s.endswith(" ")))
    else:
        strategy = _printable(layout)
    if spec.kind == "string" and spec.enum is None and (spec.min_length or spec.max_length is not None):
        low, high = spec.min_length or 0, spec.max_length
        strategy = strategy.filter(_length_between(low, high))
    if spec.kind == "string":
        strategy = strategy.filter(_non_empty)
    return strategy if spec.required else st.none() | strategy


@st.composite
def detail_records(draw: st.DrawFn, layout: Layout) -> dict[str, Any]:
    """One valid detail record (typed values; optional fields absent), cross-field rules satisfied."""
    values = {spec.name: draw(field_values(spec, layout)) for spec in layout.detail.fields}
    specs = {spec.name: spec for spec in layout.detail.fields}
    for rule in layout.detail.rules:
        if rule.kind == "differ":
            first, second = rule.fields
            values[second] = draw(field_values(specs[second], layout).filter(_other_than(values[first])))
        elif rule.kind == "sum":
            assert rule.total is not None
            parts = [f for f in rule.fields if f != rule.total]
            remaining = values[rule.total]
            for name in parts[:-1]:
                high = min(remaining, specs[name].maximum if specs[name].maximum is not None else remaining)
                values[name] = draw(st.integers(specs[name].minimum or 0, max(high, specs[name].minimum or 0)))
                remaining -= values[name]
            values[parts[-1]] = remaining
        else:
            assert rule.condition is not None
            name, allowed = rule.condition
            if values.get(name) in allowed:
                for required in rule.required:
                    if values.get(required) is None:
                        values[required] = draw(field_values(specs[required], layout).filter(_non_empty))
            else:
                for empty in rule.otherwise_empty:
                    values[empty] = None
    return {k: v for k, v in values.items() if v is not None}


def _valid_sum(layout: Layout, record: dict[str, Any]) -> bool:
    """The sum rule's last part may fall outside its own range; such records are redrawn."""
    for spec in layout.detail.fields:
        value = record.get(spec.name)
        if spec.kind == "integer" and value is not None and spec.check(str(value))[1] is not None:
            return False
    return True


@st.composite
def rap_files(draw: st.DrawFn, layout: Layout, *, max_records: int = 12) -> RapFile:
    """A valid file of ``layout``: header, up to ``max_records`` records (unique client references), trailer."""
    reference = layout.detail.role("client_reference")
    records = draw(st.lists(detail_records(layout).filter(lambda r: _valid_sum(layout, r)), max_size=max_records,
                            unique_by=(lambda r: r[reference.name]) if reference else None))
    participant = draw(st.sampled_from([DEMO_PARTICIPANT, "C00019", "B05678"]))
    business_date = draw(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31))).isoformat()
    header = FileHeader(participant, business_date, draw(st.integers(1, 999)))
    stream = io.BytesIO()
    write_file(stream, layout, header, records)
    return RapFile(layout, layout.make_file_name(participant, business_date, header.sequence), stream.getvalue(),
                   header, tuple(records))


@st.composite
def defective_files(draw: st.DrawFn, layout: Layout, kind: str) -> DefectiveFile:
    """A file of ``layout`` with exactly one defect of ``kind`` (see :data:`ocp_conformance.rap.DEFECTS`)."""
    defect = DEFECTS[kind]
    records = draw(st.integers(max(defect.min_records, 0), 30))
    stream = io.BytesIO()
    generated = generate_file(stream, layout, records, defect=kind, seed=draw(st.integers(0, 2**32 - 1)),
                              sequence=draw(st.integers(1, 999)))
    return DefectiveFile(layout, stream.getvalue(), generated)
