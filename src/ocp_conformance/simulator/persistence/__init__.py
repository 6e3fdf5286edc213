"""Persistence of the served simulator (``ocp-conformance simulate --state PATH``).

- :mod:`.store`: the SQLite state file (schema version, options, exclusive lock, precise errors);
- :mod:`.journal`: accepted state-changing requests and RAP uploads, committed before the answer;
- :mod:`.replay`: a restart re-runs the journal into a fresh world;
- :mod:`.hooks`: the two calls the simulator makes (an HTTP handler call, an applied RAP upload).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ocp_conformance.simulator.persistence.journal import Journal, JournalError
from ocp_conformance.simulator.persistence.replay import replay
from ocp_conformance.simulator.persistence.store import SCHEMA_VERSION, StateFileError, StateOptions, open_store

if TYPE_CHECKING:
    from ocp_conformance.simulator.app import SimulatorApp

__all__ = ["SCHEMA_VERSION", "Journal", "JournalError", "Restored", "StateFileError", "StateOptions", "restore"]


@dataclass(frozen=True, slots=True)
class Restored:
    journal: Journal
    replayed: int
    """Journal entries re-run at start (0 for a new file)."""


def restore(simulator: SimulatorApp, path: Path, *, new: bool = False, answer_before_commit: bool = False) -> Restored:
    """Open (or create) the state file at ``path``, check its journal's checksum chain, replay the journal into
    ``simulator`` (which must be fresh) and journal every later change. Close the returned journal at exit.

    ``new``: the file may hold no state yet (zero bytes, no tables), as ``simulate --state-new`` says; otherwise
    such a file is refused. ``answer_before_commit`` is a deliberate fault for the harness's own tests (see
    :class:`Journal`).

    Raises:
        StateFileError: the file cannot be used (foreign, empty, corrupt, tampered with, other schema version or
            options, locked).
    """
    state = simulator.state
    options = StateOptions(tuple(fault.name for fault in simulator.faults), state.trades_per_day, state.token_seed)
    connection = open_store(path, options, new=new)
    try:
        journal = Journal(connection, answer_before_commit=answer_before_commit)
    except BaseException:
        connection.close()
        raise
    try:
        journal.verify(path)
        replayed = replay(journal, state, simulator.handlers, lambda: simulator.rap, where=path)
    except BaseException:
        journal.close()
        raise
    journal.start()
    state.journal = journal
    return Restored(journal, replayed)
