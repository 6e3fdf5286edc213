"""Send the same sequence to two targets and compare their answers step by step (``ocp-conformance diff``).

Each step is built once through the binding and sent to both sides with each side's own participants and ids.
Answers are compared by status, error code, the fields named by per-field errors, and every field of the body:
a field on one side only, or a value that differs where it is not declared as varying (``diff.yaml``). Ids a
target assigns are compared as names (``d1`` on both sides), so an id pointing at the wrong SI still differs.
After each state-changing step the SIs it touched are read back (Enquire SI) on both sides; a status that differs
there is a state transition one side made and the other did not, blamed on the step's function.

A divergence whose entities (the SIs it concerns) all diverged before is a *consequence*: it is listed under the
first divergence of those entities, not counted against its function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ocp_conformance.binding import Binding, BindingMissing, load_binding
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.contracts.validation import NOT_JSON
from ocp_conformance.diff.plan import Account, Party, Plan, Ref, Step, build_plan
from ocp_conformance.diff.rules import DiffRules, FieldRules, load_diff_rules
from ocp_conformance.targets import CLOCK_CONTROL, Target, TargetError

__all__ = ["DiffResult", "Divergence", "SideInfo", "run_diff"]

Path_ = tuple[str, ...]
_OBSERVER = "Enquire SI"


@dataclass(frozen=True, slots=True)
class Name:
    """An id a target assigned, as the name both sides share (``d1``, ``party1``, ``<step>/siId``)."""

    name: str

    def __str__(self) -> str:
        return f"<{self.name}>"


@dataclass(slots=True)
class Divergence:
    """One way the two targets answered the same request differently."""

    function: str
    kind: str
    """status | error_code | error_fields | field | value | state | contract | not_sent"""
    step: str
    path: str
    a: Any
    b: Any
    entities: tuple[str, ...] = ()
    follows: int | None = None
    """Index of the earlier divergence of the same entities this one follows from (a consequence)."""
    read_back: str | None = None
    """For a state comparison: the SI read back after the step."""

    def to_json(self) -> dict[str, Any]:
        return {"function": self.function, "kind": self.kind, "step": self.step, "path": self.path,
                "a": _plain(self.a), "b": _plain(self.b), "entities": list(self.entities), "follows": self.follows,
                "read_back": self.read_back}


@dataclass(frozen=True, slots=True)
class SideInfo:
    label: str
    target: str
    description: str
    participants: tuple[str, str]
    business_date: str
    requests: int


@dataclass(slots=True)
class DiffResult:
    a: SideInfo
    b: SideInfo
    seed: int
    run_id: str
    settlement_date: str
    rules_file: str
    functions: list[str]
    """Catalogue functions the sequence exercised, in the order first called."""
    steps: int
    divergences: list[Divergence] = field(default_factory=list)
    not_run: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)
    """Catalogue name -> the circular's words for it (reports show these; the names stay ids)."""

    def shown(self, function: str) -> str:
        return self.display.get(function, function)

    @property
    def primary(self) -> list[Divergence]:
        return [d for d in self.divergences if d.follows is None]

    def by_function(self) -> dict[str, list[Divergence]]:
        found: dict[str, list[Divergence]] = {f: [] for f in self.functions}
        for d in self.primary:
            found.setdefault(d.function, []).append(d)
        return found


def _plain(value: Any) -> Any:
    if isinstance(value, Name):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


class _Side:
    def __init__(self, label: str, target: Target, contracts: ContractSet, binding: Binding) -> None:
        self.label = label
        self.target = target
        self.client = OcpClient(target, contracts).lenient()
        self.bound = BoundClient(self.client, binding)
        self.parties = target.acting_pair()
        self.names: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.requests = 0
        for index, party in enumerate(self.parties):
            self.register(party, f"party{index}")
            self.register(f"{party}01", f"account{index}")

    def register(self, raw: str, name: str) -> None:
        self.names.setdefault(raw, name)
        self.ids.setdefault(name, raw)

    def name_of(self, raw: str, where: str) -> Name:
        if raw not in self.names:
            self.register(raw, where)
        return Name(self.names[raw])

    def resolve(self, values: dict[str, Any]) -> dict[str, Any] | None:
        """The step's values with this side's ids and participants; ``None`` if an SI it names does not exist
        here."""
        out: dict[str, Any] = {}
        for role, value in values.items():
            if isinstance(value, Ref):
                if value.name not in self.ids:
                    return None
                out[role] = self.ids[value.name]
            elif isinstance(value, Account):
                out[role] = f"{self.parties[value.index]}01"
            elif isinstance(value, Party):
                out[role] = self.parties[value.index]
            else:
                out[role] = value
        return out


