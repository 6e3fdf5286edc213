"""Business-rule rejections raised by the CCASS domain.

Every rejection carries a stable ``code`` that the HTTP layer (and conformance reports) can rely on, a
suggested HTTP ``status`` and the JSON ``pointer`` of the request field at fault, so the surface can turn
it into a problem document without knowing the rule that fired.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["DomainError", "InsufficientStock", "did_you_mean"]


class DomainError(Exception):
    """A business-rule rejection.

    Args:
        code: stable UPPER_SNAKE code, e.g. ``"SETTLEMENT_DATE_IN_PAST"``.
        message: human text saying what was received, what was expected and how to fix it.
        status: suggested HTTP status (404, 409 or 422).
        pointer: JSON pointer of the offending request field, ``""`` if none (e.g. ``"/settlementDate"``).

    Example:
        >>> err = DomainError("SI_NOT_FOUND", "Received siId SI0000000001 ...", status=404)
        >>> (err.code, err.status, err.pointer)
        ('SI_NOT_FOUND', 404, '')
    """

    def __init__(self, code: str, message: str, *, status: int = 422, pointer: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.pointer = pointer

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, pointer={self.pointer!r})"


class InsufficientStock(DomainError):
    """A stock movement would take an account below zero (CCASS never settles partially).

    Attributes:
        needed: quantity the movement asked for.
        available: quantity held in the source account.
    """

    def __init__(self, *, participant: str, account: str, stock: str, needed: int, available: int) -> None:
        super().__init__(
            "INSUFFICIENT_STOCK",
            f"Received: a movement of {needed} shares of stock {stock} out of {participant}-{account}. "
            f"Expected: at most the {available} shares held there. "
            "Fix: deposit or transfer stock into that account first.",
            status=409,
        )
        self.participant = participant
        self.account = account
        self.stock = stock
        self.needed = needed
        self.available = available


def did_you_mean(received: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest of ``choices``, or ``""`` if none is close."""
    close = difflib.get_close_matches(received, list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
