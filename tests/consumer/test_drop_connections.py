"""DropConnections closes the socket when the server gives a handle on it, else sends a truncated response."""

from __future__ import annotations

from typing import Any

import anyio

from ocp_conformance.consumer import ConnectionDropped, DropConnections
from ocp_conformance.consumer.recorder import Message


async def _dropping_app(scope: Any, receive: Any, send: Any) -> None:
    raise ConnectionDropped("POST", "/ocp/v1/settlement-instructions")


class _Transport:
    aborted = False

    def abort(self) -> None:
        self.aborted = True


class _Cycle:
    """Like uvicorn's request cycle: ``receive`` is its bound method and it holds the transport."""

    def __init__(self) -> None:
        self.transport = _Transport()

    async def receive(self) -> Message:
        return {"type": "http.request", "body": b""}


def test_with_the_servers_transport_the_connection_is_aborted_and_nothing_sent() -> None:
    cycle, sent = _Cycle(), list[Message]()

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(DropConnections(_dropping_app), {"type": "http"}, cycle.receive, send)
    assert cycle.transport.aborted and sent == []


def test_without_it_the_response_is_cut_short() -> None:
    sent = list[Message]()

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(DropConnections(_dropping_app), {"type": "http"}, receive, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1]["more_body"] is True and (b"content-length", b"1024") in sent[0]["headers"]
