"""Consumer mode in process: the correct example client passes; each fault of the wrong one is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ocp_conformance.consumer import ClientConformance, InjectionError, InjectionRule, write_client_conformance
from ocp_conformance.contracts import ContractSet
from ocp_conformance.reporting import build_readiness, write_readiness
from tests.consumer.conftest import Session
from tests.consumer.example_clients import CorrectClient, WrongClient, si_body

Start = Callable[..., Session]


def _checks(report: ClientConformance) -> dict[str, set[str]]:
    """check name -> the states it took over every retry of the session."""
    found: dict[str, set[str]] = {}
    for op in report.operations:
        for retry in op.retries:
            for check in retry.checks:
                found.setdefault(check.name, set()).add(check.state)
    return found


def test_the_correct_client_passes_every_injected_failure(session: Start) -> None:
    s = session("429", "503", "drop")
    client = CorrectClient(s.http, s.token, s.clock.sleep)
    for n in range(3):
        response = client.input_si(si_body(f"OK{n}"))
        assert response is not None and response.status_code == 201, client.log
    report = s.report()
    assert report.verdict == "pass", report.reasons
    assert _checks(report) == {"retried": {"pass"}, "same-idempotency-key": {"pass"}, "backoff": {"pass"},
                               "no-duplicate": {"pass"}}
    assert [e.injected for e in s.recorder.exchanges] == ["429", None, "503", None, "drop", None]
    assert sum(e.created for e in s.recorder.exchanges) == 3
    assert s.recorder.exchanges[-1].replayed  # the dropped SI's retry got the first reply again


def test_a_new_key_on_retry_after_a_dropped_connection_is_a_duplicate(session: Start) -> None:
    s = session("drop")
    WrongClient(s.http, s.token, s.clock.sleep, new_key_on_retry=True).input_si(si_body("DUP1"))
    report = s.report()
    assert report.verdict == "fail"
    assert _checks(report)["same-idempotency-key"] == {"fail"}
    assert _checks(report)["no-duplicate"] == {"fail"}
    assert [[e.index for e in group] for group in report.duplicates] == [[1, 2]]
    assert any("duplicate instruction" in reason for reason in report.reasons)


def test_retrying_before_retry_after_is_caught(session: Start) -> None:
    s = session("429", retry_after=2)
    WrongClient(s.http, s.token, s.clock.sleep, no_backoff=True).input_si(si_body("FAST1"))
    report = s.report()
    assert _checks(report)["backoff"] == {"fail"}
    assert _checks(report)["same-idempotency-key"] == {"pass"}
    detail = next(c.detail for op in report.operations for r in op.retries for c in r.checks if c.name == "backoff")
    assert "Expected: at least 2 s (Retry-After: 2)" in detail


def test_no_backoff_after_a_dropped_connection_is_caught(session: Start) -> None:
    s = session("drop")
    WrongClient(s.http, s.token, s.clock.sleep, no_backoff=True).input_si(si_body("FAST2"))
    assert _checks(s.report(min_backoff=0.2))["backoff"] == {"fail"}


def test_a_field_the_contract_does_not_define_is_a_violation_with_its_pointer(session: Start) -> None:
    s = session()
    WrongClient(s.http, s.token, s.clock.sleep, extra_field=True).input_si(si_body("EXTRA1"))
    report = s.report()
    assert report.verdict == "fail"
    (op,) = report.operations
    ((_, violation),) = op.violations
    assert (op.name, violation.pointer, violation.seen) == ("inputSi", "/priority", "HIGH")
    assert "unexpected property" in violation.reason


def test_a_wrong_value_names_what_was_expected_and_seen(session: Start) -> None:
    s = session()
    body = {**si_body("BAD1"), "paymentType": "CASH"}
    CorrectClient(s.http, s.token, s.clock.sleep).input_si(body)
    (op,) = s.report().operations
    ((_, violation),) = op.violations
    assert violation.pointer == "/paymentType" and violation.seen == "CASH"
    assert "'CASH' is not one of" in violation.reason


def test_a_call_to_a_discontinued_pg_function_is_flagged(session: Start) -> None:
    s = session()
    CorrectClient(s.http, s.token, s.clock.sleep).enquire_discontinued_di()
    s.http.get("/ocp/v1/account-transfers/ATI0000000042", headers={"Authorization": f"Bearer {s.token}"})
    report = s.report()
    assert report.verdict == "fail"
    assert sorted(e.discontinued or "" for op in report.operations for e in op.discontinued) == [
        "Enquire ATI", "Enquire DI"]


def test_an_unretried_failure_is_not_observed_and_the_verdict_incomplete(session: Start) -> None:
    s = session("503")
    client = CorrectClient(s.http, s.token, s.clock.sleep, attempts=1)
    assert client.input_si(si_body("GIVEUP")) is None
    report = s.report()
    assert report.verdict == "incomplete"
    assert _checks(report) == {"retried": {"not-observed"}}


def test_no_traffic_is_never_a_pass(session: Start) -> None:
    report = session().report()
    assert report.verdict == "incomplete"
    assert "no request was recorded" in report.reasons[0]


def test_enquiries_are_not_failed_unless_named(session: Start) -> None:
    s = session("429")
    response = s.http.get("/ocp/v1/settlement-instructions", headers={"Authorization": f"Bearer {s.token}"})
    assert response.status_code != 429
    assert s.recorder.exchanges[0].injected is None


def test_injection_rules_name_what_is_accepted(contracts: ContractSet) -> None:
    assert InjectionRule.parse("drop:Input SI", contracts).operations == frozenset({"inputSi"})
    assert InjectionRule.parse("429:inputSi", contracts).kind == "429"
    with pytest.raises(InjectionError, match="'500' is not a failure kind; expected one of 429, 503, drop"):
        InjectionRule.parse("500", contracts)
    with pytest.raises(InjectionError, match=r"Did you mean 'Input SI',"):
        InjectionRule.parse("drop:Input Si", contracts)


def test_the_report_is_written_redacted_and_linked_from_readiness(session: Start, tmp_path: Path) -> None:
    s = session("429")
    WrongClient(s.http, s.token, s.clock.sleep, new_key_on_retry=True).input_si(si_body("FILE1"))
    (tmp_path / "readiness.md").write_text("# OCP conformance readiness\n", encoding="utf-8")
    report = s.report()
    write_client_conformance(report, s.recorder.exchanges, tmp_path)
    write_client_conformance(report, s.recorder.exchanges, tmp_path)  # a second stop replaces the section
    data = json.loads((tmp_path / "client-conformance.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "fail"
    assert data["operations"][0]["retries"][0]["checks"][1]["check"] == "same-idempotency-key"
    markdown = (tmp_path / "client-conformance.md").read_text(encoding="utf-8")
    assert "same-idempotency-key: fail" in markdown
    readiness = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert readiness.count("client-conformance.md") == 2 and readiness.count("## Client conformance") == 1
    for path in tmp_path.iterdir():
        assert s.token not in path.read_text(encoding="utf-8"), f"{path.name} leaks the bearer token"
    assert '"authorization": "[REDACTED]"' in (tmp_path / "client-exchanges.jsonl").read_text(encoding="utf-8")


def test_missing_credentials_malformed_json_and_unknown_paths_are_violations(session: Start) -> None:
    s = session()
    s.http.post("/ocp/v1/settlement-instructions", json=si_body("NOAUTH"), headers={"Idempotency-Key": "k" * 12})
    s.http.post("/ocp/v1/settlement-instructions", content=b"{not json", headers={
        "Authorization": f"Bearer {s.token}", "Idempotency-Key": "k" * 13, "Content-Type": "application/json"})
    s.http.delete("/ocp/v1/settlement-instructions", headers={"Authorization": f"Bearer {s.token}"})
    report = s.report()
    found = {(op.name, v.pointer, v.reason.split(":")[0]) for op in report.operations for _, v in op.violations}
    assert found == {
        ("inputSi", "/header/Authorization", "the contract requires credentials"),
        ("inputSi", "", "not valid JSON"),
        ("DELETE /ocp/v1/settlement-instructions (not in the contract)", "",
         "no operation of the contract serves DELETE /ocp/v1/settlement-instructions; this path takes GET, POST"),
    }


def test_a_recorder_bug_serves_the_request_and_makes_the_session_incomplete(
        session: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    s = session()

    def broken(*args: object) -> None:
        raise RuntimeError("recorder bug")

    monkeypatch.setattr(s.recorder, "_exchange", broken)
    response = CorrectClient(s.http, s.token, s.clock.sleep).input_si(si_body("BUG1"))
    assert response is not None and response.status_code == 201  # the client is never failed by our bug
    report = s.report()
    assert report.verdict == "incomplete"
    assert report.reasons[0] == ("harness error (ours, not the client's): POST /ocp/v1/settlement-instructions: "
                                 "RuntimeError: recorder bug")


def test_a_later_run_keeps_the_link_to_the_client_report(session: Start, contracts: ContractSet,
                                                         tmp_path: Path) -> None:
    s = session()
    CorrectClient(s.http, s.token, s.clock.sleep).input_si(si_body("LINK1"))
    write_client_conformance(s.report(), s.recorder.exchanges, tmp_path)
    assert not (tmp_path / "readiness.md").exists()  # nothing to link from yet
    write_readiness(build_readiness(contracts.catalogue, [], target="simulator", contract_version="x"), tmp_path)
    readiness = (tmp_path / "readiness.md").read_text(encoding="utf-8")
    assert "## Client conformance (consumer mode)\n\n**PASS**" in readiness
    assert readiness.startswith("# OCP conformance readiness")


def test_a_request_that_breaks_the_contract_is_not_failed_on_purpose(session: Start) -> None:
    s = session("429")
    WrongClient(s.http, s.token, s.clock.sleep, extra_field=True).input_si(si_body("INVALID"))
    assert [(e.injected, e.status) for e in s.recorder.exchanges] == [(None, 400)]
