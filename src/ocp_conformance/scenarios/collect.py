"""pytest items for scenario files: one item per workflow, marked with the functions it verifies.

The plugin's ``pytest_collect_file`` hook calls :func:`collect_file` for every ``*.arazzo.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ocp_conformance.binding import NOT_APPLICABLE, BindingMissing
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, SourceError, load_yaml
from ocp_conformance.scenarios.bound_copies import write_bound_copy
from ocp_conformance.scenarios.document import ArazzoDocument, WorkflowForOtherContract, load_arazzo
from ocp_conformance.scenarios.runner import ScenarioError, ScenarioFailure, run_workflow

__all__ = ["ArazzoFile", "ClientOf", "NotBoundWorkflow", "WorkflowItem", "collect_file"]

ClientOf = Callable[[pytest.Config], OcpClient]
"""How a collector finds the session's client: the plugin supplies it, so this layer never imports the plugin."""


def collect_file(parent: pytest.Collector, file_path: Path, client_of: ClientOf) -> pytest.File | None:
    """The collector for ``file_path`` if it is a scenario file (``*.arazzo.yaml``), else None."""
    if not file_path.name.endswith(".arazzo.yaml"):
        return None
    return ArazzoFile.from_parent(parent, path=file_path, client_of=client_of)


class ArazzoFile(pytest.File):
    """A scenario file; collection fails with file:line:column when the file is not usable."""

    document: ArazzoDocument | None = None

    def __init__(self, *, client_of: ClientOf, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_of = client_of

    def collect(self) -> Iterator[pytest.Item]:
        contracts = self.client_of(self.config).contracts
        try:
            self.document = load_arazzo(self.path, contracts)
        except WorkflowForOtherContract as other:
            yield from self._bound_copy(other, contracts)
            return
        except SourceError as error:
            raise self.CollectError(error.render()) from None
        yield from self._workflows(self.document)

    def _workflows(self, document: ArazzoDocument) -> Iterator[pytest.Item]:
        for workflow in document.workflows.values():
            item = WorkflowItem.from_parent(self, name=workflow.workflow_id, document=document,
                                            client_of=self.client_of)
            item.add_marker(pytest.mark.ocp(functions=list(workflow.functions), check="scenario"))
            yield item

    def _bound_copy(self, other: WorkflowForOtherContract, contracts: ContractSet) -> Iterator[pytest.Item]:
        """A workflow of the model run against an adopted contract: its bound copy (made through both bindings,
        written beside the run's other bound copies) runs; a workflow the bindings cannot express is not run,
        naming the missing binding entry."""
        try:
            copy = write_bound_copy(self.path, contracts)
        except BindingMissing as missing:  # the bound contract's binding itself is unusable
            yield from self._not_bound(f"not run: {missing}", {e.name for e in contracts.catalogue})
            return
        if copy.path is None:
            yield from self._not_bound(f"not run: {other.render()}", {e.name for e in contracts.catalogue})
            return
        left_out = {**{w: f"not run: {why}" for w, why in copy.scenario.not_bound.items()},
                    **{w: f"{NOT_APPLICABLE}{why}" for w, why in copy.scenario.not_applicable.items()}}
        for workflow_id, reason in left_out.items():
            item = NotBoundWorkflow.from_parent(self, name=workflow_id, reason=reason)
            if copy.scenario.functions.get(workflow_id):
                item.add_marker(pytest.mark.ocp(functions=copy.scenario.functions[workflow_id], check="scenario"))
            yield item
        if copy.scenario.data is None:
            return
        try:
            self.document = load_arazzo(copy.path, contracts)
        except SourceError as error:
            raise self.CollectError(f"the bound copy of {self.path.name} does not load: {error.render()}") from None
        yield from self._workflows(self.document)


    def _not_bound(self, reason: str, known: set[str]) -> Iterator[pytest.Item]:
        """One item per workflow, each not run with the reason (the functions it covers still named)."""
        raw = load_yaml(self.path).data
        for workflow in raw.get("workflows") or []:
            item = NotBoundWorkflow.from_parent(self, name=str(workflow.get("workflowId")), reason=reason)
            functions = [f for f in workflow.get("x-ocp-functions") or [] if f in known]
            if functions:
                item.add_marker(pytest.mark.ocp(functions=functions, check="scenario"))
            yield item


class NotBoundWorkflow(pytest.Item):
    """A workflow written for another contract than the bound one: skipped with the reason."""

    def __init__(self, *, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self) -> None:
        pytest.skip(self.reason)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"workflow {self.name} (not bound)"


class WorkflowItem(pytest.Item):
    """One workflow run against the session's target."""

    def __init__(self, *, document: ArazzoDocument, client_of: ClientOf, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.client_of = client_of
        self.workflow = document.workflow(self.name)

    def runtest(self) -> None:
        client = self.client_of(self.config)
        wait = self.config.getoption("--ocp-schedule-wait", None)  # run_limits.py: 0 skips scheduled steps
        result = run_workflow(self.document, self.workflow.workflow_id, client,
                              schedule_wait=float(wait) if wait is not None else 0.0)
        if result.outcome == "skipped":
            pytest.skip(result.skip_reason or "skipped")
        result.check()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, ScenarioFailure | ScenarioError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        location = self.document.locate("workflows", self.workflow.index)
        return self.document.path, location.line - 1, f"workflow {self.workflow.workflow_id}"