@dataclass(slots=True)
class _Answer:
    status: int
    error: bool
    code: object
    fields: list[str]
    flat: dict[Path_, Any]
    violations: list[str]


class _Diff:
    def __init__(self, a: _Side, b: _Side, rules: DiffRules, binding: Binding, result: DiffResult,
                 progress: Callable[[str], None] | None) -> None:
        self.sides = (a, b)
        self.rules = rules
        self.binding = binding
        self.result = result
        self.progress = progress
        self.tainted: dict[str, int] = {}
        self._rules: dict[str, FieldRules] = {}

    def rules_of(self, function: str) -> FieldRules:
        if function not in self._rules:
            self._rules[function] = self.rules.for_function(function, self.binding)
        return self._rules[function]

    # ------------------------------------------------------------------ running
    def run(self, plan: Plan) -> None:
        for step in plan.steps:
            if self.progress is not None:
                self.progress(step.id)
            self.step(step, plan)

    def step(self, step: Step, plan: Plan) -> None:
        a, b = self.sides
        values = (a.resolve(dict(step.values)), b.resolve(dict(step.values)))
        if values[0] is None and values[1] is None:
            return  # the SI it names exists on neither side (a refused property case): nothing to compare
        try:
            for side, resolved in zip(self.sides, values, strict=True):
                if resolved is not None:
                    side.bound.request(step.function, *side.bound.role_for(step.function, step.role, resolved))
        except BindingMissing as missing:
            self.result.not_run.append({"step": step.id, "function": step.function, "reason": str(missing)})
            return
        if step.function not in self.result.functions:
            self.result.functions.append(step.function)
        answers = [self.call(side, step, resolved) if resolved is not None else None
                   for side, resolved in zip(self.sides, values, strict=True)]
        # what the step concerns: the SIs it names, creates and reads back (a divergence of its answer taints them
        # all, so what they show later is listed as its consequence)
        entities = tuple(dict.fromkeys((*step.refs(), *((step.saves,) if step.saves else ()), *step.observe)))
        if answers[0] is None or answers[1] is None:
            self.add(Divergence(step.function, "not_sent", step.id, "", "sent" if answers[0] else "not sent",
                                "sent" if answers[1] else "not sent", entities))
            return
        self.compare(step.function, step.function, step.id, answers[0], answers[1], entities)
        for name in step.observe:
            self.read_back(step, name, plan)

    def call(self, side: _Side, step: Step, values: dict[str, Any]) -> _Answer:
        side.requests += 1
        role, values = side.bound.role_for(step.function, step.role, values)  # e.g. hold/release of a split function
        answer = side.bound.call(step.function, role, as_participant=side.parties[step.actor],
                                 validate_request=step.validate, parameters=dict(step.parameters) or None, **values)
        if step.saves is not None and answer.ok:
            si_id = answer.get("si_id", default=None)
            if isinstance(si_id, str):
                side.register(si_id, step.saves)
        return self.answer(side, answer, step.function, step.id)

    def read_back(self, step: Step, name: str, plan: Plan) -> None:
        where = f"{step.id} > read {name}"
        present = [name in side.ids for side in self.sides]
        if not any(present):
            return
        try:
            self.binding.operation(_OBSERVER, "get")
        except BindingMissing as missing:
            self.result.not_run.append({"step": where, "function": _OBSERVER, "reason": str(missing)})
            return
        if not all(present):
            self.add(Divergence(step.function, "not_sent", where, "", "exists" if present[0] else "absent",
                                "exists" if present[1] else "absent", (name,), read_back=name))
            return
        answers = []
        for side in self.sides:
            side.requests += 1
            exchange = side.bound.call(_OBSERVER, "get", as_participant=side.parties[plan.owners[name]],
                                       si_id=side.ids[name])
            answers.append(self.answer(side, exchange, _OBSERVER, where))
        self.compare(step.function, _OBSERVER, where, answers[0], answers[1], (name,), read_back=name)

    # ------------------------------------------------------------------ comparing
    def answer(self, side: _Side, exchange: BoundExchange, function: str, where: str) -> _Answer:
        rules = self.rules_of(function)
        error = not exchange.ok
        code: object = None
        fields: list[str] = []
        skip: set[Path_] = set()
        body = exchange.body
        if error and self.binding.errors is not None:
            code = exchange.error_code()
            fields = sorted(exchange.error_pointers())
            shape = self.binding.errors
            skip = {_parts(p) for p in (shape.code, shape.field_errors) if p}
        flat: dict[Path_, Any] = {}
        if body is not NOT_JSON:
            _flatten(body, (), flat, side, rules, where, skip)
        return _Answer(exchange.status, error, code, fields, flat, list(exchange.exchange.violations))

    def compare(self, blame: str, function: str, where: str, a: _Answer, b: _Answer, entities: tuple[str, ...],
                *, read_back: str | None = None) -> None:
        def add(kind: str, path: str, va: Any, vb: Any, extra: Iterable[str] = ()) -> None:
            self.add(Divergence(blame, kind, where, path, va, vb, (*entities, *extra), read_back=read_back))

        if a.status != b.status:
            add("state" if read_back else "status", "", a.status, b.status)
            return
        if bool(a.violations) != bool(b.violations):
            add("contract", "", a.violations or "conforms", b.violations or "conforms")
        if a.error:
            if a.code != b.code:
                add("error_code", "", a.code, b.code)
            if a.fields != b.fields:
                add("error_fields", "", a.fields, b.fields)
        rules = self.rules_of(function)
        status_path = self._status_path(function)
        one_sided: set[Path_] = set()
        for path in sorted(a.flat.keys() | b.flat.keys()):
            if _empty_beside_items(path, a, b) or any(path[:len(item)] == item for item in one_sided):
                continue  # [] beside items: each item is compared on its own; an item on one side is one divergence
            item = _item_on_one_side(path, a, b)
            if item is not None:
                one_sided.add(item)
                add("field", "/" + "/".join(item), "present" if _has(a, item) else "absent",
                    "present" if _has(b, item) else "absent", (item[-1][1:-1],))
                continue
            pointer = "/" + "/".join(path)
            items = tuple(p[1:-1] for p in path if p.startswith("["))
            if path not in b.flat or path not in a.flat:
                add("field", pointer, "present" if path in a.flat else "absent",
                    "present" if path in b.flat else "absent", items)
            elif a.flat[path] != b.flat[path] and not rules.varies_at(path, error=a.error):
                kind = "state" if read_back and path == status_path else "value"
                add(kind, pointer, a.flat[path], b.flat[path], items)

    def _status_path(self, function: str) -> Path_ | None:
        try:
            return _parts(self.binding.pointer(function, "status"))
        except (BindingMissing, KeyError):
            return None

    def add(self, divergence: Divergence) -> None:
        index = len(self.result.divergences)
        known = [e for e in divergence.entities if e in self.tainted]
        if divergence.entities and len(known) == len(divergence.entities):
            divergence.follows = self.tainted[known[0]]
        else:
            for entity in divergence.entities:
                self.tainted.setdefault(entity, index)
        self.result.divergences.append(divergence)


