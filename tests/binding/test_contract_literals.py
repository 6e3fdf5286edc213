"""The grep of issue 14 as a measurement: the bound contract's own names spelled in Python outside the adapter layer
(`contracts lint --with-suites` counts them per file)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ocp_conformance.binding import load_binding
from ocp_conformance.binding.literals import contract_vocabulary, find_contract_literals, literal_findings
from ocp_conformance.cli import app
from ocp_conformance.contracts import load_contracts

VARIANT = Path(__file__).parents[1] / "data" / "official-variant"


def test_the_vocabulary_is_the_bound_contracts_names_without_the_binding_roles() -> None:
    ours = load_contracts()
    vocabulary = contract_vocabulary(ours, load_binding(ours.root))
    assert vocabulary["inputSi"] == "operationId"
    assert vocabulary["stockCode"] == "field"
    assert vocabulary["/settlement-instructions"] == "path"
    assert "quantity" not in vocabulary and "stock_code" not in vocabulary  # roles are the adapter's vocabulary
    official = load_contracts(VARIANT)
    theirs = contract_vocabulary(official, load_binding(official.root))
    assert theirs["submitSettlementInstruction"] == "operationId" and "inputSi" not in theirs
    assert "securityCode" in theirs and "stockCode" not in theirs


def test_literals_are_found_in_code_not_in_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "suite.py"
    source.write_text('"""Reads stockCode (a docstring: not counted)."""\n'
                      "def f(body, si_id):\n"
                      '    """inputSi here is prose."""\n'
                      '    url = f"/ocp/v1/settlement-instructions/{si_id}"\n'
                      '    return body["stockCode"], call("inputSi"), body["quantity"]\n', encoding="utf-8")
    vocabulary = {"stockCode": "field", "inputSi": "operationId", "/settlement-instructions": "path"}
    found = [(f.literal, f.kind, f.where.line) for f in find_contract_literals([source], vocabulary)]
    assert found == [("/settlement-instructions", "path", 4), ("stockCode", "field", 5), ("inputSi", "operationId", 5)]


def test_parametrize_argument_names_are_the_tests_own_not_the_contracts(tmp_path: Path) -> None:
    source = tmp_path / "suite.py"
    source.write_text("import pytest\n"
                      '@pytest.mark.parametrize(("code", "role"), [("code", "x")])\n'
                      "def test_f(code, role):\n"
                      '    return {"code": code}\n', encoding="utf-8")
    found = sorted((f.literal, f.where.line) for f in find_contract_literals([source], {"code": "field"}))
    assert found == [("code", 2), ("code", 4)]  # the parameter values and a body key still count


def test_the_simulator_control_client_of_the_suites_is_not_read(tmp_path: Path) -> None:
    ours = load_contracts()
    suites, handlers = tmp_path / "suites", tmp_path / "handlers"
    suites.mkdir()
    handlers.mkdir()
    for name in ("sim_control.py", "test_x.py"):
        (suites / name).write_text('BODY = {"stockCode": "00700"}\n', encoding="utf-8")
    findings, totals = literal_findings(ours, load_binding(ours.root), suites, handlers)
    assert totals == {"suites": 1, "handlers": 0}
    assert [str(f.location).split(":", 1)[0].rsplit("/", 1)[-1] for f in findings] == ["test_x.py"]


def test_a_file_that_is_not_python_is_left_to_collection(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n", encoding="utf-8")
    assert find_contract_literals([broken], {"stockCode": "field"}) == []


def test_lint_with_suites_counts_them() -> None:
    result = CliRunner().invoke(app, ["contracts", "lint", "--with-suites"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("contract names written in Python"))
    suites, handlers = (int(part.split()[0]) for part in line.split(": ", 1)[1].split(", "))
    per_file = [int(x.split("warning: ", 1)[1].split()[0]) for x in result.output.splitlines()
                if "name(s) of the contract written in Python" in x]
    assert sum(per_file) == suites + handlers  # each file that spells the contract is named, with its count
