"""The binding: the one adapter layer between the model's roles and a bound contract's concrete names.

Imports only the contracts layer, so the simulator, client, suites, scenarios and consumer mode can all use it.
"""

from __future__ import annotations

from ocp_conformance.binding.auth import credential_header
from ocp_conformance.binding.bodies import (
    ABSENT,
    BoundRequest,
    bound_item,
    bound_request,
    complete_required,
    place_pointer,
    read_pointer,
    read_role,
    role_of_pointer,
)
from ocp_conformance.binding.check import check_binding, field_schemas
from ocp_conformance.binding.load import binding_schema, load_binding
from ocp_conformance.binding.model import (
    BINDING_FILE,
    NOT_APPLICABLE,
    Binding,
    BindingMissing,
    ErrorShape,
    FieldRole,
    FunctionBinding,
)

__all__ = [
    "ABSENT",
    "BINDING_FILE",
    "NOT_APPLICABLE",
    "Binding",
    "BindingMissing",
    "BoundRequest",
    "ErrorShape",
    "FieldRole",
    "FunctionBinding",
    "binding_schema",
    "bound_item",
    "bound_request",
    "check_binding",
    "complete_required",
    "credential_header",
    "field_schemas",
    "load_binding",
    "place_pointer",
    "read_pointer",
    "read_role",
    "role_of_pointer",
]
