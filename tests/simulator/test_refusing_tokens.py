"""simIssueRefusingToken: a token every API request presenting it is refused with, as the contract documents the
refusal, while the participant's own token and everyone else's work as before."""

from __future__ import annotations

import httpx
import pytest

from ocp_conformance.contracts import load_contracts
from ocp_conformance.reporting.redaction import REDACTED, Redactor
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.simulator.refusals import REFUSALS
from ocp_conformance.targets import simulator_target
from tests.consumer.example_clients import SI_PATH, si_body

ALPHA = "B01234"


@pytest.fixture(scope="module")
def app_and_http() -> tuple[SimulatorApp, httpx.Client]:
    target, app = simulator_target(load_contracts())
    return app, target.http()


def _token(http: httpx.Client, code: str, participant: str = ALPHA) -> httpx.Response:
    return http.post(f"/_sim/participants/{participant}/refusing-tokens", json={"code": code})


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_request_with_the_token_is_refused_with_its_code_and_nothing_else_changes(
        app_and_http: tuple[SimulatorApp, httpx.Client], code: str) -> None:
    app, http = app_and_http
    issued = _token(http, code)
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    refusal = REFUSALS[code]
    for path in ("/ocp/v1/settlement-instructions", "/ocp/v1/money-positions"):
        answer = http.get(path, headers={"Authorization": f"Bearer {token}"})
        assert (answer.status_code, answer.json()["code"]) == (refusal.status, code), answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert ("retry-after" in answer.headers) == refusal.retry_after
        assert "items" not in answer.json()  # it reads nothing
    # it changes nothing: a valid Input SI sent with it is refused and not created; the same SI with the
    # participant's own token is (so the request itself was valid)
    reference = f"REFUSE{sorted(REFUSALS).index(code)}"
    body = si_body(reference)
    refused = http.post(SI_PATH, json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k" * 16})
    assert (refused.status_code, refused.json()["code"]) == (refusal.status, code), refused.text
    own = {"Authorization": f"Bearer {app.token_of(ALPHA)}"}
    listed = http.get(SI_PATH, params={"ownReference": reference}, headers=own)
    assert listed.status_code == 200 and listed.json()["items"] == [], listed.text
    created = http.post(SI_PATH, json=body, headers={**own, "Idempotency-Key": reference.ljust(16, "m")})
    assert created.status_code == 201, created.text


def test_the_same_participant_and_code_give_the_same_token_and_codes_differ(
        app_and_http: tuple[SimulatorApp, httpx.Client]) -> None:
    _, http = app_and_http
    first, again = _token(http, "RATE_LIMITED").json()["token"], _token(http, "RATE_LIMITED").json()["token"]
    assert first == again != _token(http, "SERVICE_UNAVAILABLE").json()["token"]


def test_an_unknown_participant_or_code_is_refused_naming_it(app_and_http: tuple[SimulatorApp, httpx.Client]) -> None:
    _, http = app_and_http
    unknown = _token(http, "RATE_LIMITED", participant="B99999")
    assert unknown.status_code == 422 and "B99999" in unknown.json()["detail"]
    assert _token(http, "TEAPOT").status_code == 400


def test_a_token_learnt_during_the_run_is_redacted_from_then_on() -> None:
    redactor = Redactor(["configured-secret"])
    redactor.add("refused_B01234_0123456789abcdef")
    assert redactor.redact_text("Bearer refused_B01234_0123456789abcdef") == f"Bearer {REDACTED}"
    assert redactor.redact_text("configured-secret") == REDACTED and redactor.secret_count == 2


def test_a_participant_issued_no_token_gets_no_refusing_token_and_a_422_naming_it() -> None:
    target, app = simulator_target(load_contracts())
    app.state.use_tokens({"B05678": "only-beta-has-a-token-0001"})
    answer = target.http().post(f"/_sim/participants/{ALPHA}/refusing-tokens", json={"code": "RATE_LIMITED"})
    assert answer.status_code == 422 and ALPHA in answer.json()["detail"], answer.text
