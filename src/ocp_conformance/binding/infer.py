"""Guess an operation's role from its method and path (the skeleton ``contracts adopt`` proposes).

``POST /things`` creates, ``GET /things`` lists, ``GET /things/{id}`` gets, ``PATCH``/``PUT /things/{id}`` changes,
``DELETE /things/{id}`` cancels; an action on a sub-resource (``POST /things/{id}/revocation``) takes the
sub-resource's name as a verb where one is known (``revoke``), else the name in snake_case.
"""

from __future__ import annotations

import re
from typing import Final

from ocp_conformance.contracts import Operation

__all__ = ["infer_role"]

_VERBS: Final = {"revocation": "revoke", "cancellation": "cancel", "affirmation": "affirm", "rejection": "reject",
                 "hold": "hold", "release": "release", "confirmation": "confirm", "approval": "approve"}


def infer_role(operation: Operation) -> str:
    """The role an operation most likely plays for its function."""
    segments = [s for s in operation.path.strip("/").split("/") if s]
    method = operation.method.lower()
    last = segments[-1] if segments else ""
    if last.startswith("{"):
        return {"get": "get", "delete": "cancel"}.get(method, "change")
    if len(segments) < 2 or not segments[-2].startswith("{"):
        return {"post": "create", "get": "list", "delete": "cancel"}.get(method, "change")
    if method == "get":
        return "get"
    return _VERBS.get(last.lower(), _snake(last))


def _snake(segment: str) -> str:
    text = re.sub(r"[^0-9A-Za-z]+", "_", segment.strip("{}"))
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", text).lower().strip("_")
    return text if re.match(r"^[a-z]", text) else f"op_{text}"
