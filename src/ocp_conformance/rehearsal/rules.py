"""Acceptance rules: what a task's ``accept`` entries mean, judged on the simulator's state and the recorded exchanges.

Every field is read through the binding: the recorded exchanges with the binding of the contract the client speaks
(so a rehearsal works on an adopted contract), the simulator's state in the model's own representation with the
model's binding. The kinds (docs/rehearsal.md):

- ``instruction_exists``: exactly ``count`` (default 1) instructions were input through the API (``function``'s
  create call, answered 2xx) with ``values`` (roles) inside the task's window, each still in the simulator's book.
- ``matched``: the instruction with own reference ``reference`` has matched (or ``status`` lists the statuses).
- ``status_is``: the instruction's status is one of ``status``.
- ``released_before`` / ``cancelled_before``: the client released it (Change Hold Matched SI with hold false) /
  cancelled it (Cancel SI), answered 2xx, inside the window and before ``before``.
- ``read_by_client``: the client called ``function`` (2xx) inside the window and after ``after``; with
  ``reference`` (and ``saw``), the answer showed that instruction (with those role values).
- ``reconciled``: after ``after``, the client read every instruction it input that day, each last read agreeing
  with the simulator's status, and its stock account balance.

The client's conduct (issue 18 item 3), over the task's window:

- ``polls_no_faster_than``: the client never sent the same read of ``function`` (method, path and query) twice
  within ``minutes`` of business time (a retry of a failed read is judged by ``honours_retry_after`` instead).
- ``honours_retry_after``: every 429/503 injected with ``Retry-After`` was retried, and no sooner than it said
  (wall-clock seconds, as HTTP means them). Needs a 429 or 503 in the script's ``inject``: without one in the window
  the rule fails as not shown, never passes unseen.
- ``no_discontinued_calls``: the client called no function discontinued with the Participant Gateway.

Transfers and corporate actions (the mass ATI/STI day, the CA election day):

- ``created_via_api``: exactly ``count`` (default 1) create calls of ``function`` (2xx, not a replay) sent
  ``values`` (roles), inside the task's window.
- ``state_is``: the simulator's record of ``function`` (its field set's records, in the model's representation)
  matching ``where`` has the ``expect`` role values and, with ``items``, those item role values in order.
- ``rap_file_accepted``: a RAP file of ``file_type`` arrived (HTTP upload or SFTP) inside the window, between
  ``after`` and ``before``, was not rejected whole, and each of ``records`` was accepted (values by the layout's
  roles, else its field names).
- ``ca_instruction_is``: the participant's corporate-action instruction on ``event`` with client reference
  ``reference`` is in the simulator's CA book with ``values`` (status ACCEPTED unless given), last changed before
  ``before``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ocp_conformance.binding import ABSENT, Binding, BindingMissing, read_role
from ocp_conformance.consumer import Exchange, OperationRoutes
from ocp_conformance.rehearsal.script import Rule, Task

__all__ = ["RULE_KINDS", "Evidence", "RapFile", "RapRecord", "RuleResult", "evaluate"]

SI = "Input SI"
_MATCHED = ("MATCHED", "MATCHED_ON_HOLD", "SHARES_ON_HOLD", "REVOKE_PENDING", "SETTLED")


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: Rule
    passed: bool
    reason: str
    """On a pass, what satisfied the rule; on a failure, what was missing (one line)."""
    evidence: tuple[int, ...] = ()
    """Indexes of the exchanges that satisfied the rule (or, on a failure, the nearest miss)."""


@dataclass(frozen=True, slots=True)
class RapRecord:
    """One detail record of an uploaded RAP file and what became of it."""

    line: int
    values: Mapping[str, Any]
    """The record's values, by the layout's role where its field has one, else by the field's name."""
    accepted: bool
    instruction_id: str | None = None
    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RapFile:
    """A RAP file the simulator processed (whichever transport brought it), at business time ``at``."""

    at: datetime
    participant: str
    file_name: str
    file_type: str | None
    status: str
    """ACCEPTED, PARTIALLY_ACCEPTED or REJECTED (rejected whole: nothing applied)."""
    file_errors: tuple[str, ...]
    records: tuple[RapRecord, ...]


