"""Property (issue 16): arbitrary JSON values (lone surrogates, control characters, invalid UTF-8, huge numbers,
deep nesting) in any field of any create operation of the simulator never earn a 5xx; a refused request changes
nothing the participant can enquire; and every enquiry still answers 200 afterwards."""

from __future__ import annotations

import itertools
import json
from typing import Any, Final

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.app import SimulatorApp, build_app
from ocp_conformance.targets.simulator_target import SyncASGITransport

PARTICIPANT: Final = "B01234"
HOSTILE: Final = "__hostile__"
ENQUIRIES: Final = ("/ocp/v1/settlement-instructions", "/ocp/v1/deleted-settlement-instructions",
                    "/ocp/v1/mass-transfers", "/ocp/v1/investor-settlement-instructions",
                    "/ocp/v1/segregated-transfers", "/ocp/v1/due-overdue-positions", "/ocp/v1/settlement-activity",
                    "/ocp/v1/money-positions", "/ocp/v1/broadcast-messages", "/_sim/clock")


def _creates(day: str) -> dict[str, dict[str, Any]]:
    """A valid body of every create (POST with a body) of the contract and the control API, by path."""
    return {
        "/ocp/v1/settlement-instructions": {
            "side": "DELIVER", "counterpartyId": "B05678", "stockCode": "00005", "quantity": 7,
            "settlementDate": day, "paymentType": "FOP", "narrative": "N", "ownReference": "REF1"},
        "/ocp/v1/delivery-instructions": {"stockCode": "02800", "quantity": 10, "ownReference": "DI1"},
        "/ocp/v1/account-transfers": {"fromAccount": "01", "toAccount": "02", "stockCode": "00700", "quantity": 5},
        "/ocp/v1/mass-transfers": {"items": [{"kind": "ATI", "fromAccount": "01", "toAccount": "02",
                                              "stockCode": "00700", "quantity": 1}], "ownReference": "MASS1"},
        "/ocp/v1/investor-settlement-instructions": {
            "investorId": "I00001", "direction": "DELIVER_TO_INVESTOR", "stockCode": "00700", "quantity": 100,
            "paymentType": "FOP", "ownReference": "ISI1"},
        "/ocp/v1/segregated-transfers": {"fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 1,
                                         "paymentType": "FOP"},
        "/_sim/holdings": {"participantId": PARTICIPANT, "stockCode": "00005", "quantity": 100},
        "/_sim/exchange-trades": {"participantId": PARTICIPANT, "stockCode": "00005", "side": "BUY", "quantity": 100},
    }


_CREATE_PATHS: Final = tuple(_creates("2027-04-06"))

_strings = st.lists(st.one_of(
    st.text(max_size=20),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),  # surrogates
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=3),  # control characters
), max_size=4).map("".join)
_json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _strings,
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_strings, inner, max_size=3),
                            max_leaves=8)
class Fragment:
    """Raw JSON text for one field, with a short repr (a failing example of 20,000 brackets stays readable)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"Fragment({self.raw[:60]!r}{'...' if len(self.raw) > 60 else ''}, {len(self.raw)} bytes)"


_raw_fragments = st.one_of(
    _json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 6000).map(lambda digits: b"9" * digits),  # beyond any maximum, and Python's int digit limit
    st.sampled_from([b"1e400", b"-1e400", b"NaN", b"Infinity", b"1.5", b"0", b"-1"]),
    st.integers(1, 20_000).map(lambda depth: b"[" * depth + b"]" * depth),  # nesting past recursion limits
    st.binary(min_size=1, max_size=6).map(lambda raw: b'"' + raw.replace(b'"', b"") + b'"'),  # any bytes
).map(Fragment)


def _snapshot(client: httpx.Client) -> list[Any]:
    answers = [client.get(path) for path in ENQUIRIES]
    assert [a.status_code for a in answers] == [200] * len(ENQUIRIES), [a.text[:300] for a in answers]
    return [a.json() for a in answers]


@pytest.fixture(scope="module")
def simulator() -> tuple[SimulatorApp, httpx.Client]:
    app = build_app()
    client = httpx.Client(transport=SyncASGITransport(app.asgi), base_url="http://simulator",
                          headers={"Authorization": f"Bearer {app.token_of(PARTICIPANT)}"})
    today = client.get("/_sim/clock").json()["businessDate"]
    assert client.post("/_sim/clock/advance", json={"to": f"{today}T10:00:00+08:00"}).status_code == 200  # DI open
    return app, client


def test_every_base_body_is_accepted(simulator: tuple[SimulatorApp, httpx.Client]) -> None:
    """Sanity of the property below: its hostile values replace fields of bodies that reach the handlers."""
    _, client = simulator
    day = client.get("/_sim/clock").json()["businessDate"]
    client.post("/_sim/holdings", json={"participantId": PARTICIPANT, "stockCode": "02800", "quantity": 1000})
    client.post("/_sim/exchange-trades", json={"participantId": PARTICIPANT, "stockCode": "02800", "side": "SELL",
                                               "quantity": 500})
    for n, (path, body) in enumerate(_creates(day).items()):
        answer = client.post(path, json=body, headers={"Idempotency-Key": f"base-body-{n:04d}"})
        assert answer.status_code in (200, 201), f"{path}: {answer.text[:300]}"


_keys = itertools.count()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(path=st.sampled_from(_CREATE_PATHS), field=st.integers(0, 20), fragment=_raw_fragments,
       nested=st.booleans())
def test_hostile_values_in_any_create_field_never_earn_a_5xx_nor_change_state_when_refused(
        simulator: tuple[SimulatorApp, httpx.Client], path: str, field: int, fragment: Fragment, nested: bool) -> None:
    _, client = simulator
    before = _snapshot(client)
    body = _creates(before[-1]["businessDate"])[path]
    names = [*body, "unknownField"]
    name = names[field % len(names)]
    if nested and "items" in body:
        body["items"][0][list(body["items"][0])[field % 5]] = HOSTILE
    else:
        body[name] = HOSTILE
    content = json.dumps(body).encode().replace(json.dumps(HOSTILE).encode(), fragment.raw)
    answer = client.post(path, content=content, headers={"Content-Type": "application/json",
                                                         "Idempotency-Key": f"hostile-{next(_keys):08d}"})
    assert answer.status_code < 500, answer.text[:500]
    assert answer.headers["content-type"].split(";")[0] in ("application/json", "application/problem+json")
    after = _snapshot(client)
    if answer.status_code >= 400:
        assert after == before, f"{path} refused ({answer.status_code}) but the state changed"
