"""Request limits of the served simulator (issue 16, item 7): a body cap enforced while the body streams in, on
every route (/_sim control routes too), and a problem+json answer (never text/plain, never a traceback per
connection) for whatever a route raises or a client that goes away."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import MutableMapping
from typing import Any

import pytest

from ocp_conformance.simulator.app import build_app
from ocp_conformance.simulator.guard import BodyLimits, RequestGuard

Message = MutableMapping[str, Any]


class Drip:
    """An endless request body in chunks, counting what the app reads."""

    def __init__(self, chunk: int = 64 * 1024, total: int | None = None) -> None:
        self.chunk, self.total, self.sent = chunk, total, 0

    async def __call__(self) -> Message:
        size = self.chunk if self.total is None else min(self.chunk, self.total - self.sent)
        self.sent += size
        more = self.total is None or self.sent < self.total
        return {"type": "http.request", "body": b"x" * size, "more_body": more}


def _call(app: Any, path: str, receive: Any,
          headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[str, str], Any]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": list(headers or []), "http_version": "1.1", "scheme": "http", "server": ("t", 80),
             "client": ("c", 1), "root_path": "", "asgi": {"version": "3.0"}}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    names = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], names, json.loads(body) if body else None


@pytest.mark.parametrize("path", ["/_sim/holdings", "/ocp/v1/settlement-instructions"])
def test_an_announced_500_mb_body_is_413_before_anything_is_read(path: str) -> None:
    app = build_app(limits=BodyLimits(max_body_bytes=1024 * 1024))
    drip = Drip()
    status, headers, body = _call(app.asgi, path, drip, [(b"content-length", b"524288000"),
                                                         (b"content-type", b"application/json")])
    assert status == 413 and headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "PAYLOAD_TOO_LARGE" and "524288000" in body["detail"]
    assert drip.sent == 0


@pytest.mark.parametrize("path", ["/_sim/holdings", "/ocp/v1/settlement-instructions"])
def test_an_unannounced_endless_body_is_cut_at_the_cap(path: str) -> None:
    limit = 1024 * 1024
    app = build_app(limits=BodyLimits(max_body_bytes=limit))
    drip = Drip()
    auth = (b"authorization", f"Bearer {app.token_of('B01234')}".encode())
    status, _headers, body = _call(app.asgi, path, drip, [(b"content-type", b"application/json"), auth])
    assert status == 413 and body["code"] == "PAYLOAD_TOO_LARGE"
    assert drip.sent <= limit + drip.chunk  # read at most one chunk past the cap, never the whole body


def test_rap_uploads_have_their_own_larger_cap() -> None:
    app = build_app(limits=BodyLimits(max_body_bytes=100, max_upload_bytes=10_000))
    small = [(b"content-length", b"5000")]
    assert _call(app.asgi, "/rap/v1/files/B01234_SI_20270406_001.csv", Drip(total=5000), small)[0] == 401
    assert _call(app.asgi, "/_sim/holdings", Drip(total=5000), small)[0] == 413
    auth = (b"authorization", f"Bearer {app.token_of('B01234')}".encode())
    assert _call(app.asgi, "/rap/v1/files/B01234_SI_20270406_001.csv", Drip(), [auth])[0] == 413


def test_anything_a_route_raises_is_a_500_problem() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a bug")

    status, headers, body = _call(RequestGuard(broken), "/anything", Drip(total=0))
    assert status == 500 and headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "INTERNAL_ERROR"


def test_a_client_gone_mid_body_leaves_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app()
    first = True

    async def gone() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"{", "more_body": True}
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/_sim/holdings", "raw_path": b"/_sim/holdings",
             "query_string": b"", "headers": [(b"content-type", b"application/json")], "http_version": "1.1",
             "scheme": "http", "server": ("t", 80), "client": ("c", 1), "root_path": "", "asgi": {"version": "3.0"}}
    with caplog.at_level(logging.DEBUG, logger="ocp_conformance"):
        asyncio.run(app.asgi(scope, gone, send))
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
    assert len(caplog.records) <= 1


def test_a_body_that_stalls_is_answered_at_the_body_deadline() -> None:
    app = build_app(limits=BodyLimits(body_timeout=0.05))
    first = True

    async def stalls() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.Event().wait()  # the rest never comes
        raise AssertionError("unreachable")

    status, _, body = _call(app.asgi, "/_sim/holdings", stalls, [(b"content-type", b"application/json")])
    assert status == 400 and body["code"] == "REQUEST_TIMEOUT"
