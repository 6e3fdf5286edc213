"""Cursor paging: opaque cursors that encode an offset into a stable, sorted list."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from ocp_conformance.simulator.problems import FieldError, Problem

__all__ = ["page"]

T = TypeVar("T")


def page(items: Sequence[T], cursor: str | None, limit: int) -> tuple[Sequence[T], str | None]:
    """The slice after ``cursor`` and the cursor of the next page (None on the last page)."""
    start = _decode(cursor) if cursor else 0
    chunk = items[start:start + limit]
    end = start + len(chunk)
    return chunk, (_encode(end) if end < len(items) else None)


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "o" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise Problem(422, "CURSOR_INVALID", f"cursor {cursor!r} is not one this server issued",
                      (FieldError("/query/cursor", "pass the nextCursor of the previous page unchanged"),)) from None
