"""Rebuild a simulator's state by re-running its journal into a fresh world."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from ocp_conformance.simulator.call import Call, Handler
from ocp_conformance.simulator.ccass import DomainError
from ocp_conformance.simulator.persistence.journal import Entry, Journal
from ocp_conformance.simulator.persistence.store import StateFileError
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.rap.folders import INBOX
from ocp_conformance.simulator.rap.processing import RapProcessor
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["replay"]

log = logging.getLogger("ocp_conformance.simulator.persistence")


def replay(journal: Journal, state: SimulatorState, handlers: Mapping[str, Handler],
           rap: Callable[[], RapProcessor], *, where: Path) -> int:
    """Apply every entry of ``journal`` to ``state`` (fresh, not yet journaling) in order; the number applied.

    ``handlers`` are the app's (fault wrappers included), so the replay takes the path the live calls took; a
    refused call is refused again. ``rap`` gives the app's RAP processor (built only if an upload is replayed).

    Raises:
        StateFileError: an entry this simulator cannot replay (an operation its contracts lack, a broken entry).
    """
    assert state.journal is None, "replay into a state that is not journaling"
    count = 0
    with tempfile.TemporaryDirectory(prefix="ocp-replay-") as scratch:
        for entry in journal.entries():
            with state.lock:
                if entry.kind == "call":
                    _call(entry, state, handlers, where)
                else:
                    _upload(entry, rap(), Path(scratch))
            count += 1
    return count


def _call(entry: Entry, state: SimulatorState, handlers: Mapping[str, Handler], where: Path) -> None:
    handler = handlers.get(entry.operation)
    if handler is None:
        raise StateFileError(f"--state {where}: journal entry {entry.seq} is a call of {entry.operation}, which "
                             "these contracts do not define; start with the contracts that wrote the file")
    try:
        request = entry.request()
    except (ValueError, KeyError, TypeError) as exc:
        raise StateFileError(f"--state {where}: journal entry {entry.seq} ({entry.operation}) is unreadable "
                             f"({exc}); the file is corrupt: restore it from a copy") from None
    try:
        handler(Call(entry.operation, entry.participant, request, state))
    except (Problem, DomainError):
        pass  # refused live too: journaled so that whatever it did before refusing is redone
    except Exception:
        log.exception("replaying journal entry %d (%s) failed, as it did live", entry.seq, entry.operation)


def _upload(entry: Entry, processor: RapProcessor, scratch: Path) -> None:
    participant = entry.participant or ""
    inbox = scratch / participant / INBOX
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / Path(entry.operation).name
    path.write_bytes(entry.payload)
    # an upload was journaled because it was applied: this start's caps (simulate --rap-max-*) must not refuse it
    live = processor.limits
    processor.limits = replace(live, max_bytes=max(live.max_bytes, len(entry.payload)), max_records=_UNCAPPED)
    try:
        processor.process(participant, path)
    finally:
        processor.limits = live
    path.unlink()


_UNCAPPED = 1 << 62
