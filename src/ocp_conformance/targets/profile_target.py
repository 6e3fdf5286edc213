"""A :class:`Target` built from a ``[targets.NAME]`` profile: TLS (verified, optionally mutual), per-participant
credentials, timeouts, and a concurrency and rate limit on every request of the run."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx

from ocp_conformance.targets.auth import Credentials
from ocp_conformance.targets.limits import LimitedTransport, RateLimiter
from ocp_conformance.targets.profile import DEFAULT_CONFIG, TargetProfile, load_config
from ocp_conformance.targets.rap_channel import SftpRapChannel
from ocp_conformance.targets.target import CLOCK_CONTROL, Target, TargetError

__all__ = ["PARTICIPANT_EXTENSION", "insecure_warning", "profile_target", "ssl_context", "target_for"]

PARTICIPANT_EXTENSION = "ocp_participant"
"""httpx request extension naming the acting participant, so its own client certificate is presented."""


def insecure_warning(profile: TargetProfile) -> str:
    return (f"TLS verification is OFF for target {profile.name} (insecure = true at {profile.location}): the "
            "server's identity is not checked, so credentials may go to an impostor and this run is no evidence of "
            "a secure connection")


def ssl_context(profile: TargetProfile, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    """Verification on (system CAs, or ``ca_bundle``); ``insecure = true`` turns it off; a client certificate
    for mutual TLS. Unreadable files are a :class:`TargetError` naming the profile line."""
    try:
        context = ssl.create_default_context(cafile=str(profile.ca_bundle) if profile.ca_bundle else None)
    except (OSError, ssl.SSLError) as exc:
        raise TargetError(f"{profile.location}: cannot load ca_bundle {profile.ca_bundle}: {_reason(exc)}; give a "
                          "PEM file of the CA certificates that sign the target's server certificate") from None
    if profile.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert is not None and key is not None:
        try:
            context.load_cert_chain(str(cert), str(key))
        except (OSError, ssl.SSLError) as exc:
            raise TargetError(f"{profile.location}: cannot load client certificate {cert} with key {key}: "
                              f"{_reason(exc)}; give the PEM certificate and its matching unencrypted private "
                              "key") from None
    return context


class _ParticipantRouter(httpx.BaseTransport):
    """Sends each request over the transport of its acting participant (its own client certificate), or
    over the default one (the target's certificate, else the first participant's)."""

    def __init__(self, transports: Mapping[str, httpx.BaseTransport], default: httpx.BaseTransport) -> None:
        self._transports, self._default = transports, default

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        participant = request.extensions.get(PARTICIPANT_EXTENSION)
        transport = self._transports.get(participant, self._default) if isinstance(participant, str) \
            else self._default
        return transport.handle_request(request)

    def close(self) -> None:
        for transport in {id(t): t for t in [*self._transports.values(), self._default]}.values():
            transport.close()


class _Handles(Mapping[str, str]):
    """``Target.tokens`` of a profile target: each participant's handle, obtained on first read (an OAuth2
    token is fetched then, not when the profile is loaded)."""

    def __init__(self, credentials: Mapping[str, Credentials]) -> None:
        self._credentials = credentials

    def __getitem__(self, participant: str) -> str:
        return self._credentials[participant].handle()

    def __iter__(self) -> Iterator[str]:
        return iter(self._credentials)

    def __len__(self) -> int:
        return len(self._credentials)


def profile_target(profile: TargetProfile, *, probe_capabilities: bool = True) -> Target:
    """The target ``profile`` describes. Secrets are read now (a missing one is an ``AuthError``); an OAuth2
    token is fetched on first use."""
    timeout = httpx.Timeout(profile.timeout, connect=profile.connect_timeout)
    default_pair = (profile.client_cert, profile.client_key)
    if default_pair[0] is None:  # no target-wide certificate: requests of no participant use the first one's
        first = next((profile.auth[p] for p in profile.acting_order if profile.auth[p].client_cert), None)
        default_pair = (first.client_cert, first.client_key) if first else (None, None)
    contexts = {pid: ssl_context(profile, auth.client_cert, auth.client_key)
                for pid, auth in profile.auth.items() if auth.client_cert is not None}
    default_context = ssl_context(profile, *default_pair)

    def token_client() -> httpx.Client:
        return httpx.Client(timeout=timeout, verify=ssl_context(profile, None, None))

    credentials = {pid: Credentials(auth, token_client=token_client) for pid, auth in profile.auth.items()}
    limiter = RateLimiter(profile.rate_limit)

    def make_client() -> httpx.Client:
        router = _ParticipantRouter({pid: httpx.HTTPTransport(verify=context) for pid, context in contexts.items()},
                                    httpx.HTTPTransport(verify=default_context))
        transport = LimitedTransport(router, max_concurrency=profile.max_concurrency, rate=profile.rate_limit,
                                     limiter=limiter)
        return httpx.Client(base_url=profile.base_url, transport=transport, timeout=timeout)

    handles = _Handles(credentials)
    rap = None
    if profile.rap_sftp_host is not None:
        rap = SftpRapChannel(profile.rap_sftp_host, profile.rap_sftp_port, handles,
                             known_hosts=profile.rap_sftp_known_hosts, result_timeout=profile.timeout)
    warnings = (insecure_warning(profile),) if profile.insecure else ()
    return Target(
        name=profile.name, kind="profile", base_url=profile.base_url, tokens=handles,
        capabilities=_probe(make_client) if probe_capabilities else frozenset(), make_client=make_client,
        roles=profile.acting_order, rap=rap,
        description=f"profile {profile.name} ({profile.base_url})" + (" [TLS verification OFF]" if warnings else ""),
        header_auth=lambda participant: credentials[participant].headers(),
        extra_secrets=lambda: [s for c in credentials.values() for s in c.secrets()], warnings=warnings)


def _probe(make_client: Callable[[], httpx.Client]) -> frozenset[str]:
    """``clock-control`` only if ``GET /_sim/clock`` answers like our simulator does."""
    try:
        with make_client() as client:
            answer = client.get("/_sim/clock")
        if answer.status_code == 200 and "businessDate" in answer.json():
            return frozenset({CLOCK_CONTROL})
    except (httpx.HTTPError, ValueError):
        pass  # not our simulator, or not reachable: `targets check` and the suites say why precisely
    return frozenset()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def target_for(name: str, config_path: str | Path | None) -> Target:
    """The target of profile ``name`` in ``config_path`` (default ``./ocp-conformance.toml``)."""
    return profile_target(load_config(Path(config_path) if config_path else DEFAULT_CONFIG).target(name))
