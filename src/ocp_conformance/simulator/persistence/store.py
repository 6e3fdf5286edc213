"""The state file of ``simulate --state``: one SQLite database with a schema version, the options the simulator
was started with, and the journal of what changed its state (see :mod:`.journal`).

The file is opened in WAL mode with ``synchronous=FULL`` (a committed transaction survives a power cut or a
``kill -9``) and with an exclusive lock, so two simulators never write one file.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "StateFileError", "StateOptions", "open_store"]

APPLICATION_ID = 0x4F435053
"""SQLite's ``PRAGMA application_id`` of a state file ("OCPS"): tells ours from any other SQLite database."""
SCHEMA_VERSION = 1
"""``PRAGMA user_version`` of the layout below; a file of another version is refused, never migrated silently."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'upload')),
    operation TEXT NOT NULL,
    participant TEXT,
    payload BLOB NOT NULL
);
"""
_FRESH = "pass a path that does not exist yet to start a fresh simulator (the file is created)"


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


def open_store(path: Path, options: StateOptions) -> sqlite3.Connection:
    """The state file at ``path`` (created with ``options`` if absent or empty), locked for this process.

    Raises:
        StateFileError: ``path`` is not a state file (another file, another SQLite database, another schema
            version), is corrupt, is in use by another simulator, or was written with other options.
    """
    if path.is_dir():
        raise StateFileError(f"--state {path}: is a folder; expected a state file (SQLite). {_FRESH}")
    fresh = not path.exists() or path.stat().st_size == 0
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StateFileError(f"--state {path}: cannot open it ({exc}); check its folder exists and is writable") \
            from None
    try:
        _prepare(connection, path, options, fresh)
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


def _locked(path: Path, exc: sqlite3.DatabaseError) -> None:
    if "locked" in str(exc):
        raise StateFileError(f"--state {path}: in use by another simulator (the file is locked); stop that one "
                             "first, or give this one its own state file") from None
