"""``run --fail-on`` conditions: parsing (precise errors) and which runs they fail."""

from __future__ import annotations

from typing import Any

import pytest

from ocp_conformance.reporting import FailOn, FailOnError, fail_on_breaches, parse_fail_on


def doc(verdict: str, achieved: float, waived: int = 0) -> dict[str, Any]:
    return {"verdict": verdict, "scores": {"overall": {"achieved_pct": achieved, "waived": waived}}}


def test_default_is_mandatory() -> None:
    assert parse_fail_on([]) == (FailOn("mandatory"),)


@pytest.mark.parametrize("text", ["score<80", "score < 80", "SCORE<80%", "score<80.0"])
def test_score_forms(text: str) -> None:
    assert parse_fail_on([text]) == (FailOn("score", 80.0),)


@pytest.mark.parametrize("text", ["score>80", "score<101", "all", "score<", ""])
def test_bad_values_say_what_is_expected(text: str) -> None:
    with pytest.raises(FailOnError, match=r"expected mandatory, any, or score<N"):
        parse_fail_on([text])


def test_mandatory_fails_only_a_not_ready_run() -> None:
    conditions = parse_fail_on(["mandatory"])
    assert fail_on_breaches(conditions, doc("ready", 100.0, waived=2)) == []
    assert fail_on_breaches(conditions, doc("not-ready", 99.0)) == ["mandatory: the verdict is not-ready"]


def test_any_also_fails_waived_failures() -> None:
    assert fail_on_breaches(parse_fail_on(["any"]), doc("ready", 90.0, waived=1)) == [
        "any: 1 check(s) failed under a waiver"]


def test_score_alone_lets_a_not_ready_run_pass_above_the_threshold() -> None:
    conditions = parse_fail_on(["score<80"])
    assert fail_on_breaches(conditions, doc("not-ready", 85.0)) == []
    assert fail_on_breaches(conditions, doc("not-ready", 79.9)) == ["score<80: the achieved score is 79.9 %"]


def test_partial_checks_fail_mandatory_through_the_verdict_and_any_always() -> None:
    """A partial mandatory check makes the verdict not-ready (mandatory fails); a partial conditional one does
    not block the verdict, but ``any`` fails on it."""
    ready_with_partial = {"verdict": "ready", "scores": {"overall": {"achieved_pct": 90.0, "partial": 2}}}
    assert fail_on_breaches(parse_fail_on(["mandatory"]), ready_with_partial) == []
    assert fail_on_breaches(parse_fail_on(["any"]), ready_with_partial) == [
        "any: 2 check(s) partial (a covering test skipped)"]
