"""RFC 9457 problem responses with stable codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

from ocp_conformance.contracts.validation import FieldError

__all__ = ["FieldError", "Problem", "problem_response"]

PROBLEM_TYPE_BASE = "https://ocp-conformance.invalid/problems/"


@dataclass(frozen=True, slots=True)
class Problem(Exception):
    """Raise anywhere in a handler to answer with ``application/problem+json``."""

    status: int
    code: str
    detail: str
    errors: tuple[FieldError, ...] = field(default=())
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code.lower().replace("_", "-"),
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.to_json() for e in self.errors]
        return body


def problem_response(problem: Problem, instance: str = "") -> JSONResponse:
    """The problem as ``application/problem+json``. Text it echoes from the request (a pointer, a value) is made
    encodable first: a refusal of a lone surrogate must not fail to be written for quoting it."""
    return JSONResponse(_encodable(problem.to_json(instance)), status_code=problem.status,
                        media_type="application/problem+json", headers=problem.headers)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value
