"""Run one Arazzo workflow against a target through :class:`~ocp_conformance.client.OcpClient`.

Independent of pytest: :func:`run_workflow` returns a :class:`WorkflowResult`; the pytest items in
``collect.py`` turn it into a pass, a skip (with the reason) or a :class:`ScenarioFailure`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import allure

from ocp_conformance.binding import credential_header, load_binding
from ocp_conformance.client import ContractViolation, Exchange, OcpClient
from ocp_conformance.contracts.validation import RequestInvalid
from ocp_conformance.scenarios.criteria import check_criterion
from ocp_conformance.scenarios.document import ArazzoDocument, Step, Workflow
from ocp_conformance.scenarios.expressions import MISSING, ExpressionError, RuntimeContext, evaluate, interpolate
from ocp_conformance.scenarios.inputs import DEFAULT_ROLES, redact_inputs, redact_text, resolve_inputs, role_default
from ocp_conformance.scenarios.rap_upload import RapUploadError, is_upload, upload
from ocp_conformance.targets import CLOCK_CONTROL

__all__ = ["ScenarioError", "ScenarioFailure", "StepResult", "WorkflowResult", "run_workflow"]

MAX_STEPS = 200
"""Loop guard: a workflow that executes more steps than this (through goto or retry) fails."""


class ScenarioFailure(AssertionError):
    """The target did not behave as the workflow expects.

    ``function`` names the catalogue function whose own answer was wrong, when the failing step's call failed as
    a call (its response broke the contract, or its status was not the one the step expects): only that function
    is blamed, declared by the workflow or not (a setup step's Revoke answering 500 is Revoke's failure, not that
    of the enquiries the workflow verifies). ``None``: the answer was well formed but the state it shows is not
    what the workflow expects, which any function the workflow declares (``functions``) may have caused.
    """

    function: str | None = None

    def __init__(self, message: str, *, workflow_id: str, step_id: str | None, functions: tuple[str, ...],
                 function: str | None = None) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id
        self.step_id = step_id
        self.functions = functions
        self.function = function


class ScenarioError(Exception):
    """The workflow cannot run as written (bad inputs, a request that breaks the contract): our problem."""


@dataclass(slots=True)
class StepResult:
    """One execution of a step (a retried step has one result per attempt)."""

    step_id: str
    operation_id: str
    participant: str | None
    status: int | None
    passed: bool
    attempt: int
    request: str = ""
    """``METHOD path`` of the request (no headers, so no credentials)."""
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class WorkflowResult:
    """What happened: per-step results, the workflow's outputs, and the outcome."""

    workflow_id: str
    outcome: Literal["passed", "failed", "skipped"]
    inputs: dict[str, Any]
    """The inputs used, with tokens redacted."""
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    failure: ScenarioFailure | None = None
    skip_reason: str | None = None

    def check(self) -> None:
        """Raise the :class:`ScenarioFailure` if the workflow failed."""
        if self.failure is not None:
            raise self.failure


def waits_for_schedule(workflow: Workflow, step: Step) -> bool:
    """True when, without clock-control, ``step`` can become a wait for the exchange's schedule: its operation
    is one the exchange runs on its own schedule (``x-ocp-schedule`` in the control contract) and no later step
    uses its outputs."""
    if not (step.control and step.operation.spec.get("x-ocp-schedule") is True) or step.raw.get("outputs"):
        return False
    return f"$steps.{step.step_id}." not in str(workflow.raw)


def skip_reason(workflow: Workflow, client: OcpClient, given: Mapping[str, Any] | None = None, *,
                schedule_wait: float = 0.0) -> str | None:
    """Why ``workflow`` cannot run on the client's target, or None. With ``schedule_wait`` > 0 a step that
    :func:`waits_for_schedule` does not make it skip: the run waits for the schedule instead."""
    given = given or {}
    for name in sorted(workflow.declared_inputs):
        role = name.removesuffix("Token")
        participant = given.get(role, role_default(workflow, role))
        if (name.endswith("Token") and role not in DEFAULT_ROLES and name not in given and participant is not None
                and str(participant) not in client.target.tokens):
            return (f"needs the credentials of participant {participant} (input {role}); target "
                    f"{client.target.name} has none (set OCP_TOKEN_{participant}, or give the input {role})")
    for step in workflow.steps:
        if is_upload(step.operation) and client.target.rap is None:
            return (f"needs a RAP upload channel: step {step.step_id} uploads a file; target {client.target.name} "
                    "has none (give it a RAP SFTP host: --rap-sftp HOST:PORT; or --out-of-scope rap)")
        if step.control and not client.target.can(CLOCK_CONTROL):
            waitable = waits_for_schedule(workflow, step)
            if waitable and schedule_wait > 0:
                continue
            hint = ("; give --schedule-wait S to wait up to S seconds for the exchange's schedule instead"
                    if waitable else "")
            return (f"needs {CLOCK_CONTROL}: step {step.step_id} calls {step.operation.operation_id}; "
                    f"target {client.target.name} cannot control the clock (on a portal settlement happens "
                    f"on the exchange's schedule){hint}")
    return None


