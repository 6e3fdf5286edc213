"""Requests a target left unanswered: one line naming what happened, and failing fast after repeated ones.

A target that times out or drops connections would otherwise make every test wait out its own timeouts (and
one that answers with oversized bodies would make every test read megabytes). After ``limit`` consecutive
requests unanswered (timeouts, refused or reset connections, a connection closed before a complete response)
or answered unusably (a body over the size cap), :class:`UnansweredRequests` refuses to send more: each later
request fails at once with :class:`TargetGaveUp`, which names the earlier failures. Any usable answer resets
the count.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx

__all__ = ["ResponseTooLarge", "ResponseTooSlow", "TargetGaveUp", "UnansweredRequests", "describe_transport_failure"]


class ResponseTooLarge(httpx.TransportError):
    """The response body exceeded the size cap (``--max-body-mb``); reading stopped there."""


class ResponseTooSlow(httpx.TimeoutException):
    """The response arrived, but its body trickled in for longer than the per-request time limit."""


class TargetGaveUp(httpx.TransportError):
    """Not sent: the target left too many requests in a row unanswered."""


def describe_transport_failure(exc: httpx.TransportError, timeout: float | None = None) -> str:
    """What the target did, in a few words that name the misbehaviour (for the one-line reason)."""
    within = f" within {timeout:g} s" if timeout is not None else ""
    if isinstance(exc, TargetGaveUp | ResponseTooLarge | ResponseTooSlow):
        return str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out: no connection{within}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out: no answer{within}"
    if isinstance(exc, httpx.ConnectError):
        return f"refused the connection or could not be reached ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"closed the connection without a complete response ({exc})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        text = str(exc)
        if "reset" in text.lower() or isinstance(exc.__cause__, ConnectionResetError):
            return f"reset the connection ({text or 'connection reset by peer'})"
        return f"broke the connection ({text or type(exc).__name__})"
    return f"failed at the transport level ({type(exc).__name__}: {exc})"


_UNANSWERED = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, ResponseTooLarge)


@dataclass(slots=True)
class UnansweredRequests:
    """Counts consecutive unanswered requests to one target; shared by every client made for it."""

    limit: int = 2
    consecutive: int = 0
    last: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"the unanswered-request limit must be at least 1; received {self.limit}")

    def before(self, request: httpx.Request) -> None:
        """Raise :class:`TargetGaveUp` instead of sending once the limit is reached."""
        with self._lock:
            if self.consecutive >= self.limit:
                raise TargetGaveUp(
                    f"failed the last {self.consecutive} requests in a row ({'; '.join(self.last)}), so the "
                    "harness stopped sending to it for the rest of the run (this request was not sent)",
                    request=request)

    def answered(self) -> None:
        with self._lock:
            self.consecutive = 0
            self.last.clear()

    def failed(self, exc: Exception, timeout: float | None = None) -> None:
        """Count ``exc`` if it means the target did not answer, or answered with a body over the cap."""
        if isinstance(exc, _UNANSWERED) and not isinstance(exc, TargetGaveUp):
            with self._lock:
                self.consecutive += 1
                assert isinstance(exc, httpx.TransportError)
                self.last = [*self.last, describe_transport_failure(exc, timeout)][-self.limit:]
