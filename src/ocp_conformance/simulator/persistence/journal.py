"""The journal: every accepted state-changing request, in the order the simulator executed it.

An entry is appended and committed (fsync'd, ``synchronous=FULL``) while the simulator's state lock is held and
before the reply is sent, so the journal's order is the execution order and nothing acknowledged is missing from
it. The simulator is deterministic given its options and that order (time is simulated and moves only by control
calls), so replaying the journal into a fresh world rebuilds the state, idempotency records included.

Entries are validated requests (operationId, participant, path, query, headers the contract declares, JSON
body) — never the bearer token — and RAP uploads (participant, file name, content).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ocp_conformance.contracts.validation import ValidRequest

__all__ = ["Entry", "Journal", "JournalError"]

log = logging.getLogger("ocp_conformance.simulator.persistence")

EntryKind = Literal["call", "upload"]


class JournalError(Exception):
    """An entry could not be made durable: the change it records must not be acknowledged."""


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
    """Appends entries to a state file's journal table.

    Args:
        connection: an open state file (:func:`~.store.open_store`).
        answer_before_commit: a deliberate fault for the harness's own tests: entries are committed only every
            ``10**9`` appends (or at a clean close), so a ``kill -9`` loses acknowledged changes. Never use it
            otherwise.
    """

    def __init__(self, connection: sqlite3.Connection, *, answer_before_commit: bool = False) -> None:
        self._connection = connection
        self._commit_every = 10**9 if answer_before_commit else 1
        self._pending = 0
        self.failed: str | None = None
        """Why the last append failed; once set, every later append is refused (the state file is stale)."""

    def entries(self) -> Iterator[Entry]:
        """The entries in execution order."""
        cursor = self._connection.execute("SELECT seq, kind, operation, participant, payload FROM journal "
                                          "ORDER BY seq")
        for seq, kind, operation, participant, payload in cursor:
            yield Entry(seq, kind, operation, participant, bytes(payload))

    def __len__(self) -> int:
        return int(self._connection.execute("SELECT count(*) FROM journal").fetchone()[0])

    def append_call(self, operation_id: str, participant: str | None, request: ValidRequest) -> None:
        payload = json.dumps({"path": request.path, "query": request.query, "headers": request.headers,
                              "body": request.body}, separators=(",", ":")).encode()
        self._append("call", operation_id, participant, payload)

    def append_upload(self, participant: str, file_name: str, content: bytes) -> None:
        self._append("upload", file_name, participant, content)

    def _append(self, kind: EntryKind, operation: str, participant: str | None, payload: bytes) -> None:
        if self.failed is not None:
            raise JournalError(f"the state file is not being written since an earlier failure ({self.failed}); "
                               "restart the simulator")
        try:
            if self._pending == 0 and self._commit_every > 1:
                self._connection.execute("BEGIN")
            self._connection.execute("INSERT INTO journal (kind, operation, participant, payload) VALUES (?, ?, ?, ?)",
                                     (kind, operation, participant, payload))
            self._pending += 1
            if self._commit_every > 1 and self._pending >= self._commit_every:
                self._connection.execute("COMMIT")
                self._pending = 0
            elif self._commit_every == 1:
                self._pending = 0
        except sqlite3.Error as exc:
            self.failed = f"{type(exc).__name__}: {exc}"
            log.error("the state file could not record %s %s: %s", kind, operation, exc)
            raise JournalError(f"the state file could not record this change ({exc}); it was not acknowledged") \
                from None

    def close(self) -> None:
        """Commit what is pending (only in the ``answer_before_commit`` fault) and close the file."""
        try:
            if self._pending:
                self._connection.execute("COMMIT")
        finally:
            self._connection.close()
