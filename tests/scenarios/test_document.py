"""Loading scenario files: every problem is reported at file:line:column with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.contracts import ContractSet, SourceError
from ocp_conformance.scenarios import load_arazzo

HEAD = """arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: ocpApi, url: ../../contracts/api/ocp-api.yaml, type: openapi}
workflows:
  - workflowId: wf
    x-ocp-functions: [Enquire SI]
    inputs: {type: object, properties: {token: {type: string}}}
    steps:
"""
STEP = """      - stepId: a
        operationId: enquireSi
"""


def _load(tmp_path: Path, contracts: ContractSet, text: str) -> SourceError:
    path = tmp_path / "bad.arazzo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_arazzo(path, contracts)
    return caught.value


@pytest.mark.parametrize(("text", "where", "message"), [
    (HEAD + STEP + "        bogus: 1\n", "10:9", "not in the supported Arazzo subset at /workflows/0/steps/0"),
    (HEAD.replace("[Enquire SI]", "[Enquire Sl]") + STEP, "7:23", "'Enquire Sl' is not a catalogue function. "
     "Did you mean 'Enquire SI'"),
    (HEAD.replace("    x-ocp-functions: [Enquire SI]\n", "") + STEP, "6:5", "'x-ocp-functions' is a required"),
    (HEAD + STEP.replace("enquireSi", "enquireSl"), "11:22", "Did you mean 'enquireSi'"),
    (HEAD + STEP.replace("enquireSi", "$sourceDescriptions.nope.enquireSi"), "11:22", "no source description"),
    (HEAD + STEP + "        successCriteria:\n          - condition: $statusCode = 200\n", "13:24",
     "condition: unexpected '= 200' (at column 13 of the condition)"),
    (HEAD + STEP + "        onSuccess:\n          - {name: g, type: goto, stepId: b}\n", "13:43",
     "goto target 'b' is not a step"),
    (HEAD + STEP + "        parameters:\n          - {name: x, in: query, value: $inputs.missing}\n", "13:41",
     "input 'missing' is not declared"),
    (HEAD + STEP + "        outputs: {x: $steps.zz.outputs.y}\n", "12:22", "no step 'zz'"),
    (HEAD + STEP + "        outputs: {x: $steps.a.outputs.y}\n", "12:22", "step a has no output 'y'"),
    (HEAD + STEP + STEP, "12:17", "stepId 'a' is used twice"),
    (HEAD.replace("../../contracts/api/ocp-api.yaml", "nowhere.yaml") + STEP, "4:25", "is none of the loaded"),
    (HEAD + "      - stepId: [\n", "11:1", "invalid YAML"),
])
def test_errors_point_at_file_line_column(tmp_path: Path, contracts: ContractSet, text: str, where: str,
                                          message: str) -> None:
    error = _load(tmp_path, contracts, text)
    rendered = error.render()
    assert rendered.startswith(f"{tmp_path / 'bad.arazzo.yaml'}:{where}:"), rendered
    assert message in rendered


def test_sources_match_by_file_name_when_the_path_does_not_resolve(tmp_path: Path, contracts: ContractSet) -> None:
    path = tmp_path / "ok.arazzo.yaml"
    path.write_text(HEAD.replace("../../contracts/api/", "somewhere/else/") + STEP, encoding="utf-8")
    document = load_arazzo(path, contracts)
    assert document.sources["ocpApi"].path.name == "ocp-api.yaml"
    assert document.workflow("wf").steps[0].operation.operation_id == "enquireSi"
