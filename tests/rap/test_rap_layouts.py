"""Layouts as data: the nine file types load, their generated record schemas are valid and agree with the engine."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ocp_conformance.contracts import SourceError, load_contracts
from ocp_conformance.rap import Layout, detail_schema, detail_validator, load_layout, load_layouts
from ocp_conformance.rap.strategies import detail_records

LAYOUTS = load_layouts()
FIXED = load_layout(Path(__file__).parents[1] / "data" / "rap" / "si_fixed.yaml")
ALL = [*LAYOUTS.values(), FIXED]
VALIDATORS = {layout.file_type: detail_validator(layout) for layout in ALL}
FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_one_layout_per_rap_catalogue_entry() -> None:
    assert sorted(LAYOUTS) == ["ATI", "CORPREP", "ELECTION", "ISI", "SI", "STI", "SUBSCRIPTION", "TENDER", "VOTING"]
    rap_entries = [e for e in load_contracts().catalogue if e.kind == "rap"]
    assert sorted(layout.name for layout in LAYOUTS.values()) == sorted(e.name for e in rap_entries)
    for entry in rap_entries:  # the catalogue notes name the planned code; the layouts use it
        codes = [layout.file_type for layout in LAYOUTS.values() if layout.name == entry.name]
        assert f"code {codes[0]};" in entry.notes


def test_api_fields_are_referenced_not_restated() -> None:
    si = LAYOUTS["SI"].detail
    refs = {spec.name: spec.schema.get("$ref", "") for spec in si.fields}
    assert refs["stockCode"].endswith("common.yaml#/components/schemas/StockCode")
    assert refs["quantity"].endswith("common.yaml#/components/schemas/Quantity")
    assert refs["counterpartyId"].endswith("common.yaml#/components/schemas/ParticipantId")
    stock = next(s for s in si.fields if s.name == "stockCode")
    assert stock.check("00700") == ("00700", None)
    assert stock.check("700")[1] == ("FIELD_FORMAT", "text matching ^[0-9]{5}$ (e.g. 00005)")


@pytest.mark.parametrize("layout", ALL, ids=lambda layout: layout.file_type)
def test_detail_schema_is_a_valid_draft_2020_12_schema(layout: Layout) -> None:
    schema = detail_schema(layout)
    Draft202012Validator.check_schema(schema)
    assert schema["required"] == [f.name for f in layout.detail.fields if f.required]
    assert list(schema["properties"]) == [f.name for f in layout.detail.fields]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("layout", ALL, ids=lambda layout: layout.file_type)
@FAST
@given(data=st.data())
def test_schema_and_engine_agree_on_every_field(layout: Layout, data: st.DataObject) -> None:
    """Take a valid record, replace one field by anything (a good value, junk text, a number, nothing) and
    compare the engine's verdict on that field's text with the JSON Schema's on the typed record."""
    validator = VALIDATORS[layout.file_type]
    record = data.draw(detail_records(layout))
    assert validator.is_valid(record), list(validator.iter_errors(record))
    spec = data.draw(st.sampled_from(layout.detail.fields))
    printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","), max_size=20)
    text = data.draw(st.one_of(printable, st.integers(-5, 10**13).map(str), st.just(""),
                               st.sampled_from([str(e) for e in spec.examples] or [""]),
                               st.sampled_from(list(spec.enum or ("",))),
                               st.dates().map(lambda d: d.isoformat()), st.just("2027-02-30")))
    if spec.width is not None:
        text = text[: spec.width].rstrip(" ")
    value, error = spec.check(text)
    typed = dict(record)
    typed.pop(spec.name, None)
    if text:
        digits = text[1:] if text.startswith("-") else text
        typed[spec.name] = int(text) if spec.kind == "integer" and digits.isdigit() and digits.isascii() else text
    schema_ok = not any((e.path and e.path[0] == spec.name) or e.validator == "required"
                        for e in validator.iter_errors(typed))
    assert (error is None) == schema_ok, (spec.name, text, error, list(validator.iter_errors(typed)))
    if error is None and text:
        assert value == typed[spec.name]


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_layout_errors_point_at_their_line(tmp_path: Path) -> None:
    source = (Path(__file__).parents[1] / "data" / "rap" / "si_fixed.yaml").read_text(encoding="utf-8")
    common = Path(__file__).parents[2] / "contracts" / "api" / "components" / "common.yaml"
    source = source.replace("../../../contracts/api/components/common.yaml", str(common))
    broken = source.replace("- { name: stockCode, role: stock_code, required: true, width: 5,",
                            "- { name: stockCode, role: stock_code, required: true,")
    with pytest.raises(SourceError) as caught:
        load_layout(_write(tmp_path, broken))
    assert "needs a positive `width`" in caught.value.message
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "name: stockCode" in text)
    assert caught.value.location.line == line  # type: ignore[union-attr]
    with pytest.raises(SourceError) as caught:
        load_layout(_write(tmp_path, source.replace("line_ending: LF", "line_endings: LF")))
    assert "unknown layout key 'line_endings'" in caught.value.message and "line_ending" in caught.value.message
    with pytest.raises(SourceError) as caught:
        load_layout(_write(tmp_path, source.replace("type: enum, values: [DELIVER, RECEIVE]",
                                                    "schema: {type: string, multipleOf: 2}")))
    assert "multipleOf" in caught.value.message
    with pytest.raises(SourceError) as caught:
        load_layout(_write(tmp_path, source.replace("schemas/StockCode", "schemas/StockCod")))
    assert "has nothing at" in caught.value.message


@pytest.mark.parametrize(("written", "said"), [
    ("{ stockCode: [EXCESS_RIGHTS] }", "'stockCode', which is not an enum field"),
    ("{ subscriptionKind: [EXCESS_SHARES] }", "EXCESS_SHARES not among its values"),
    ("{ subscriptionKind: EXCESS_RIGHTS }", "must be a non-empty list"),
    ("[subscriptionKind]", "must map an enum field"),
])
def test_a_bad_draws_no_holding_is_refused_at_its_line(tmp_path: Path, written: str, said: str) -> None:
    contracts = shutil.copytree(Path(__file__).parents[2] / "contracts", tmp_path / "contracts")
    layout = contracts / "rap" / "subscription.yaml"
    source = layout.read_text(encoding="utf-8")
    layout.write_text(source.replace("draws_no_holding: { subscriptionKind: [EXCESS_RIGHTS, EXCESS_OPEN_OFFER] }",
                                     f"draws_no_holding: {written}"), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_layout(layout)
    assert said in caught.value.message
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "draws_no_holding" in text)
    assert caught.value.location.line == line  # type: ignore[union-attr]


def test_fixed_width_layout_uses_the_same_engine() -> None:
    assert FIXED.format == "fixed"
    quantity = next(s for s in FIXED.detail.fields if s.name == "quantity")
    assert quantity.format(1500) == "000000001500"
    assert quantity.check(quantity.unpad("000000001500")) == (1500, None)
    note = next(s for s in FIXED.detail.fields if s.name == "note")
    assert note.format("hi") == "hi        " and note.unpad("          ") == ""
