"""Maintain STI refuses what its rules forbid, and never shows one participant another's STIs.

Negative (check="negative"):

- Input STI: every body field value the contract forbids -> 400 naming that field (the contract's own JSON
  Schema decides what is forbidden, so nothing is listed twice); every required field is required;
- Input STI business rules -> 422 with the documented code and field: same account on both sides, an account
  or stock that does not exist, an amount on a FOP STI, a DVP STI without (or with a zero) amount; and nothing
  is created;
- Revoke STI / Enquire STI: a malformed id -> 400 naming /path/stiId, an unknown id -> 404 STI_NOT_FOUND,
  an unknown cursor -> 422 CURSOR_INVALID.

Security (check="security"): participant B acting on A's stiId gets 404 STI_NOT_FOUND (the answer for an id
that does not exist) and sees nothing of A's STI; Enquire STI as B never lists A's STIs; B's revocation
attempt leaves A's STI PENDING.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.contracts.validation import RequestInvalid, validators_for
from ocp_conformance.targets import Target

DOCUMENT: Final = load_contracts().document("ocp-api")
VALIDATOR: Final = validators_for(DOCUMENT)["inputSti"]
UNKNOWN_STI: Final = "STI9999999999"
ANY_JSON: Final = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=24),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


class StiRuleBroken(RuleBroken):
    """The target accepted, or misreported, an STI request its rules forbid; or leaked another's STI."""


def _code(exchange: Exchange) -> str | None:
    body = exchange.body
    return body.get("code") if isinstance(body, dict) else None


def _pointers(exchange: Exchange) -> list[str]:
    body = exchange.body
    return [str(e.get("pointer")) for e in body.get("errors", [])] if isinstance(body, dict) else []


def _expect(exchange: Exchange, function: str, what: str, status: int, code: str | None = None,
            pointer: str | None = None) -> None:
    if exchange.status == status and (code is None or _code(exchange) == code) \
            and (pointer is None or pointer in _pointers(exchange)):
        return
    expected = f"HTTP {status}" + (f" code={code}" if code else "") + (f" naming {pointer}" if pointer else "")
    raise StiRuleBroken(function, what, exchange=exchange, expected=expected,
                        received=f"HTTP {exchange.status} code={_code(exchange)} errors at {_pointers(exchange)}")


def _valid_body(reference: str | None = None) -> dict[str, Any]:
    return {"fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 1 + uuid.uuid4().int % 1000,
            "paymentType": "FOP", "ownReference": reference or uuid.uuid4().hex[:16]}


def _forbidden(body: dict[str, Any]) -> bool:
    try:
        VALIDATOR.validate({}, {}, {"content-type": "application/json", "Idempotency-Key": "k" * 8},
                           json.dumps(body).encode())
    except RequestInvalid:
        return True
    return False


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = DOCUMENT.resolve(
        DOCUMENT.operations["inputSti"].spec["requestBody"]["content"]["application/json"]["schema"])
    return schema


# ---------------------------------------------------------------------- negative: Input STI
@pytest.mark.ocp(functions=["Input STI"], check="negative")
def test_each_forbidden_field_value_is_rejected_and_named(ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    base = _valid_body()
    assert not _forbidden(base), "harness bug: the base Input STI body breaks the contract"

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(sorted(_schema()["properties"])), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**base, field: value}
        if not _forbidden(body):
            return  # the value happens to be allowed: nothing to check
        exchange = ocp_client.call("Input STI", as_participant=actor, validate_request=False, **body)
        _expect(exchange, "Input STI", f"Input STI whose {field} is {value!r}", 400, pointer=f"/{field}")

    broken_field()


