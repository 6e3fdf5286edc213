"""Model-based test of the Maintain STI lifecycle: random input / revoke / batch-run sequences against the
target, checked against a small model after every step.

Rules modelled (DOMAIN.md §4, contracts/README.md "Maintain STI"):

- Input STI between two different own accounts (clearing 01, segregated 02, SPSA 80) is PENDING;
  the same account on both sides is refused (422 ACCOUNT_SAME, field /toAccount);
- Revoke STI turns a PENDING STI into REVOKED; a SETTLED or REVOKED one is refused (409 STI_STATE_CONFLICT);
- the next batch settlement run settles every PENDING STI whose source account holds the stock, and leaves
  one short of stock PENDING with a LACK reason (only on a target with clock-control);
- Enquire STI lists exactly the participant's own STIs, oldest first, filters and paging agreeing.

Never assumes an empty world: each run's STIs carry one fresh ``ownReference`` and only they are checked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

MAINTAIN_STI: Final = ["Input STI", "Revoke STI", "Enquire STI"]
ACCOUNTS: Final = ("01", "02", "80")
STOCK: Final = "00388"
SEED: Final = 1_000_000_000  # ample stock in every account, so a modest STI always settles
SHORT: Final = 900_000_000_000  # more than any seeded account holds: stays PENDING with a LACK reason
SETTINGS: Final = settings(
    max_examples=15, stateful_step_count=20, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each replay costs real requests
    # a rule whose precondition fails (nothing to act on yet) is filtered: a health check, not a finding
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class StiModelMismatch(RuleBroken):
    """The target's view of an STI differs from what the Maintain STI rules predict."""


@dataclass(slots=True)
class ModelSti:
    sti_id: str
    quantity: int
    status: str = "PENDING"


@dataclass(slots=True)
class World:
    client: OcpClient
    owner: str
    can_settle: bool
    reference: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


def _code(exchange: Exchange) -> str | None:
    body = exchange.body
    return body.get("code") if isinstance(body, dict) else None


