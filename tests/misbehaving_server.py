"""A real loopback HTTP server that misbehaves on purpose, for the harness's resilience tests.

Raw asyncio streams (not an HTTP framework) so that it can do what no well-behaved server does: hang after
reading the request, reset the connection, announce JSON and send HTML, send a body larger than any sane
response, or drip a body one byte at a time. It runs on its own event loop in a daemon thread.

Every mode answers every request the same way, except ``GET /_sim/clock`` (the capability probe), which gets a
404 so that the target counts as a portal, not as our simulator.

Example:
    >>> with misbehaving_server("hang") as base_url:
    ...     ...  # point `ocp-conformance run --target base_url` at it
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

Mode = Literal["hang", "reset", "non-json", "huge-body", "wrong-content-type", "500", "503", "slow-drip"]
MODES: tuple[Mode, ...] = ("hang", "reset", "non-json", "huge-body", "wrong-content-type", "500", "503",
                           "slow-drip")

HUGE_BODY_MB = 64
"""How much the huge-body mode offers (it stops as soon as the client hangs up)."""


def _head(status: str, content_type: str, length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}", "connection: close"]
    lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _simple(status: str, content_type: str, body: bytes) -> bytes:
    return _head(status, content_type, len(body)) + body


async def _read_request(reader: asyncio.StreamReader) -> str:
    head = await reader.readuntil(b"\r\n\r\n")
    request_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return request_line


class _Server:
    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.port = 0
        self._server: asyncio.Server | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self._server = self.loop.run_until_complete(asyncio.start_server(self.handle, "127.0.0.1", 0))
        self.port = int(self._server.sockets[0].getsockname()[1])
        self.started.set()
        self.loop.run_forever()
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._server.close()
        self.loop.run_until_complete(self._server.wait_closed())
        self.loop.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await _read_request(reader)
            self.requests += 1
            if request_line.startswith("GET /_sim/clock"):
                writer.write(_simple("404 Not Found", "application/problem+json", b'{"status": 404}'))
            else:
                await self.misbehave(reader, writer, request_line)
                if self.mode in ("reset", "hang"):
                    return
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # the client hung up, or the server is stopping
        finally:
            if not writer.is_closing():
                writer.close()

    async def misbehave(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request_line: str) -> None:
        mode = self.mode
        ok = "201 Created" if request_line.startswith("POST") else "200 OK"  # the status the contract documents
        if mode == "hang":
            await reader.read()  # until the client gives up and closes
            writer.close()
        elif mode == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # linger 0 + close: the peer sees a TCP RST
        elif mode == "non-json":
            writer.write(_simple(ok, "application/json", b"<html><body>Service Unavailable</body></html>"))
        elif mode == "wrong-content-type":
            writer.write(_simple(ok, "text/html", b'{"items": []}'))
        elif mode in ("500", "503"):
            status = "500 Internal Server Error" if mode == "500" else "503 Service Unavailable"
            writer.write(_simple(status, "text/plain", b"upstream exploded"))
        elif mode == "huge-body":
            chunk = b"[" + b"0," * (512 * 1024)
            writer.write(_head("200 OK", "application/json", None))
            for _ in range(HUGE_BODY_MB * 2):
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
        elif mode == "slow-drip":
            writer.write(_head("200 OK", "application/json", 4096))
            for _ in range(4096):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.2)


@contextmanager
def misbehaving_server(mode: Mode) -> Iterator[str]:
    """Serve ``mode`` on a free loopback port; yields the base URL."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    server = _Server(mode)
    thread = threading.Thread(target=server.run, name=f"misbehaving-{mode}", daemon=True)
    thread.start()
    if not server.started.wait(10):
        raise RuntimeError("the misbehaving server did not start")
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.loop.call_soon_threadsafe(server.loop.stop)
        thread.join(timeout=10)