def _has(answer: _Answer, prefix: Path_) -> bool:
    return any(p[:len(prefix)] == prefix for p in answer.flat)


def _item_on_one_side(path: Path_, a: _Answer, b: _Answer) -> Path_ | None:
    """The listed item (``.../[d3]``) ``path`` lies in, if only one side lists it."""
    for end, segment in enumerate(path):
        if segment.startswith("["):
            prefix = path[:end + 1]
            if _has(a, prefix) != _has(b, prefix):
                return prefix
    return None


def _empty_beside_items(path: Path_, a: _Answer, b: _Answer) -> bool:
    for one, other in ((a, b), (b, a)):
        if one.flat.get(path, None) in ([], {}) and path not in other.flat \
                and any(p[:len(path)] == path for p in other.flat):
            return True
    return False


def _parts(pointer: str) -> Path_:
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])


def _flatten(node: Any, path: Path_, out: dict[Path_, Any], side: _Side, rules: FieldRules, where: str,
             skip: set[Path_]) -> None:
    if path in skip:
        return
    if isinstance(node, dict):
        if not node:
            out[path] = {}
        for key, value in node.items():
            _flatten(value, (*path, str(key)), out, side, rules, where, skip)
    elif isinstance(node, list):
        if not node:
            out[path] = []
        keys = rules.item_id_keys()
        for index, item in enumerate(node):
            segment = str(index)
            if isinstance(item, dict):
                for key in keys:
                    if isinstance(item.get(key), str):
                        name = side.name_of(item[key], f"{where}/{'/'.join(path)}/{key}")
                        segment = f"[{name.name}]"
                        break
            _flatten(item, (*path, segment), out, side, rules, where, skip)
    elif isinstance(node, str) and rules.is_id(path):
        out[path] = side.name_of(node, f"{where}/{'/'.join(path)}")
    else:
        out[path] = node