@dataclass(slots=True)
class Evidence:
    """What the rules read: the participant's recorded exchanges and the simulator's state, both by role."""

    participant: str
    exchanges: Sequence[Exchange]
    client_binding: Binding
    routes: OperationRoutes
    model_binding: Binding
    instructions: list[dict[str, Any]]
    """Every SI of the participant, in the model's representation (the simulator's own answers)."""
    now: datetime
    state: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The participant's records in the simulator per field set of the model's binding (``ati``, ``sti``,
    ``mass_transfer``), each in the model's representation."""
    ca_instructions: list[dict[str, Any]] = field(default_factory=list)
    """The participant's corporate-action instructions (live and cancelled), by the domain's names: the OCP API has
    no CA function, so no binding names them (instruction_id, announcement_id, account, option, quantity,
    client_reference, status, created_at, updated_at)."""
    rap_files: list[RapFile] = field(default_factory=list)
    """Every RAP file processed during the rehearsal, in arrival order."""
    _own: list[Exchange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._own = [e for e in self.exchanges if e.participant == self.participant and e.business_time is not None]

    # ------------------------------------------------------------ the state
    def state_role(self, instruction: Mapping[str, Any], role: str) -> Any:
        return read_role(self.model_binding, SI, instruction, role)

    def by_reference(self, reference: str) -> list[dict[str, Any]]:
        return [i for i in self.instructions if self.state_role(i, "own_reference") == reference]

    def records(self, function: str) -> list[dict[str, Any]]:
        """The simulator's records of ``function``'s field set (the model's binding), in the model's
        representation."""
        bound = self.model_binding.functions.get(function)
        if bound is None or bound.fields is None:
            raise BindingMissing(f'functions."{function}".fields', function=function, file=self.model_binding.path)
        return list(self.state.get(bound.fields, ()))

    def record_role(self, function: str, record: Any, role: str) -> Any:
        return read_role(self.model_binding, function, record, role)

    # ------------------------------------------------------------ the exchanges
    def calls(self, function: str, role: str | None = None) -> list[Exchange]:
        """The participant's exchanges with an operation of ``function`` (in ``role``), in arrival order."""
        bound = self.client_binding.functions.get(function)
        if bound is None:
            raise BindingMissing(f'functions."{function}"', function=function, file=self.client_binding.path)
        operations = {op for r, op in bound.operations.items() if role in (None, r)}
        if role is not None and not operations:
            self.client_binding.operation(function, role)  # raises BindingMissing naming the entry
        return [e for e in self._own if e.operation_id in operations]

    def calls_in_roles(self, function: str, roles: tuple[str, ...]) -> list[tuple[Exchange, str]]:
        """The participant's exchanges with ``function`` in any of ``roles`` (those the binding has), with the role
        each served: a contract may split one of the model's operations in two (hold and release)."""
        bound = self.client_binding.functions.get(function)
        if bound is None:
            raise BindingMissing(f'functions."{function}"', function=function, file=self.client_binding.path)
        by_operation = {op: role for role, op in bound.operations.items() if role in roles}
        if not by_operation:
            self.client_binding.operation(function, roles[0])  # raises BindingMissing naming the entry
        return [(e, by_operation[e.operation_id]) for e in self._own if e.operation_id in by_operation]

    def sent(self, function: str, role: str, exchange: Exchange, field_role: str) -> Any:
        """What a request says for ``field_role``: the value its operation implies (the binding's ``constants``),
        else what its body holds."""
        implied = self.client_binding.functions[function].constants.get(role, {})
        if field_role in implied:
            return implied[field_role]
        return read_role(self.client_binding, function, exchange.request_body, field_role)

    def path_parameter(self, exchange: Exchange, function: str, role: str) -> Any:
        match = self.routes.match(exchange.method, exchange.path)
        if match is None:
            return None
        return match.path_params.get(self.client_binding.parameter(function, role))

    def instructions_in(self, exchange: Exchange, function: str) -> list[Any]:
        """The SIs an answer shows: the ``items`` of a list, else the body itself."""
        body = exchange.response_body
        if not isinstance(body, dict):
            return []
        bound = self.client_binding.functions.get(function)
        if bound is not None and exchange.operation_id in bound.operations.values() \
                and exchange.operation_id != bound.operations.get("list"):
            return [body]  # one record, whose own item list (a mass submission's transfers) is not a listing
        try:
            items = read_role(self.client_binding, function, body, "items")
        except BindingMissing:
            items = ABSENT
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else [body]

    def client_role(self, function: str, body: Any, role: str) -> Any:
        return read_role(self.client_binding, function, body, role)


def _ok(exchange: Exchange) -> bool:
    status = exchange.processed_status
    return status is not None and 200 <= status < 300


def _hm(moment: datetime | None) -> str:
    return "?" if moment is None else f"{moment:%H:%M}"


def _same(expected: Any, actual: Any) -> bool:
    if actual is ABSENT:
        return False
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected == actual)
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except (InvalidOperation, ValueError):
        return str(expected) == str(actual)


