"""Who a load run's users act as: a module of its own, free of Locust, so in-process drivers (the tests, a
benchmark) choose the participants exactly as ``ocp-conformance load`` does without gevent's monkey-patching."""

from __future__ import annotations

from ocp_conformance.targets import Target

__all__ = ["acting_participants"]


def acting_participants(target: Target, wanted: int) -> list[str]:
    """The first ``wanted`` (at least 2) participants with a token, in the order of the target's roles, else the
    target's participants in order."""
    order = [p for p in target.roles if p in target.tokens] or list(target.participants)
    return order[:max(2, wanted)]
