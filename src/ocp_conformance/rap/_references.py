"""The client references seen in one file, for DUPLICATE_REFERENCE, in bounded memory.

Up to :data:`IN_MEMORY` references are kept in a Python set (about 80 bytes each: about 80 MB at the limit, a
million records, which covers the simulator's default record cap). Past it, they move to a temporary SQLite file
(a ``WITHOUT ROWID`` table keyed by the reference, page cache :data:`CACHE_KIB` KiB), which grows on disk (about
40-60 bytes per record), not in memory; the check stays exact. The bound on memory is therefore about
``IN_MEMORY`` x 80 bytes + ``CACHE_KIB`` KiB, whatever the file's size.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from typing import Final

__all__ = ["CACHE_KIB", "IN_MEMORY", "ReferenceSet"]

IN_MEMORY: Final = 1_000_000
CACHE_KIB: Final = 8192


class ReferenceSet:
    """A set of byte strings: in memory up to ``limit`` members, then on disk."""

    def __init__(self, limit: int = IN_MEMORY) -> None:
        self._limit = limit
        self._memory: set[bytes] = set()
        self._disk: sqlite3.Connection | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None

    @property
    def spilled(self) -> bool:
        return self._disk is not None

    def __len__(self) -> int:
        if self._disk is None:
            return len(self._memory)
        return int(self._disk.execute("SELECT count(*) FROM refs").fetchone()[0])

    def __contains__(self, reference: bytes) -> bool:
        if self._disk is None:
            return reference in self._memory
        return self._disk.execute("SELECT 1 FROM refs WHERE ref = ?", (reference,)).fetchone() is not None

    def add(self, reference: bytes) -> None:
        if self._disk is None:
            self._memory.add(reference)
            if len(self._memory) > self._limit:
                self._spill()
        else:
            self._disk.execute("INSERT OR IGNORE INTO refs VALUES (?)", (reference,))

    def add_new(self, references: Sequence[bytes]) -> bool:
        """Add all of ``references`` (distinct among themselves) if none is a member; else add none: ``False``."""
        disk = self._disk
        if disk is None:
            if not self._memory.isdisjoint(references):
                return False
            self._memory.update(references)
            if len(self._memory) > self._limit:
                self._spill()
            return True
        before = disk.total_changes
        disk.execute("SAVEPOINT block")
        disk.executemany("INSERT OR IGNORE INTO refs VALUES (?)", ((r,) for r in references))
        if disk.total_changes - before != len(references):
            disk.execute("ROLLBACK TO block")
            disk.execute("RELEASE block")
            return False
        disk.execute("RELEASE block")
        return True

    def memory_bytes(self) -> int:
        """Bytes the in-memory part holds (the set and its members; the SQLite cache is bounded apart)."""
        return sys.getsizeof(self._memory) + sum(map(sys.getsizeof, self._memory))

    def close(self) -> None:
        """Remove the spill file, if any (the in-memory part is freed with the object)."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def _spill(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="ocp-rap-refs-")
        disk = sqlite3.connect(f"{self._directory.name}/refs.sqlite", isolation_level=None)
        disk.execute("PRAGMA journal_mode = MEMORY")  # OFF would disable ROLLBACK TO (add_new needs it)
        disk.execute("PRAGMA synchronous = OFF")
        disk.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        disk.execute("CREATE TABLE refs (ref BLOB PRIMARY KEY) WITHOUT ROWID")
        disk.execute("BEGIN")
        disk.executemany("INSERT INTO refs VALUES (?)", ((r,) for r in sorted(self._memory)))
        # one transaction for the rest of the file: nothing is ever committed (the file is scratch), so no
        # statement pays for a commit; dirty pages beyond the cache go to the file, not to memory
        self._memory = set()
        self._disk = disk
