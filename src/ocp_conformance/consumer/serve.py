"""Serve the recorder over HTTP (uvicorn) until SIGINT, SIGTERM or ``--duration``; then report.

A dropped connection needs the socket: the recorder raises :class:`ConnectionDropped` after the simulator has
processed the request, and :class:`DropConnections` aborts the connection's transport (uvicorn's receive
callable is bound to the request cycle that holds it), so the client sees the connection close with no status
line at all. Without that handle it sends a truncated response instead, which the client also sees as a broken
connection.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from ocp_conformance.consumer.injection import ConnectionDropped
from ocp_conformance.consumer.recorder import Receive, Recorder, Scope, Send
from ocp_conformance.consumer.report import ClientConformance, build_client_conformance, write_client_conformance

__all__ = ["DropConnections", "listen", "record"]


class DropConnections:
    """ASGI wrapper: turn :class:`ConnectionDropped` into a connection closed without a response."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Any]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ConnectionDropped:
            transport = getattr(getattr(receive, "__self__", None), "transport", None)
            if transport is None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-length", b"1024")]})
                await send({"type": "http.response.body", "body": b"", "more_body": True})
                return
            transport.abort()
            for _ in range(3):  # let the server see the connection lost, so it does not answer 500
                await asyncio.sleep(0)


def listen(host: str, port: int) -> socket.socket:
    """A bound socket on ``host:port`` (0: any free port), so the caller knows the port before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it every
    # response (head and body written apart) waits ~40 ms for the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def record(recorder: Recorder, sock: socket.socket, report_dir: Path, *, duration: float | None,
           min_backoff: float, injections: tuple[str, ...] = ()) -> tuple[ClientConformance, list[Path]]:
    """Serve until SIGINT/SIGTERM or ``duration`` seconds, then write the client-conformance report.

    Must run in the main thread (it installs signal handlers, restored on return).
    """
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(DropConnections(recorder), log_level="warning", lifespan="off",
                                           access_log=False))
    received: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # uvicorn captures SIGINT/SIGTERM while it serves and re-raises them here once it has shut down
        received.append(signal.Signals(signum).name)
        server.should_exit = True  # a signal before uvicorn took over the handlers stops it all the same

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    timer = threading.Timer(duration, _stop, (server, received)) if duration else None
    started_at = datetime.now(UTC)
    try:
        if timer is not None:
            timer.daemon = True
            timer.start()
        server.run(sockets=[sock])
    finally:
        if timer is not None:
            timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    stopped_by = received[0] if received else "server shutdown"
    report = build_client_conformance(recorder.exchanges, started_at=started_at, stopped_at=datetime.now(UTC),
                                      stopped_by=stopped_by, retry_after=recorder.injector.retry_after,
                                      min_backoff=min_backoff, injections=injections,
                                      harness_errors=recorder.harness_errors)
    return report, write_client_conformance(report, recorder.exchanges, report_dir)


def _stop(server: Any, received: list[str]) -> None:
    received.append("--duration")
    server.should_exit = True
