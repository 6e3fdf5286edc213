"""Hostile request bodies and parameters (issue 16, items 1 and 9): refused with the contract's 400 problem before
any handler runs, nothing applied or journaled, and every later enquiry still answers 200."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocp_conformance.simulator import app as app_module
from ocp_conformance.simulator.app import SimulatorApp, build_app
from ocp_conformance.simulator.call import Call, Reply
from ocp_conformance.simulator.persistence import Restored, restore
from ocp_conformance.targets.simulator_target import SyncASGITransport

ALPHA, BETA = "B01234", "B05678"
SI_PATH = "/ocp/v1/settlement-instructions"
ENQUIRIES = (SI_PATH, f"{SI_PATH}?status=CANCELLED", "/ocp/v1/deleted-settlement-instructions")


def _client(app: SimulatorApp, participant: str = ALPHA) -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app.asgi), base_url="http://simulator",
                        headers={"Authorization": f"Bearer {app.token_of(participant)}",
                                 "Idempotency-Key": "hostile-0001"})


def _si_text(client: httpx.Client, **replace: str) -> str:
    """A valid Input SI body as JSON text; ``replace`` puts raw JSON text in place of a field's value."""
    day = client.get("/_sim/clock").json()["businessDate"]
    fields: dict[str, Any] = {"side": "DELIVER", "counterpartyId": BETA, "stockCode": "00005", "quantity": 7,
                              "settlementDate": day, "paymentType": "FOP", "narrative": "N", "ownReference": "REF1"}
    text = json.dumps(fields)
    for name, raw in replace.items():
        text = text.replace(json.dumps({name: fields[name]})[1:-1], f'"{name}": {raw}')
    return text


def _enquiries(client: httpx.Client) -> list[Any]:
    answers = [client.get(path) for path in ENQUIRIES]
    assert [a.status_code for a in answers] == [200] * len(ENQUIRIES), [a.text[:200] for a in answers]
    return [a.json() for a in answers]


def _post(client: httpx.Client, content: bytes | str, content_type: str = "application/json") -> httpx.Response:
    return client.post(SI_PATH, content=content, headers={"Content-Type": content_type})


