"""Shared by the RAP transport tests: a recording `on_upload` and an SFTP client session with a deadline."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

DEADLINE = 20.0
"""Seconds any one test may wait for the server: a broken server fails the test, it never hangs it."""


@dataclass
class Upload:
    participant: str
    path: Path
    sha256: str
    size: int


@dataclass
class Recorder:
    """An `on_upload` that reads each file when called, as processing would, and lets a test wait for calls."""

    fail_on: set[str] = field(default_factory=set)
    calls: list[Upload] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, participant: str, path: Path) -> None:
        data = path.read_bytes()
        with self._changed:
            self.calls.append(Upload(participant, path, hashlib.sha256(data).hexdigest(), len(data)))
            self._changed.notify_all()
        if path.name in self.fail_on:
            raise ValueError(f"layout engine exploded on {path.name}")

    def wait_for(self, count: int, timeout: float = DEADLINE) -> list[Upload]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls) >= count, timeout):
                raise AssertionError(f"expected {count} on_upload call(s) within {timeout} s, got {self.calls}")
            return list(self.calls)


@asynccontextmanager
async def sftp_session(port: int, user: str, password: str) -> AsyncIterator[asyncssh.SFTPClient]:
    """Log in as a participant would: password only, no keys or agent of the machine running the tests."""
    async with asyncssh.connect("127.0.0.1", port, username=user, password=password, known_hosts=None,
                                client_keys=None, agent_path=None, preferred_auth="password",
                                connect_timeout=DEADLINE) as connection, connection.start_sftp_client() as sftp:
        yield sftp
