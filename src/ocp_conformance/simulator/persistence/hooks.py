"""The two places the simulator calls into persistence: an HTTP handler call and an applied RAP upload.

Both run under the simulator state's lock; both are no-ops unless ``simulate --state`` attached a journal.
"""

from __future__ import annotations

from pathlib import Path

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.persistence.journal import JournalError
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["READ_ONLY_METHODS", "journal_upload", "journaled"]

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose handlers never change the state (the contract's enquiries): not journaled."""


def journaled(method: str, call: Call, handler: Handler) -> Reply:
    """``handler(call)``, journaled before its reply is returned if it may have changed the state.

    A call is journaled whatever its outcome (a 4xx handler may have changed something before refusing), so the
    replay takes the same path. If the journal cannot record it, the reply is a 503 problem: not acknowledged.
    """
    journal = call.state.journal
    if journal is None or method.upper() in READ_ONLY_METHODS:
        return handler(call)
    if journal.failed is not None:
        raise _unavailable(journal.failed)
    try:
        return handler(call)
    finally:
        try:
            journal.append_call(call.operation_id, call.participant, call.request)
        except JournalError as error:
            raise _unavailable(str(error)) from None  # replaces the handler's reply or problem: not acknowledged


def journal_upload(state: SimulatorState, participant: str, path: Path) -> None:
    """Journal a RAP upload just applied, before its result file is written (raises :class:`JournalError`)."""
    if state.journal is not None:
        state.journal.append_upload(participant, path.name, path.read_bytes())


def _unavailable(reason: str) -> Problem:
    return Problem(503, "STATE_NOT_SAVED", f"the simulator could not save this change to its --state file "
                   f"({reason}); nothing was acknowledged: restart the simulator once the file is writable")
