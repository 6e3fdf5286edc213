"""RAP's file transport as the exchange offers it: an SFTP server, one chrooted folder per participant.

A participant logs in with its participant id as user name and its token as password (or a public key you
authorise), and sees only its own folder: `/INBOX` (it may upload there, nowhere else) and `/OUTBOX` (the
simulator's result files, which it may read and delete). A file counts as uploaded when the client closes the
handle it wrote with, or, if it was written under a temporary name (`.x`, `*.part`, `*.filepart`, `*.tmp`),
when it is renamed to its final name in INBOX. A file still open when the session ends (a broken connection,
or a client ending its session without closing it) was never confirmed: it is discarded, not delivered.
A name is uploaded once: a second upload under a delivered name is refused (file already exists), as CCASS
file names carry a sequence number (DOMAIN.md §7).

Example:
    >>> with serve_in_thread(Path("rap"), {"B01234": "secret"}, print) as server:  # doctest: +SKIP
    ...     print(server.port)  # sftp -P PORT B01234@127.0.0.1, then: put file.csv INBOX/
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import logging
import os
import posixpath
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from cryptography.utils import CryptographyDeprecationWarning

from ocp_conformance.simulator.rap.delivery import OnUpload, UploadDelivery
from ocp_conformance.simulator.rap.folders import (
    INBOX,
    OUTBOX,
    file_name_problem,
    is_temporary_name,
    participant_folders,
)
from ocp_conformance.simulator.rap.login_throttle import LoginThrottle

with warnings.catch_warnings():  # asyncssh loads cryptography's DSA, deprecated since cryptography 51: not ours
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    import asyncssh

__all__ = ["RapSftpServer", "lasting_host_key", "serve_in_thread"]

logger = logging.getLogger("ocp_conformance.simulator.rap")
_CLOSE_TIMEOUT = 5.0
"""Seconds the open SFTP sessions get, together, to close when the server stops."""

_WRITE_FLAGS = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC | asyncssh.FXF_EXCL
_READ_ONLY = "uploads go to /INBOX/<file name>; everything else is read-only"


class RapSftpServer:
    """An SFTP server on loopback for RAP uploads.

    Args:
        root: the participants' folders (`root/<participant>/INBOX|OUTBOX`), created at start.
        credentials: participant id -> password (the simulator passes each participant's demo token).
        on_upload: called as `on_upload(participant, path)` once per fully uploaded file, in arrival order, on
            one worker thread; an exception is logged and written to `OUTBOX/<name>.error.txt`.
        host, port: where to listen; port 0 picks a free port (see the value `start()` returns).
        host_key: the server's private host key file; by default a fresh Ed25519 key per start.
        authorized_keys: participant id -> an authorized_keys file, to also allow public-key logins.
        throttle: the delays after failed password logins (default: :class:`LoginThrottle`'s).
    """

    def __init__(self, root: Path, credentials: Mapping[str, str], on_upload: OnUpload,
                 host: str = "127.0.0.1", port: int = 0, *, host_key: Path | None = None,
                 authorized_keys: Mapping[str, Path] | None = None, throttle: LoginThrottle | None = None) -> None:
        self.root = root
        self.throttle = throttle or LoginThrottle()
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.host = host
        self.port = port
        self._credentials = dict(credentials)
        self._authorized_keys = dict(authorized_keys or {})
        self._on_upload = on_upload
        self._host_key_path = host_key
        self._host_key: asyncssh.SSHKey | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._delivery: UploadDelivery | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._writing: Counter[Path] = Counter()
        """Local paths with a write handle open, over all sessions: never renamed or delivered mid-write."""

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint, for clients that check it (known after `start()`)."""
        if self._host_key is None:
            raise RuntimeError("the server has not started")
        return str(self._host_key.get_fingerprint("sha256"))

    async def start(self) -> int:
        """Create the participants' folders, listen, and return the bound port."""
        for participant in self._credentials:
            participant_folders(self.root, participant)
        self._host_key = (asyncssh.read_private_key(self._host_key_path) if self._host_key_path
                          else asyncssh.generate_private_key("ssh-ed25519"))
        self._delivery = UploadDelivery(self._on_upload, name="rap-sftp-delivery")
        try:
            self._acceptor = await asyncssh.listen(
                self.host, self.port, server_host_keys=[self._host_key], server_factory=self._auth,
                sftp_factory=self._sftp_session, allow_scp=False, agent_forwarding=False, x11_forwarding=False)
        except BaseException:
            self._delivery.close()
            self._delivery = None
            raise
        self.port = self._acceptor.get_port()
        logger.info("RAP SFTP server on %s:%d for %d participant(s)", self.host, self.port, len(self._credentials))
        return self.port

    async def close(self) -> None:
        """Stop listening, end every session, then deliver the uploads already queued."""
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None
        connections = list(self._connections)
        for connection in connections:
            connection.close()
        # all sessions at once, within one bound: a client that never answers the close is cut off, so a
        # simulator whose clients left many sessions half-open still stops in seconds
        closing = {asyncio.ensure_future(connection.wait_closed()): connection for connection in connections}
        if closing:
            _, stuck = await asyncio.wait(closing, timeout=_CLOSE_TIMEOUT)
            for task in stuck:
                closing[task].abort()
                task.cancel()
        if self._delivery is not None:
            await asyncio.to_thread(self._delivery.close)
            self._delivery = None

    def _auth(self) -> asyncssh.SSHServer:
        return _Auth(self)

    def _sftp_session(self, channel: asyncssh.SSHServerChannel[bytes]) -> asyncssh.SFTPServer:
        return _ParticipantSftp(channel, self)

    def _check_password(self, participant: str, password: str) -> bool:
        expected = self._credentials.get(participant)
        # compare even for an unknown user, so the reply time does not tell which user names exist
        matches = hmac.compare_digest((expected or "\0").encode(), password.encode())
        return expected is not None and matches

    def _delivered(self, participant: str, path: Path) -> None:
        assert self._delivery is not None
        self._delivery.arrived(participant, path)


class _Auth(asyncssh.SSHServer):
    def __init__(self, server: RapSftpServer) -> None:
        self._server = server
        self._connection: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._connection = conn
        self._server._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection is not None:
            self._server._connections.discard(self._connection)

    def begin_auth(self, username: str) -> bool:
        keys = self._server._authorized_keys.get(username)
        if keys is not None and self._connection is not None:
            self._connection.set_authorized_keys(str(keys))
        return True

    def password_auth_supported(self) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return bool(self._server._authorized_keys)

    async def validate_password(self, username: str, password: str) -> bool:
        server = self._server
        peer = self._peer()
        wait = server.throttle.delay(username, peer)
        if wait:
            await server._sleep(wait)
        if server._check_password(username, password):
            server.throttle.succeeded(username, peer)
            return True
        server.throttle.failed(username, peer)
        logger.warning("refused a password login as %r from %s (next attempt waits %g s)", username[:64], peer,
                       server.throttle.delay(username, peer))
        return False

    def _peer(self) -> str:
        peer = self._connection.get_extra_info("peername") if self._connection is not None else None
        return str(peer[0]) if peer else "unknown"


class _ParticipantSftp(asyncssh.SFTPServer):
    """One participant's session: chrooted to its folder, writing only in INBOX."""

    def __init__(self, channel: asyncssh.SSHServerChannel[bytes], server: RapSftpServer) -> None:
        self._participant = str(channel.get_extra_info("username"))
        self._server = server
        self._folders = participant_folders(server.root, self._participant)
        self._uploads: dict[object, Path] = {}
        super().__init__(channel, chroot=os.fsencode(self._folders.home))

    # -- the rules ------------------------------------------------------------------------------------------------

    @staticmethod
    def _client_path(path: bytes) -> PurePosixPath:
        try:
            return PurePosixPath(posixpath.normpath(posixpath.join("/", path.decode("utf-8"))))
        except UnicodeDecodeError:
            raise asyncssh.SFTPInvalidFilename("file names must be UTF-8") from None

    def _inbox_file(self, path: bytes) -> Path:
        """The local path of `/INBOX/<name>`, or a refusal for anything else."""
        client = self._client_path(path)
        if len(client.parts) != 3 or client.parts[1] != INBOX:
            raise asyncssh.SFTPPermissionDenied(f"{client}: {_READ_ONLY}")
        bad_name = file_name_problem(client.name)
        if bad_name:
            raise asyncssh.SFTPInvalidFilename(bad_name)
        return self._folders.inbox / client.name

    def _outbox_file(self, path: bytes) -> Path:
        client = self._client_path(path)
        if len(client.parts) != 3 or client.parts[1] != OUTBOX:
            raise asyncssh.SFTPPermissionDenied(f"{client}: only files in /OUTBOX may be removed")
        return self._folders.outbox / client.name

    # -- files ----------------------------------------------------------------------------------------------------

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        if not pflags & _WRITE_FLAGS:
            return super().open(path, pflags, attrs)
        local = self._inbox_file(path)
        if not is_temporary_name(local.name):
            pflags |= asyncssh.FXF_CREAT | asyncssh.FXF_EXCL  # a final name is written once, atomically
        file = super().open(path, pflags, asyncssh.SFTPAttrs())  # the client does not choose permissions
        self._uploads[file] = local
        self._server._writing[local] += 1
        return file

    def close(self, file_obj: object) -> None:
        # asyncssh calls close() for the client's FXP_CLOSE and, from its session cleanup, for every handle the
        # client left open; only the first completes an upload. It offers no public way to tell them apart, so
        # look at the caller (a renamed caller falls back to the channel's state, which catches broken connections).
        session_ended = sys._getframe(1).f_code.co_name == "_cleanup" or self.channel.is_closing()
        local = self._uploads.pop(file_obj, None)
        try:
            super().close(file_obj)  # flushes: an error here means the upload did not complete, so no delivery
        finally:
            if local is not None:
                self._server._writing[local] -= 1
                if not self._server._writing[local]:
                    del self._server._writing[local]
        if local is None:
            return
        if session_ended:
            logger.warning("discarded %s from %s: the session ended before the file was closed",
                           local.name, self._participant)
            with suppress(OSError):
                local.unlink()
        elif not is_temporary_name(local.name):
            self._server._delivered(self._participant, local)

    def fsetstat(self, file_obj: object, attrs: asyncssh.SFTPAttrs) -> None:
        if file_obj not in self._uploads:
            raise asyncssh.SFTPPermissionDenied(_READ_ONLY)
        super().fsetstat(file_obj, _times_only(attrs))

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._inbox_file(path)
        super().setstat(path, _times_only(attrs))

    def lsetstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._inbox_file(path)
        super().lsetstat(path, _times_only(attrs))

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        old, new = self._inbox_file(oldpath), self._inbox_file(newpath)
        if not is_temporary_name(old.name) or is_temporary_name(new.name):
            raise asyncssh.SFTPPermissionDenied(
                "only a file uploaded under a temporary name (.x, *.part, *.filepart, *.tmp) may be renamed, "
                "to its final name in /INBOX")
        if old in self._server._writing:
            raise asyncssh.SFTPPermissionDenied(f"/INBOX/{old.name} is still being written: close it first")
        os.link(old, new)  # fails if `new` exists: a final name is never replaced
        old.unlink()
        self._server._delivered(self._participant, new)

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        self.rename(oldpath, newpath)

    def remove(self, path: bytes) -> None:
        self._outbox_file(path).unlink()

    # -- refused outright -----------------------------------------------------------------------------------------

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        raise asyncssh.SFTPPermissionDenied("folders cannot be created: upload files to /INBOX")

    def rmdir(self, path: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("folders cannot be removed")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links cannot be created")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links cannot be created")


def _times_only(attrs: asyncssh.SFTPAttrs) -> asyncssh.SFTPAttrs:
    """Keep the access and modification times a client may preserve; never permissions, owner or size."""
    return asyncssh.SFTPAttrs(atime=attrs.atime, atime_ns=attrs.atime_ns, mtime=attrs.mtime, mtime_ns=attrs.mtime_ns)


def lasting_host_key(path: Path) -> Path:
    """``path``, holding an Ed25519 host key: created (owner-only) if absent, else left as it is.

    ``simulate --state`` keeps the key beside its state file, so a client that checks the host key (as it
    should) still trusts the simulator after a restart.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.export_private_key())
    return path


@contextmanager
def serve_in_thread(root: Path, credentials: Mapping[str, str], on_upload: OnUpload, *, host: str = "127.0.0.1",
                    port: int = 0, host_key: Path | None = None, authorized_keys: Mapping[str, Path] | None = None,
                    timeout: float = 30) -> Iterator[RapSftpServer]:
    """Run a `RapSftpServer` on its own event loop in a background thread, for synchronous code (tests, the CLI).

    Yields the started server (`server.port` is the bound port); on exit closes it and joins the thread, waiting
    for the uploads already queued to be delivered.

    Raises:
        OSError: the server could not listen (e.g. the port is taken).
    """
    server = RapSftpServer(root, credentials, on_upload, host, port, host_key=host_key,
                           authorized_keys=authorized_keys)
    started: concurrent.futures.Future[asyncio.Event] = concurrent.futures.Future()
    loop_of: dict[str, asyncio.AbstractEventLoop] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        loop_of["loop"] = asyncio.get_running_loop()
        try:
            await server.start()
        except BaseException as exc:
            started.set_exception(exc)
            return
        started.set_result(stop)
        try:
            await stop.wait()
        finally:
            await server.close()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="rap-sftp", daemon=True)
    thread.start()
    stop = started.result(timeout)
    try:
        yield server
    finally:
        loop_of["loop"].call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if thread.is_alive():
            logger.error("the RAP SFTP server did not stop within %s s", timeout)
