"""Translate between the contract's JSON (camelCase) and the domain's records (snake_case).

The translation is mechanical (names are converted, values encoded by type), so no field list is written
here twice: the contract states the fields, the domain dataclasses hold them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ocp_conformance.simulator.ccass import (
    SettlementFailure,
    SettlementInstruction,
    SettlementRun,
    UnmatchedReport,
)

__all__ = ["camel", "domain_values", "encode", "run_json", "si_json", "snake", "unmatched_json"]

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")
# Where the domain's name is not the contract's name converted.
_RENAMED = {"owner": "participantId"}
_NESTED_REVOCATION = {
    "revocation_requested_by_owner": "requestedByYou",
    "revocation_requested_by_counterparty": "requestedByCounterparty",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def encode(value: Any) -> Any:
    """A domain value as JSON: dates ISO, times ISO with offset, money as decimal strings."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(key): encode(v) for key, v in value.items()}
    return value


def domain_values(body: dict[str, Any]) -> dict[str, Any]:
    """A validated request body as domain keyword arguments (snake_case, dates and Decimals decoded)."""
    values: dict[str, Any] = {}
    for key, value in body.items():
        name = snake(key)
        if isinstance(value, str) and name.endswith("_date"):
            value = date.fromisoformat(value)
        elif isinstance(value, str) and name == "amount":
            value = Decimal(value)
        values[name] = value
    return values


def si_json(si: SettlementInstruction) -> dict[str, Any]:
    data: dict[str, Any] = {"revocation": {}}
    for f in dataclasses.fields(si):
        value = getattr(si, f.name)
        if f.name in _NESTED_REVOCATION:
            data["revocation"][_NESTED_REVOCATION[f.name]] = value
        elif isinstance(value, SettlementFailure):
            data[camel(f.name)] = encode(value)
        else:
            data[_RENAMED.get(f.name, camel(f.name))] = encode(value)
    return data


def unmatched_json(report: UnmatchedReport) -> dict[str, Any]:
    return {
        "siId": report.si_id,
        "status": report.status,
        "reasonCode": report.reason_code,
        "candidates": [{"differences": encode(c.differences)} for c in report.candidates],
    }


def run_json(run: SettlementRun) -> dict[str, Any]:
    return {
        "runId": run.run_id,
        "at": encode(run.at),
        "settled": list(run.settled),
        "failed": [{"matchId": m, "reason": r} for m, r in run.failed],
    }
