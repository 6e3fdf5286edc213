"""Load an ``.arazzo.yaml`` scenario file: check it against our Arazzo subset, resolve its operations
against the contracts, and remember where everything is so errors can say file:line:column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ocp_conformance.contracts import (
    ApiDocument,
    ContractSet,
    Operation,
    SourceError,
    SourceLocation,
    YamlDocument,
    load_yaml,
)
from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.scenarios.criteria import ConditionSyntaxError, parse_condition
from ocp_conformance.scenarios.expressions import expressions_in

__all__ = ["OFFICIAL_SCHEMA_PATH", "SUBSET_SCHEMA_PATH", "ArazzoDocument", "Step", "Workflow", "load_arazzo"]

SUBSET_SCHEMA_PATH = Path(__file__).with_name("arazzo-subset.schema.yaml")
# The OpenAPI Initiative's Arazzo 1.0 schema, vendored with its licence (schemas/README.md): tests check every
# scenario file against it too.
OFFICIAL_SCHEMA_PATH = Path(__file__).parent / "schemas" / "arazzo-1.0.schema.yaml"
"""The JSON Schema of the Arazzo subset the runner executes."""

_FIX_SUBSET = "see scenarios/README.md for the Arazzo features the runner supports"


@dataclass(frozen=True, slots=True)
class Step:
    """One step: the operation it calls and the source description that operation comes from."""

    step_id: str
    index: int
    operation: Operation
    source: str
    control: bool
    """True when the operation belongs to the simulator-control contract (needs capability clock-control)."""
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Workflow:
    """One workflow with its resolved steps and the catalogue functions it verifies (``x-ocp-functions``)."""

    workflow_id: str
    index: int
    functions: tuple[str, ...]
    steps: tuple[Step, ...]
    raw: dict[str, Any]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def declared_inputs(self) -> frozenset[str]:
        properties = (self.raw.get("inputs") or {}).get("properties") or {}
        return frozenset(properties)


@dataclass(slots=True)
class ArazzoDocument:
    """A loaded scenario file."""

    path: Path
    source: YamlDocument
    sources: dict[str, ApiDocument]
    workflows: dict[str, Workflow] = field(default_factory=dict)

    def locate(self, *parts: str | int) -> SourceLocation:
        """file:line:column of the value at ``parts`` (keys and indexes from the document root)."""
        return self.source.locate(parts)

    def workflow(self, workflow_id: str) -> Workflow:
        """The workflow called ``workflow_id`` (a :class:`KeyError` with suggestions if there is none)."""
        try:
            return self.workflows[workflow_id]
        except KeyError:
            raise KeyError(f"{self.path} has no workflow {workflow_id!r}.{did_you_mean(workflow_id, self.workflows)}"
                           ) from None

    def step_location(self, workflow: Workflow, step: Step) -> SourceLocation:
        return self.locate("workflows", workflow.index, "steps", step.index)


@cache
def _subset_validator() -> Draft202012Validator:
    schema = yaml.safe_load(SUBSET_SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def load_arazzo(path: Path, contracts: ContractSet) -> ArazzoDocument:
    """Parse and check ``path``; every problem is a :class:`SourceError` naming file:line:column.

    Example:
        >>> doc = load_arazzo(Path("scenarios/si/si-settlement.arazzo.yaml"), load_contracts())
        >>> sorted(doc.workflows)[0]
        'dvpMatchedAndSettled'
    """
    source = load_yaml(path)
    error = best_match(_subset_validator().iter_errors(source.data))
    if error is not None:
        where = source.locate(tuple(error.absolute_path))
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        raise SourceError(where, f"not in the supported Arazzo subset at {pointer}: {error.message}",
                          fix=_FIX_SUBSET)
    document = ArazzoDocument(path=path, source=source, sources=_map_sources(source, path, contracts))
    for index, raw in enumerate(source.data["workflows"]):
        workflow = _workflow(document, contracts, index, raw)
        if workflow.workflow_id in document.workflows:
            raise SourceError(document.locate("workflows", index, "workflowId"),
                              f"workflowId {workflow.workflow_id!r} is used twice", fix="make it unique")
        document.workflows[workflow.workflow_id] = workflow
    return document


class WorkflowForOtherContract(SourceError):
    """A workflow whose source description is another contract file than the bound ones (the model's workflows run
    against an adopted official contract): not run, with the reason, never a harness error."""


def _map_sources(source: YamlDocument, path: Path, contracts: ContractSet) -> dict[str, ApiDocument]:
    documents = [*contracts.documents, *filter(None, [contracts.rap_upload_document])]
    by_path = {d.path.resolve(): d for d in documents}
    by_name = {d.path.name: d for d in documents}
    mapped: dict[str, ApiDocument] = {}
    for index, description in enumerate(source.data["sourceDescriptions"]):
        url = str(description["url"])
        candidate = (path.parent / url).resolve()
        document = by_path.get(candidate) or by_name.get(Path(url).name)
        if document is None and candidate.is_file():
            raise WorkflowForOtherContract(
                source.locate(("sourceDescriptions", index, "url")),
                f"written for {candidate.name}, which is not among the bound contracts ("
                f"{', '.join(sorted(by_name)) or 'none'}): its operationIds and fields are that contract's",
                fix="bind the workflow to the bound contract's names (a copy of it beside the contracts, "
                "docs/adopting-the-official-contract.md)")
        if document is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise SourceError(source.locate(("sourceDescriptions", index, "url")),
                              f"source description {url!r} is none of the loaded contracts ({known})",
                              fix="point `url` at a contract file relative to this scenario file")
        if description["name"] in mapped:
            raise SourceError(source.locate(("sourceDescriptions", index, "name")),
                              f"source description name {description['name']!r} is used twice")
        mapped[str(description["name"])] = document
    return mapped


def _workflow(document: ArazzoDocument, contracts: ContractSet, index: int, raw: dict[str, Any]) -> Workflow:
    known = [entry.name for entry in contracts.catalogue]
    for position, name in enumerate(raw["x-ocp-functions"]):
        if name not in known:
            hint = did_you_mean(name, known)
            raise SourceError(document.locate("workflows", index, "x-ocp-functions", position),
                              f"{name!r} is not a catalogue function.{hint}",
                              fix="use the exact name from contracts/catalogue.yaml")
    steps: list[Step] = []
    for step_index, step_raw in enumerate(raw["steps"]):
        step_id = str(step_raw["stepId"])
        if any(s.step_id == step_id for s in steps):
            raise SourceError(document.locate("workflows", index, "steps", step_index, "stepId"),
                              f"stepId {step_id!r} is used twice in workflow {raw['workflowId']}")
        steps.append(_step(document, contracts, (index, step_index), step_raw))
    workflow = Workflow(workflow_id=str(raw["workflowId"]), index=index,
                        functions=tuple(raw["x-ocp-functions"]), steps=tuple(steps), raw=raw)
    _check_references(document, workflow)
    return workflow


def _step(document: ArazzoDocument, contracts: ContractSet, where: tuple[int, int], raw: dict[str, Any]) -> Step:
    index, step_index = where
    reference = str(raw["operationId"])
    location = document.locate("workflows", index, "steps", step_index, "operationId")
    if reference.startswith("$sourceDescriptions."):
        name, _, operation_id = reference.removeprefix("$sourceDescriptions.").partition(".")
        if name not in document.sources:
            raise SourceError(location, f"no source description named {name!r} "
                              f"(there are: {', '.join(document.sources)})")
        candidates = {name: document.sources[name]}
    else:
        operation_id, candidates = reference, document.sources
    owners = [n for n, d in candidates.items() if operation_id in d.operations]
    if not owners:
        every = [op for d in candidates.values() for op in d.operations]
        hint = did_you_mean(operation_id, every, cutoff=0.6)
        raise SourceError(location, f"operation {operation_id!r} is in none of the source descriptions.{hint}")
    if len(owners) > 1:
        raise SourceError(location, f"operation {operation_id!r} is in several source descriptions",
                          fix=f"write $sourceDescriptions.{owners[0]}.{operation_id}")
    owner = document.sources[owners[0]]
    control = contracts.control_document is not None and owner.path == contracts.control_document.path
    return Step(step_id=str(raw["stepId"]), index=step_index, operation=owner.operations[operation_id],
                source=owners[0], control=control, raw=raw)


def _criteria_places(workflow: Workflow) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    places: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    for step in workflow.steps:
        base: tuple[str | int, ...] = ("steps", step.index)
        places += [((*base, "successCriteria", i), c) for i, c in enumerate(step.raw.get("successCriteria", []))]
        for kind in ("onSuccess", "onFailure"):
            for a, action in enumerate(step.raw.get(kind, [])):
                places += [((*base, kind, a, "criteria", i), c) for i, c in enumerate(action.get("criteria", []))]
    for kind in ("successActions", "failureActions"):
        for a, action in enumerate(workflow.raw.get(kind, [])):
            places += [((kind, a, "criteria", i), c) for i, c in enumerate(action.get("criteria", []))]
    return places


def _check_references(document: ArazzoDocument, workflow: Workflow) -> None:
    """Load-time checks the schema cannot make: goto targets, condition syntax, names in expressions."""
    at: tuple[str | int, ...] = ("workflows", workflow.index)
    step_ids = [s.step_id for s in workflow.steps]
    for step in workflow.steps:
        for kind in ("onSuccess", "onFailure"):
            for a, action in enumerate(step.raw.get(kind, [])):
                target = action.get("stepId")
                if target is not None and target not in step_ids:
                    hint = did_you_mean(str(target), step_ids, cutoff=0.6)
                    raise SourceError(document.locate(*at, "steps", step.index, kind, a, "stepId"),
                                      f"goto target {target!r} is not a step of {workflow.workflow_id}.{hint}")
    for parts, criterion in _criteria_places(workflow):
        if criterion.get("type", "simple") == "simple":
            try:
                parse_condition(str(criterion["condition"]))
            except ConditionSyntaxError as exc:
                raise SourceError(document.locate(*at, *parts, "condition"), f"condition: {exc}",
                                  fix="write e.g. $statusCode == 200 && $response.body#/status == 'MATCHED'") from None
    inputs = workflow.declared_inputs
    for expression, parts in _expressions(workflow):
        if expression.startswith("$inputs."):
            name = expression.removeprefix("$inputs.").partition("#")[0]
            if name not in inputs:
                raise SourceError(document.locate(*at, *parts), f"{expression}: input {name!r} is not declared "
                                  "in the workflow's inputs", fix=f"add {name} under inputs.properties")
        elif expression.startswith("$steps."):
            name, _, rest = expression.removeprefix("$steps.").partition(".")
            if name not in step_ids:
                raise SourceError(document.locate(*at, *parts), f"{expression}: no step {name!r} in "
                                  f"{workflow.workflow_id}")
            output = rest.removeprefix("outputs.").partition("#")[0]
            declared = workflow.step(name).raw.get("outputs", {})
            if rest.startswith("outputs.") and output not in declared:
                raise SourceError(document.locate(*at, *parts), f"{expression}: step {name} has no output "
                                  f"{output!r} (it has: {', '.join(declared) or 'none'})",
                                  fix=f"add {output} under the outputs of step {name}")


def _expressions(workflow: Workflow) -> list[tuple[str, tuple[str | int, ...]]]:
    found: list[tuple[str, tuple[str | int, ...]]] = []
    for step in workflow.steps:
        base: tuple[str | int, ...] = ("steps", step.index)
        for i, parameter in enumerate(step.raw.get("parameters", [])):
            found += [(e, (*base, "parameters", i, "value")) for e in expressions_in(parameter["value"])]
        body = step.raw.get("requestBody", {}).get("payload")
        found += [(e, (*base, "requestBody")) for e in expressions_in(body)]
        for name, expression in step.raw.get("outputs", {}).items():
            found.append((expression, (*base, "outputs", name)))
    for name, expression in workflow.raw.get("outputs", {}).items():
        found.append((expression, ("outputs", name)))
    for parts, criterion in _criteria_places(workflow):
        text = f"{criterion.get('context', '')} {criterion['condition']}"
        found += [(e, (*parts, "condition")) for e in _IN_CONDITION.findall(text)]
    return found


_IN_CONDITION = re.compile(r"\$(?:steps|inputs)\.[^\s()=!<>&|'}]+")
