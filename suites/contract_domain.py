"""Values drawn from a request field's whole domain as the bound contract states it (issue 15 item 2).

A field is named by role (``Input SI``'s ``create`` operation, its ``amount``); its schema is read from the bound
contract through the binding, and the strategy follows it: an integer's bounds, a string's pattern and length. No
limit is restated here, so a contract that allows six decimals or 35-character references gets them drawn.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ocp_conformance.binding import Binding
from ocp_conformance.contracts import ContractSet
from ocp_conformance.contracts.bodies import request_body_schema
from ocp_conformance.contracts.openapi import non_null_schema

__all__ = ["FieldDomain", "field_domain"]

_PROBE_LIMIT = 64
"""Longest string (and most decimals) probed when a limit is stated only by a pattern."""


class FieldDomain:
    """One request field's schema, and strategies over its values."""

    def __init__(self, schema: dict[str, Any], name: str) -> None:
        self.schema = schema
        self.name = name

    @property
    def pattern(self) -> str:
        pattern = self.schema.get("pattern")
        if not isinstance(pattern, str):
            raise LookupError(f"{self.name}: the contract's schema has no pattern: {self.schema}")
        return pattern

    def fits(self, value: str) -> bool:
        """True if ``value`` is in the field's domain as a string (pattern and length)."""
        if "maxLength" in self.schema and len(value) > int(self.schema["maxLength"]):
            return False
        if "minLength" in self.schema and len(value) < int(self.schema["minLength"]):
            return False
        return "pattern" not in self.schema or re.search(self.pattern, value) is not None

    # ------------------------------------------------------------ integers
    @property
    def minimum(self) -> int:
        return int(self.schema.get("minimum", 0))

    @property
    def maximum(self) -> int:
        if "maximum" not in self.schema:
            raise LookupError(f"{self.name}: the contract states no maximum: {self.schema}")
        return int(self.schema["maximum"])

    # ------------------------------------------------------------ strings
    def strings(self) -> st.SearchStrategy[str]:
        """Any string the pattern (and length limits) allow."""
        return st.from_regex(self.pattern, fullmatch=True).filter(self.fits)

    def longest(self, alphabet: str = "0123456789abcdef") -> int:
        """The greatest length a string of ``alphabet`` characters may have (``maxLength``, else probed against the
        pattern)."""
        if "maxLength" in self.schema:
            return int(self.schema["maxLength"])
        lengths = [n for n in range(1, _PROBE_LIMIT + 1) if self.fits((alphabet * _PROBE_LIMIT)[:n])]
        if not lengths:
            raise LookupError(f"{self.name}: no string of {alphabet!r} fits {self.schema}")
        return max(lengths)

    # ------------------------------------------------------------ decimal strings (money)
    def decimals(self) -> int:
        """The most decimal places the pattern allows (``1.1…1``)."""
        return max(k for k in range(_PROBE_LIMIT) if self.fits("1" + ("." + "1" * k if k else "")))

    def step(self) -> Decimal:
        """The finest difference between two values: one unit of the last decimal place."""
        return Decimal(1).scaleb(-self.decimals())

    def amounts(self) -> st.SearchStrategy[str]:
        """Positive decimal strings anywhere in the pattern's domain, often with every decimal place it allows."""
        finest = self.strings().filter(lambda s: len(s.partition(".")[2]) == self.decimals())
        return st.one_of(self.strings(), finest).filter(lambda s: Decimal(s) > 0)

    def neighbour(self, amount: str) -> str:
        """An amount one :meth:`step` away from ``amount`` (up, else down), still in the domain."""
        places = self.decimals()
        for candidate in (Decimal(amount) + self.step(), Decimal(amount) - self.step()):
            text = f"{candidate:.{places}f}"
            if candidate > 0 and self.fits(text):
                return text
        raise LookupError(f"{self.name}: no amount one step from {amount} fits {self.schema}")


def field_domain(contracts: ContractSet, binding: Binding, function: str, operation_role: str,
                 field_role: str) -> FieldDomain:
    """The domain of ``field_role`` in the request body of ``function``'s ``operation_role`` operation."""
    operation = contracts.operation(binding.operation(function, operation_role))
    document = contracts.document(operation.document)
    schema = request_body_schema(contracts, operation)
    pointer = binding.pointer(function, field_role)
    name = f"{function} {operation_role} {field_role} ({operation.operation_id} {pointer})"
    if schema is None:
        raise LookupError(f"{name}: the operation takes no request body")
    for token in pointer.strip("/").split("/"):
        schema = non_null_schema(document.resolve(schema))
        schema = document.resolve((schema.get("properties") or {}).get(token.replace("~1", "/").replace("~0", "~"),
                                                                           {}))
    return FieldDomain(document.resolve(non_null_schema(schema)), name)


