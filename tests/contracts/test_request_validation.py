"""Request validation reads parameter types through the contract's references."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.contracts import ApiDocument
from ocp_conformance.contracts.validation import RequestInvalid, validators_for

DOCUMENT = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: size, in: query, schema: {$ref: "#/components/schemas/Size"}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Size: {type: integer, minimum: 1}
"""


def test_a_referenced_integer_parameter_is_read_as_an_integer(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(DOCUMENT)
    validator = validators_for(ApiDocument.load(path))["listThings"]
    assert validator.validate({}, {"size": "5"}, {}, b"").query == {"size": 5}
    with pytest.raises(RequestInvalid, match="/query/size"):
        validator.validate({}, {"size": "five"}, {}, b"")
