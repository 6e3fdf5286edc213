"""Physical lines of a RAP file in bounded memory: a line longer than :data:`MAX_LINE` is never held, only measured.

A line is everything up to and including an LF. An over-long line becomes one :class:`OverLong` (its length, and
whether an LF ended it), so the lines after it keep their true numbers and it is reported once, not cut into fake
lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

__all__ = ["MAX_LINE", "OverLong", "bounded", "physical_lines", "skip_line"]

MAX_LINE: Final = 1 << 20
"""Bytes: a longer line is measured, not read into memory (no RAP record comes near it)."""


@dataclass(frozen=True, slots=True)
class OverLong:
    """A line longer than :data:`MAX_LINE` bytes, consumed without being held."""

    length: int
    """Its bytes, its LF included."""
    ended: bool
    """An LF ended it (else the end of the file did)."""
    carriage_returns: bool
    """It holds a CR (a file whose lines end with CR only looks like one long line)."""


def physical_lines(readline: Callable[[int], bytes]) -> Iterator[bytes | OverLong]:
    """Every line of a binary stream, read with ``readline(MAX_LINE)``."""
    while line := readline(MAX_LINE):
        if len(line) < MAX_LINE or line.endswith(b"\n"):
            yield line
        else:
            yield skip_line(line, readline)


def skip_line(start: bytes, readline: Callable[[int], bytes]) -> OverLong:
    """Consume the rest of a line that began with ``start`` (no LF in it yet)."""
    length, carriage = len(start), b"\r" in start
    more = b""
    while True:
        more = readline(MAX_LINE)
        length += len(more)
        carriage = carriage or b"\r" in more
        if len(more) < MAX_LINE or more.endswith(b"\n"):
            return OverLong(length, more.endswith(b"\n"), carriage)


def bounded(lines: Iterable[bytes]) -> Iterator[bytes | OverLong]:
    """Lines given already split (an iterable, not a stream): an over-long one becomes an :class:`OverLong`."""
    for line in lines:
        if len(line) > MAX_LINE:
            yield OverLong(len(line), line.endswith(b"\n"), b"\r" in line)
        else:
            yield line
