"""The binding of one contracts folder: the model's roles and the bound contract's concrete names.

Suites, scenarios and the simulator speak roles ("the create operation of Input SI", "the quantity field",
"payment type DVP", "the not-found error"); only this layer knows what the bound contract calls them. A role the
binding does not name raises :class:`BindingMissing`, which says exactly which binding entry to add: the checks
that need it are then *not run* with that reason, never failed and never passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ocp_conformance.contracts import SourceLocation, YamlDocument

__all__ = ["BINDING_FILE", "NOT_APPLICABLE", "Binding", "BindingMissing", "ErrorShape", "FieldRole", "FunctionBinding"]

BINDING_FILE = "binding.yaml"

NOT_APPLICABLE = "not applicable: "
"""How a skip reason starts when a test does not apply to the bound contract (``pytest.skip(NOT_APPLICABLE +
why)``: an operation without a request body has no field to reject; a workflow needs a function the contract does
not offer). The plugin records such a test as ``not-applicable``, not as a skip that leaves its check partial."""


class BindingMissing(LookupError):
    """A role the bound contract's binding does not name; the checks that need it cannot run.

    Attributes:
        entry: the binding entry that is missing, as a path such as ``functions."Input SI".operations.create``.
        function: the catalogue function that needed it (``None`` for contract-wide roles such as the error shape).
    """

    def __init__(self, entry: str, *, function: str | None = None, file: Path | None = None,
                 known: tuple[str, ...] = ()) -> None:
        where = str(file) if file is not None else BINDING_FILE
        known_text = f" (bound: {', '.join(known)})" if known else ""
        super().__init__(f"no binding for {entry} in {where}{known_text}; add it to run the checks that need it "
                         "(docs/adopting-the-official-contract.md)")
        self.entry = entry
        self.function = function


@dataclass(frozen=True, slots=True)
class FieldRole:
    """Where one role's value sits in the bound contract: a JSON pointer into bodies, a parameter name, an enum."""

    role: str
    pointer: str | None = None
    parameter: str | None = None
    enum: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionBinding:
    """One catalogue function: its operations by role, and the field set its bodies use."""

    name: str
    operations: Mapping[str, str]
    fields: str | None = None
    constants: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Per role, field roles whose value the operation implies (a split ``release`` implies ``hold: false``)."""


@dataclass(frozen=True, slots=True)
class ErrorShape:
    """How the bound contract writes an error: media type, where the code, message and per-field errors are."""

    media_type: str
    code: str
    message: str | None = None
    field_errors: str | None = None
    field_pointer: str | None = None
    codes: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Binding:
    """The parsed ``binding.yaml`` of a contracts folder (empty if the folder has none)."""

    path: Path
    functions: Mapping[str, FunctionBinding] = field(default_factory=dict)
    field_sets: Mapping[str, Mapping[str, FieldRole]] = field(default_factory=dict)
    enums: Mapping[str, Mapping[str, str | int]] = field(default_factory=dict)
    errors: ErrorShape | None = None
    auth_schemes: tuple[str, ...] = ()
    document: YamlDocument | None = None
    contract: str = "model"
    """``official`` only when ``binding.yaml`` says ``contract: official`` (the exchange's contract is bound);
    ``model`` otherwise, also without a binding: the reports then say the contracts are a model."""

    # ------------------------------------------------------------------ operations
    def operation(self, function: str, role: str) -> str:
        """The operationId serving ``function`` in ``role`` (``create``, ``get``, ``list``, ``change``, ...)."""
        bound = self.functions.get(function)
        if bound is None:
            raise BindingMissing(f'functions."{function}"', function=function, file=self.path)
        try:
            return bound.operations[role]
        except KeyError:
            raise BindingMissing(f'functions."{function}".operations.{role}', function=function, file=self.path,
                                 known=tuple(bound.operations)) from None

    def roles_of(self, operation_id: str) -> list[tuple[str, str]]:
        """Every (function, role) an operation serves."""
        return [(f.name, role) for f in self.functions.values() for role, op in f.operations.items()
                if op == operation_id]

    # ------------------------------------------------------------------ fields
    def fields_of(self, function: str) -> Mapping[str, FieldRole]:
        """The field roles of ``function``'s bodies."""
        bound = self.functions.get(function)
        if bound is None:
            raise BindingMissing(f'functions."{function}"', function=function, file=self.path)
        if bound.fields is None:
            raise BindingMissing(f'functions."{function}".fields', function=function, file=self.path)
        try:
            return self.field_sets[bound.fields]
        except KeyError:
            raise BindingMissing(f"fields.{bound.fields}", function=function, file=self.path,
                                 known=tuple(self.field_sets)) from None

    def field(self, function: str, role: str) -> FieldRole:
        """One field role of ``function`` (its pointer, parameter name and enum)."""
        fields = self.fields_of(function)
        try:
            return fields[role]
        except KeyError:
            set_name = self.functions[function].fields
            raise BindingMissing(f"fields.{set_name}.{role}", function=function, file=self.path,
                                 known=tuple(fields)) from None

    def pointer(self, function: str, role: str) -> str:
        """The JSON pointer of a field role in ``function``'s bodies."""
        found = self.field(function, role)
        if found.pointer is None:
            set_name = self.functions[function].fields
            raise BindingMissing(f"fields.{set_name}.{role}.pointer", function=function, file=self.path)
        return found.pointer

    def parameter(self, function: str, role: str) -> str:
        """The path or query parameter name of a field role of ``function``."""
        found = self.field(function, role)
        if found.parameter is None:
            set_name = self.functions[function].fields
            raise BindingMissing(f"fields.{set_name}.{role}.parameter", function=function, file=self.path)
        return found.parameter

    # ------------------------------------------------------------------ enums
    def code(self, enum: str, value: str, *, function: str | None = None) -> str | int:
        """The bound contract's code for the model's enum ``value``."""
        codes = self._enum(enum, function)
        try:
            return codes[value]
        except KeyError:
            raise BindingMissing(f"enums.{enum}.{value}", function=function, file=self.path,
                                 known=tuple(codes)) from None

    def value(self, enum: str, code: object, *, function: str | None = None) -> object:
        """The model's value for a bound contract's enum ``code`` (the code itself if the map has no such code:
        a target's unknown code is the contract check's business, not a harness error)."""
        for model_value, bound_code in self._enum(enum, function).items():
            if bound_code == code:
                return model_value
        return code

    def _enum(self, enum: str, function: str | None) -> Mapping[str, str | int]:
        try:
            return self.enums[enum]
        except KeyError:
            raise BindingMissing(f"enums.{enum}", function=function, file=self.path,
                                 known=tuple(self.enums)) from None

    # ------------------------------------------------------------------ errors and auth
    def error_shape(self, *, function: str | None = None) -> ErrorShape:
        if self.errors is None:
            raise BindingMissing("errors", function=function, file=self.path)
        return self.errors

    def error_code(self, model_code: str, *, function: str | None = None) -> str:
        """The bound contract's error code for one of the model's codes."""
        codes = self.error_shape(function=function).codes
        try:
            return codes[model_code]
        except KeyError:
            raise BindingMissing(f"errors.codes.{model_code}", function=function, file=self.path) from None

    def error_status(self, kind: str, *, function: str | None = None) -> int:
        """The HTTP status of one kind of error (``invalid``, ``not_found``, ``unauthenticated``, ...)."""
        statuses = self.error_shape(function=function).statuses
        try:
            return statuses[kind]
        except KeyError:
            raise BindingMissing(f"errors.statuses.{kind}", function=function, file=self.path,
                                 known=tuple(statuses)) from None

    def model_error_code(self, code: object) -> object:
        """The model's error code for a code the target sent (unchanged when the map has no such code)."""
        if self.errors is None:
            return code
        for model_code, bound_code in self.errors.codes.items():
            if bound_code == code:
                return model_code
        return code

    def locate(self, *parts: str | int) -> SourceLocation | Path:
        """Where a binding entry is (for findings), or the file if it was never parsed."""
        return self.document.locate(tuple(parts)) if self.document is not None else self.path