class StiLifecycle(RuleBasedStateMachine):
    stis = Bundle("stis")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.model: dict[str, ModelSti] = {}

    def _call(self, function: str, **fields: Any) -> Exchange:
        return self.world.client.call(function, as_participant=self.world.owner, **fields)

    @rule(target=stis, accounts=st.permutations(ACCOUNTS), quantity=st.integers(1, 5_000),
          short=st.booleans(), dvp=st.booleans())
    def input_sti(self, accounts: list[str], quantity: int, short: bool, dvp: bool) -> str:
        source, target = accounts[0], accounts[1]
        quantity = SHORT if short else quantity
        payment = {"paymentType": "DVP", "amount": "1000.00", "currency": "HKD"} if dvp else {"paymentType": "FOP"}
        exchange = self._call("Input STI", fromAccount=source, toAccount=target, stockCode=STOCK, quantity=quantity,
                              ownReference=self.world.reference, **payment)
        body = exchange.body if isinstance(exchange.body, dict) else {}
        if exchange.status != 201 or body.get("status") != "PENDING":
            received = f"HTTP {exchange.status} status={body.get('status')} code={_code(exchange)}"
            raise StiModelMismatch("Input STI", f"Input STI {source}->{target} of {quantity}",
                                   received=received, expected="HTTP 201, status PENDING", exchange=exchange)
        echoed = {k: body.get(k) for k in ("fromAccount", "toAccount", "quantity", "paymentType", "participantId")}
        wanted = {"fromAccount": source, "toAccount": target, "quantity": quantity,
                  "paymentType": payment["paymentType"], "participantId": self.world.owner}
        if echoed != wanted:
            raise StiModelMismatch("Input STI", "the created STI does not say what was input",
                                   received=echoed, expected=wanted, exchange=exchange)
        sti_id = str(body["stiId"])
        self.model[sti_id] = ModelSti(sti_id, quantity)
        return sti_id

    @rule(account=st.sampled_from(ACCOUNTS))
    def same_account_refused(self, account: str) -> None:
        exchange = self._call("Input STI", fromAccount=account, toAccount=account, stockCode=STOCK, quantity=1,
                              paymentType="FOP", ownReference=self.world.reference)
        pointers = [e.get("pointer") for e in (exchange.body or {}).get("errors", [])]
        if exchange.status != 422 or _code(exchange) != "ACCOUNT_SAME" or "/toAccount" not in pointers:
            raise StiModelMismatch("Input STI", f"Input STI from {account} to the same account",
                                   received=f"HTTP {exchange.status} code={_code(exchange)} errors at {pointers}",
                                   expected="HTTP 422 code=ACCOUNT_SAME naming /toAccount", exchange=exchange)

    @rule(sti_id=stis)
    def revoke(self, sti_id: str) -> None:
        sti = self.model[sti_id]
        exchange = self._call("Revoke STI", stiId=sti_id)
        if sti.status == "PENDING":
            status = (exchange.body or {}).get("status")
            if exchange.status != 200 or status != "REVOKED":
                raise StiModelMismatch("Revoke STI", f"Revoke STI of PENDING {sti_id}",
                                       received=f"HTTP {exchange.status} status={status} code={_code(exchange)}",
                                       expected="HTTP 200, status REVOKED", exchange=exchange)
            sti.status = "REVOKED"
        elif exchange.status != 409 or _code(exchange) != "STI_STATE_CONFLICT":
            raise StiModelMismatch("Revoke STI", f"Revoke STI of {sti.status} {sti_id}",
                                   received=f"HTTP {exchange.status} code={_code(exchange)}",
                                   expected="HTTP 409 code=STI_STATE_CONFLICT (only a PENDING STI is revocable)",
                                   exchange=exchange)

    @rule()
    def batch_run(self) -> None:
        if not self.world.can_settle:
            return
        self.world.client.call_operation("simRunBatchSettlement")
        for sti in self.model.values():
            if sti.status == "PENDING" and sti.quantity != SHORT:
                sti.status = "SETTLED"
        for sti in self.model.values():
            exchange = self._call("Enquire STI", operation="getSti", stiId=sti.sti_id)
            body = exchange.expect(200)  # the owner's read of its own STI: a 404 is Enquire STI's failure
            lack = sti.quantity == SHORT and sti.status == "PENDING"
            settled_ok = sti.status != "SETTLED" or body.get("settledAt") is not None
            lack_ok = not lack or str(body.get("reason") or "").startswith("LACK")
            if body.get("status") != sti.status or not settled_ok or not lack_ok:
                raise StiModelMismatch(
                    "Revoke STI" if sti.status == "REVOKED" else "Input STI",
                    f"after a batch settlement run, STI {sti.sti_id} of {sti.quantity} shares",
                    received=f"status={body.get('status')} settledAt={body.get('settledAt')} "
                             f"reason={body.get('reason')}",
                    expected=f"status={sti.status}" + (", a LACK reason" if lack else ""), exchange=exchange)

    def teardown(self) -> None:
        """Revoke what is still PENDING (the LACK ones would otherwise be retried at every later batch run)."""
        for sti in self.model.values():
            if sti.status == "PENDING":
                self._call("Revoke STI", stiId=sti.sti_id)

    @invariant()
    def enquiry_lists_exactly_the_model(self) -> None:
        listed: list[tuple[str, str]] = []
        cursor: str | None = None
        for _ in range(50):
            fields: dict[str, Any] = {"ownReference": self.world.reference, "limit": 3}
            if cursor:
                fields["cursor"] = cursor
            exchange = self._call("Enquire STI", operation="enquireSti", **fields)
            listed += [(i["stiId"], i["status"]) for i in exchange.expect()["items"]]
            cursor = exchange.expect()["nextCursor"]
            if not cursor:
                break
        expected = [(s.sti_id, s.status) for s in self.model.values()]
        if listed != expected:
            raise StiModelMismatch("Enquire STI", "Enquire STI by the run's ownReference, page by page",
                                   received=listed, expected=expected)
        pending = self._call("Enquire STI", operation="enquireSti", ownReference=self.world.reference,
                             status="PENDING", limit=200)
        got = [i["stiId"] for i in pending.expect()["items"]]
        want = [s.sti_id for s in self.model.values() if s.status == "PENDING"]
        if got != want:
            raise StiModelMismatch("Enquire STI", "Enquire STI filtered by status=PENDING",
                                   received=got, expected=want, exchange=pending)


def _world(client: OcpClient, target: Target) -> World:
    owner = target.acting_pair()[0]
    can_settle = target.can(CLOCK_CONTROL)
    if can_settle:
        clock = client.call_operation("simGetClock").body
        if not clock.get("inFunctionWindow", True):
            pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")
        # exactly SEED where the target can set a holding: earlier checks (the SI model's maximal-quantity
        # settlements) may have left more than SHORT in an account, and a short STI would then settle
        control = client.contracts.control_document
        seeding = "simSetHolding" if control is not None and "simSetHolding" in control.operations else "simSeedHolding"
        for account in ACCOUNTS:
            client.call_operation(seeding, body={"participantId": owner, "stockAccount": account, "stockCode": STOCK,
                                                 "quantity": SEED})
    return World(client=client, owner=owner, can_settle=can_settle)


@pytest.mark.ocp(functions=MAINTAIN_STI, check="scenario")
def test_sti_lifecycle_follows_the_model(ocp_client: OcpClient, ocp_target: Target) -> None:
    """Random STI lifecycles (input, revoke, batch settlement, enquiry) match the model."""
    world = _world(ocp_client, ocp_target)

    def machine() -> StiLifecycle:
        world.reference = uuid.uuid4().hex[:16]  # each example checks only its own STIs
        return StiLifecycle(world)

    # hypothesis documents a factory as fine here; its annotation only names the class form
    run_state_machine_as_test(machine, settings=SETTINGS)  # type: ignore[arg-type]
