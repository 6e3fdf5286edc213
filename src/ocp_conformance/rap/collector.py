"""Pausing Python's cyclic garbage collector around work that makes many objects and frees none of them."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile; restart it afterwards if it was running (the caller's setting
    stays, exceptions included).

    For work that allocates thousands of acyclic objects at once, short-lived (a validator's block of tuples) or
    long-lived (the SIs an upload applies): with the collector running they trigger collections that scan
    everything else alive to free nothing (the same reason :mod:`timeit` pauses it). The work must be bounded, as
    the pause also holds back the collection of any cycle it makes.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
