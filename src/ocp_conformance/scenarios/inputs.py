"""Workflow inputs the harness supplies when the caller does not: participants, their tokens, business dates
and a fresh run id, so scenario files never hard-code credentials, dates, or assume an empty world."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta, timezone
from typing import Any

from jsonschema import Draft202012Validator

from ocp_conformance.client import OcpClient
from ocp_conformance.scenarios.document import Workflow
from ocp_conformance.targets import TargetError

__all__ = ["DEFAULT_ROLES", "HARNESS_INPUTS", "InputsError", "harness_inputs", "redact_inputs", "resolve_inputs",
           "role_default"]

DEFAULT_ROLES: tuple[str, ...] = ("deliverer", "receiver")
"""Participant role inputs, filled from the target's acting pair (participant under test, counterparty)."""

HARNESS_INPUTS = ("deliverer", "receiver", "delivererToken", "receiverToken", "settlementDate",
                  "nextBusinessDate", "runId", "quantity", "otherQuantity", "fileDate", "fileSequence")
"""Input names the harness fills when a workflow declares them (plus any ``<role>Token`` of a role input)."""

_HKT = timezone(timedelta(hours=8))

# (target name, file date) -> fileSequence prefixes handed out by this process, so the RAP files of two
# workflows never share a sequence number (a duplicate rejects the whole file)
_SEQUENCE_PREFIXES: dict[tuple[str, str], set[int]] = {}


class InputsError(ValueError):
    """The workflow's inputs cannot be satisfied (a harness or authoring problem, not the target's)."""


def _acting_pair(client: OcpClient) -> tuple[str, str]:
    try:
        return client.target.acting_pair()
    except TargetError as exc:
        raise InputsError(str(exc)) from None


_FRESH_QUANTITIES = (1000, 9999)
"""Where a fresh quantity is drawn when the workflow's ``quantity`` input declares no ``maximum``."""


def fresh_quantity_range(workflow: Workflow) -> tuple[int, int]:
    """The inclusive range a fresh ``quantity`` is drawn from: the input's declared ``maximum`` (less one, so that
    ``otherQuantity`` stays within it) and ``minimum`` (at least 1000) when a maximum is declared."""
    properties = (workflow.raw.get("inputs") or {}).get("properties") or {}
    schema = properties.get("quantity") or {}
    maximum = schema.get("maximum")
    if not isinstance(maximum, int) or isinstance(maximum, bool):
        return _FRESH_QUANTITIES
    minimum = schema.get("minimum")
    low = max(_FRESH_QUANTITIES[0], minimum if isinstance(minimum, int) and not isinstance(minimum, bool) else 1)
    high = maximum - 1
    if high < low:
        raise InputsError(f"workflow {workflow.workflow_id!r}: input quantity declares maximum {maximum}, "
                          f"below the {low + 1} a fresh quantity and its +1 mismatch need; raise the maximum")
    return low, high


def role_default(workflow: Workflow, role: str) -> str | None:
    """The participant a role input names by default in the inputs schema (e.g. ``gcp: {default: B07777}``)."""
    properties = (workflow.raw.get("inputs") or {}).get("properties") or {}
    default = (properties.get(role) or {}).get("default")
    return str(default) if default is not None else None


