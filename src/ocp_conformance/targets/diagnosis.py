"""Why a target cannot be used, in one line with the fix: DNS, refused, timeout, TLS, certificates, 401, 403,
clock skew. Used by ``ocp-conformance targets check`` and before ``run`` against a profile."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["MAX_CLOCK_SKEW", "clock_skew", "explain_exception", "explain_status"]

MAX_CLOCK_SKEW = 60.0
"""Seconds of difference from the target's clock beyond which tokens and certificates may be judged
not yet valid or expired."""

#: OpenSSL alert texts a server sends when it rejects the client certificate (or gets none).
_CLIENT_CERT_ALERTS = ("certificate required", "unknown ca", "bad certificate", "certificate unknown",
                       "certificate expired", "certificate revoked", "handshake failure", "access denied")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def explain_exception(exc: BaseException, *, host: str, cert_setting: str = "client_cert/client_key",
                      timeout: float | None = None, tls: bool = True, client_cert: bool = False) -> str:
    """One line: what went wrong reaching ``host`` (over TLS or not, presenting a client certificate or not), and
    the fix."""
    chain = list(_chain(exc))
    text = " | ".join(str(e) for e in chain).lower()
    for inner in chain:
        if isinstance(inner, ssl.SSLCertVerificationError):
            reason = inner.verify_message or str(inner)
            if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
                return (f"TLS: the server certificate of {host} is for another host name ({reason}); use the host "
                        "name the certificate names in base_url")
            if "expired" in reason.lower():
                return (f"TLS: the server certificate of {host} has expired ({reason}); the target must renew it "
                        "(or your clock is wrong: check it)")
            return (f"TLS: the server certificate of {host} is not trusted ({reason}); set ca_bundle to the CA "
                    "certificate(s) that sign it")
    if any(alert in text for alert in _CLIENT_CERT_ALERTS) or ("ssl" in text and "alert" in text):
        alert = next((a for a in _CLIENT_CERT_ALERTS if a in text), "a TLS alert")
        return (f"TLS: {host} rejected the client certificate ({alert}); set {cert_setting} to a certificate "
                "issued by a CA the target trusts, and its matching key")
    for inner in chain:
        if isinstance(inner, socket.gaierror):
            return (f"DNS: cannot resolve {host} ({inner.strerror or inner}); check the host name in base_url, "
                    "and your DNS or proxy settings")
    if "name or service not known" in text or "nodename nor servname" in text or "temporary failure in name" in text:
        return f"DNS: cannot resolve {host}; check the host name in base_url, and your DNS or proxy settings"
    for inner in chain:
        if isinstance(inner, ConnectionRefusedError) or "connection refused" in text:
            return (f"refused: nothing accepts connections at {host}; check the port in base_url and that the "
                    "server runs (or that a firewall lets you through)")
    if any(isinstance(e, httpx.ConnectTimeout) for e in chain):
        limit = f" within {timeout:g} s" if timeout else ""
        return (f"timeout: {host} did not accept a connection{limit}; check the host, port and firewall (or "
                "raise connect_timeout)")
    if any(isinstance(e, httpx.TimeoutException) for e in chain):
        return f"timeout: {host} accepted the connection but did not answer in time; raise timeout, or check the server"
    dropped = any(isinstance(e, ssl.SSLEOFError | ConnectionResetError | httpx.RemoteProtocolError | httpx.ReadError)
                  for e in chain)
    if tls and dropped:
        # Servers requiring a client certificate often just close the connection when they reject it (TLS 1.3
        # checks it after the handshake, so no alert reaches the client): say so rather than "reset".
        if client_cert:
            return (f"TLS: {host} closed the connection without answering: it rejected the client certificate (not "
                    f"issued by a CA it trusts, expired, or not for client use); set {cert_setting} to a certificate "
                    "the target accepts")
        return (f"TLS: {host} closed the connection without answering: it probably requires a client certificate "
                f"(mutual TLS); set {cert_setting}")
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return (f"TLS: handshake with {host} failed ({chain[-1]}); check that base_url is https:// on a TLS port, "
                f"ca_bundle, and {cert_setting}")
    if dropped:
        return f"reset: {host} closed the connection without answering; check base_url (http:// or https://?)"
    return f"{type(exc).__name__}: {exc}; check base_url and the network"


def explain_status(status: int, participant: str, *, auth_setting: str, skew: float | None = None) -> str | None:
    """One line for an answer that shows authentication failed (401, 403), or ``None`` if it did not."""
    skew_note = (f"; your clock differs from the target's by {skew:+.0f} s, which alone can make tokens look "
                 "expired or not yet valid: synchronise it (NTP)") if skew is not None and abs(skew) > MAX_CLOCK_SKEW \
        else ""
    if status == 401:
        return (f"401: the target did not accept the credentials of {participant}; check {auth_setting} (a wrong or "
                f"expired token or client secret){skew_note}")
    if status == 403:
        return (f"403: {participant} is authenticated but not allowed this function; ask the target's operator to "
                f"enable it for {participant}, or check that the credentials at {auth_setting} are "
                f"{participant}'s{skew_note}")
    return None


def clock_skew(response: httpx.Response, now: datetime) -> float | None:
    """Seconds the target's ``Date`` header is ahead of ``now`` (negative: behind); ``None`` without one."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        theirs = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (theirs - now).total_seconds()
