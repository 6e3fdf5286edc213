""""Did you mean …?" for misspelled names (STYLE.md rule 5), in one place."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_names", "did_you_mean"]


def close_names(name: str, known: Iterable[str], *, cutoff: float = 0.5) -> list[str]:
    """Up to three of ``known`` that look like ``name``, closest first."""
    return difflib.get_close_matches(name, list(known), n=3, cutoff=cutoff)


def did_you_mean(name: str, known: Iterable[str], *, cutoff: float = 0.5) -> str:
    """``" Did you mean 'a', 'b'?"``, or ``""`` when nothing is close. Meant to follow a full sentence.

    Example:
        >>> did_you_mean("Input Si", ["Input SI", "Cancel SI"])
        " Did you mean 'Input SI'?"
    """
    close = close_names(name, known, cutoff=cutoff)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
