"""A client-side limit on how hard a run presses a target: at most N requests in flight and R per second.

A shared testing portal serves many firms; the harness must never flood it, whatever the suites do (hypothesis
and schemathesis generate requests as fast as the target answers). :class:`LimitedTransport` wraps any httpx
transport, so every request of the run, from any suite, passes through the same limiter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

__all__ = ["LimitedTransport", "RateLimiter"]


class RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart (a token bucket holding one token).

    Example:
        >>> limiter = RateLimiter(2.0)          # at most 2 requests a second
        >>> limiter.acquire(); limiter.acquire()  # the second waits half a second
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be above 0 requests per second, received {rate}")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = float("-inf")

    def acquire(self) -> None:
        """Wait until the next request may start."""
        with self._lock:  # reserve a slot under the lock, sleep outside it: waiters queue in arrival order
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


class LimitedTransport(httpx.BaseTransport):
    """``inner`` with at most ``max_concurrency`` requests in flight and ``rate`` request starts per second."""

    def __init__(self, inner: httpx.BaseTransport, *, max_concurrency: int, rate: float,
                 limiter: RateLimiter | None = None) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, received {max_concurrency}")
        self.inner = inner
        self.max_concurrency = max_concurrency
        self.limiter = limiter or RateLimiter(rate)
        self._slots = threading.BoundedSemaphore(max_concurrency)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._slots:
            self.limiter.acquire()
            response = self.inner.handle_request(request)
            # read inside the slot (a streamed body holds the connection until read), then hand httpx a fresh
            # stream, so it times and closes the exchange like any network response
            content = response.read()
            response.close()
            return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(content),
                                  extensions=response.extensions, request=request)

    def close(self) -> None:
        self.inner.close()
