"""Serve the simulator over HTTP with limits a hostile network cannot exhaust (``ocp-conformance simulate``).

uvicorn bounds keep-alive idleness and the size of a request head, but not how long a client may take to send
the head, nor how many connections it may hold: :func:`guarded_protocol` adds both to uvicorn's h11 protocol.
Each refused or timed-out connection is one log line. Request bodies are capped in the app itself
(:class:`ocp_conformance.simulator.guard.RequestGuard`), so the in-process simulator has the same caps.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Final

from uvicorn import Config, Server
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["DEFAULT_SERVE_LIMITS", "ServeLimits", "TlsFilesError", "check_tls_files", "guarded_protocol", "serve",
           "server_config"]

log = logging.getLogger("ocp_conformance.simulator.serving")


@dataclass(frozen=True, slots=True)
class ServeLimits:
    """Connection limits of the served simulator (seconds, counts, bytes)."""

    max_connections: int = 256
    """Open connections at once; one more is closed as soon as it is accepted."""
    header_timeout: float = 10.0
    """How long a client may take to send a complete request head (on a new or a kept-alive connection)."""
    keep_alive_timeout: int = 5
    """How long an idle kept-alive connection stays open between requests."""
    max_header_bytes: int = 16 * 1024
    """The largest request head (request line and headers) accepted."""
    graceful_shutdown_timeout: int = 5
    """On SIGINT/SIGTERM, how long requests in flight may finish before their connections are closed (without it
    uvicorn waits for every open connection, so a client that keeps one open holds the simulator up)."""


DEFAULT_SERVE_LIMITS: Final = ServeLimits()


class TlsFilesError(ValueError):
    """A --tls-* file is not what it should be; the message names the option, the file and the fix."""


def check_tls_files(options: dict[str, Any]) -> None:
    """Load uvicorn's TLS ``options`` once as the server would, so a wrong file is a usage error before serving."""
    if "ssl_certfile" not in options:
        return
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert, key = options["ssl_certfile"], options["ssl_keyfile"]
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise TlsFilesError(f"--tls-cert {cert} / --tls-key {key}: not a PEM certificate and its matching "
                            f"private key ({exc.strerror or exc}); give the PEM files of one certificate") from None
    ca = options.get("ssl_ca_certs")
    if ca is not None:
        try:
            context.load_verify_locations(cafile=ca)
        except (ssl.SSLError, OSError) as exc:
            raise TlsFilesError(f"--tls-client-ca {ca}: not a PEM CA certificate ({exc.strerror or exc}); give the "
                                "PEM certificate of the CA that signs the clients' certificates") from None


def guarded_protocol(limits: ServeLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a request-head deadline and a cap on open connections."""

    class GuardedH11Protocol(H11Protocol):
        _head_deadline: asyncio.TimerHandle | None = None
        _awaiting: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                log.warning("refused a connection from %s: %d connections are open (--max-connections %d)",
                            _peer(self.client), len(self.connections) - 1, limits.max_connections)
                transport.close()
                return
            self._arm_head_deadline()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._head_deadline is not None and self.cycle is not self._awaiting:
                self._head_deadline.cancel()  # a complete request head arrived
                self._head_deadline = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_head_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None
            super().connection_lost(exc)

        def _arm_head_deadline(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
            self._awaiting = self.cycle
            self._head_deadline = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _head_timed_out(self) -> None:
            self._head_deadline = None
            if not self.transport.is_closing():
                log.warning("closed a connection from %s: no complete request head within %g s (--header-timeout)",
                            _peer(self.client), limits.header_timeout)
                self.transport.close()

    return GuardedH11Protocol


def server_config(asgi: Any, limits: ServeLimits = DEFAULT_SERVE_LIMITS, *,
                  tls: dict[str, Any] | None = None) -> Config:
    """uvicorn's configuration for ``asgi`` under ``limits`` (and TLS options, see ``cli_targets.tls_options``)."""
    return Config(asgi, http=guarded_protocol(limits), log_level="warning", lifespan="off",
                  limit_concurrency=limits.max_connections + 1, timeout_keep_alive=limits.keep_alive_timeout,
                  h11_max_incomplete_event_size=limits.max_header_bytes,
                  timeout_graceful_shutdown=limits.graceful_shutdown_timeout, **(tls or {}))


def serve(asgi: Any, sock: socket.socket, limits: ServeLimits = DEFAULT_SERVE_LIMITS, *,
          tls: dict[str, Any] | None = None) -> None:
    """Serve ``asgi`` on the bound ``sock`` until SIGINT or SIGTERM (uvicorn's handling)."""
    Server(server_config(asgi, limits, tls=tls)).run(sockets=[sock])


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "an unknown peer"