def run_diff(a: Target, b: Target, contracts: ContractSet, *, seed: int = 17, cases: int = 24,
             run_id: str = "diff", reset: bool = False,
             progress: Callable[[str], None] | None = None) -> DiffResult:
    """Send the plan to ``a`` and ``b`` and collect every divergence; with ``reset``, first return both to their
    seeded state (simulator control), so enquiries over the whole world (balances) start equal.

    Raises:
        TargetError: a target has no acting pair of participants.
        TargetUnreachable: a target stopped answering (no verdict can be given).
    """
    binding = load_binding(contracts)
    rules = load_diff_rules(contracts)
    side_a, side_b = _Side("A", a, contracts, binding), _Side("B", b, contracts, binding)
    if reset:
        for side in (side_a, side_b):
            if not side.target.can(CLOCK_CONTROL):
                raise TargetError(f"--reset: target {side.label} ({side.target.name}) offers no simulator control "
                                  "(clock-control), so it cannot be reset; drop --reset")
            side.client.call_operation("simReset")
    dates = [side.client.business_dates()[0] for side in (side_a, side_b)]
    plan = build_plan(seed=seed, cases=cases, run_id=run_id, settlement_date=dates[0])
    result = DiffResult(a=_info(side_a, dates[0]), b=_info(side_b, dates[1]), seed=seed, run_id=run_id,
                        settlement_date=plan.settlement_date, rules_file=str(rules.path), functions=[],
                        steps=len(plan.steps))
    if dates[0] != dates[1]:
        result.notes.append(f"the targets are on different business dates (A {dates[0]}, B {dates[1]}); every "
                            f"SI uses A's, {dates[0]}: a date rule may answer differently on B for that reason")
    _Diff(side_a, side_b, rules, binding, result, progress).run(plan)
    order = {entry.name: index for index, entry in enumerate(contracts.catalogue)}
    result.display = {entry.name: entry.display for entry in contracts.catalogue}
    result.functions.sort(key=lambda name: order.get(name, len(order)))
    result.a = _info(side_a, dates[0])
    result.b = _info(side_b, dates[1])
    if rules.unbound:
        result.notes.append("diff.yaml roles the binding does not name for a function (left out): "
                            + ", ".join(sorted(rules.unbound)))
    return result


def _info(side: _Side, business_date: Any) -> SideInfo:
    return SideInfo(label=side.label, target=side.target.name, description=side.target.description,
                    participants=side.parties, business_date=str(business_date), requests=side.requests)
