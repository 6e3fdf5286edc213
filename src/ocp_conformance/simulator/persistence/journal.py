"""The journal: every accepted state-changing request, in the order the simulator executed it.

An entry is appended while the simulator's state lock is held, so the journal's order is the execution order, and
committed (fsync'd, ``synchronous=FULL``) before the reply is sent, so nothing acknowledged is missing from it. The
simulator is deterministic given its options and that order (time is simulated and moves only by control calls), so
replaying the journal into a fresh world rebuilds the state, idempotency records included.

Entries are validated requests (operationId, participant, path, query, headers the contract declares, JSON
body) — never the bearer token — and RAP uploads (participant, file name, content).

Each entry carries a checksum chained to the previous entry's (:func:`chain`), and ``meta`` keeps the last entry's
number and chain value (the head), updated in the same transaction. :meth:`Journal.verify` recomputes the chain
before a replay: a changed byte, a removed or reordered entry, or entries cut off the end stop the start with the
number of the first entry that does not fit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ocp_conformance.contracts.validation import ValidRequest
from ocp_conformance.simulator.persistence.store import GENESIS, StateFileError

__all__ = ["WRITER_SWITCH_INTERVAL", "Entry", "Journal", "JournalError", "chain"]

log = logging.getLogger("ocp_conformance.simulator.persistence")

EntryKind = Literal["call", "upload"]
WRITER_SWITCH_INTERVAL = 0.0005
"""Seconds: the interpreter's thread switch interval while a journal runs (CPython's default is 0.005). The writer
needs the GIL for microseconds around each fsync; with the default, a busy event loop keeps it waiting up to 5 ms
twice per commit, which made ``--state`` three times slower than memory (0.34) instead of on a par (about 1.0,
``benchmarks/bench_state_persistence.py``)."""


class JournalError(Exception):
    """An entry could not be made durable: the change it records must not be acknowledged."""


def chain(previous: bytes, seq: int, kind: str, operation: str, participant: str | None, payload: bytes) -> bytes:
    """The entry's checksum: SHA-256 over the previous entry's checksum and every column of the entry, each
    length-prefixed (so no two different entries encode alike)."""
    digest = hashlib.sha256(previous)
    for part in (str(seq).encode(), kind.encode(), operation.encode(),
                 b"\x00" if participant is None else b"\x01" + participant.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


_Row = tuple[int, EntryKind, str, str | None, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    kind: EntryKind
    operation: str
    """The operationId of a call; the file name of an upload."""
    participant: str | None
    payload: bytes

    def request(self) -> ValidRequest:
        """The validated request of a ``call`` entry."""
        raw = json.loads(self.payload)
        return ValidRequest(raw["path"], raw["query"], raw["headers"], raw["body"])


class Journal:
    """Appends entries to a state file's journal table, committing them in groups on a writer thread.

    :meth:`append_call` and :meth:`append_upload` run under the simulator's state lock and only queue the entry
    (its number fixes its place in the execution order); the writer thread commits whatever is queued in one
    transaction (group commit: one fsync for the requests that arrived meanwhile). A reply is sent only after
    :meth:`flushed` (or :meth:`wait_flushed`) says everything appended before it is committed, so the event loop
    serves other requests while the disk works, and nothing is acknowledged before it is durable.

    Args:
        connection: an open state file (:func:`~.store.open_store`).
        answer_before_commit: a deliberate fault for the harness's own tests: :meth:`flushed` does not wait and
            the writer commits only at a clean :meth:`close`, so a ``kill -9`` loses acknowledged changes. Never
            use it otherwise.
    """

    def __init__(self, connection: sqlite3.Connection, *, answer_before_commit: bool = False) -> None:
        self._connection = connection
        self._unsafe = answer_before_commit
        self._appended, self._chain = self._head()
        self._durable = self._appended
        self._queue: list[_Row] = []
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._condition = threading.Condition()
        self._closing = False
        self._open_transaction = False
        self._writer: threading.Thread | None = None
        self._switch_interval = sys.getswitchinterval()
        self.failed: str | None = None
        """Why writing failed; once set, every later append is refused (the state file is stale)."""

    def entries(self) -> Iterator[Entry]:
        """The committed entries in execution order (read before :meth:`start`)."""
        cursor = self._connection.execute("SELECT seq, kind, operation, participant, payload FROM journal "
                                          "ORDER BY seq")
        for seq, kind, operation, participant, payload in cursor:
            yield Entry(seq, kind, operation, participant, bytes(payload))

    def verify(self, where: object) -> None:
        """Recompute the checksum chain over every committed entry (before :meth:`start`).

        Raises:
            StateFileError: an entry was changed, removed, reordered or added by hand, or entries are missing at
                the end; names the first entry number that does not fit.
        """
        previous, expected = GENESIS, 1
        fix = "the file was changed outside the simulator or damaged: restore it from a copy"
        cursor = self._connection.execute("SELECT seq, kind, operation, participant, payload, chain FROM journal "
                                          "ORDER BY seq")
        for seq, kind, operation, participant, payload, stored in cursor:
            if seq != expected:
                raise StateFileError(f"--state {where}: journal entry {expected} is missing (the next one is entry "
                                     f"{seq}); {fix}")
            computed = chain(previous, seq, kind, operation, participant, bytes(payload))
            if bytes(stored) != computed:
                raise StateFileError(f"--state {where}: journal entry {seq} ({operation}) does not match its checksum "
                                     f"(received {bytes(stored).hex()[:16]}…, expected {computed.hex()[:16]}…, "
                                     f"chained to entry {seq - 1}); {fix}")
            previous, expected = computed, expected + 1
        head_seq, head_chain = self._head()
        if (head_seq, head_chain) != (expected - 1, previous):
            raise StateFileError(f"--state {where}: the journal ends at entry {expected - 1}, but the file recorded "
                                 f"entry {head_seq} as its last; entries {expected}-{head_seq} are missing. {fix}"
                                 if head_seq >= expected else
                                 f"--state {where}: the journal's recorded end (entry {head_seq}) does not match its "
                                 f"entries (last: entry {expected - 1}); {fix}")

    def _head(self) -> tuple[int, bytes]:
        row = self._connection.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        try:
            seq, _, value = str(row[0]).partition(":")
            return int(seq), bytes.fromhex(value)
        except (TypeError, ValueError):
            raise StateFileError(f"the state file's recorded journal end (meta 'head') is missing or unreadable "
                                 f"({row!r}); restore the file from a copy") from None

    def __len__(self) -> int:
        return self._appended

    def start(self) -> None:
        """Start the writer thread: appends are accepted from now on."""
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, WRITER_SWITCH_INTERVAL))
        self._writer = threading.Thread(target=self._write, name="ocp-state-journal", daemon=True)
        self._writer.start()

    def append_call(self, operation_id: str, participant: str | None, request: ValidRequest) -> None:
        payload = json.dumps({"path": request.path, "query": request.query, "headers": request.headers,
                              "body": request.body}, separators=(",", ":")).encode()
        self._append("call", operation_id, participant, payload)

    def append_upload(self, participant: str, file_name: str, content: bytes) -> None:
        self._append("upload", file_name, participant, content)

    async def flushed(self) -> None:
        """Return once every entry appended so far is committed (raises :class:`JournalError` if it cannot be)."""
        if self._unsafe:
            return
        with self._condition:
            target = self._appended
            if self._durable >= target:
                return
            self._check()
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((target, loop, future))
        await future

    def wait_flushed(self) -> None:
        """:meth:`flushed` for a thread (the RAP delivery thread)."""
        if self._unsafe:
            return
        with self._condition:
            target = self._appended
            while self._durable < target:
                self._check()
                self._condition.wait()

    def close(self) -> None:
        """Commit what is queued, stop the writer and close the file."""
        with self._condition:
            self._closing = True
            self._condition.notify_all()
        if self._writer is not None:
            self._writer.join()
            sys.setswitchinterval(self._switch_interval)
        try:
            if self._open_transaction:
                self._connection.execute("COMMIT")
        except sqlite3.Error as exc:
            log.error("the state file could not record its last entries at close: %s", exc)
        finally:
            self._connection.close()

    # ---------------------------------------------------------------- internals
    def _check(self) -> None:
        if self.failed is not None:
            raise JournalError(f"the state file is not being written since a failure ({self.failed}); "
                               "restart the simulator")

    def _append(self, kind: EntryKind, operation: str, participant: str | None, payload: bytes) -> None:
        with self._condition:
            self._check()
            if self._writer is None or self._closing:
                raise JournalError("the journal is not accepting entries (not started, or closing)")
            self._appended += 1
            self._chain = chain(self._chain, self._appended, kind, operation, participant, payload)
            self._queue.append((self._appended, kind, operation, participant, payload, self._chain))
            self._condition.notify_all()

    def _write(self) -> None:
        while True:
            with self._condition:
                while not self._queue and not self._closing:
                    self._condition.wait()
                batch, self._queue = self._queue, []
            if not batch:
                return  # closing, and nothing left
            try:
                self._commit(batch)
            except Exception as exc:  # whatever it is, the replies waiting for this commit must not hang
                log.error("the state file could not record entries %d-%d: %s", batch[0][0], batch[-1][0], exc)
                self._rollback()
                with self._condition:
                    self.failed = f"{type(exc).__name__}: {exc}"
                    waiters, self._waiters = self._waiters, []
                    self._condition.notify_all()
                error = JournalError(f"the state file could not record this change ({exc})")
                for _, loop, future in waiters:
                    loop.call_soon_threadsafe(_settle, future, error)
                return
            with self._condition:
                self._durable = batch[-1][0]
                ready = [w for w in self._waiters if w[0] <= self._durable]
                self._waiters = [w for w in self._waiters if w[0] > self._durable]
                self._condition.notify_all()
            for _, loop, future in ready:
                loop.call_soon_threadsafe(_settle, future, None)

    def _rollback(self) -> None:
        """Drop what the failed transaction held: those changes were answered 503, not acknowledged."""
        try:
            if self._open_transaction:
                self._connection.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # nothing more to lose: the file is unusable and stays as its last commit left it
        self._open_transaction = False

    def _commit(self, batch: list[_Row]) -> None:
        if not self._open_transaction:
            self._connection.execute("BEGIN")
            self._open_transaction = True
        self._connection.executemany("INSERT INTO journal (seq, kind, operation, participant, payload, chain) "
                                     "VALUES (?, ?, ?, ?, ?, ?)", batch)
        self._connection.execute("UPDATE meta SET value = ? WHERE key = 'head'",
                                 (f"{batch[-1][0]}:{batch[-1][5].hex()}",))
        if not self._unsafe:  # the fault keeps one transaction open until close
            self._connection.execute("COMMIT")
            self._open_transaction = False


def _settle(future: asyncio.Future[None], error: JournalError | None) -> None:
    if future.done():  # the request was cancelled (its client went away)
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
