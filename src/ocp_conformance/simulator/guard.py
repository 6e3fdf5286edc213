"""The ASGI layer around every route of the simulator: request-body limits and a problem for every failure.

A body is counted while it streams in (``Content-Length`` is checked before anything is read), so a client
announcing or sending 500 MB is answered 413 after at most ``max_body_bytes`` have been read, on the contract's
routes, the ``/_sim`` control routes and RAP's HTTP upload alike (the latter with its own, larger cap). Any
exception that escapes a route becomes a ``500 application/problem+json`` (never Starlette's ``text/plain``), and a
client that goes away mid-request is dropped quietly: one debug line, no traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import ClientDisconnect

from ocp_conformance.simulator.problems import Problem, problem_response

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_UPLOAD_BYTES", "BodyLimits", "RequestGuard", "too_large"]

log = logging.getLogger("ocp_conformance.simulator")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""1 MiB: the contract's largest request (a mass transfer's list) is a few kilobytes."""
DEFAULT_MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
"""50 MiB for ``POST /rap/v1/files/{fileName}``, a RAP file's content."""
_UPLOAD_PREFIX: Final = "/rap/v1/files/"


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """How much a request body may hold, and how long it may take to arrive (seconds, in total)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    body_timeout: float = 60.0

    def limit_for(self, path: str) -> int:
        return self.max_upload_bytes if path.startswith(_UPLOAD_PREFIX) else self.max_body_bytes


class RequestGuard:
    """ASGI middleware: body caps while streaming, and a problem+json answer for whatever a route raises."""

    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self.limits = limits or BodyLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.limits.limit_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            log.warning("refused %s %s: Content-Length %d exceeds %d bytes", scope.get("method"), path, declared, limit)
            await _send_problem(scope, send, too_large(declared, limit, path))
            return
        started = body_done = False
        received = 0
        deadline = time.monotonic() + self.limits.body_timeout

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # e.g. a response listening for the client's disconnect: no deadline then
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
            except TimeoutError:
                raise Problem(400, "REQUEST_TIMEOUT", f"the request body did not arrive within "
                              f"{self.limits.body_timeout:g} s; send it at once") from None
            if message["type"] == "http.request":
                body_done = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > limit:
                    log.warning("refused %s %s: the body exceeds %d bytes", scope.get("method"), path, limit)
                    raise too_large(received, limit, path, streamed=True)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except ClientDisconnect:
            log.debug("%s %s: the client disconnected before its request arrived", scope.get("method"), path)
        except Problem as problem:
            if not started:
                await _send_problem(scope, send, problem)
        except Exception as exc:  # a bug of ours: a problem for the client, one record with the traceback for us
            log.exception("simulator error in %s %s", scope.get("method"), path)
            if not started:
                await _send_problem(scope, send, Problem(500, "INTERNAL_ERROR", f"the simulator failed in "
                                                         f"{scope.get('method')} {path} ({type(exc).__name__})"))


def too_large(size: int, limit: int, path: str, *, streamed: bool = False) -> Problem:
    """The 413 problem for a body of ``size`` bytes (or more, ``streamed``) on ``path`` against ``limit``."""
    what = f"more than {limit} bytes" if streamed else f"a body of {size} bytes"
    return Problem(413, "PAYLOAD_TOO_LARGE", f"received {what} on {path}; expected at most {limit} bytes "
                   "(`ocp-conformance simulate --max-body-bytes` sets the cap)")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return None


async def _send_problem(scope: Scope, send: Send, problem: Problem) -> None:
    response = problem_response(problem, str(scope.get("path", "")))
    response.headers["Connection"] = "close"  # the rest of the body is not read: do not reuse the connection

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