def _ids(instructions: Iterable[Mapping[str, Any]], evidence: Evidence) -> list[str]:
    return [str(evidence.state_role(i, "si_id")) for i in instructions]


# ---------------------------------------------------------------------------------------------------- the kinds
def _instruction_exists(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    """Judged on the create calls as sent (a later hold, release or status change does not undo the input), each
    instruction they created still in the simulator's book."""
    function = rule.params["function"]
    values: Mapping[str, Any] = rule.params["values"]
    count = int(rule.params.get("count", 1))
    created: list[tuple[Exchange, str]] = []
    for exchange in ev.calls(function, "create"):
        if _ok(exchange) and not exchange.replayed:
            for shown in ev.instructions_in(exchange, function):
                created.append((exchange, str(ev.client_role(function, shown, "si_id"))))
    matches = [(e, si_id) for e, si_id in created
               if all(_same(v, ev.client_role(function, e.request_body, r)) for r, v in values.items())]
    reference = values.get("own_reference")
    if not matches:
        near = [(e, si_id) for e, si_id in created if reference is not None
                and _same(reference, ev.client_role(function, e.request_body, "own_reference"))]
        if near:
            exchange, si_id = near[0]
            wrong = [f"{r} {ev.client_role(function, exchange.request_body, r)!s} (expected {v})"
                     for r, v in values.items() if not _same(v, ev.client_role(function, exchange.request_body, r))]
            return RuleResult(rule, False, f"{si_id} ({reference}) was input with " + ", ".join(wrong),
                              (exchange.index,))
        said = ", ".join(f"{r} {v}" for r, v in values.items())
        return RuleResult(rule, False, f"{ev.participant} input no instruction with {said} through the API")
    if len(matches) > count:
        return RuleResult(rule, False, f"{len(matches)} instructions {'/'.join(i for _, i in matches)} were input "
                          f"with these values, expected {count}: the client submitted the same instruction again "
                          f"(exchanges {', '.join('#' + str(e.index) for e, _ in matches)} each created one)",
                          tuple(e.index for e, _ in matches))
    in_book = set(_ids(ev.instructions, ev))
    for exchange, si_id in matches:
        if si_id not in in_book:
            return RuleResult(rule, False, f"{si_id} (exchange #{exchange.index}) is not in the simulator's book")
        moment = exchange.business_time
        if moment is None or not task.opens <= moment <= task.closes:
            return RuleResult(rule, False, f"{si_id} was input at {_hm(moment)}, outside the window "
                              f"{_hm(task.opens)}-{_hm(task.closes)}", (exchange.index,))
    return RuleResult(rule, True, ", ".join(f"{i} input at {_hm(e.business_time)} (exchange #{e.index})"
                                            for e, i in matches), tuple(e.index for e, _ in matches))


def _status_rule(default: tuple[str, ...], verb: str) -> Callable[[Rule, Task, Evidence], RuleResult]:
    def check(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
        reference = rule.params["reference"]
        wanted = tuple(rule.params.get("status") or default)
        found = ev.by_reference(reference)
        if not found:
            return RuleResult(rule, False, f"no instruction with own reference {reference}")
        statuses = [str(ev.state_role(i, "status")) for i in found]
        if any(s in wanted for s in statuses):
            return RuleResult(rule, True, f"{reference} is {'/'.join(s for s in statuses if s in wanted)}")
        return RuleResult(rule, False, f"{reference} is {'/'.join(statuses)}: it {verb}")

    return check


def _acted_before(function: str, roles: tuple[str, ...], what: str,
                  body: Mapping[str, Any]) -> Callable[..., RuleResult]:
    def check(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
        reference = rule.params["reference"]
        deadline = min(rule.time("before") or task.closes, task.closes)
        ids = set(_ids(ev.by_reference(reference), ev))
        if not ids:
            return RuleResult(rule, False, f"no instruction with own reference {reference}")
        acts = [e for e, role in ev.calls_in_roles(function, roles) if _ok(e)
                and str(ev.path_parameter(e, function, "si_id")) in ids
                and all(_same(v, ev.sent(function, role, e, r)) for r, v in body.items())]
        in_time = [e for e in acts if e.business_time is not None and task.opens <= e.business_time <= deadline]
        if in_time:
            first = in_time[0]
            return RuleResult(rule, True, f"{reference} {what} at {_hm(first.business_time)} (exchange "
                              f"#{first.index}), before {_hm(deadline)}", (first.index,))
        if acts:
            first = acts[0]
            when = "before its window opened" if first.business_time and first.business_time < task.opens \
                else f"after the {_hm(deadline)} cut-off"
            return RuleResult(rule, False, f"{reference} was {what} at {_hm(first.business_time)}, {when}",
                              (first.index,))
        return RuleResult(rule, False, f"{reference} was never {what} through the API ({function})")

    return check


def _read_by_client(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    function = rule.params["function"]
    start = max(rule.time("after") or task.opens, task.opens)
    reference, saw = rule.params.get("reference"), rule.params.get("saw") or {}
    reads = [e for e in ev.calls(function) if _ok(e) and e.method == "GET"]
    seen_elsewhere: list[str] = []
    for exchange in reads:
        moment = exchange.business_time
        assert moment is not None
        shown = ev.instructions_in(exchange, function) if reference is not None else [None]
        for item in shown:
            if item is not None and ev.client_role(function, item, "own_reference") != reference:
                continue
            fits = item is None or all(_same(v, ev.client_role(function, item, r)) for r, v in saw.items())
            if fits and start <= moment <= task.closes:
                return RuleResult(rule, True, f"read {reference or function} at {_hm(moment)} (exchange "
                                  f"#{exchange.index})", (exchange.index,))
            if item is not None and saw and moment <= task.closes:
                got = "/".join(str(ev.client_role(function, item, r)) for r in saw)
                seen_elsewhere.append(f"{got} at {_hm(moment)} (#{exchange.index})")
    wanted = f"{reference} as {', '.join(f'{r} {v}' for r, v in saw.items())}" if saw else (reference or function)
    tail = f"; its reads saw {', '.join(seen_elsewhere[-3:])}" if seen_elsewhere else (
        "; it read nothing of it" if not reads else "")
    return RuleResult(rule, False, f"the client never read {wanted} between {_hm(start)} and "
                      f"{_hm(task.closes)}{tail}")


def _reconciled(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    start = max(rule.time("after") or task.opens, task.opens)
    creates = [e for e in ev.calls(SI, "create") if _ok(e) and not e.replayed]
    created: dict[str, str] = {}
    for exchange in creates:
        for shown in ev.instructions_in(exchange, SI):
            created[str(ev.client_role(SI, shown, "si_id"))] = str(ev.client_role(SI, shown, "own_reference"))
    status_now = {str(ev.state_role(i, "si_id")): str(ev.state_role(i, "status")) for i in ev.instructions}
    last_read: dict[str, tuple[str, Exchange]] = {}
    for exchange in ev.calls("Enquire SI"):
        moment = exchange.business_time
        if not (_ok(exchange) and moment is not None and start <= moment <= task.closes):
            continue
        for item in ev.instructions_in(exchange, "Enquire SI"):
            last_read[str(ev.client_role("Enquire SI", item, "si_id"))] = (
                str(ev.client_role("Enquire SI", item, "status")), exchange)
    missing = [f"{si_id} ({ref})" for si_id, ref in created.items() if si_id not in last_read]
    stale = [f"last read {si_id} as {last_read[si_id][0]} (#{last_read[si_id][1].index}), the simulator says "
             f"{status_now.get(si_id)}" for si_id in created
             if si_id in last_read and last_read[si_id][0] != status_now.get(si_id)]
    balances = [e for e in ev.calls("Enquire Stock Account Balance") if _ok(e) and e.business_time is not None
                and start <= e.business_time <= task.closes]
    problems = []
    if missing:
        problems.append(f"did not read {', '.join(missing)} after {_hm(start)}")
    problems.extend(stale)
    if not balances:
        problems.append(f"read no stock account balance after {_hm(start)}")
    if problems:
        return RuleResult(rule, False, "the client " + "; ".join(problems))
    used = sorted({e.index for _, e in last_read.values()} | {balances[-1].index})
    return RuleResult(rule, True, f"read {len(created)} instruction(s) and the balance after {_hm(start)}",
                      tuple(used))


def _in_window(exchange: Exchange, task: Task) -> bool:
    return exchange.business_time is not None and task.opens <= exchange.business_time <= task.closes


def _polls_no_faster_than(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    function, minutes = rule.params["function"], float(rule.params["minutes"])
    reads = [e for e in ev.calls(function) if e.method == "GET" and _in_window(e, task) and _ok(e)
             and e.injected is None and e.retry_of is None]
    last: dict[tuple[str, str], Exchange] = {}
    for exchange in reads:
        request = (exchange.path, exchange.query)
        before = last.get(request)
        last[request] = exchange
        if before is None or before.business_time is None or exchange.business_time is None:
            continue
        gap = (exchange.business_time - before.business_time).total_seconds() / 60
        if gap < minutes:
            query = f"?{exchange.query}" if exchange.query else ""
            return RuleResult(rule, False, f"the client read {exchange.path}{query} at {_hm(before.business_time)} "
                              f"and again at {_hm(exchange.business_time)} ({gap:g} min apart, exchanges "
                              f"#{before.index} and #{exchange.index}): it must not poll more often than every "
                              f"{minutes:g} min", (before.index, exchange.index))
    return RuleResult(rule, True, f"{len(reads)} read(s) of {function}, none repeated within {minutes:g} min",
                      tuple(e.index for e in reads[:3]))


def _honours_retry_after(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    refused = [e for e in ev.exchanges if e.participant == ev.participant and e.injected in ("429", "503")
               and _in_window(e, task)]
    if not refused:
        return RuleResult(rule, False, f"not shown: no 429 or 503 was injected between {_hm(task.opens)} and "
                          f"{_hm(task.closes)} (add e.g. \"429:Enquire SI\" to the script's inject)")
    retries = {e.retry_of: e for e in ev.exchanges if e.retry_of is not None}
    for failed in refused:
        wait = _retry_after_seconds(failed)
        retry = retries.get(failed.index)
        said = f"{failed.method} {failed.path} answered {failed.status} at {_hm(failed.business_time)} " \
               f"(exchange #{failed.index}, Retry-After: {wait:g} s)"
        if retry is None:
            return RuleResult(rule, False, f"{said} was never retried", (failed.index,))
        answered = failed.responded_at if failed.responded_at is not None else failed.at
        if retry.at - answered < wait:
            return RuleResult(rule, False, f"{said} was retried after {retry.at - answered:.2f} s (exchange "
                              f"#{retry.index}), sooner than Retry-After", (failed.index, retry.index))
    return RuleResult(rule, True, f"{len(refused)} injected 429/503 retried no sooner than Retry-After",
                      tuple(e.index for e in refused))


def _retry_after_seconds(exchange: Exchange) -> float:
    value = exchange.response_headers.get("retry-after", "0")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0  # an HTTP date: the recorder sends seconds, so this is not ours to judge


def _no_discontinued_calls(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    calls = [e for e in ev.exchanges if e.participant == ev.participant and e.discontinued and _in_window(e, task)]
    if calls:
        first = calls[0]
        return RuleResult(rule, False, f"the client called {first.method} {first.path} at "
                          f"{_hm(first.business_time)} (exchange #{first.index}): {first.discontinued}, a function "
                          "discontinued with the Participant Gateway"
                          + (f" (and {len(calls) - 1} more)" if len(calls) > 1 else ""),
                          tuple(e.index for e in calls))
    return RuleResult(rule, True, "no call to a function discontinued with the Participant Gateway")


# ---------------------------------------------------------------------------------- transfers and corporate actions
def _said(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{r} {v}" for r, v in values.items())


def _created_via_api(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    """Judged on the create calls as sent (their role values through the client's binding), not on what became of
    them: ``state_is`` reads that."""
    function = rule.params["function"]
    values: Mapping[str, Any] = rule.params["values"]
    count = int(rule.params.get("count", 1))
    creates = [e for e in ev.calls(function, "create") if _ok(e) and not e.replayed]

    def sent(exchange: Exchange, role: str) -> Any:
        return ev.sent(function, "create", exchange, role)

    matches = [e for e in creates if all(_same(v, sent(e, r)) for r, v in values.items())]
    if not matches:
        reference = values.get("own_reference")
        near = [e for e in creates if reference is not None and _same(reference, sent(e, "own_reference"))]
        if near:
            wrong = [f"{r} {sent(near[0], r)!s} (expected {v})" for r, v in values.items()
                     if not _same(v, sent(near[0], r))]
            return RuleResult(rule, False, f"{reference} was input with {', '.join(wrong)} (exchange "
                              f"#{near[0].index})", (near[0].index,))
        return RuleResult(rule, False, f"{ev.participant} input no {function} with {_said(values)} through the API")
    if len(matches) > count:
        return RuleResult(rule, False, f"{len(matches)} {function} calls created one with these values, expected "
                          f"{count}: the client submitted it again (exchanges "
                          f"{', '.join('#' + str(e.index) for e in matches)})", tuple(e.index for e in matches))
    for exchange in matches:
        if not _in_window(exchange, task):
            return RuleResult(rule, False, f"{function} with {_said(values)} was input at "
                              f"{_hm(exchange.business_time)}, outside the window {_hm(task.opens)}-"
                              f"{_hm(task.closes)}", (exchange.index,))
    return RuleResult(rule, True, ", ".join(f"{function} at {_hm(e.business_time)} (exchange #{e.index})"
                                            for e in matches), tuple(e.index for e in matches))


def _state_is(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    function = rule.params["function"]
    where: Mapping[str, Any] = rule.params["where"]
    expect: Mapping[str, Any] = rule.params.get("expect") or {}
    items: Sequence[Mapping[str, Any]] | None = rule.params.get("items")
    found = [r for r in ev.records(function)
             if all(_same(v, ev.record_role(function, r, k)) for k, v in where.items())]
    if not found:
        return RuleResult(rule, False, f"CCASS has no {function} record with {_said(where)}")
    misses: list[str] = []
    for record in found:
        wrong = [f"{r} {ev.record_role(function, record, r)} (expected {v})" for r, v in expect.items()
                 if not _same(v, ev.record_role(function, record, r))]
        if items is not None:
            listed = ev.record_role(function, record, "transfers")
            listed = listed if isinstance(listed, list) else []
            if len(listed) != len(items):
                wrong.append(f"{len(listed)} item(s) (expected {len(items)})")
            else:
                wrong.extend(f"item {n} {r} {ev.record_role(function, item, r)} (expected {v})"
                             for n, (item, wanted) in enumerate(zip(listed, items, strict=True), start=1)
                             for r, v in wanted.items() if not _same(v, ev.record_role(function, item, r)))
        if not wrong:
            said = _said(expect) or "present"
            return RuleResult(rule, True, f"{function} with {_said(where)}: {said}"
                              + (f", {len(items)} item(s) as expected" if items is not None else ""))
        misses.append(", ".join(wrong))
    return RuleResult(rule, False, f"{function} with {_said(where)} has {misses[0]}")


def _rap_file_accepted(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    file_type = rule.params["file_type"]
    wanted: Sequence[Mapping[str, Any]] = rule.params.get("records") or ()
    start = max(rule.time("after") or task.opens, task.opens)
    deadline = min(rule.time("before") or task.closes, task.closes)
    files = [f for f in ev.rap_files if f.participant == ev.participant and f.file_type == file_type]
    in_time = [f for f in files if start <= f.at <= deadline]
    if not in_time:
        seen = f"; {files[-1].file_name} arrived at {_hm(files[-1].at)}" if files else ""
        return RuleResult(rule, False, f"no {file_type} file from {ev.participant} arrived between {_hm(start)} "
                          f"and {_hm(deadline)}{seen}")
    applied = [f for f in in_time if f.status != "REJECTED"]
    if not applied:
        last = in_time[-1]
        return RuleResult(rule, False, f"{last.file_name} ({_hm(last.at)}) was rejected whole: "
                          + ("; ".join(last.file_errors[:2]) or "no reason given"))
    used: dict[str, datetime] = {}
    for record in wanted:
        hits = [(f, r) for f in applied for r in f.records if all(_same(v, r.values.get(k)) for k, v in record.items())]
        accepted = [(f, r) for f, r in hits if r.accepted]
        if accepted:
            used[accepted[-1][0].file_name] = accepted[-1][0].at
            continue
        if hits:
            file, rejected = hits[-1]
            return RuleResult(rule, False, f"{file.file_name} ({_hm(file.at)}) line {rejected.line} with "
                              f"{_said(record)} was rejected: {rejected.code} {rejected.reason or ''}".rstrip())
        reference = record.get("client_reference")
        near = [(f, r) for f in applied for r in f.records
                if reference is not None and r.values.get("client_reference") == reference and not r.accepted]
        tail = f"; {reference} in {near[-1][0].file_name} line {near[-1][1].line} was rejected: {near[-1][1].code}" \
            if near else f" (latest: {applied[-1].file_name})"
        return RuleResult(rule, False, f"no {file_type} file between {_hm(start)} and {_hm(deadline)} had a record "
                          f"with {_said(record)}{tail}")
    used = used or {applied[-1].file_name: applied[-1].at}
    return RuleResult(rule, True, ", ".join(f"{name} ({_hm(at)})" for name, at in sorted(used.items()))
                      + f" accepted, {len(wanted)} record(s) as expected")


def _ca_instruction_is(rule: Rule, task: Task, ev: Evidence) -> RuleResult:
    event, reference = rule.params["event"], rule.params["reference"]
    values: dict[str, Any] = {"status": "ACCEPTED", **(rule.params.get("values") or {})}
    deadline = rule.time("before")  # the state is the latest: only a `before` asks when it last changed
    found = [i for i in ev.ca_instructions if i.get("announcement_id") == event
             and i.get("client_reference") == reference]
    if not found:
        return RuleResult(rule, False, f"CCASS has no instruction of {ev.participant} on {event} with client "
                          f"reference {reference}")
    latest = found[-1]
    live = [i for i in found if i.get("status") == values["status"]] or [latest]
    record = live[-1]
    wrong = [f"{k} {record.get(k)} (expected {v})" for k, v in values.items() if not _same(v, record.get(k, ABSENT))]
    if wrong:
        return RuleResult(rule, False, f"{reference} on {event} ({record.get('instruction_id')}) has "
                          + ", ".join(wrong))
    changed = record.get("updated_at")
    if deadline is not None and isinstance(changed, datetime) and changed > deadline:
        return RuleResult(rule, False, f"{reference} on {event} was last changed at {_hm(changed)}, after "
                          f"{_hm(deadline)}")
    return RuleResult(rule, True, f"{reference} on {event} ({record.get('instruction_id')}): "
                      f"{_said(values)}, last changed at {_hm(changed if isinstance(changed, datetime) else None)}")


RULE_KINDS: dict[str, Callable[[Rule, Task, Evidence], RuleResult]] = {
    "instruction_exists": _instruction_exists,
    "matched": _status_rule(_MATCHED, "has not matched"),
    "status_is": _status_rule((), "is not in the expected status"),
    "released_before": _acted_before("Change Hold Matched SI", ("hold", "release"), "released", {"hold": False}),
    "cancelled_before": _acted_before("Cancel SI", ("cancel",), "cancelled", {}),
    "read_by_client": _read_by_client,
    "reconciled": _reconciled,
    "polls_no_faster_than": _polls_no_faster_than,
    "honours_retry_after": _honours_retry_after,
    "no_discontinued_calls": _no_discontinued_calls,
    "created_via_api": _created_via_api,
    "state_is": _state_is,
    "rap_file_accepted": _rap_file_accepted,
    "ca_instruction_is": _ca_instruction_is,
}


def evaluate(rule: Rule, task: Task, evidence: Evidence) -> RuleResult:
    """Judge one rule. A role or operation the binding lacks fails the rule, naming the entry to add."""
    try:
        return RULE_KINDS[rule.kind](rule, task, evidence)
    except BindingMissing as missing:
        return RuleResult(rule, False, f"cannot check {rule.kind}: {missing}")
