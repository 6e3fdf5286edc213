"""CheckResult: its rules and its JSON form (the way results cross pytest-xdist process boundaries)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocp_conformance.reporting import CheckResult, ResultFormatError, dump_results, load_results
from ocp_conformance.reporting.results import CHECK_KINDS, OUTCOMES

names = st.text(min_size=1, max_size=30)


@st.composite
def check_results(draw: st.DrawFn) -> CheckResult:
    functions = tuple(draw(st.lists(names, max_size=4, unique=True)))
    blamed = tuple(draw(st.lists(st.sampled_from(functions), unique=True))) if functions else ()
    return CheckResult(
        test_id=draw(st.text(max_size=60)),
        functions=functions,
        check=draw(st.sampled_from(CHECK_KINDS)),
        outcome=draw(st.sampled_from(OUTCOMES)),
        failed_functions=blamed,
        message=draw(st.text(max_size=200)),
    )


@given(check_results())
def test_json_round_trip(result: CheckResult) -> None:
    assert CheckResult.from_json(json.loads(json.dumps(result.to_json()))) == result


@given(st.lists(check_results(), max_size=5))
def test_json_lines_round_trip(results: list[CheckResult]) -> None:
    text = dump_results(results)
    assert text.count("\n") == len(results)
    assert list(load_results(text.splitlines())) == results


def test_blank_lines_are_ignored() -> None:
    result = CheckResult("t::a", ("Input SI",), "security", "passed")
    assert list(load_results(["", dump_results([result]), "  "])) == [result]


def test_failed_functions_must_be_covered() -> None:
    with pytest.raises(ResultFormatError, match="not among the functions"):
        CheckResult("t::a", ("Input SI",), "contract", "failed", failed_functions=("Cancel SI",))


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("check", "smoke", "check 'smoke' is not one of"),
        ("outcome", "xfailed", "outcome 'xfailed' is not one of"),
    ],
)
def test_unknown_check_or_outcome_is_rejected(field: str, value: str, match: str) -> None:
    data: dict[str, Any] = CheckResult("t::a", ("Input SI",), "contract", "passed").to_json()
    data[field] = value
    with pytest.raises(ResultFormatError, match=match):
        CheckResult.from_json(data)


@pytest.mark.parametrize(
    "data",
    [
        {"functions": ["Input SI"], "check": "contract", "outcome": "passed"},
        {"test_id": "t", "functions": "Input SI", "check": "contract", "outcome": "passed"},
        {"test_id": 1, "functions": [], "check": "contract", "outcome": "passed"},
        ["not", "an", "object"],
    ],
)
def test_malformed_json_is_rejected(data: Any) -> None:
    with pytest.raises(ResultFormatError):
        CheckResult.from_json(data)


def test_bad_json_line_names_the_line() -> None:
    with pytest.raises(ResultFormatError, match="line 2: not JSON"):
        list(load_results(["", "{oops"]))


def test_blames() -> None:
    shared = ("Input SI", "Cancel SI")
    all_blamed = CheckResult("t::a", shared, "scenario", "failed")
    one_blamed = CheckResult("t::b", shared, "scenario", "failed", failed_functions=("Cancel SI",))
    passed = CheckResult("t::c", shared, "scenario", "passed")
    assert all_blamed.blames("Input SI") and all_blamed.blames("Cancel SI")
    assert not one_blamed.blames("Input SI") and one_blamed.blames("Cancel SI")
    assert not passed.blames("Input SI")
    assert not all_blamed.blames("Enquire SI")
