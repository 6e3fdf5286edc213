"""The capability profile's test plan: mandatory, conditional, not applicable, each with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.contracts import SourceError, SourceLocation, load_contracts
from ocp_conformance.reporting import build_readiness
from ocp_conformance.reporting.results import CheckResult
from ocp_conformance.targets import ParticipantProfile, compile_plan

CATALOGUE = load_contracts().catalogue
HERE = SourceLocation(Path("ocp-conformance.toml"), 1, 1)


def _profile(*functions: str, file_types: tuple[str, ...] = (), pg_user: bool = True,
             kind: str = "Custodian") -> ParticipantProfile:
    return ParticipantProfile(type=kind, functions=functions, file_types=file_types, pg_user=pg_user, location=HERE)


def test_without_a_profile_everything_is_mandatory() -> None:
    plan = compile_plan(CATALOGUE, None)
    assert {e.level for e in plan.entries} == {"mandatory"}
    assert plan.refusal(["Input SI"], CATALOGUE) is None  # a partial run, reported as not ready


def test_levels_and_reasons() -> None:
    plan = compile_plan(CATALOGUE, _profile("Input SI", "Enquire Deleted SI", file_types=("SI",)))
    levels = {e.name: e for e in plan.entries}
    assert levels["Input SI"].level == "mandatory" and "PG" in levels["Input SI"].reason
    assert levels["Enquire Deleted SI"].level == "mandatory"
    assert levels["Enquire Deleted SI"].reason == "declared in [participant] functions"  # new in OCP, not PG
    assert levels["SI"].level == "mandatory" and "file type SI" in levels["SI"].reason
    assert levels["Cancel SI"].level == "conditional" and "Maintain SI" in levels["Cancel SI"].reason
    assert levels["Input DI"].level == "not-applicable" and "Custodian" in levels["Input DI"].reason
    assert levels["Stock List"].level == "not-applicable"
    gcp = compile_plan(CATALOGUE, _profile("Input SI", kind="General Clearing"))
    assert {e.name: e.level for e in gcp.entries}["Stock List"] == "conditional"


def test_only_may_not_leave_out_a_mandatory_check() -> None:
    plan = compile_plan(CATALOGUE, _profile("Input SI", "Enquire Broadcast Message"))
    refusal = plan.refusal(["Input SI"], CATALOGUE)
    assert refusal is not None and "'Enquire Broadcast Message'" in refusal and "ocp-conformance.toml:1:1" in refusal
    assert plan.refusal(["Maintain SI", "Enquire Broadcast Message"], CATALOGUE) is None  # a group selects too


def test_unknown_names_are_located_with_a_suggestion() -> None:
    with pytest.raises(SourceError, match=r"'Input Si'.*Did you mean 'Input SI'"):
        compile_plan(CATALOGUE, _profile("Input Si"))
    with pytest.raises(SourceError, match="not a RAP file type"):
        compile_plan(CATALOGUE, _profile(file_types=("XX",)))


def test_only_mandatory_entries_decide_the_verdict() -> None:
    plan = compile_plan(CATALOGUE, _profile("Enquire Broadcast Message"))
    passed = [CheckResult(f"t-{kind}", ("Enquire Broadcast Message",), kind, "passed")
              for kind in ("contract", "negative", "scenario", "security")]
    failed_conditional = CheckResult("t-x", ("Input SI",), "contract", "failed", failed_functions=("Input SI",))
    ready = build_readiness(CATALOGUE, passed, target="t", contract_version="v", plan=plan.levels())
    assert ready.verdict == "ready"
    assert ready.entry("Input SI").reason.startswith("not applicable")
    mandatory_fails = build_readiness(CATALOGUE, passed[:3], target="t", contract_version="v", plan=plan.levels())
    assert mandatory_fails.verdict == "not-ready"  # a mandatory check that did not run is no pass
    with_conditional = compile_plan(CATALOGUE, _profile("Enquire SI"))
    results = [CheckResult(f"u-{kind}", ("Enquire SI",), kind, "passed")
               for kind in ("contract", "negative", "scenario", "security")] + [failed_conditional]
    readiness = build_readiness(CATALOGUE, results, target="t", contract_version="v", plan=with_conditional.levels())
    assert readiness.entry("Input SI").status == "fail"  # reported...
    assert readiness.verdict == "ready"  # ...but a conditional failure does not block the verdict
