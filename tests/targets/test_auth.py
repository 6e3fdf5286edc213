"""Credentials per participant: headers, secrets read from env or file, OAuth2 client credentials, redaction."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ocp_conformance.contracts import SourceLocation
from ocp_conformance.targets import AuthError, AuthProfile, Credentials, SecretRef, load_config, profile_target

HERE = SourceLocation(Path("ocp-conformance.toml"), 7, 1)


def _oauth(secret_env: str = "OAUTH_SECRET") -> AuthProfile:
    return AuthProfile(participant="B01234", type="oauth2", location=HERE, token_url="https://auth.invalid/token",
                       client_id="b01234-app", scope="ocp", secret=SecretRef(env=secret_env, file=None, location=HERE))


class _Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_oauth2_token_is_fetched_once_then_refreshed_before_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTH_SECRET", "client-secret-value")
    issued: list[httpx.Request] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        issued.append(request)
        return httpx.Response(200, json={"access_token": f"token-{len(issued)}", "expires_in": 300})

    clock = _Clock()
    credentials = Credentials(_oauth(), clock=clock,
                              token_client=lambda: httpx.Client(transport=httpx.MockTransport(token_endpoint)))
    assert credentials.headers() == {"Authorization": "Bearer token-1"}
    assert credentials.headers() == {"Authorization": "Bearer token-1"}
    assert len(issued) == 1
    body = issued[0].content.decode()
    assert "grant_type=client_credentials" in body and "scope=ocp" in body
    assert issued[0].headers["authorization"].startswith("Basic ")
    clock.now = 280.0  # within the refresh margin of expiry
    assert credentials.headers() == {"Authorization": "Bearer token-2"}
    assert {"client-secret-value", "token-1", "token-2"} <= set(credentials.secrets())


def test_oauth2_refusal_names_the_setting_not_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTH_SECRET", "client-secret-value")
    credentials = Credentials(_oauth(), token_client=lambda: httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "invalid_client"}))))
    expected = r"HTTP 401 .* check client_id and the client secret at ocp-conformance.toml:7:1"
    with pytest.raises(AuthError, match=expected) as caught:
        credentials.headers()
    assert "client-secret-value" not in str(caught.value)


def test_a_missing_secret_variable_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTH_SECRET", raising=False)
    with pytest.raises(AuthError, match=r"ocp-conformance.toml:7:1: environment variable OAUTH_SECRET is not set"):
        Credentials(_oauth())


def test_profile_target_registers_every_secret_and_sends_each_kind_of_header(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "b05678.key").write_text("api-key-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("LAB_TOKEN_B01234", "bearer-token-from-env")
    config = tmp_path / "ocp-conformance.toml"
    config.write_text('[targets.lab]\nbase_url = "http://127.0.0.1:9"\n'
                      '[targets.lab.auth.B01234]\ntype = "bearer"\ntoken_env = "LAB_TOKEN_B01234"\n'
                      '[targets.lab.auth.B05678]\ntype = "api-key"\nheader = "X-Firm-Key"\nkey_file = "b05678.key"\n',
                      encoding="utf-8")
    target = profile_target(load_config(config).target("lab"), probe_capabilities=False)
    assert target.auth_headers("B01234") == {"Authorization": "Bearer bearer-token-from-env"}
    assert target.auth_headers("B05678") == {"X-Firm-Key": "api-key-from-a-file"}
    assert {"bearer-token-from-env", "api-key-from-a-file"} <= set(target.secrets())
    assert target.acting_pair() == ("B01234", "B05678")


def test_curl_reproduction_masks_every_credential_header() -> None:
    from ocp_conformance.client import Exchange
    from ocp_conformance.contracts import load_contracts

    operation = load_contracts().operation("enquireSi")
    request = httpx.Request("GET", "https://t.invalid/ocp/v1/settlement-instructions",
                            headers={"Authorization": "Bearer tok-secret", "X-API-Key": "key-secret",
                                     "Idempotency-Key": "abc"})
    exchange = Exchange(operation, "Enquire SI", "B01234", request, httpx.Response(200), 1.0)
    line = exchange.curl()
    assert "tok-secret" not in line and "key-secret" not in line
    assert "x-api-key: $OCP_X_API_KEY" in line and "idempotency-key: abc" in line
