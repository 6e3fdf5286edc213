"""The first failure a property-based or stateful run saw, reported as the finding.

The target keeps what earlier examples did, so hypothesis's replay of a failing example may fail elsewhere or not
at all and end as a Flaky (or other) error; the divergence first seen is then the finding, not the replay's noise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Findings"]


class Findings:
    """The failures a run raised, in order. Failures :meth:`record` themselves as they are raised; the test runs
    hypothesis inside :meth:`first_seen`."""

    def __init__(self) -> None:
        self._raised: list[AssertionError] = []

    def record(self, failure: AssertionError) -> None:
        self._raised.append(failure)

    @contextmanager
    def first_seen(self) -> Iterator[None]:
        """Forget earlier runs' failures; a failure raised as it is passes through, and any other error (hypothesis's
        Flaky, a replay that broke elsewhere) becomes the first failure seen, if there was one."""
        self._raised.clear()
        try:
            yield
        except AssertionError:
            raise
        except Exception as error:
            if self._raised:
                raise self._raised[0] from error
            raise
