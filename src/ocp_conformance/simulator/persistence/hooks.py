"""The two places the simulator calls into persistence: an HTTP handler call and an applied RAP upload.

Both run under the simulator state's lock; both are no-ops unless ``simulate --state`` attached a journal.
"""

from __future__ import annotations

from pathlib import Path

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.persistence.journal import JournalError
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["READ_ONLY_METHODS", "durable", "journal_upload", "journaled"]

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose handlers never change the state (the contract's enquiries): not journaled."""


def journaled(method: str, call: Call, handler: Handler) -> Reply:
    """``handler(call)``, journaled if it may have changed the state; run under the state lock. The reply may be
    sent only after :func:`durable`.

    A call is journaled whatever its outcome (a 4xx handler may have changed something before refusing), so the
    replay takes the same path.
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


async def durable(state: SimulatorState) -> None:
    """Return once every change made so far is committed to the state file, so a reply may be sent; outside the
    state lock (other requests run meanwhile). Raises a 503 problem if it cannot be: not acknowledged."""
    if state.journal is not None:
        try:
            await state.journal.flushed()
        except JournalError as error:
            raise _unavailable(str(error)) from None


def journal_upload(state: SimulatorState, participant: str, path: Path) -> None:
    """Journal a RAP upload just applied and wait until it is committed, before its result file is written
    (raises :class:`JournalError`)."""
    if state.journal is not None:
        state.journal.append_upload(participant, path.name, path.read_bytes())
        state.journal.wait_flushed()


def _unavailable(reason: str) -> Problem:
    return Problem(503, "STATE_NOT_SAVED", f"the simulator could not save this change to its --state file "
                   f"({reason}); nothing was acknowledged: restart the simulator once the file is writable")
