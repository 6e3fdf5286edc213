"""The two places the simulator calls into persistence: an HTTP handler call and an applied RAP upload.

Both run under the simulator state's lock; both are no-ops unless ``simulate --state`` attached a journal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError
from ocp_conformance.simulator.persistence.journal import JournalError
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["READ_ONLY_METHODS", "durable", "journal_upload", "journaled"]

T = TypeVar("T")

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose handlers never change the state (the contract's enquiries): not journaled."""


def journaled(method: str, call: Call, handler: Handler, render: Callable[[Reply], T]) -> T:
    """``render(handler(call))``, journaled if it may have changed the state; run under the state lock. The
    rendered reply may be sent only after :func:`durable`.

    A call answered with a refusal (a :class:`Problem` or :class:`DomainError`) is journaled too (a 4xx handler
    may have changed something before refusing), so the replay takes the same path. A call that failed any other
    way (a bug of ours, or a reply that cannot be rendered) is not: nothing half-applied is ever journaled, so a
    restart never replays it.
    """
    journal = call.state.journal
    if journal is None or method.upper() in READ_ONLY_METHODS:
        return render(handler(call))
    if journal.failed is not None:
        raise _unavailable(journal.failed)
    try:
        rendered = render(handler(call))
    except (Problem, DomainError):
        _append(call)
        raise
    _append(call)
    return rendered


def _append(call: Call) -> None:
    assert call.state.journal is not None
    try:
        call.state.journal.append_call(call.operation_id, call.participant, call.request)
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
