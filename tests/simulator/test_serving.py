"""The served simulator's connection limits (issue 16, item 7), against uvicorn on loopback in a thread: a client
that never finishes its request head is disconnected, connections past the cap are closed at once, each with one
log line and no traceback, while normal requests are served."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import httpx
import pytest
from uvicorn import Server

from ocp_conformance.simulator.app import build_app
from ocp_conformance.simulator.serving import ServeLimits, server_config

SOCKET_TIMEOUT = 20.0  # a bound on a broken test, never an assertion about time


@contextmanager
def running(limits: ServeLimits) -> Iterator[int]:
    app = build_app()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = Server(server_config(app.asgi, limits))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SOCKET_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(SOCKET_TIMEOUT)
        sock.close()


def _closed_by_server(conn: socket.socket) -> bool:
    """True once the server closes ``conn`` (EOF or reset) without answering."""
    conn.settimeout(SOCKET_TIMEOUT)
    try:
        return conn.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_a_request_head_that_never_completes_is_disconnected(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), running(ServeLimits(header_timeout=0.2)) as port:
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET /_sim/clock HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            assert _closed_by_server(slow)
        assert httpx.get(f"http://127.0.0.1:{port}/_sim/clock", timeout=SOCKET_TIMEOUT).status_code == 200
    lines = [r for r in caplog.records if "no complete request head" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]


def test_connections_past_the_cap_are_closed_at_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), running(ServeLimits(max_connections=2, header_timeout=30)) as port:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            with socket.create_connection(("127.0.0.1", port)) as extra:
                assert _closed_by_server(extra)
            held[0].sendall(b"GET /_sim/clock HTTP/1.1\r\nHost: x\r\n\r\n")  # the held ones are served
            held[0].settimeout(SOCKET_TIMEOUT)
            assert held[0].recv(1024).startswith(b"HTTP/1.1 200")
        finally:
            for conn in held:
                conn.close()
    lines = [r for r in caplog.records if "refused a connection" in r.getMessage()]
    assert len(lines) == 1 and "--max-connections 2" in lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]


def test_a_request_head_growing_past_the_cap_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    limits = ServeLimits(max_header_bytes=4096, header_timeout=30)
    answer = b""
    with caplog.at_level(logging.WARNING), running(limits) as port, \
            socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET /_sim/clock HTTP/1.1\r\nHost: x\r\n")
        client.settimeout(SOCKET_TIMEOUT)
        with suppress(BrokenPipeError, ConnectionResetError):
            for n in range(8):  # 8 KiB of headers (under h11's default cap), never the blank line
                client.sendall(f"X-Filler-{n}: {'x' * 1000}\r\n".encode())
                time.sleep(0.001)  # separate reads, so the head is incomplete when it passes the cap
        with suppress(ConnectionResetError):
            answer = client.recv(1024)
    assert answer.startswith(b"HTTP/1.1 400") or answer == b""
    assert not [r for r in caplog.records if r.exc_info]