def _refused(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert isinstance(body, dict)
    return body


@pytest.fixture
def app() -> SimulatorApp:
    return build_app()


@pytest.mark.parametrize("raw", [b'"\\ud800"', b'"abc\\udfffdef"', b'"\xed\xb3\xbf"', b'"\xff"'],
                         ids=["lone-high", "lone-low", "utf8-encoded-surrogate", "invalid-utf8"])
def test_an_unencodable_string_is_refused_and_changes_nothing(app: SimulatorApp, raw: bytes) -> None:
    client = _client(app)
    before = _enquiries(client)
    body = _si_text(client, narrative="@@").encode().replace(b"@@", raw)
    problem = _refused(_post(client, body))
    assert problem["code"] == "MALFORMED_JSON"
    assert "expected" in problem["detail"]
    assert _enquiries(client) == before  # nothing created; every enquiry still answers


def test_a_lone_surrogate_names_its_field(app: SimulatorApp) -> None:
    client = _client(app)
    problem = _refused(_post(client, _si_text(client, narrative='"\\ud800"')))
    assert [e["pointer"] for e in problem["errors"]] == ["/narrative"]


def test_a_surrogate_pair_is_valid_unicode_and_accepted(app: SimulatorApp) -> None:
    client = _client(app)
    created = _post(client, _si_text(client, narrative='"\\ud83d\\ude00"'))
    assert created.status_code == 201, created.text
    assert created.json()["narrative"] == "\U0001f600"


@pytest.fixture
def journals() -> Iterator[list[Restored]]:
    opened: list[Restored] = []
    yield opened
    for restored in opened:
        restored.journal.close()


def test_a_refused_body_is_never_journaled(tmp_path: Path, journals: list[Restored]) -> None:
    path = tmp_path / "state.sqlite"
    app = build_app()
    restored = restore(app, path)
    journals.append(restored)
    client = _client(app)
    _refused(_post(client, _si_text(client, narrative='"\\ud800"')))
    assert len(restored.journal) == 0
    journals.remove(restored)
    restored.journal.close()
    again = build_app()
    journals.append(restore(again, path))
    _enquiries(_client(again))


def _unencodable_reply(call: Call) -> Reply:
    # a handler that changed nothing yet answers what no encoder can write
    return Reply(201, {"siId": "SI0000000001", "narrative": "\ud800"})


def test_a_reply_that_cannot_be_encoded_is_a_500_problem_and_not_journaled(
        tmp_path: Path, journals: list[Restored], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app_module.HANDLERS, "inputSi", _unencodable_reply)
    app = build_app()
    restored = restore(app, tmp_path / "state.sqlite")
    journals.append(restored)
    client = _client(app)
    problem = _refused(_post(client, _si_text(client)), 500)
    assert problem["code"] == "INTERNAL_ERROR"
    assert len(restored.journal) == 0


def test_json_nested_10000_levels_deep_is_400(app: SimulatorApp) -> None:
    client = _client(app)
    problem = _refused(_post(client, _si_text(client, narrative="[" * 10_000 + "]" * 10_000)))
    assert problem["code"] == "MALFORMED_JSON"
    assert "nested" in problem["detail"]


@pytest.mark.parametrize(("path", "query"), [(SI_PATH, "limit"), ("/gcp/v1/trades", "afterSequence"),
                                             ("/gcp/v1/trades/stream", "afterSequence")])
def test_an_integer_parameter_of_5000_digits_is_400(path: str, query: str) -> None:
    app = build_app()
    response = _client(app, "B07777").get(path, params={query: "9" * 5000})
    problem = _refused(response)
    assert problem["errors"][0]["pointer"] == f"/query/{query}"


def test_a_reference_with_a_final_newline_is_400(app: SimulatorApp) -> None:
    client = _client(app)
    problem = _refused(_post(client, _si_text(client, ownReference='"REF1\\n"')))
    assert [e["pointer"] for e in problem["errors"]] == ["/ownReference"]


@pytest.mark.parametrize(("content_type", "encode"), [
    ("application/x-notjson", lambda text: text.encode()),
    ("text/plain", lambda text: text.encode()),
    ("application/json; charset=utf-16", lambda text: text.encode("utf-16")),
    ("application/json", lambda text: text.encode("utf-16-le")),
    ("application/json", lambda text: text.encode("utf-16")),
    ("application/json", lambda text: b"\xef\xbb\xbf" + text.encode()),
], ids=["x-notjson", "text-plain", "utf-16-declared", "utf-16-le", "utf-16-bom", "utf-8-bom"])
def test_a_body_that_is_not_utf8_application_json_is_refused(app: SimulatorApp, content_type: str,
                                                               encode: Any) -> None:
    client = _client(app)
    before = _enquiries(client)
    problem = _refused(_post(client, encode(_si_text(client)), content_type))
    assert problem["code"] in {"UNSUPPORTED_MEDIA_TYPE", "MALFORMED_JSON"}
    assert _enquiries(client) == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(app: SimulatorApp, constant: str) -> None:
    client = _client(app)
    assert _refused(_post(client, _si_text(client, quantity=constant)))["code"] == "MALFORMED_JSON"


def test_a_structured_json_media_type_is_still_json(app: SimulatorApp) -> None:
    client = _client(app)
    assert _post(client, _si_text(client), "application/json; charset=UTF-8").status_code == 201


def test_a_path_parameter_with_a_final_newline_is_400_not_looked_up(app: SimulatorApp) -> None:
    problem = _refused(_client(app).get(f"{SI_PATH}/SI0000000001%0A"))
    assert [e["pointer"] for e in problem["errors"]] == ["/path/siId"]
