"""Any OCP server at a URL: the exchange's offline simulator, its testing portal, an adapter, or ours."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import httpx

from ocp_conformance.targets.response_guard import GuardedTransport, ResponseLimits
from ocp_conformance.targets.target import CLOCK_CONTROL, Target, TargetError

__all__ = ["TOKEN_ENV_PREFIX", "check_base_url", "tokens_from_environment", "url_target"]

TOKEN_ENV_PREFIX = "OCP_TOKEN_"
_PARTICIPANT = re.compile(r"^[A-Z][0-9]{5}$")


def tokens_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Bearer tokens per participant from ``OCP_TOKEN_<PARTICIPANT>`` (e.g. ``OCP_TOKEN_B01234``).

    Secrets come only from the environment, never from the command line (shell history, process lists).
    """
    environ = os.environ if environ is None else environ
    tokens = {}
    for name, value in environ.items():
        if name.startswith(TOKEN_ENV_PREFIX):
            participant = name[len(TOKEN_ENV_PREFIX):]
            if not _PARTICIPANT.match(participant):
                raise TargetError(f"{name}: {participant!r} is not a participant ID (a letter and five digits, "
                                  "e.g. OCP_TOKEN_B01234)")
            if value.strip():
                tokens[participant] = value.strip()
    return tokens


def check_base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash, if it is an http(s) URL with a host and a valid port.

    Raises:
        TargetError: received what, expected what (a usage error, before any request).
    """
    if not base_url.startswith(("http://", "https://")):
        raise TargetError(f"target URL {base_url!r} must start with http:// or https://")
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise TargetError(f"target URL {base_url!r} is not a valid URL ({exc}); expected e.g. "
                          "https://ocp.example.com or http://[::1]:8000") from None
    if not url.host:
        raise TargetError(f"target URL {base_url!r} names no host; expected e.g. https://ocp.example.com or "
                          "http://127.0.0.1:8000")
    return base_url.rstrip("/")


def url_target(base_url: str, *, tokens: Mapping[str, str] | None = None, timeout: float = 30.0,
               probe_capabilities: bool = True, limits: ResponseLimits | None = None,
               credential_header: str | None = None) -> Target:
    """A target at ``base_url`` (TLS verification always on).

    Capabilities are probed, not assumed: ``clock-control`` only if ``GET /_sim/clock`` answers like our
    simulator does. ``limits`` (default: ``timeout`` per request) guard every request (response_guard.py).
    Each participant's token goes in ``credential_header`` (the bound contract's API-key header, see
    :func:`ocp_conformance.binding.credential_header`), else as ``Authorization: Bearer``.
    """
    base_url = check_base_url(base_url)
    tokens = dict(tokens) if tokens is not None else tokens_from_environment()
    guard = limits if limits is not None else ResponseLimits(request_timeout=timeout)

    def make_client() -> httpx.Client:
        return httpx.Client(base_url=base_url, timeout=guard.request_timeout, verify=True,
                            transport=GuardedTransport(httpx.HTTPTransport(verify=True), guard))

    capabilities: set[str] = set()
    if probe_capabilities:
        try:
            with make_client() as client:
                answer = client.get("/_sim/clock")
            if answer.status_code == 200 and "businessDate" in answer.json():
                capabilities.add(CLOCK_CONTROL)
        except (httpx.HTTPError, ValueError):
            pass  # not our simulator, or not reachable yet: the suites report connectivity precisely
    held = tokens
    return Target(name=base_url, kind="url", base_url=base_url, tokens=tokens,
                  capabilities=frozenset(capabilities), make_client=make_client, roles=_roles(tokens),
                  description=f"server at {base_url}",
                  header_auth=(lambda pid: {credential_header: held[pid]}) if credential_header else None)


def _roles(tokens: Mapping[str, str]) -> tuple[str, ...]:
    """``OCP_PARTICIPANTS=B01234,B05678``: who acts first; each must have a token."""
    listed = [p.strip() for p in os.environ.get("OCP_PARTICIPANTS", "").split(",") if p.strip()]
    missing = [p for p in listed if p not in tokens]
    if missing:
        raise TargetError(f"OCP_PARTICIPANTS names {', '.join(missing)}, which have no token; set "
                          + " and ".join(f"{TOKEN_ENV_PREFIX}{p}" for p in missing))
    return tuple(listed)
