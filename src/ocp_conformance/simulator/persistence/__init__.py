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


def restore(simulator: SimulatorApp, path: Path, *, answer_before_commit: bool = False) -> Restored:
    """Open (or create) the state file at ``path``, replay its journal into ``simulator`` (which must be fresh)
    and journal every later change. Close the returned journal at exit.

    ``answer_before_commit`` is a deliberate fault for the harness's own tests (see :class:`Journal`).

    Raises:
        StateFileError: the file cannot be used (foreign, corrupt, other schema version or options, locked).
    """
    state = simulator.state
    options = StateOptions(tuple(fault.name for fault in simulator.faults), state.trades_per_day, state.token_seed)
    journal = Journal(open_store(path, options), answer_before_commit=answer_before_commit)
    try:
        replayed = replay(journal, state, simulator.handlers, lambda: simulator.rap, where=path)
    except BaseException:
        journal.close()
        raise
    journal.start()
    state.journal = journal
    return Restored(journal, replayed)
