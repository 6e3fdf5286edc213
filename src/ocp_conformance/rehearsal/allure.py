"""Allure results of a rehearsal: one Allure test per task, a step per acceptance rule, the evidence attached.

Written with allure-python-commons (the library allure-pytest writes with) into ``REPORT/allure-results/``, beside a
run's results, so one Allure report shows the server-side checks and the client's day. Rehearsing a script again
replaces its earlier results (and the attachments, whose names are fixed by script, task and number) instead of
piling up copies. A task the
rehearsal did not judge (the day stopped before its window closed) is ``skipped`` with why, never ``passed``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import Attachment, Label, Parameter, Status, StatusDetails, TestResult, TestStepResult

from ocp_conformance.consumer import Exchange
from ocp_conformance.rehearsal.engine import RehearsalResult, TaskStatus

__all__ = ["write_rehearsal_allure"]

_NAMESPACE = uuid.UUID("6f1d3c1e-2f1b-4d0e-9a35-6b0f2f6c9e51")
_STATUS = {"pass": Status.PASSED, "fail": Status.FAILED}


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def write_rehearsal_allure(result: RehearsalResult, folder: Path) -> Path:
    """Write one Allure result per task into ``folder/allure-results``; returns that folder."""
    results = folder / "allure-results"
    _remove_previous(results, f"rehearsal.{result.script.path.stem}.")
    logger = AllureFileLogger(str(results))  # type: ignore[no-untyped-call]
    by_index = {e.index: e for e in result.exchanges}
    for status in result.tasks:
        logger.report_result(_task_result(status, result, by_index, logger))  # type: ignore[no-untyped-call]
    return results


def _remove_previous(results: Path, prefix: str) -> None:
    """Rehearsing the same script again replaces its results (allure-python names result files at random)."""
    for path in results.glob("*-result.json") if results.is_dir() else ():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours to judge: a run's or another tool's file
        if isinstance(previous, dict) and str(previous.get("fullName", "")).startswith(prefix):
            path.unlink(missing_ok=True)


def _task_result(status: TaskStatus, result: RehearsalResult, by_index: dict[int, Exchange],
                 logger: AllureFileLogger) -> TestResult:
    script, task = result.script, status.task
    ident = uuid.uuid5(_NAMESPACE, f"{script.path.name}/{task.id}")
    judged = status.state in _STATUS and task.closes <= result.clock_reached
    allure_status = _STATUS[status.state] if judged else Status.SKIPPED
    message = status.reason if judged else (
        f"not judged: the rehearsal stopped at {result.clock_reached:%H:%M} ({result.stopped_by}), before the "
        f"window closed at {task.closes:%H:%M}; so far: {status.reason}")
    steps = [TestStepResult(name=f"{r.rule.kind} ({r.rule.where})", status=Status.PASSED if r.passed else Status.FAILED,
                            statusDetails=StatusDetails(message=r.reason))
             for r in status.results]
    attachments = []
    for number, index in enumerate(status.evidence):
        exchange = by_index.get(index)
        if exchange is None:
            continue
        source = f"{uuid.uuid5(ident, str(number))}-attachment.json"
        body = json.dumps(exchange.to_json(), indent=2, ensure_ascii=False, default=str)
        logger.report_attached_data(body.encode("utf-8"), source)  # type: ignore[no-untyped-call]
        attachments.append(Attachment(name=f"exchange #{index}: {exchange.method} {exchange.path}", source=source,
                                      type="application/json"))
    return TestResult(
        uuid=str(ident), historyId=str(ident), testCaseId=str(ident),
        fullName=f"rehearsal.{script.path.stem}.{task.id}", name=f"{task.title} ({task.id})",
        description=task.instruction, status=allure_status, statusDetails=StatusDetails(message=message),
        start=_millis(task.opens), stop=_millis(task.closes), steps=steps, attachments=attachments,
        parameters=[Parameter(name="window", value=f"{task.opens:%H:%M}-{task.closes:%H:%M}"),
                    Parameter(name="business date", value=script.business_date.isoformat())],
        labels=[Label(name="parentSuite", value="Practice-session rehearsal"),
                Label(name="suite", value=script.title), Label(name="feature", value="client conduct"),
                Label(name="framework", value="ocp-conformance rehearse")])