@pytest.mark.ocp(functions=["Input STI"], check="negative")
def test_each_required_field_is_required(ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    base = _valid_body()
    for field in _schema()["required"]:
        body = {k: v for k, v in base.items() if k != field}
        exchange = ocp_client.call("Input STI", as_participant=actor, validate_request=False, **body)
        _expect(exchange, "Input STI", f"Input STI without required field {field}", 400, pointer=f"/{field}")


BUSINESS_RULES: Final = [
    pytest.param({"toAccount": "01", "fromAccount": "01"}, "ACCOUNT_SAME", "/toAccount", id="same-account"),
    pytest.param({"toAccount": "55"}, "STOCK_ACCOUNT_UNKNOWN", "/toAccount", id="unknown-account"),
    pytest.param({"stockCode": "99999"}, "STOCK_UNKNOWN", "/stockCode", id="unknown-stock"),
    pytest.param({"amount": "100.00", "currency": "HKD"}, "AMOUNT_NOT_ALLOWED", "/amount", id="fop-with-amount"),
    pytest.param({"paymentType": "DVP"}, "AMOUNT_REQUIRED", "/amount", id="dvp-without-amount"),
    pytest.param({"paymentType": "DVP", "amount": "0", "currency": "HKD"}, "AMOUNT_INVALID", "/amount",
                 id="dvp-zero-amount"),
]


@pytest.mark.ocp(functions=["Input STI"], check="negative")
@pytest.mark.parametrize(("change", "code", "pointer"), BUSINESS_RULES)
def test_business_rule_is_enforced_and_nothing_created(change: dict[str, str], code: str, pointer: str,
                                                       ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    body = {**_valid_body(), **change}
    exchange = ocp_client.call("Input STI", as_participant=actor, **body)
    _expect(exchange, "Input STI", f"Input STI with {change}", 422, code, pointer)
    listed = ocp_client.call("Enquire STI", operation="enquireSti", as_participant=actor,
                             ownReference=body["ownReference"])
    if listed.expect()["items"]:
        raise StiRuleBroken("Input STI", f"a refused Input STI ({code}) was stored", exchange=listed,
                            received=[i["stiId"] for i in listed.expect()["items"]], expected="no STI")


# ---------------------------------------------------------------------- negative: Revoke STI, Enquire STI
@pytest.mark.ocp(functions=["Revoke STI"], check="negative")
def test_revoke_refuses_malformed_and_unknown_ids(ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    malformed = ocp_client.call_operation("revokeSti", as_participant=actor, validate_request=False, stiId="STI12")
    _expect(malformed, "Revoke STI", "Revoke STI of a malformed stiId", 400, "VALIDATION_FAILED", "/path/stiId")
    unknown = ocp_client.call("Revoke STI", as_participant=actor, stiId=UNKNOWN_STI)
    _expect(unknown, "Revoke STI", "Revoke STI of an unknown stiId", 404, "STI_NOT_FOUND")


@pytest.mark.ocp(functions=["Enquire STI"], check="negative")
def test_enquire_refuses_bad_ids_filters_and_cursors(ocp_client: OcpClient, ocp_target: Target) -> None:
    actor = ocp_target.acting_pair()[0]
    call = ocp_client.call_operation
    _expect(call("getSti", as_participant=actor, validate_request=False, stiId="SI0000000001"), "Enquire STI",
            "Enquire STI of a malformed stiId", 400, "VALIDATION_FAILED", "/path/stiId")
    _expect(call("getSti", as_participant=actor, stiId=UNKNOWN_STI), "Enquire STI",
            "Enquire STI of an unknown stiId", 404, "STI_NOT_FOUND")
    _expect(call("enquireSti", as_participant=actor, validate_request=False, status="MATCHED"), "Enquire STI",
            "Enquire STI with status=MATCHED (not an STI status)", 400, "VALIDATION_FAILED", "/query/status")
    _expect(call("enquireSti", as_participant=actor, cursor="not-a-cursor-we-issued"), "Enquire STI",
            "Enquire STI with a cursor the target never issued", 422, "CURSOR_INVALID")


# ---------------------------------------------------------------------- security: isolation
def _owners_sti(client: OcpClient, owner: str) -> dict[str, Any]:
    body = {**_valid_body(), "quantity": 700_000 + uuid.uuid4().int % 200_000}
    created = client.call("Input STI", as_participant=owner, **body)
    if created.status != 201:
        pytest.skip(f"could not set up A's STI (Input STI answered {created.status} {_code(created)})")
    return dict(created.body)


def _leaks(exchange: Exchange, sti: dict[str, Any]) -> list[str]:
    text = exchange.response.text
    return [f"{name}={sti[name]}" for name in ("stiId", "ownReference", "quantity") if str(sti[name]) in text]


@pytest.mark.ocp(functions=["Enquire STI"], check="security")
def test_other_participants_sti_is_not_found(ocp_client: OcpClient, ocp_target: Target) -> None:
    owner, other = ocp_target.acting_pair()
    sti = _owners_sti(ocp_client, owner)
    exchange = ocp_client.call("Enquire STI", operation="getSti", as_participant=other, stiId=sti["stiId"])
    leaks = [leak for leak in _leaks(exchange, sti) if not leak.startswith("stiId")]
    if exchange.status != 404 or _code(exchange) != "STI_NOT_FOUND" or leaks:
        raise StiRuleBroken("Enquire STI", f"{other} enquired {owner}'s STI {sti['stiId']}", exchange=exchange,
                            received=f"HTTP {exchange.status} code={_code(exchange)} shows {leaks}",
                            expected="HTTP 404 code=STI_NOT_FOUND, nothing of the owner's STI")


@pytest.mark.ocp(functions=["Enquire STI"], check="security")
def test_enquire_sti_never_lists_other_participants_sti(ocp_client: OcpClient, ocp_target: Target) -> None:
    owner, other = ocp_target.acting_pair()
    sti = _owners_sti(ocp_client, owner)
    for filters in ({"ownReference": sti["ownReference"]}, {"ownReference": sti["ownReference"], "status": "PENDING"}):
        exchange = ocp_client.call("Enquire STI", operation="enquireSti", as_participant=other, **filters)
        if exchange.status != 200 or _leaks(exchange, sti):
            raise StiRuleBroken("Enquire STI", f"Enquire STI as {other} with {filters}", exchange=exchange,
                                received=f"HTTP {exchange.status}, shows {_leaks(exchange, sti)}",
                                expected=f"HTTP 200 without {owner}'s STI {sti['stiId']}")


@pytest.mark.ocp(functions=["Revoke STI"], check="security")
def test_other_participant_cannot_revoke(ocp_client: OcpClient, ocp_target: Target) -> None:
    owner, other = ocp_target.acting_pair()
    sti = _owners_sti(ocp_client, owner)
    exchange = ocp_client.call("Revoke STI", as_participant=other, stiId=sti["stiId"])
    after = ocp_client.call("Enquire STI", operation="getSti", as_participant=owner, stiId=sti["stiId"])
    kept = after.expect(200, blame="Revoke STI")  # the owner must still find its STI: else this check fails
    if exchange.status != 404 or _code(exchange) != "STI_NOT_FOUND" or kept.get("status") != "PENDING":
        raise StiRuleBroken("Revoke STI", f"{other} revoked {owner}'s STI {sti['stiId']}", exchange=exchange,
                            received=f"HTTP {exchange.status} code={_code(exchange)}, "
                                     f"the owner's STI is now {kept.get('status')}",
                            expected="HTTP 404 code=STI_NOT_FOUND, the owner's STI still PENDING")
    ocp_client.call("Revoke STI", as_participant=owner, stiId=sti["stiId"])  # leave nothing pending behind