class _ScheduleNotSeen(Exception):
    """A schedule wait ran out: the workflow is skipped with this reason (never passed, never the target's
    failure: the exchange's schedule may simply not have run in the window)."""


class _Run:
    def __init__(self, document: ArazzoDocument, workflow: Workflow, client: OcpClient, inputs: dict[str, Any],
                 sleep: Callable[[float], None], max_steps: int, schedule_wait: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.document, self.workflow, self.client = document, workflow, client
        self.sleep, self.max_steps = sleep, max_steps
        self.schedule_wait, self.clock = schedule_wait, clock
        self.waiting: tuple[Step, float] | None = None
        """The schedule step stood in for, and until when the steps after it may poll for its effect."""
        self.violated = False
        self.context = RuntimeContext(workflow_id=workflow.workflow_id, inputs=inputs)
        self.result = WorkflowResult(workflow.workflow_id, "passed", redact_inputs(inputs))
        self.tokens = {token: pid for pid, token in client.target.tokens.items()}
        header = credential_header(client.contracts, load_binding(client.contracts))
        self.credential_headers = {"authorization", *([header.lower()] if header else [])}
        """Where a step passes a participant's credential: a bearer token, or the bound API-key header."""
        self.exchange: Exchange | None = None
        self.call_failed = False
        """The last attempt's call failed as a call: its response broke the contract or had a status the step does
        not expect (then the step's own function answered wrongly)."""

    def fail(self, step: Step | None, lines: list[str]) -> ScenarioFailure:
        where = f" at step {step.step_id} ({self.document.step_location(self.workflow, step)})" if step else ""
        head = f"Workflow {self.workflow.workflow_id} failed{where}"
        blamed = self.answered_wrongly(step)
        blame = [f"blames: {blamed} (its own answer was wrong)"] if blamed else []
        text = "\n".join([head, *(f"  {line}" for line in lines),
                          f"  verifies: {', '.join(self.workflow.functions)}", *(f"  {line}" for line in blame)])
        return ScenarioFailure(redact_text(text, self.context.inputs), workflow_id=self.workflow.workflow_id,
                               step_id=step.step_id if step else None, functions=self.workflow.functions,
                               function=blamed)

    def answered_wrongly(self, step: Step | None) -> str | None:
        """The catalogue function of ``step``'s operation when its last call failed as a call; else None."""
        if step is None or not self.call_failed:
            return None
        entry = self.client.contracts.function_of(step.operation.operation_id)
        return entry.name if entry is not None else None

    def exchange_lines(self) -> list[str]:
        exchange = self.exchange
        if exchange is None:
            return []
        body = exchange.response.text
        body = body if len(body) <= 600 else body[:600] + "..."
        return [f"exchange: {exchange.describe()} -> {exchange.status}", f"response body: {body}",
                f"reproduce: {exchange.curl()}"]

    def call(self, step: Step) -> Exchange:
        params: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
        for parameter in step.raw.get("parameters", []):
            params[parameter["in"]][parameter["name"]] = interpolate(parameter["value"], self.context)
        participant = None
        headers = {str(k): str(v) for k, v in params["header"].items()}
        for name in [n for n in headers if n.lower() in self.credential_headers]:
            scheme, _, token = headers[name].partition(" ")
            token = token if scheme.lower() == "bearer" else headers[name]
            if token in self.tokens:
                participant = self.tokens[token]
                del headers[name]  # the client adds it from as_participant, so no token is ever recorded
        payload = step.raw.get("requestBody", {}).get("payload")
        body = None if payload is None else interpolate(payload, self.context)
        self.context.request_params, self.context.request_body = params, body
        self.context.request = self.context.response = None
        fields = {**params["path"], **params["query"]}
        if is_upload(step.operation):
            try:
                exchange = upload(self.client.target, self.client.contracts, step.operation, participant,
                                  str(fields.get("fileName", "")), str(body if body is not None else ""))
            except RapUploadError as exc:
                raise self.fail(step, [f"the upload failed: {exc}"]) from None
            self.context.request, self.context.response = exchange.request, exchange.response
            return exchange
        exchange = self.client.call_operation(step.operation.operation_id, as_participant=participant,
                                              headers=headers, body=body, **fields)
        self.context.request, self.context.response = exchange.request, exchange.response
        return exchange

    def run(self) -> WorkflowResult:
        steps = self.workflow.steps
        position, executed, attempts = 0, 0, 0
        while position < len(steps):
            step = steps[position]
            executed += 1
            if executed > self.max_steps:
                raise self.fail(step, [f"loop guard: more than {self.max_steps} step executions; a goto or retry "
                                       "cycle never ends"])
            if step.control and not self.client.target.can(CLOCK_CONTROL):  # skip_reason let only waits through
                self.stand_in(step)
                position += 1
                continue
            attempts += 1
            passed, lines = self.allure_step(step, attempts)
            if not passed and self.waiting is not None and not self.violated:
                executed -= 1  # polling is bounded by the wait, not the loop guard
                self.poll(step, lines)
                continue
            if passed:
                self.waiting = None
                attempts = 0
                action = self.choose(step.raw.get("onSuccess") or self.workflow.raw.get("successActions", []))
                if action is not None and action["type"] == "end":
                    break
                position = self.goto(action) if action is not None else position + 1
                continue
            actions = step.raw.get("onFailure") or self.workflow.raw.get("failureActions", [])
            action = self.choose(actions, retries=attempts - 1)
            if action is not None and action["type"] == "retry":
                self.sleep(self.retry_delay(action))
                continue
            if action is not None and action["type"] == "goto":
                attempts, position = 0, self.goto(action)
                continue
            tries = [f"gave up after {attempts} attempts"] if attempts > 1 else []
            raise self.fail(step, [*lines, *tries])
        self.result.outputs = self.outputs(None, self.workflow.raw.get("outputs", {}))
        self.context.outputs = self.result.outputs
        return self.result

    def allure_step(self, step: Step, attempt: int) -> tuple[bool, list[str]]:
        """:meth:`attempt` as an Allure step, its exchanges attached inside; a failed attempt is a failed step.

        A no-op wrapper outside an Allure run."""
        title = f"{step.step_id}: {step.operation.operation_id}" + (f" (attempt {attempt})" if attempt > 1 else "")
        passed, lines = False, list[str]()
        try:
            with allure.step(title):
                passed, lines = self.attempt(step, attempt)
                if not passed:
                    raise _AttemptFailed("\n".join(lines))
        except _AttemptFailed:
            pass
        return passed, lines

    def stand_in(self, step: Step) -> None:
        """Without clock-control, a schedule step is not sent: the steps after it wait for its effect."""
        self.waiting = (step, self.clock() + self.schedule_wait)
        self.result.steps.append(StepResult(
            step_id=step.step_id, operation_id=step.operation.operation_id, participant=None, status=None,
            passed=False, attempt=1, request=f"not sent: waiting up to {self.schedule_wait:g} s for the exchange's "
                                             "schedule instead (no clock-control)"))

    def poll(self, step: Step, lines: list[str]) -> None:
        """Try ``step`` again after a pause, or give up with the reason once the wait is spent."""
        assert self.waiting is not None
        scheduled, until = self.waiting
        left = until - self.clock()
        if left <= 0:
            raise _ScheduleNotSeen(
                f"waited {self.schedule_wait:g} s (--schedule-wait) for the exchange's schedule in place of step "
                f"{scheduled.step_id} ({scheduled.operation.operation_id}, which needs {CLOCK_CONTROL}), but step "
                f"{step.step_id} still did not see its effect: " + "; ".join(line.strip() for line in lines[:3]))
        self.sleep(min(left, max(0.5, min(5.0, self.schedule_wait / 10))))

    def attempt(self, step: Step, attempt: int) -> tuple[bool, list[str]]:
        """Execute ``step`` once; (passed, failure lines)."""
        self.exchange = None
        self.violated = self.call_failed = False
        operation = step.operation
        try:
            self.exchange = self.call(step)
        except ContractViolation as violation:
            self.exchange, self.violated, self.call_failed = violation.exchange, True, True
            self.record(step, attempt, passed=False)
            return False, [f"operation {operation.operation_id}: the response breaks the contract", str(violation)]
        except RequestInvalid as invalid:
            raise ScenarioError(f"{self.document.step_location(self.workflow, step)}: step {step.step_id} builds a "
                                f"request that breaks the contract: {invalid}") from None
        except ExpressionError as exc:
            raise self.fail(step, [f"cannot build the request: {exc}"]) from None
        failures: list[str] = []
        for index, criterion in enumerate(step.raw.get("successCriteria", [])):
            try:
                outcome = check_criterion(criterion, self.context)
            except ExpressionError as exc:
                failures += [f"criterion {index + 1}: {criterion['condition']}", f"  cannot evaluate: {exc}"]
                continue
            if not outcome.passed:
                self.call_failed = self.call_failed or _about_status(criterion)
                location = self.document.locate("workflows", self.workflow.index, "steps", step.index,
                                                "successCriteria", index)
                failures += [f"criterion {index + 1} ({location}): {outcome.condition}",
                             f"  Received: {outcome.received}", f"  Expected: {outcome.expected}"]
        if failures:
            self.record(step, attempt, passed=False)
            return False, [f"success criteria not met by {operation.operation_id}", *failures,
                           *self.exchange_lines()]
        outputs = self.outputs(step, step.raw.get("outputs", {}))
        self.context.steps[step.step_id] = outputs
        self.record(step, attempt, passed=True, outputs=outputs)
        return True, []

    def record(self, step: Step, attempt: int, *, passed: bool, outputs: dict[str, Any] | None = None) -> None:
        exchange = self.exchange
        self.result.steps.append(StepResult(
            step_id=step.step_id, operation_id=step.operation.operation_id,
            participant=exchange.participant if exchange else None, status=exchange.status if exchange else None,
            passed=passed, attempt=attempt,
            request=f"{exchange.request.method} {exchange.request.url.path}" if exchange else "",
            outputs=dict(outputs or {})))

    def outputs(self, step: Step | None, expressions: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, expression in expressions.items():
            try:
                value = evaluate(expression, self.context)
            except ExpressionError as exc:
                raise self.fail(step, [f"output {name}: {exc}", *self.exchange_lines()]) from None
            if value is MISSING:
                raise self.fail(step, [f"output {name}: {expression} has no value in the response",
                                       *self.exchange_lines()])
            values[name] = value
        return values

    def choose(self, actions: list[dict[str, Any]], *, retries: int = 0) -> dict[str, Any] | None:
        """The first action whose criteria all hold (retry actions whose limit is spent are passed over)."""
        for action in actions:
            if action["type"] == "retry" and retries >= int(action.get("retryLimit", 1)):
                continue
            try:
                if all(check_criterion(c, self.context).passed for c in action.get("criteria", [])):
                    return action
            except ExpressionError:
                continue
        return None

    def goto(self, action: Mapping[str, Any]) -> int:
        return self.workflow.step(str(action["stepId"])).index

    def retry_delay(self, action: Mapping[str, Any]) -> float:
        header = self.exchange.response.headers.get("Retry-After") if self.exchange else None
        if header is not None and header.isdigit():
            return float(header)  # the server's Retry-After overrules retryAfter (Arazzo 1.0.1)
        return float(action.get("retryAfter", 0))


def _about_status(criterion: Mapping[str, Any]) -> bool:
    """A criterion on the step's status alone: when it fails, the step's call itself was answered wrongly (one
    that also reads the response's body may be about state another function left)."""
    text = f"{criterion.get('condition', '')} {criterion.get('context', '')}"
    return "$statusCode" in text and "$response" not in text


class _AttemptFailed(AssertionError):
    """Marks a failed attempt's Allure step failed; caught at once, never leaves the runner."""


def run_workflow(document: ArazzoDocument, workflow_id: str, client: OcpClient,
                 inputs: Mapping[str, Any] | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 max_steps: int = MAX_STEPS, schedule_wait: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> WorkflowResult:
    """Run ``workflow_id`` of ``document`` on the client's target.

    Inputs the caller omits come from the harness (:func:`~ocp_conformance.scenarios.inputs.harness_inputs`),
    then the inputs schema's defaults. The result's ``outcome`` is ``"skipped"`` (with ``skip_reason``) when
    the target lacks a capability a step needs or the credentials of a role's participant, ``"failed"`` with
    ``failure`` set, or ``"passed"``. With ``schedule_wait`` seconds, on a target without clock-control a step
    that runs the exchange's schedule (:func:`waits_for_schedule`) is not sent; the steps after it poll until
    they see its effect, and the workflow is skipped with the reason if the wait runs out.
    Raises :class:`ScenarioError` when the workflow cannot run as written.

    Example:
        >>> result = run_workflow(load_arazzo(path, contracts), "dvpMatchedAndSettled", client)
        >>> result.check()  # raises ScenarioFailure if the target misbehaved
    """
    workflow = document.workflow(workflow_id)
    reason = skip_reason(workflow, client, inputs, schedule_wait=schedule_wait)
    if reason is not None:
        return WorkflowResult(workflow_id, "skipped", redact_inputs(dict(inputs or {})), skip_reason=reason)
    try:
        values = resolve_inputs(workflow, client, inputs)
    except ValueError as exc:
        raise ScenarioError(f"{document.locate('workflows', workflow.index, 'inputs')}: {exc}") from None
    run = _Run(document, workflow, client, values, sleep, max_steps, schedule_wait, clock)
    try:
        return run.run()
    except _ScheduleNotSeen as not_seen:
        run.result.outcome, run.result.skip_reason = "skipped", str(not_seen)
        return run.result
    except ScenarioFailure as failure:
        # Without its traceback the failure does not hold the run's frames (and through them the client and
        # target) in a reference cycle, so a failed run's resources are freed at once, not by a later collection.
        run.result.outcome, run.result.failure = "failed", failure.with_traceback(None)
        return run.result

