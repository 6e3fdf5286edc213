"""What a handler receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocp_conformance.contracts.validation import ValidRequest
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["Call", "Handler", "Reply"]


@dataclass(frozen=True, slots=True)
class Call:
    operation_id: str
    participant: str | None
    request: ValidRequest
    state: SimulatorState

    @property
    def owner(self) -> str:
        """The authenticated participant making the call (an OCP API handler runs only after authentication)."""
        assert self.participant is not None, "authentication runs before handlers"
        return self.participant


@dataclass(slots=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]
