"""``ocp-conformance targets check NAME``: can each participant of a profile reach the target and authenticate?
And before ``run --target URL``: can the suites reach a plain URL target at all, with the tokens given?

One authenticated, read-only request per participant; each outcome is one line (and a failure says the fix).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from ocp_conformance.targets.auth import AuthError
from ocp_conformance.targets.diagnosis import MAX_CLOCK_SKEW, clock_skew, explain_exception, explain_status
from ocp_conformance.targets.profile import TargetProfile
from ocp_conformance.targets.profile_target import PARTICIPANT_EXTENSION
from ocp_conformance.targets.target import Target, TargetError

__all__ = ["ParticipantCheck", "TargetCheck", "check_target", "check_url_target"]

_PRE_RUN_TIMEOUT = 10.0
"""At most this many seconds per probe before a run: a slower answer is for the suites to judge."""


@dataclass(frozen=True, slots=True)
class ParticipantCheck:
    participant: str
    ok: bool
    line: str


@dataclass(slots=True)
class TargetCheck:
    """The outcome of checking one target: a line per participant, and warnings (e.g. TLS verification off)."""

    target: str
    checks: list[ParticipantCheck] = field(default_factory=list)
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [f"{c.participant}: {c.line}" for c in self.checks if not c.ok]


def check_target(target: Target, profile: TargetProfile, probe_path: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> TargetCheck:
    """Send ``GET probe_path`` as each participant of ``profile`` (in acting order) and explain what fails."""
    outcome = TargetCheck(target=profile.name, warnings=target.warnings)
    host = urlsplit(profile.base_url).netloc
    for participant in profile.acting_order:
        auth = profile.auth[participant]
        cert_setting = f"client_cert/client_key at {auth.cert_location or profile.cert_location or profile.location}"
        try:
            headers = target.auth_headers(participant)
        except AuthError as exc:
            cause = exc.__cause__
            line = (f"OAuth2 token: {explain_exception(cause, host=urlsplit(auth.token_url or '').netloc)}"
                    if isinstance(cause, httpx.HTTPError) else str(exc))
            outcome.checks.append(ParticipantCheck(participant, False, line))
            continue
        except TargetError as exc:
            outcome.checks.append(ParticipantCheck(participant, False, str(exc)))
            continue
        started = time.perf_counter()
        try:
            client = target.http()
            request = client.build_request("GET", probe_path, headers=headers,
                                           extensions={PARTICIPANT_EXTENSION: participant})
            response = client.send(request)
        except (httpx.HTTPError, OSError) as exc:
            line = explain_exception(exc, host=host, cert_setting=cert_setting, timeout=profile.connect_timeout,
                                     tls=profile.base_url.startswith("https://"),
                                     client_cert=bool(auth.client_cert or profile.client_cert))
            outcome.checks.append(ParticipantCheck(participant, False, line))
            continue
        elapsed = (time.perf_counter() - started) * 1000
        skew = clock_skew(response, now())
        denied = explain_status(response.status_code, participant, auth_setting=str(auth.location), skew=skew)
        if denied is not None:
            outcome.checks.append(ParticipantCheck(participant, False, denied))
        elif response.status_code >= 500:
            outcome.checks.append(ParticipantCheck(
                participant, False, f"{response.status_code}: {host} answered GET {probe_path} with a server error; "
                "the target is up but failing: retry later or tell its operator"))
        elif skew is not None and abs(skew) > MAX_CLOCK_SKEW:
            outcome.checks.append(ParticipantCheck(
                participant, False, f"clock skew: your clock differs from {host}'s by {skew:+.0f} s (more than "
                f"{MAX_CLOCK_SKEW:.0f} s), so tokens and certificates may be judged expired or not yet valid; "
                "synchronise your clock (NTP)"))
        else:
            outcome.checks.append(ParticipantCheck(
                participant, True, f"ok: GET {probe_path} answered {response.status_code} in {elapsed:.0f} ms "
                f"({auth.type}{' + client certificate' if auth.client_cert or profile.client_cert else ''})"))
    return outcome


def check_url_target(target: Target, probe_path: str, *, timeout: float = _PRE_RUN_TIMEOUT) -> TargetCheck:
    """Before a run against a plain URL: ``GET probe_path`` as the two participants the suites act as first (others,
    e.g. an investor, may rightly be refused the probe's function).

    Fails only what makes a run pointless: no connection at all (refused, DNS, TLS handshake, connect timeout),
    stopping at the first such line since it is the same for everyone, or credentials refused (401, 403). Any
    other answer, however slow or wrong, passes here: judging it is the suites' job, as the target's failure.
    """
    outcome = TargetCheck(target=target.base_url, warnings=target.warnings)
    host = urlsplit(target.base_url).netloc
    limit = min(timeout, _PRE_RUN_TIMEOUT)
    with httpx.Client(base_url=target.base_url, timeout=limit, verify=True) as client:
        for participant in target.acting_pair():
            try:  # the status is all it needs: the body, however large or slow, is left unread
                request = client.build_request("GET", probe_path, headers=target.auth_headers(participant))
                response = client.send(request, stream=True)
                response.close()
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
                line = explain_exception(exc, host=host, timeout=limit, tls=target.base_url.startswith("https://"))
                outcome.checks.append(ParticipantCheck(participant, False, line.replace("base_url", "the --target "
                                                                                        "URL")))
                return outcome
            except httpx.HTTPError as exc:  # reachable but misbehaving: stop probing, the suites report it
                outcome.checks.append(ParticipantCheck(participant, True, f"connected; the answer to GET "
                                                       f"{probe_path} failed ({type(exc).__name__}): the suites "
                                                       "report it"))
                return outcome
            denied = explain_status(response.status_code, participant, auth_setting=f"OCP_TOKEN_{participant}")
            outcome.checks.append(ParticipantCheck(participant, denied is None,
                                                   denied or f"ok: GET {probe_path} answered {response.status_code}"))
    return outcome
