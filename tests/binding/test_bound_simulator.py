"""The simulator in the renamed variant's shape (BoundShape): requests and answers translated role by role through
the two bindings, the bound error shape and auth scheme, and the converted suite passing on it and catching a
fault on the right function."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from ocp_conformance.binding import credential_header, load_binding
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target, url_target

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"
REPO = Path(__file__).resolve().parents[2]
ERROR_TYPE = "application/vnd.hkex.error+json"


@pytest.fixture(scope="module")
def variant_target() -> tuple[httpx.Client, dict[str, str], str]:
    target, _ = simulator_target(load_contracts(VARIANT))
    actor, counterparty = target.acting_pair()
    return target.http(), target.auth_headers(actor), counterparty


def _si(counterparty: str, date: str, **extra: object) -> dict[str, object]:
    return {"side": "DELIVER", "counterpartyId": counterparty, "securityCode": "00005",
            "quantity": 1 + uuid.uuid4().int % 10**6, "settlementDate": date, "paymentType": "F",
            "ownReference": uuid.uuid4().hex[:16], "inputChannel": "API", **extra}


def _business_date(client: httpx.Client) -> str:
    return str(client.get("/_sim/clock").json()["businessDate"])


def test_a_renamed_request_is_answered_in_the_renamed_shape(
        variant_target: tuple[httpx.Client, dict[str, str], str]) -> None:
    client, auth, counterparty = variant_target
    assert set(auth) == {"X-API-Key"}
    created = client.post("/api/ocp/instructions", json=_si(counterparty, _business_date(client)),
                          headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["securityCode"] == "00005" and body["paymentType"] == "F" and "stockCode" not in body
    again = client.get(f"/api/ocp/instructions/{body['instructionId']}", headers=auth)
    assert again.status_code == 200 and again.json()["instructionId"] == body["instructionId"]
    listed = client.get("/api/ocp/instructions", params={"securityCode": "00005"}, headers=auth)
    assert listed.status_code == 200
    assert body["instructionId"] in {item["instructionId"] for item in listed.json()["items"]}


def test_errors_come_in_the_bound_shape(variant_target: tuple[httpx.Client, dict[str, str], str]) -> None:
    client, auth, counterparty = variant_target
    missing = client.post("/api/ocp/instructions", headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                          json={k: v for k, v in _si(counterparty, _business_date(client)).items()
                                if k != "inputChannel"})
    assert missing.status_code == 400 and missing.headers["content-type"] == ERROR_TYPE
    assert [e["field"] for e in missing.json()["fieldErrors"]] == ["/inputChannel"]
    bad_code = client.post("/api/ocp/instructions", headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                           json=_si(counterparty, _business_date(client), paymentType="FOP"))
    assert bad_code.status_code == 400 and "/paymentType" in [e["field"] for e in bad_code.json()["fieldErrors"]]
    unknown = client.get("/api/ocp/instructions/SI0000000000", headers=auth)
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "SI_NOT_FOUND"
    assert client.get("/api/ocp/instructions/SI0000000000").json()["errorCode"] == "UNAUTHENTICATED"


def test_only_the_bound_scheme_authenticates(variant_target: tuple[httpx.Client, dict[str, str], str]) -> None:
    """The variant authenticates with an API key: a bearer token carrying the same secret is no credential (a
    served simulator that took it passed every missing-X-API-Key request schemathesis sent)."""
    client, auth, _ = variant_target
    bearer = {"Authorization": f"Bearer {auth['X-API-Key']}"}
    refused = client.get("/api/ocp/instructions", headers=bearer)
    assert refused.status_code == 401 and refused.json()["errorCode"] == "UNAUTHENTICATED"
    assert client.get("/api/ocp/instructions", headers=auth).status_code == 200


def test_a_url_target_puts_the_token_where_the_bound_contract_says() -> None:
    contracts = load_contracts(VARIANT)
    header = credential_header(contracts, load_binding(contracts))
    tokens = {"B01234": "t" * 24, "B05678": "u" * 24}
    bound = url_target("http://127.0.0.1:9", tokens=tokens, probe_capabilities=False, credential_header=header)
    assert bound.auth_headers("B01234") == {"X-API-Key": "t" * 24}
    ours = url_target("http://127.0.0.1:9", tokens=tokens, probe_capabilities=False)
    assert ours.auth_headers("B05678") == {"Authorization": "Bearer " + "u" * 24}


def test_an_oversized_body_is_refused_in_the_bound_shape_before_it_is_read_whole(
        variant_target: tuple[httpx.Client, dict[str, str], str]) -> None:
    client, auth, counterparty = variant_target
    huge = {**_si(counterparty, _business_date(client)), "narrative": "x" * (2 * 1024 * 1024)}
    refused = client.post("/api/ocp/instructions", headers={**auth, "Idempotency-Key": uuid.uuid4().hex}, json=huge)
    assert refused.status_code == 413 and refused.headers["content-type"] == ERROR_TYPE
    assert refused.json()["errorCode"] == "PAYLOAD_TOO_LARGE"


def test_the_shape_layer_stops_reading_at_the_cap() -> None:
    """It reads the body before the simulator's own guard does, so it caps it too: an endless body is refused after
    at most the cap and one chunk, and an announced one before any byte is read."""
    import asyncio

    from ocp_conformance.simulator.bound_shape import _read_body
    from ocp_conformance.simulator.problems import Problem

    read = 0

    async def endless() -> dict[str, object]:
        nonlocal read
        read += 65536
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    with pytest.raises(Problem) as streamed:
        asyncio.run(_read_body(endless, 1024 * 1024, {"path": "/api/ocp/instructions", "headers": []}))
    assert streamed.value.status == 413 and read <= 1024 * 1024 + 65536
    read = 0
    with pytest.raises(Problem):
        asyncio.run(_read_body(endless, 1024, {"path": "/p", "headers": [(b"content-length", b"5000000000")]}))
    assert read == 0


def _suite(where: Path, *options: str, suite: str = "suites/test_field_rejection.py") -> list[tuple[str, str]]:
    report = where / uuid.uuid4().hex
    result = subprocess.run([sys.executable, "-m", "pytest", suite, "-q", "-p",
                             "no:cacheprovider", "--ocp-contracts", str(VARIANT), "--ocp-report", str(report),
                             *options], cwd=REPO, capture_output=True, text=True, check=False)
    assert "INTERNALERROR" not in result.stdout + result.stderr
    lines = (report / ".results" / "main.jsonl").read_text(encoding="utf-8").splitlines()
    return [(json.loads(line)["test_id"], json.loads(line)["outcome"]) for line in lines]


def test_the_converted_suite_passes_on_the_variant_and_catches_a_fault_on_its_function(tmp_path: Path) -> None:
    clean = _suite(tmp_path)
    assert sorted(outcome for _, outcome in clean) == ["not-applicable"] * 2 + ["passed"] * 6
    # the variant's hold and release take no body: no field to reject there, so not applicable, never failed
    assert all("Change Hold Matched SI" in test for test, outcome in clean if outcome == "not-applicable")
    faulty = _suite(tmp_path, "--ocp-fault", "accept-invalid-quantity")
    failed = [test for test, outcome in faulty if outcome == "failed"]
    assert failed and all("[Input SI:create]" in test for test in failed)


def test_the_schemathesis_suite_follows_the_variant_and_catches_an_undocumented_status(tmp_path: Path) -> None:
    chosen = ("-k", "holdMatchedInstruction or releaseMatchedInstruction or submitSettlementInstruction")
    clean = _suite(tmp_path, *chosen, suite="suites/test_contract.py")
    assert sorted(outcome for _, outcome in clean) == ["passed"] * 6
    faulty = _suite(tmp_path, *chosen, "--ocp-fault", "undocumented-status-on-hold", suite="suites/test_contract.py")
    failed = sorted(test.split("::")[1] for test, outcome in faulty if outcome == "failed")
    assert failed == ["test_valid_requests_get_conforming_responses[holdMatchedInstruction]",
                      "test_valid_requests_get_conforming_responses[releaseMatchedInstruction]"]


def test_the_security_suite_follows_the_variant_and_catches_a_leak(tmp_path: Path) -> None:
    clean = _suite(tmp_path, suite="suites/test_security.py")
    assert clean and {outcome for _, outcome in clean} == {"passed"}
    faulty = _suite(tmp_path, "--ocp-fault", "other-participants-si-visible", suite="suites/test_security.py")
    failed = [test.split("::")[1] for test, outcome in faulty if outcome == "failed"]
    assert failed == ["test_other_participants_si_is_not_found[retrieveSettlementInstruction]"]


def test_a_run_against_the_variant_runs_every_applicable_check_of_maintain_si_and_all_pass(tmp_path: Path) -> None:
    """Issue 14's measure: the renamed variant (its binding, overlay and catalogue only) run by `run`: every Maintain
    SI function passes every check, the scenarios included (bound copies of our workflows), nothing skipped; what
    does not apply to that contract is listed as such, never counted as a pass of something that did not run."""
    result = subprocess.run([sys.executable, "-m", "ocp_conformance", "run", "--contracts", str(VARIANT), "--only",
                             "Maintain SI", "--report", str(tmp_path), "--no-allure-html"],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    readiness = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    assert readiness["harness_errors"] == [] and readiness["verdict"] == "ready"
    maintain_si = [e for e in readiness["entries"] if e["group"] == "Maintain SI"]
    assert len(maintain_si) == 9
    for entry in maintain_si:
        assert entry["status"] == "pass", (entry["name"], entry["reason"])
        assert entry["tests_skipped"] == 0
        assert entry["checks"]["scenario"]["status"] == "pass", entry["name"]
    summary = readiness["summary"]
    assert summary["tests_ran"] >= 9 * (summary["tests_ran"] + summary["tests_not_applicable"]) // 10
    reasons = [t["reason"] for e in maintain_si for c in e["checks"].values() for t in c["not_applicable_tests"]]
    assert reasons and all(r.startswith("not applicable: ") for r in reasons)


def test_a_function_whose_binding_is_removed_is_not_run_naming_it_and_the_rest_runs(tmp_path: Path) -> None:
    import shutil

    import yaml

    contracts = tmp_path / "contracts"
    shutil.copytree(VARIANT, contracts)
    binding = yaml.safe_load((contracts / "binding.yaml").read_text(encoding="utf-8"))
    del binding["functions"]["Cancel SI"]
    (contracts / "binding.yaml").write_text(yaml.safe_dump(binding, sort_keys=False), encoding="utf-8")
    report = tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "ocp_conformance", "run", "--contracts", str(contracts), "--only",
                             "Cancel SI", "--only", "Input SI", "--report", str(report), "--no-allure-html"],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]  # not ready, never 3
    readiness = json.loads((report / "readiness.json").read_text(encoding="utf-8"))
    assert readiness["harness_errors"] == []
    entries = {e["name"]: e for e in readiness["entries"]}
    for kind, check in entries["Cancel SI"]["checks"].items():
        assert check["status"] == "partial", kind  # never fail, never pass
        assert 'no binding for functions."Cancel SI"' in check["reason"], kind
    assert entries["Input SI"]["checks"]["contract"]["status"] == "pass"
