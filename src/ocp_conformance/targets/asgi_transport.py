"""A synchronous httpx transport into an ASGI app, in process (no socket).

httpx's own ``ASGITransport`` is async-only and the suites are synchronous (pytest, hypothesis,
schemathesis), so each request runs to completion on its own short-lived event loop. That leaves no
background thread behind to keep the process alive, whatever the caller forgets to close.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx

__all__ = ["SyncASGITransport"]


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        status, headers, content = anyio.run(self._send, request)
        # A stream, not `content=`: httpx then times the exchange and closes it like a network response.
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content), request=request)

    async def _send(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content
