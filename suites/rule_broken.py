"""The one failure the suites raise: the target broke a rule of a named catalogue function.

The readiness report blames exactly ``function`` (the plugin reads the attribute), and the message always says
what was received, what was expected, the request to replay it with, and how to reproduce the check.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocp_conformance.client import Exchange

__all__ = ["RuleBroken"]


class RuleBroken(AssertionError):
    """``function`` broke a rule: ``what`` happened; ``context`` lines (e.g. the model's view) follow the
    expectation. Suites subclass it to name the kind of rule, without changing the message's shape."""

    def __init__(self, function: str, what: str, *, received: object, expected: object,
                 exchange: Exchange | None = None, context: Sequence[str] = ()) -> None:
        self.function = function
        lines = [f"{function}: {what}", f"  Received: {received}", f"  Expected: {expected}",
                 *(f"  {line}" for line in context)]
        if exchange is not None:
            lines.append(f"  Request: {exchange.curl()}")
        lines.append(f'  Reproduce: ocp-conformance run --only "{function}"')
        super().__init__("\n".join(lines))
