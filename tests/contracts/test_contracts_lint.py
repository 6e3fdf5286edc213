"""The catalogue, bundling and `contracts lint` (both directions, precise locations)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocp_conformance.contracts import (
    Catalogue,
    SourceError,
    UnknownFunctionError,
    lint_contracts,
    load_contracts,
    load_yaml,
)

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_catalogue_lists_every_entry_of_the_circulars() -> None:
    catalogue = Catalogue.load(CONTRACTS / "catalogue.yaml")
    kinds = [e.kind for e in catalogue]
    assert (len(catalogue), kinds.count("api"), kinds.count("gcp"), kinds.count("rap")) == (43, 29, 5, 9)
    assert {d.name for d in catalogue.discontinued} >= {"Enquire DI", "Enquire ATI"}
    assert {e.name for e in catalogue if e.new_in_ocp and e.kind == "api"} == {
        "Change Matched/Settled SI", "Enquire Deleted SI"}


def test_misspelled_function_suggests_the_name() -> None:
    catalogue = Catalogue.load(CONTRACTS / "catalogue.yaml")
    with pytest.raises(UnknownFunctionError, match="Did you mean 'Input SI'"):
        catalogue.entry("Input Si")


def test_our_contracts_lint_clean_and_incomplete_only_with_the_flag() -> None:
    contracts = load_contracts(CONTRACTS)
    assert not [f for f in lint_contracts(contracts) if f.severity == "error"]
    strict = [f for f in lint_contracts(contracts, require_complete=True) if f.severity == "error"]
    uncontracted = [entry for entry in contracts.catalogue if not entry.contracted]  # shrinks as groups land
    assert len(strict) == len(uncontracted) and all("not yet contracted" in f.message for f in strict)


def test_bundle_leaves_no_external_reference() -> None:
    bundled = load_contracts(CONTRACTS).document("ocp-api").bundled
    assert "./components" not in str(bundled)
    assert "Problem" in bundled["components"]["schemas"]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, target)
    return target


def test_lint_finds_an_operation_missing_from_the_catalogue(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("    operations: [cancelSi]\n", ""))
    findings = [f.render() for f in lint_contracts(load_contracts(folder)) if f.severity == "error"]
    assert any("cancelSi is in no catalogue entry" in f for f in findings), findings
    assert any("ocp-api.yaml:" in f for f in findings)


def test_lint_finds_a_catalogue_operation_no_contract_defines(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("operations: [cancelSi]", "operations: [cancelSI]"))
    findings = [f.render() for f in lint_contracts(load_contracts(folder)) if f.severity == "error"]
    assert any("'cancelSI', which no contract defines" in f and "catalogue.yaml:" in f for f in findings)


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(SourceError) as caught:
        load_yaml(bad)
    assert f"{bad}:" in str(caught.value) and "invalid YAML" in str(caught.value)


def test_duplicate_yaml_key_is_an_error_at_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("payload:\n  quantity: 1\n  side: DELIVER\n  quantity: 2\n")
    with pytest.raises(SourceError) as caught:
        load_yaml(bad)
    assert f"{bad}:4:3" in str(caught.value)
    assert "duplicate key 'quantity' (first at line 2)" in str(caught.value)


def test_a_function_group_may_live_in_its_own_path_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "api" / "paths").mkdir(exist_ok=True)
    (folder / "api" / "paths" / "probe.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: probe, version: 0.0.0}\npaths: {}\ncomponents:\n"
        "  pathItems:\n    Probe:\n      get:\n        operationId: probeThing\n"
        "        responses:\n          '200':\n            description: ok\n            content:\n"
        "              application/json: {schema: {$ref: '#/components/schemas/Thing'}}\n"
        "  schemas:\n    Thing: {type: object, properties: {code: {$ref: '../components/common.yaml"
        "#/components/schemas/StockCode'}}}\n")
    api = folder / "api" / "ocp-api.yaml"
    api.write_text(api.read_text().replace(
        "paths:\n", "paths:\n  /probe:\n    $ref: './paths/probe.yaml#/components/pathItems/Probe'\n", 1))
    document = load_contracts(folder).document("ocp-api")
    assert document.operations["probeThing"].path == "/probe"
    assert "$ref" not in document.bundled["paths"]["/probe"] and "pathItems" not in document.bundled["components"]
    assert document.resolve(document.bundled["components"]["schemas"]["Thing"]["properties"]["code"])["type"]


def test_every_api_function_is_contracted() -> None:
    contracts = load_contracts(CONTRACTS)
    uncontracted_api = [e.name for e in contracts.catalogue if e.kind == "api" and not e.contracted]
    assert uncontracted_api == []
    strict = [f.message for f in lint_contracts(contracts, require_complete=True) if f.severity == "error"]
    assert not [m for m in strict if "(api)" in m], strict


def test_lint_finds_a_rap_entry_naming_no_layout(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("file_type: TENDER", "file_type: TENDERS"))
    findings = [f.render() for f in lint_contracts(load_contracts(folder)) if f.severity == "error"]
    line = catalogue.read_text().splitlines().index("    file_type: TENDERS") + 1
    assert any(f"catalogue.yaml:{line}:" in f and "'Tender' names file_type 'TENDERS'" in f for f in findings), \
        findings
    assert any("tender.yaml:3:" in f and "'TENDER' is named by no catalogue entry" in f for f in findings), findings


def test_lint_finds_a_layout_named_by_two_entries(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("file_type: TENDER", "file_type: ELECTION"))
    findings = [f.render() for f in lint_contracts(load_contracts(folder)) if f.severity == "error"]
    assert any("election.yaml:3:" in f and "named by 'Election', 'Tender'; expected exactly one" in f
               for f in findings), findings
