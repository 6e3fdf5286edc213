"""Credentials of one participant on one target: the headers to send, and every secret value to redact.

Bearer tokens and API keys are read from their environment variable or file when the target is built; an
OAuth2 client-credentials token is fetched from the token URL on first use and again shortly before it expires.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from ocp_conformance.targets.profile import AuthProfile, SecretRef
from ocp_conformance.targets.target import TargetError

__all__ = ["AuthError", "Credentials", "read_secret"]

_REFRESH_MARGIN = 30.0  # seconds before expiry: a token must not expire between being sent and being checked


class AuthError(TargetError):
    """Credentials cannot be read or obtained: says which, and how to fix it (never the secret)."""


def read_secret(ref: SecretRef, environ: dict[str, str] | None = None) -> str:
    """The secret ``ref`` points at, stripped; an :class:`AuthError` at the profile line if it is unset/empty."""
    if ref.env is not None:
        value = (os.environ if environ is None else environ).get(ref.env, "").strip()
        if not value:
            raise AuthError(f"{ref.location}: environment variable {ref.env} is not set or empty; export it "
                            f"(export {ref.env}=...) before running")
        return value
    assert ref.file is not None
    try:
        value = ref.file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AuthError(f"{ref.location}: cannot read secret file {ref.file}: {exc.strerror or exc}; check the "
                        "path (relative paths are from the configuration file's folder)") from None
    if not value:
        raise AuthError(f"{ref.location}: secret file {ref.file} is empty; put the secret in it")
    return value


class Credentials:
    """One participant's credentials: :meth:`headers` for each request, :meth:`secrets` for redaction."""

    def __init__(self, profile: AuthProfile, *, token_client: Callable[[], httpx.Client] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.profile = profile
        self._secret = read_secret(profile.secret) if profile.secret is not None else None
        self._key_material = _key_material(profile.client_key)
        self._token_client = token_client
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._issued: list[str] = []

    @property
    def participant(self) -> str:
        return self.profile.participant

    def handle(self) -> str:
        """A value unique to this participant that the scenarios pass as its bearer token (see
        ``Target.tokens``): the token itself for bearer and OAuth2, otherwise the secret or a label."""
        if self.profile.type in ("bearer", "oauth2"):
            return self._bearer()
        return self._secret or f"mtls-{self.participant}"

    def headers(self) -> dict[str, str]:
        """The authentication headers of one request (none for mutual TLS alone: the certificate is the proof)."""
        kind = self.profile.type
        if kind in ("bearer", "oauth2"):
            return {"Authorization": f"Bearer {self._bearer()}"}
        if kind == "api-key":
            assert self._secret is not None
            return {self.profile.header: self._secret}
        return {}

    def header_names(self) -> list[str]:
        kind = self.profile.type
        return ["Authorization"] if kind in ("bearer", "oauth2") else [self.profile.header] if kind == "api-key" \
            else []

    def secrets(self) -> list[str]:
        """Every secret value held: the configured one, each OAuth2 token issued so far, the private key."""
        values = [v for v in (self._secret, self._key_material) if v]
        return values + list(self._issued)

    def _bearer(self) -> str:
        if self.profile.type == "bearer":
            assert self._secret is not None
            return self._secret
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - _REFRESH_MARGIN:
                self._token, lifetime = self._fetch()
                self._issued.append(self._token)
                self._expires_at = self._clock() + lifetime
            return self._token

    def _fetch(self) -> tuple[str, float]:
        """OAuth2 client credentials (RFC 6749 §4.4), client authenticated with HTTP Basic."""
        profile = self.profile
        assert profile.token_url and profile.client_id and self._secret and self._token_client is not None
        data = {"grant_type": "client_credentials", **({"scope": profile.scope} if profile.scope else {})}
        where = f"OAuth2 token for {profile.participant} from {profile.token_url}"
        try:
            with self._token_client() as client:
                response = client.post(profile.token_url, data=data, auth=(profile.client_id, self._secret))
        except httpx.HTTPError as exc:
            raise AuthError(f"{where}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise AuthError(f"{where}: HTTP {response.status_code} (expected 200 with an access_token); check "
                            f"client_id and the client secret at {profile.location}")
        try:
            answer = response.json()
            token, lifetime = str(answer["access_token"]), float(answer.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AuthError(f"{where}: the answer is not a JSON object with access_token (RFC 6749 §5.1)") from None
        return token, lifetime


def _key_material(path: Path | None) -> str | None:
    """The private key's text, registered as a secret so no report can carry it (None if unreadable: the TLS
    setup reports that precisely)."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None
