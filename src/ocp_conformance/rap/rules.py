"""Cross-field rules of a detail record, as layout data: ``when``/``required``, ``differ`` and ``sum``.

A rule sees a record's parsed values (slow path, with a reason per offending field) or its raw field bytes
(fast path, a yes/no answer); both are compiled once per layout.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import compress
from typing import Any

from ocp_conformance.contracts import SourceError, SourceLocation

__all__ = ["Rule", "RuleViolation", "rule_from_layout"]

RuleViolation = tuple[str, str, str]
"""``(field, expected, received)``."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One cross-field rule."""

    kind: str
    fields: tuple[str, ...]
    """Every field the rule reads."""
    condition: tuple[str, frozenset[str]] | None = None
    required: tuple[str, ...] = ()
    otherwise_empty: tuple[str, ...] = ()
    total: str | None = None

    def check(self, values: Mapping[str, Any], invalid: set[str]) -> list[RuleViolation]:
        """Violations among ``values`` (parsed; ``None`` = empty); fields in ``invalid`` were already reported."""
        if invalid.intersection(self.fields):
            return []
        if self.kind == "differ":
            first, second = self.fields
            if values.get(first) is not None and values.get(first) == values.get(second):
                return [(second, f"a value different from {first}", f"{values[second]!r}, the same as {first}")]
            return []
        if self.kind == "sum":
            assert self.total is not None
            parts = [f for f in self.fields if f != self.total]
            if any(values.get(f) is None for f in self.fields):
                return []
            total = sum(int(values[f]) for f in parts)
            if total != values[self.total]:
                return [(self.total, f"{' + '.join(parts)} = {self.total}",
                         f"{' + '.join(str(values[f]) for f in parts)} = {total}, not {values[self.total]}")]
            return []
        assert self.condition is not None
        field, allowed = self.condition
        found: list[RuleViolation] = []
        if values.get(field) in allowed:
            for name in self.required:
                if values.get(name) is None:
                    found.append((name, f"a value when {field} is {'/'.join(sorted(allowed))}", "an empty field"))
        else:
            for name in self.otherwise_empty:
                if values.get(name) is not None:
                    found.append((name, f"an empty field when {field} is {values.get(field)}", repr(values[name])))
        return found

    def fast(self, index: Mapping[str, int]) -> Callable[[Sequence[bytes]], bool]:
        """A yes/no check over a record's raw fields (bytes, by position), for the fast path."""
        if self.kind == "differ":
            a, b = (index[f] for f in self.fields)
            return lambda raw: raw[a] != raw[b]
        if self.kind == "sum":
            assert self.total is not None
            parts = [index[f] for f in self.fields if f != self.total]
            total = index[self.total]
            every = [*parts, total]
            return lambda raw: not all(raw[i] for i in every) or sum(int(raw[i]) for i in parts) == int(raw[total])
        assert self.condition is not None
        cond = index[self.condition[0]]
        allowed = frozenset(v.encode() for v in self.condition[1])
        required = [index[f] for f in self.required]
        empty = [index[f] for f in self.otherwise_empty]

        def when(raw: Sequence[bytes]) -> bool:
            if raw[cond] in allowed:
                return all(raw[i] for i in required)
            return not any(raw[i] for i in empty)

        return when


    def columns(self, index: Mapping[str, int]) -> Callable[[Sequence[Sequence[bytes]]], bool]:
        """A yes/no check over a block of records at once, given as columns of raw fields (C-level loops)."""
        if self.kind == "differ":
            a, b = (index[f] for f in self.fields)
            return lambda cols: not any(map(operator.eq, cols[a], cols[b]))
        if self.kind == "sum":
            assert self.total is not None
            parts = [index[f] for f in self.fields if f != self.total]
            total = index[self.total]

            def sums(cols: Sequence[Sequence[bytes]]) -> bool:
                if not all(all(cols[i]) for i in (*parts, total)):
                    return False  # an empty part: let the line-by-line check decide
                added = reduce(lambda acc, i: map(operator.add, acc, map(int, cols[i])), parts[1:],
                               map(int, cols[parts[0]]))
                return all(map(operator.eq, added, map(int, cols[total])))

            return sums
        assert self.condition is not None
        cond = index[self.condition[0]]
        allowed = frozenset(v.encode() for v in self.condition[1])
        required = [index[f] for f in self.required]
        empty = [index[f] for f in self.otherwise_empty]

        def when(cols: Sequence[Sequence[bytes]]) -> bool:
            flags = list(map(allowed.__contains__, cols[cond]))
            if not all(all(compress(cols[i], flags)) for i in required):
                return False
            others = list(map(operator.not_, flags))
            return not any(any(compress(cols[i], others)) for i in empty)

        return when


def rule_from_layout(raw: Any, names: set[str], where: Callable[..., SourceLocation]) -> Rule:
    """Parse one entry of a record's ``rules`` list."""

    def known(*fields: Any) -> tuple[str, ...]:
        for name in fields:
            if name not in names:
                raise SourceError(where(), f"rule names field {name!r}, which the record does not have",
                                  fix=f"use one of {', '.join(sorted(names))}")
        return tuple(str(f) for f in fields)

    if isinstance(raw, Mapping) and "differ" in raw and set(raw) == {"differ"}:
        pair = raw["differ"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise SourceError(where("differ"), "differ takes two field names", fix="differ: [fromAccount, toAccount]")
        return Rule("differ", known(*pair))
    if isinstance(raw, Mapping) and set(raw) == {"sum", "equals"} and isinstance(raw["sum"], list):
        return Rule("sum", known(*raw["sum"], raw["equals"]), total=str(raw["equals"]))
    if isinstance(raw, Mapping) and "when" in raw and set(raw) <= {"when", "required", "otherwise_empty"}:
        when = raw["when"]
        if not isinstance(when, Mapping) or set(when) != {"field", "in"} or not isinstance(when["in"], list):
            raise SourceError(where("when"), "when takes a field and a list of values",
                              fix="when: {field: paymentType, in: [DVP, RDP]}")
        required = known(*(raw.get("required") or []))
        empty = known(*(raw.get("otherwise_empty") or []))
        return Rule("when", known(when["field"], *required, *empty), condition=(
            str(when["field"]), frozenset(str(v) for v in when["in"])), required=required, otherwise_empty=empty)
    raise SourceError(where(), "unknown rule", fix="use {differ: [a, b]}, {sum: [a, b], equals: c} or "
                      "{when: {field: f, in: [...]}, required: [...], otherwise_empty: [...]}")
