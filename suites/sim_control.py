"""The simulator's control API as the suites use it: holdings, batch runs, the clock (simulator-control.yaml).

The control API is the harness's own (the simulator's back door for setting up a world), the same whatever
contract is bound; its names live here so the suites never spell them and an adopted contract whose fields share
them (``participantId``, ``stockCode``...) is not mistaken for one the suites read (``contracts lint
--with-suites`` leaves this module out, as it leaves out the simulator's control handlers). Callers check
``target.can(CLOCK_CONTROL)`` first: a target without simulator control has none of these operations.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet
from ocp_conformance.reporting.redaction import Redactor

__all__ = ["BatchRun", "Holding", "affirm_isi", "business_date", "fail_rdp_payment", "held", "holdings",
           "in_function_window", "move_to_next_business_day", "refusal_codes", "refusing_token",
           "run_batch_settlement", "seed_holding", "set_holding", "set_isi_counterparty"]

CLEARING_ACCOUNT = "01"
"""The stock account a holding is seeded into when none is named (the participant's clearing account)."""


@dataclass(frozen=True, slots=True)
class Holding:
    """What the simulator holds for a participant: ``quantity`` of ``stock_code`` in ``stock_account``."""

    stock_account: str
    stock_code: str
    quantity: int


def holdings(client: OcpClient, participant: str, stock_account: str | None = None,
             stock_code: str | None = None) -> list[Holding]:
    """The participant's holdings (simGetPositions), optionally of one account and/or stock."""
    query = {"stockAccount": stock_account, "stockCode": stock_code}
    body = client.call_operation("simGetPositions", participantId=participant,
                                 **{k: v for k, v in query.items() if v is not None}).expect(200)
    found = [Holding(str(h["stockAccount"]), str(h["stockCode"]), int(h["quantity"])) for h in body["holdings"]]
    return [h for h in found if (stock_account is None or h.stock_account == stock_account)
            and (stock_code is None or h.stock_code == stock_code)]


def held(client: OcpClient, participant: str, stock_account: str, stock_code: str) -> int:
    """How much of ``stock_code`` the participant holds in ``stock_account`` (0 if none)."""
    return sum(h.quantity for h in holdings(client, participant, stock_account, stock_code))


def seed_holding(client: OcpClient, participant: str, stock_code: str, quantity: int,
                 stock_account: str = CLEARING_ACCOUNT) -> bool:
    """Deposit ``quantity`` of ``stock_code`` into the participant's ``stock_account`` (simSeedHolding); whether the
    simulator took it (a quantity above the contract's maximum, or an unknown account or stock, is refused)."""
    return client.call_operation("simSeedHolding", body={
        "participantId": participant, "stockAccount": stock_account, "stockCode": stock_code,
        "quantity": quantity}).status == 200


def set_holding(client: OcpClient, participant: str, stock_account: str, stock_code: str, quantity: int) -> None:
    """Make the participant's holding of ``stock_code`` in ``stock_account`` exactly ``quantity`` (simSetHolding)."""
    client.call_operation("simSetHolding", body={"participantId": participant, "stockAccount": stock_account,
                                                 "stockCode": stock_code, "quantity": quantity}).expect(200)


@dataclass(frozen=True, slots=True)
class BatchRun:
    """A batch settlement run the simulator made on demand: its id, and the match ids of the pairs it failed."""

    run_id: str
    failed_match_ids: frozenset[str]


def run_batch_settlement(client: OcpClient) -> BatchRun:
    """Run a batch settlement now (simRunBatchSettlement)."""
    run = client.call_operation("simRunBatchSettlement").expect(200)
    return BatchRun(str(run["runId"]), frozenset(str(failure["matchId"]) for failure in run.get("failed", [])))


def fail_rdp_payment(client: OcpClient, si_id: str) -> str:
    """Fail the receiver's CHATS payment of the RDP pair of ``si_id`` at SHARES_ON_HOLD (simFailRdpPayment): the pair
    unwinds, its shares return to the deliverer. The SI's status afterwards."""
    return str(client.call_operation("simFailRdpPayment", siId=si_id).expect(200)["status"])


def business_date(client: OcpClient) -> str:
    """The simulator's current business date (simGetClock), ISO 8601."""
    return str(client.call_operation("simGetClock").expect(200)["businessDate"])


def move_to_next_business_day(client: OcpClient, at: str) -> None:
    """Move the simulator's clock (simAdvanceClock) to ``at`` (HH:MM, Hong Kong time) of the next business day:
    past today's batch runs and day end, as a real day passes."""
    following = client.call_operation("simGetClock").expect(200)["nextBusinessDate"]
    client.call_operation("simAdvanceClock", to=f"{following}T{at}:00+08:00").expect(200)


def in_function_window(client: OcpClient) -> bool:
    """Whether the simulator's clock (simGetClock) is inside the functions' service window."""
    return bool(client.call_operation("simGetClock").expect(200).get("inFunctionWindow", False))


def affirm_isi(client: OcpClient, investor: str, isi_id: str, *, affirm: bool = True) -> int:
    """The investor affirms (or refuses) an ISI in its own channel (simAffirmIsi); the HTTP status it answered."""
    return client.call_operation("simAffirmIsi", isiId=isi_id, investorId=investor, affirm=affirm).status


def set_isi_counterparty(client: OcpClient, investor: str, participant: str, *, listed: bool) -> None:
    """Put ``participant`` on the investor's list of who may input ISIs without affirmation, or take it off
    (simSetIsiCounterparty): what the investor does in its own channel on a real target."""
    client.call_operation("simSetIsiCounterparty", investorId=investor, participantId=participant,
                          body={"listed": listed}).expect(200)


def refusing_token(client: OcpClient, participant: str, code: str, redactor: Redactor) -> str:
    """A token of ``participant`` with which every request is refused with ``code`` (simIssueRefusingToken): how
    a function not subscribed, the rate limit reached, or the service down or closed is provoked on demand
    without changing anything for the other checks. It reads and changes nothing, yet it is redacted like a
    credential from everything the run writes (``redactor`` learns it before it is returned)."""
    body = client.call_operation("simIssueRefusingToken", participantId=participant, body={"code": code}).expect(201)
    token = str(body["token"])
    redactor.add(token)
    return token


def refusal_codes(contracts: ContractSet) -> tuple[str, ...]:
    """The codes a refusing token can carry (simIssueRefusingToken's enum), none if the target's control
    contract has no such operation."""
    operation = contracts.operations.get("simIssueRefusingToken")
    if operation is None:
        return ()
    schema = operation.spec["requestBody"]["content"]["application/json"]["schema"]
    return tuple(str(code) for code in schema["properties"]["code"]["enum"])
