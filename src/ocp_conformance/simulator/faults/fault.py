"""One deliberate defect of the simulator, and how it is applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import Simulation, SiRules

__all__ = ["CheckKind", "Fault", "Wrapper"]

Wrapper = Callable[[Call, Handler], Reply]
CheckKind = Literal["contract", "negative", "scenario", "security"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One deliberate defect."""

    name: str
    function: str
    """The catalogue function it breaks."""
    check: CheckKind
    """The check kind expected to catch it."""
    breaks: str
    wrappers: Mapping[str, Wrapper] = field(default_factory=dict)
    """Per operationId: wraps the handler (sees the call and the real handler)."""
    raw_body: Callable[[str, bytes], bytes] | None = None
    """Rewrites a request body before validation (operationId, bytes) -> bytes."""
    rules: Callable[[SiRules], SiRules] | None = None
    """Changes the domain's modelled SI rules (matching key, what may settle)."""
    patch: Callable[[Simulation], None] | None = None
    """Breaks a freshly built simulation in place (also after each reset), for rules deeper than a handler."""
