"""An httpx transport that keeps a misbehaving target from stalling or swamping the run.

Wraps the real transport of a URL target and, for every request:

- refuses to send once the run's time limit passed (:class:`~.run_deadline.RunDeadlineReached`: *not run*),
  and clamps the request's timeouts to what is left of it;
- refuses to send after repeated unanswered requests (:class:`~.transport_failure.UnansweredRequests`);
- streams the response body with a size cap (``--max-body-mb``) and a whole-body time limit, so neither a huge
  body nor one dripped a byte at a time can exceed the per-request limit (httpx's own read timeout is per read).

Failures are ``httpx.TransportError`` subclasses whose text names the misbehaviour; the client reports them
against the target.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from ocp_conformance.targets.run_deadline import RunDeadline, RunDeadlineReached
from ocp_conformance.targets.transport_failure import ResponseTooLarge, ResponseTooSlow, UnansweredRequests

__all__ = ["DEFAULT_MAX_BODY_MB", "DEFAULT_REQUEST_TIMEOUT", "GuardedTransport", "ResponseLimits"]

DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_MAX_BODY_MB = 16.0


@dataclass(slots=True)
class ResponseLimits:
    """The limits one target's requests run under (one instance per target: its counters are shared)."""

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_body_mb: float = DEFAULT_MAX_BODY_MB
    deadline: RunDeadline = field(default_factory=lambda: RunDeadline(None))
    unanswered: UnansweredRequests = field(default_factory=UnansweredRequests)

    def __post_init__(self) -> None:
        if self.request_timeout <= 0:
            raise ValueError(f"the request timeout must be positive seconds; received {self.request_timeout}")
        if self.max_body_mb <= 0:
            raise ValueError(f"the body size cap must be positive MB; received {self.max_body_mb}")

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    def timeout_now(self) -> float:
        """This request's time limit: the per-request timeout, or less when the run limit is nearer."""
        remaining = self.deadline.remaining()
        return self.request_timeout if remaining is None else min(self.request_timeout, remaining)


class GuardedTransport(httpx.BaseTransport):
    """``inner`` with the :class:`ResponseLimits` applied."""

    def __init__(self, inner: httpx.BaseTransport, limits: ResponseLimits) -> None:
        self.inner = inner
        self.limits = limits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limits = self.limits
        limits.deadline.check()
        limits.unanswered.before(request)
        timeout = max(limits.timeout_now(), 0.001)
        request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
        started = time.monotonic()
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError as exc:
            _blame(limits, exc, timeout)
            raise
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limits.max_body_bytes:
            response.close()
            too_large = ResponseTooLarge(_too_large(limits, f"announced {int(length)} bytes"), request=request)
            limits.unanswered.failed(too_large, timeout)
            raise too_large
        assert isinstance(response.stream, httpx.SyncByteStream)
        stream = _GuardedStream(response.stream, limits, request, started + timeout, timeout)
        return httpx.Response(response.status_code, headers=response.headers, stream=stream,
                              extensions=response.extensions, request=request)

    def close(self) -> None:
        self.inner.close()


def _blame(limits: ResponseLimits, exc: httpx.TransportError, timeout: float) -> None:
    """A timeout cut short by the run's limit is the limit's doing (not run), not the target's failure."""
    if isinstance(exc, httpx.TimeoutException) and timeout < limits.request_timeout and limits.deadline.expired():
        raise RunDeadlineReached(limits.deadline.reason()) from exc
    limits.unanswered.failed(exc, timeout)


def _too_large(limits: ResponseLimits, seen: str) -> str:
    return (f"sent a response body over the {limits.max_body_mb:g} MB cap ({seen}; --max-body-mb), so reading "
            "stopped")


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limits: ResponseLimits, request: httpx.Request,
                 until: float, timeout: float) -> None:
        self.inner, self.limits, self.request = inner, limits, request
        self.until, self.timeout = until, timeout

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        try:
            for chunk in self.inner:
                total += len(chunk)
                if total > self.limits.max_body_bytes:
                    raise ResponseTooLarge(_too_large(self.limits, f"{total} bytes read"), request=self.request)
                if time.monotonic() > self.until:
                    raise ResponseTooSlow(
                        f"dripped its response: the body was still arriving after {self.timeout:g} s "
                        f"({total} bytes so far; --request-timeout)", request=self.request)
                yield chunk
        except httpx.TransportError as exc:
            _blame(self.limits, exc, self.timeout)
            raise
        self.limits.unanswered.answered()

    def close(self) -> None:
        self.inner.close()
