"""The state file of ``simulate --state``: one SQLite database with a schema version, the options the simulator
was started with, and the journal of what changed its state (see :mod:`.journal`).

The file is opened in WAL mode with ``synchronous=FULL`` (a committed transaction survives a power cut or a
``kill -9``) and with an exclusive lock, so two simulators never write one file.

A path that does not exist is created. An existing file that holds no state (zero bytes, or an SQLite database
with no tables: e.g. ``truncate -s 0``) is refused unless the caller says it is new (``simulate --state-new``):
a state file that lost its content must stop the start, not silently start an empty simulator.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["APPLICATION_ID", "GENESIS", "SCHEMA_VERSION", "StateFileError", "StateOptions", "open_store"]

APPLICATION_ID = 0x4F435053
"""SQLite's ``PRAGMA application_id`` of a state file ("OCPS"): tells ours from any other SQLite database."""
SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of the layout below; a file of another version is refused, never migrated silently.
Version 2 added each journal entry's ``chain`` checksum and the journal's ``head`` in ``meta``."""

GENESIS = hashlib.sha256(b"ocp-conformance state journal, schema 2").digest()
"""The chain value before the first journal entry (see :func:`ocp_conformance.simulator.persistence.journal.chain`)."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'upload')),
    operation TEXT NOT NULL,
    participant TEXT,
    payload BLOB NOT NULL,
    chain BLOB NOT NULL
);
"""
_FRESH = "pass a path that does not exist yet to start a fresh simulator (the file is created)"
_NEW = "--state-new"


class StateFileError(Exception):
    """The state file cannot be used: what was expected, what was found, and how to fix it."""


@dataclass(frozen=True, slots=True)
class StateOptions:
    """What the journal's replay depends on besides the journal: the same options must rebuild the same world."""

    faults: tuple[str, ...]
    trades_per_day: int
    token_seed: str

    def describe(self) -> str:
        faults = ", ".join(self.faults) or "none"
        return f"faults: {faults}; GCP trades per day: {self.trades_per_day}; token seed: {self.token_seed!r}"


def open_store(path: Path, options: StateOptions, *, new: bool = False) -> sqlite3.Connection:
    """The state file at ``path``, locked for this process: created with ``options`` if absent, or if it holds
    no state (zero bytes, no tables) and ``new`` says that is expected.

    Raises:
        StateFileError: ``path`` is not a state file (another file, another SQLite database, another schema
            version), holds no state and ``new`` is false, is corrupt, is in use by another simulator, or was
            written with other options.
    """
    if path.is_dir():
        raise StateFileError(f"--state {path}: is a folder; expected a state file (SQLite). {_FRESH}")
    exists = path.exists()
    if exists and path.stat().st_size == 0 and not new:
        raise StateFileError(f"--state {path}: the file is empty (0 bytes); expected a state file holding the "
                             f"simulator's journal. If it lost its content (e.g. truncated), restore it from a copy; "
                             f"if it is meant to start empty, pass {_NEW}, or {_FRESH}")
    fresh = not exists or path.stat().st_size == 0
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateFileError(f"--state {path}: cannot open it ({exc}); check its folder exists and is writable") \
            from None
    try:
        created = fresh or (new and _schemaless(connection, path))
        _prepare(connection, path, options, created)
        if new and not created:
            entries = connection.execute("SELECT count(*) FROM journal").fetchone()[0]
            raise StateFileError(f"--state {path}: {_NEW} was given, but the file holds a simulator's state "
                                 f"({entries} journal entries); drop {_NEW} to resume it, or remove the file first "
                                 "to start afresh")
    except BaseException:
        connection.close()
        raise
    return connection


def _prepare(connection: sqlite3.Connection, path: Path, options: StateOptions, fresh: bool) -> None:
    try:
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")  # before WAL: no shared-memory file, one writer
        if fresh:
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        _locked(path, exc)
        raise StateFileError(f"--state {path}: not a state file: SQLite says {exc!s}; expected a file written by "
                             f"`ocp-conformance simulate --state`. Restore the right file, or {_FRESH}") from None
    if not fresh and _schemaless(connection, path):
        raise StateFileError(f"--state {path}: an SQLite database with no tables (application_id "
                             f"{application_id:#x}); expected a state file holding the simulator's journal. If it "
                             f"lost its content, restore it from a copy; if it is meant to start empty, pass {_NEW}, "
                             f"or {_FRESH}")
    if application_id != APPLICATION_ID:
        raise StateFileError(f"--state {path}: an SQLite database of another application (application_id "
                             f"{application_id:#x}, expected {APPLICATION_ID:#x}); it was not written by "
                             f"`ocp-conformance simulate --state` and is left untouched. {_FRESH}")
    if version != SCHEMA_VERSION:
        raise StateFileError(f"--state {path}: state file schema version {version}, this ocp-conformance reads "
                             f"version {SCHEMA_VERSION}; use the ocp-conformance version that wrote it, or {_FRESH}")
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        if fresh:
            connection.executescript(f"BEGIN; {_SCHEMA} COMMIT;")
            connection.execute("INSERT INTO meta VALUES ('options', ?)", (json.dumps(asdict(options)),))
            connection.execute("INSERT INTO meta VALUES ('head', ?)", (f"0:{GENESIS.hex()}",))
        connection.execute("BEGIN IMMEDIATE")  # takes the write lock now (kept: exclusive mode), not at a request
        problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
        row = connection.execute("SELECT value FROM meta WHERE key = 'options'").fetchone()
        connection.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        _locked(path, exc)
        raise StateFileError(f"--state {path}: the file is corrupt or unreadable ({exc}); restore it, or "
                             f"{_FRESH}") from None
    if problems != ["ok"]:
        raise StateFileError(f"--state {path}: the file is corrupt (SQLite quick_check: {'; '.join(problems[:3])}); "
                             f"restore it from a copy, or {_FRESH}")
    if row is None:
        raise StateFileError(f"--state {path}: the file has no recorded options (meta 'options'); it is "
                             f"incomplete or was edited. Restore it, or {_FRESH}")
    try:
        raw = json.loads(row[0])
        saved = StateOptions(tuple(raw["faults"]), int(raw["trades_per_day"]), str(raw["token_seed"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise StateFileError(f"--state {path}: unreadable recorded options {row[0]!r} ({exc}); restore the file, "
                             f"or {_FRESH}") from None
    if saved != options:
        raise StateFileError(f"--state {path}: written by a simulator started with ({saved.describe()}), this one "
                             f"has ({options.describe()}); the journal only replays into the same world. Start "
                             f"with the same options, or {_FRESH}")


def _schemaless(connection: sqlite3.Connection, path: Path) -> bool:
    """Whether the file is an SQLite database with no tables (nothing to lose by creating the schema in it)."""
    try:
        return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)
    except sqlite3.DatabaseError as exc:
        _locked(path, exc)
        return False  # not SQLite: _prepare says so


def _locked(path: Path, exc: sqlite3.DatabaseError) -> None:
    if "locked" in str(exc):
        raise StateFileError(f"--state {path}: in use by another simulator (the file is locked); stop that one "
                             "first, or give this one its own state file") from None
