"""What a test attaches to the Allure results (HTTP exchanges, RAP uploads): once per kind, not once per example.

A property-based test sends the same kind of request dozens of times (hypothesis examples, state-machine steps);
attaching each one made a run write ~17,000 files. A test's :class:`AttachmentLog` keeps them and attaches at the
end of the test the first exchange of each kind (its ``signature``: operation, participant, status, violations),
named with how often the kind repeated, plus one summary of what was left out:

* a passing test's attachments are cut at :data:`PASSED_CHARS` characters;
* a failing test's keep their whole text, and its last :data:`LAST_KEPT` exchanges (the example that failed, which
  hypothesis replays last) are attached whole even when their kind was seen before.

Inside an Allure step (a scenario's steps) an exchange is attached at once, to that step: a workflow's steps do not
repeat per example, and each belongs where it happened.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import allure
import allure_commons

__all__ = ["LAST_KEPT", "PASSED_CHARS", "AttachmentLog", "attach", "current_log", "per_test_log"]

PASSED_CHARS = 4_000
"""A passing test's attachment keeps this many characters of its text (a failing test's, all of it)."""
LAST_KEPT = 10
"""A failing test attaches its last this many exchanges whole, repeated kinds included."""

Attach = Callable[[str, str], None]
"""``(name, text)``: put one text attachment into the running Allure test or step."""


def _allure_attach(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


@dataclass(slots=True)
class _Kind:
    name: str
    render: Callable[[], str]
    index: int
    """Position of its first exchange among all the test's exchanges."""
    count: int = 1


class AttachmentLog:
    """One test's attachments, deduplicated by signature and attached by :meth:`flush` when the test ends.

    Example:
        >>> attached = []
        >>> log = AttachmentLog(lambda name, text: attached.append(name))
        >>> for n in range(40):
        ...     log.add(f"Input SI #{n}", ("inputSi", 201), lambda: "HTTP 201")
        >>> log.flush(failed=False)
        >>> attached
        ['Input SI #0 (1 of 40 alike)', 'exchanges: 40 in all, 1 kind; 39 repeats not attached']
    """

    def __init__(self, attach: Attach = _allure_attach) -> None:
        self._attach = attach
        self._kinds: dict[Hashable, _Kind] = {}
        self._last: deque[tuple[int, Hashable, str, Callable[[], str]]] = deque(maxlen=LAST_KEPT)
        self._total = 0
        self._lock = threading.Lock()
        self.failed = False
        """A phase of the test failed (set by :meth:`flush`)."""
        self.step_depth = 0
        """Allure steps open now; inside one, :meth:`add` attaches at once (see :class:`_StepTracker`)."""

    def add(self, name: str, signature: Hashable, render: Callable[[], str]) -> None:
        """One exchange (or upload) named ``name``; ``render`` makes its text (redacted) if it is attached."""
        if self.step_depth > 0:
            self._attach(name, render())
            return
        with self._lock:
            index = self._total
            self._total += 1
            kind = self._kinds.get(signature)
            if kind is None:
                self._kinds[signature] = _Kind(name, render, index)
            else:
                kind.count += 1
            self._last.append((index, signature, name, render))

    def flush(self, *, failed: bool) -> None:
        """Attach what the test kept and forget it; a no-op when nothing is kept. Whole texts once any phase of
        the test ``failed`` (a failed call, then teardown's exchanges: still the failed test's)."""
        self.failed = failed = self.failed or failed
        with self._lock:
            kinds, last, total = self._kinds, list(self._last), self._total
            self._kinds, self._last, self._total = {}, deque(maxlen=LAST_KEPT), 0
        if not total:
            return
        chosen: dict[int, tuple[str, Callable[[], str]]] = {}
        for kind in kinds.values():
            alike = f" (1 of {kind.count} alike)" if kind.count > 1 else ""
            chosen[kind.index] = (kind.name + alike, kind.render)
        if failed:
            for index, _, name, render in last:
                chosen.setdefault(index, (f"{name} (exchange {index + 1} of {total}, before the failure)", render))
        for index in sorted(chosen):
            name, render = chosen[index]
            text = render()
            if not failed and len(text) > PASSED_CHARS:
                text = (text[:PASSED_CHARS] + f"\n... ({len(text) - PASSED_CHARS:,} more characters cut: the test "
                        "passed; a failing test's attachments keep the whole text)")
            self._attach(name, text)
        left_out = total - len(chosen)
        if left_out:
            repeats = "\n".join(f"{kind.count:>5} x {kind.name}" for kind in kinds.values() if kind.count > 1)
            self._attach(f"exchanges: {total} in all, {len(kinds)} kind{'s' if len(kinds) != 1 else ''}; "
                         f"{left_out} repeats not attached",
                         "Exchanges of the same kind (operation, participant, status, contract violations) are "
                         "attached once; how often each kind was seen (the first one's name):\n" + repeats)


_CURRENT: ContextVar[AttachmentLog | None] = ContextVar("ocp_attachment_log", default=None)


@contextmanager
def per_test_log(attach: Attach = _allure_attach) -> Iterator[AttachmentLog]:
    """The running test's log while the block runs (runs nest: a harness run inside a test has its own)."""
    _StepTracker.ensure_registered()
    log = AttachmentLog(attach)
    token = _CURRENT.set(log)
    try:
        yield log
    finally:
        _CURRENT.reset(token)


def current_log() -> AttachmentLog | None:
    """The running test's log (``None`` outside a test)."""
    return _CURRENT.get()


def attach(name: str, signature: Hashable, render: Callable[[], str]) -> None:
    """Into the running test's log; outside a test (nothing to keep it for), attached at once."""
    log = _CURRENT.get()
    if log is None:
        _allure_attach(name, render())
    else:
        log.add(name, signature, render)


class _StepTracker:
    """An allure-commons plugin counting the Allure steps open in the running test's log."""

    _registered: _StepTracker | None = None

    @classmethod
    def ensure_registered(cls) -> None:
        if cls._registered is None:
            cls._registered = cls()
            allure_commons.plugin_manager.register(cls._registered)

    @allure_commons.hookimpl
    def start_step(self, uuid: Any, title: Any, params: Any) -> None:
        log = _CURRENT.get()
        if log is not None:
            log.step_depth += 1

    @allure_commons.hookimpl
    def stop_step(self, uuid: Any, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        log = _CURRENT.get()
        if log is not None and log.step_depth > 0:
            log.step_depth -= 1
