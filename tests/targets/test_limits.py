"""The client-side limiter: request starts per window and requests in flight never exceed the profile's limits.

Counts per window, never wall-clock speed: a slow machine only lowers the counts."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from ocp_conformance.targets import LimitedTransport, RateLimiter


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_request_starts_are_spaced_by_the_rate() -> None:
    clock = _FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(20):
        limiter.acquire()
        starts.append(clock.now)
    assert starts[:5] == [0.0, 0.25, 0.5, 0.75, 1.0]
    # at most 4 starts in any window of one second
    assert all(sum(1 for s in starts if start <= s < start + 1.0) <= 4 for start in starts)


def test_a_limiter_that_idled_does_not_burst() -> None:
    clock = _FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now = 100.0
    limiter.acquire()
    limiter.acquire()
    assert clock.now == 100.5


def test_real_requests_from_many_threads_honour_rate_and_concurrency() -> None:
    seen: list[float] = []
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        with lock:
            seen.append(time.monotonic())
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json={"ok": True})

    rate = 20.0
    transport = LimitedTransport(httpx.MockTransport(handler), max_concurrency=2, rate=rate)
    with httpx.Client(transport=transport, base_url="http://target.invalid") as client, \
            ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: client.get("/x").json(), range(30)))
    assert answers == [{"ok": True}] * 30
    assert most <= 2
    # starts are at least 1/rate apart, so no one-second window holds more than `rate` of them (+1 for the edge)
    assert max(sum(1 for s in seen if start <= s < start + 1.0) for start in seen) <= rate + 1


def test_the_response_is_timed_and_readable_like_a_network_one() -> None:
    transport = LimitedTransport(httpx.MockTransport(lambda r: httpx.Response(200, text="hello")), max_concurrency=1,
                                 rate=1000)
    with httpx.Client(transport=transport, base_url="http://target.invalid") as client:
        response = client.get("/")
        assert response.text == "hello"
        assert response.elapsed.total_seconds() >= 0