def harness_inputs(workflow: Workflow, client: OcpClient, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The harness's values for the inputs ``workflow`` declares and ``given`` lacks.

    ``deliverer``/``receiver`` are the target's acting pair (``Target.acting_pair``); ``<role>Token`` is the
    target's token for the role's participant (given, or else the role input's schema default);
    ``settlementDate`` is the target's business date (the simulator clock when the target can clock-control,
    else today in +08:00) and ``nextBusinessDate`` the business day after it; ``runId`` is a fresh
    10-character id for references; ``fileDate`` the business date as YYYYMMDD (RAP file names) and
    ``fileSequence`` a two-digit prefix (50-99) of RAP sequence numbers not yet given for this target and date;
    ``quantity`` a fresh quantity so that this run's SIs cannot match leftovers of earlier runs (drawn within
    the input's ``minimum``/``maximum`` when the workflow declares a ``maximum``, else 1000–9999: a workflow
    that seeds ample stock declares a wide range, which keeps the chance of meeting a leftover negligible),
    and ``otherQuantity`` = quantity + 1 for deliberate mismatches.
    """
    declared = workflow.declared_inputs
    values: dict[str, Any] = dict(given or {})
    for role, participant in zip(DEFAULT_ROLES, _acting_pair(client), strict=True):
        if role in declared and role not in values:
            values[role] = participant
    for name in declared:
        role = name.removesuffix("Token")
        named = values.get(role, role_default(workflow, role))
        if name.endswith("Token") and name not in values and named is not None:
            values[name] = client.target.token(str(named))
    if "runId" in declared and "runId" not in values:
        values["runId"] = uuid.uuid4().hex[:10].upper()
    if "quantity" in declared and "quantity" not in values:
        # Matching ignores references: a fresh quantity keeps this run's SIs from matching SIs left unmatched
        # by earlier runs on the same target.
        low, high = fresh_quantity_range(workflow)
        values["quantity"] = low + secrets.randbelow(high - low + 1)
    if "otherQuantity" in declared and "otherQuantity" not in values and isinstance(values.get("quantity"), int):
        values["otherQuantity"] = values["quantity"] + 1
    if {"settlementDate", "nextBusinessDate"} & declared and not {"settlementDate", "nextBusinessDate"} <= set(values):
        today, following = client.business_dates()
        values.setdefault("settlementDate", today.isoformat())
        if "nextBusinessDate" in declared:
            values.setdefault("nextBusinessDate", following.isoformat())
    if "fileDate" in declared and "fileDate" not in values:
        values["fileDate"] = client.business_dates()[0].strftime("%Y%m%d")
    if "fileSequence" in declared and "fileSequence" not in values:
        values["fileSequence"] = _sequence_prefix(client.target.name, str(values.get("fileDate", "")))
    return {k: v for k, v in values.items() if k in declared or k in (given or {})}


_PREFIXES: range = range(50, 100)
"""Workflows number their files 500-999; the RAP file suites count theirs up from 1 (a few hundred a day at
most), so the two never reuse each other's sequence numbers (which would reject a file as a duplicate)."""


def _sequence_prefix(target: str, file_date: str) -> int:
    """A two-digit prefix (50-99) not yet given for this target and date: a workflow appends one digit per file
    (``{$inputs.fileSequence}1``), so its sequence numbers (500-999) are its own."""
    given = _SEQUENCE_PREFIXES.setdefault((target, file_date), set())
    free = [n for n in _PREFIXES if n not in given] or list(_PREFIXES)
    prefix = free[secrets.randbelow(len(free))]
    given.add(prefix)
    return prefix


def resolve_inputs(workflow: Workflow, client: OcpClient, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Given values, then the harness's, then the schema's defaults; validated against the inputs schema."""
    values = harness_inputs(workflow, client, given)
    schema: dict[str, Any] = workflow.raw.get("inputs") or {"type": "object"}
    for name, spec in (schema.get("properties") or {}).items():
        if name not in values and isinstance(spec, dict) and "default" in spec:
            values[name] = spec["default"]
    errors = sorted(Draft202012Validator(schema).iter_errors(values), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise InputsError(f"inputs of workflow {workflow.workflow_id} are invalid: {redact_text(shown, values)}")
    return values


def redact_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every ``...Token`` input replaced by a placeholder (tokens never reach a report)."""
    return {k: (f"<token of {values.get(k.removesuffix('Token'), '?')}>" if k.endswith("Token") else v)
            for k, v in values.items()}


def redact_text(text: str, values: Mapping[str, Any]) -> str:
    for name, value in values.items():
        if name.endswith("Token") and isinstance(value, str) and value:
            text = text.replace(value, "***")
    return text
