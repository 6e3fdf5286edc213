"""Model-based test of the Maintain STI lifecycle: random input / revoke / batch-run sequences against the
target, checked against a small model after every step.

Rules modelled (DOMAIN.md §4, contracts/README.md "Maintain STI"):

- Input STI between two different own accounts (clearing 01, segregated 02, SPSA 80) is PENDING;
  the same account on both sides is refused (the business error ACCOUNT_SAME, naming the to-account);
- Revoke STI turns a PENDING STI into REVOKED; a SETTLED or REVOKED one is refused (the conflict error
  STI_STATE_CONFLICT);
- the next batch settlement run settles every PENDING STI whose source account holds the stock, and leaves
  one short of stock PENDING with a LACK reason (only on a target with clock-control);
- Enquire STI lists exactly the participant's own STIs, oldest first, filters and paging agreeing.

Never assumes an empty world: each run's STIs carry one fresh own reference and only they are checked.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes (the simulator control that seeds holdings and runs the batch is the same
whatever contract is bound).
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

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import OcpClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL, Target

MAINTAIN_STI: Final = ["Input STI", "Revoke STI", "Enquire STI"]
INPUT, REVOKE, ENQUIRE = MAINTAIN_STI
ACCOUNTS: Final = ("01", "02", "80")
STOCK: Final = "00388"
SEED: Final = 1_000_000_000  # ample stock in every account, so a modest STI always settles
SHORT: Final = 900_000_000_000  # more than any seeded account holds: stays PENDING with a LACK reason
_ECHOED: Final = ("from_account", "to_account", "quantity", "payment_type", "participant")
"""What a created STI must say as it was input (by role)."""
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
    bound: BoundClient
    owner: str
    can_settle: bool
    reference: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


def _received(answer: BoundExchange) -> str:
    shown = f"status={answer.get('status', None)}" if answer.ok else f"code={answer.error_code()}"
    return f"HTTP {answer.status} {shown}"


def _is_error(answer: BoundExchange, kind: str, code: str, *, role: str | None = None) -> bool:
    """The answer is the bound contract's error of ``kind`` with the model's ``code`` (naming ``role``'s field)."""
    if role is not None:
        answer.binding.field(answer.function, role)  # a role the binding lacks: not run, naming it (never a fail)
    status = answer.binding.error_status(kind, function=answer.function)
    return answer.status == status and answer.error_code() == code and (role is None or role in answer.error_roles())


class StiLifecycle(RuleBasedStateMachine):
    stis = Bundle("stis")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.model: dict[str, ModelSti] = {}

    def _call(self, function: str, role: str, **values: Any) -> BoundExchange:
        return self.world.bound.call(function, role, as_participant=self.world.owner, **values)

    @rule(target=stis, accounts=st.permutations(ACCOUNTS), quantity=st.integers(1, 5_000),
          short=st.booleans(), dvp=st.booleans())
    def input_sti(self, accounts: list[str], quantity: int, short: bool, dvp: bool) -> str:
        source, target = accounts[0], accounts[1]
        quantity = SHORT if short else quantity
        payment = {"payment_type": "DVP", "amount": "1000.00", "currency": "HKD"} if dvp \
            else {"payment_type": "FOP"}
        answer = self._call("Input STI", "create", from_account=source, to_account=target, stock_code=STOCK,
                            quantity=quantity, own_reference=self.world.reference, **payment)
        if not answer.ok or answer.get("status", None) != "PENDING":
            raise StiModelMismatch(INPUT, f"Input STI {source}->{target} of {quantity}", received=_received(answer),
                                   expected="2xx, status PENDING", exchange=answer.exchange)
        echoed = {role: answer.get(role, None) for role in _ECHOED}
        wanted = {"from_account": source, "to_account": target, "quantity": quantity,
                  "payment_type": payment["payment_type"], "participant": self.world.owner}
        if echoed != wanted:
            raise StiModelMismatch(INPUT, "the created STI does not say what was input",
                                   received=echoed, expected=wanted, exchange=answer.exchange)
        sti_id = str(answer.get("sti_id"))
        self.model[sti_id] = ModelSti(sti_id, quantity)
        return sti_id

    @rule(account=st.sampled_from(ACCOUNTS))
    def same_account_refused(self, account: str) -> None:
        answer = self._call("Input STI", "create", from_account=account, to_account=account, stock_code=STOCK,
                            quantity=1, payment_type="FOP", own_reference=self.world.reference)
        if not _is_error(answer, "business", "ACCOUNT_SAME", role="to_account"):
            raise StiModelMismatch(INPUT, f"Input STI from {account} to the same account",
                                   received=f"{_received(answer)} errors at {answer.error_pointers()}",
                                   expected="the business error ACCOUNT_SAME naming to_account",
                                   exchange=answer.exchange)

    @rule(sti_id=stis)
    def revoke(self, sti_id: str) -> None:
        sti = self.model[sti_id]
        answer = self._call("Revoke STI", "revoke", sti_id=sti_id)
        if sti.status == "PENDING":
            if not answer.ok or answer.get("status", None) != "REVOKED":
                raise StiModelMismatch(REVOKE, f"Revoke STI of PENDING {sti_id}", received=_received(answer),
                                       expected="2xx, status REVOKED", exchange=answer.exchange)
            sti.status = "REVOKED"
        elif not _is_error(answer, "conflict", "STI_STATE_CONFLICT"):
            raise StiModelMismatch(REVOKE, f"Revoke STI of {sti.status} {sti_id}", received=_received(answer),
                                   expected="the conflict error STI_STATE_CONFLICT (only a PENDING STI is "
                                            "revocable)", exchange=answer.exchange)

    @rule()
    def batch_run(self) -> None:
        if not self.world.can_settle:
            return
        self.world.client.call_operation("simRunBatchSettlement")
        for sti in self.model.values():
            if sti.status == "PENDING" and sti.quantity != SHORT:
                sti.status = "SETTLED"
        for sti in self.model.values():
            self._check_after_batch(sti)

    def _check_after_batch(self, sti: ModelSti) -> None:
        answer = self._call("Enquire STI", "get", sti_id=sti.sti_id)
        answer.expect()  # the owner's read of its own STI: a not-found is Enquire STI's failure
        lack = sti.quantity == SHORT and sti.status == "PENDING"
        status, settled_at, reason = (answer.get(role, None) for role in ("status", "settled_at", "reason"))
        settled_ok = sti.status != "SETTLED" or settled_at is not None
        lack_ok = not lack or str(reason or "").startswith("LACK")
        if status != sti.status or not settled_ok or not lack_ok:
            raise StiModelMismatch(
                REVOKE if sti.status == "REVOKED" else INPUT,
                f"after a batch settlement run, STI {sti.sti_id} of {sti.quantity} shares",
                received=f"status={status} settled_at={settled_at} reason={reason}",
                expected=f"status={sti.status}" + (", a LACK reason" if lack else ""), exchange=answer.exchange)

    def teardown(self) -> None:
        """Revoke what is still PENDING (the LACK ones would otherwise be retried at every later batch run)."""
        for sti in self.model.values():
            if sti.status == "PENDING":
                self._call("Revoke STI", "revoke", sti_id=sti.sti_id)

    def _listed(self, **filters: Any) -> tuple[list[tuple[str, str]], BoundExchange]:
        """(STI id, status) of every STI the run's reference lists with ``filters``, page by page."""
        listed: list[tuple[str, str]] = []
        cursor: object = None
        for _ in range(50):
            answer = self._call("Enquire STI", "list", own_reference=self.world.reference, **filters,
                                **({"cursor": cursor} if cursor else {}))
            answer.expect()
            listed += [(answer.item_value(i, "sti_id"), answer.item_value(i, "status")) for i in answer.items()]
            cursor = answer.get("next_cursor", None)
            if not cursor:
                break
        return listed, answer

    @invariant()
    def enquiry_lists_exactly_the_model(self) -> None:
        listed, last = self._listed(limit=3)
        expected = [(s.sti_id, s.status) for s in self.model.values()]
        if listed != expected:
            raise StiModelMismatch(ENQUIRE, "Enquire STI by the run's own reference, page by page",
                                   received=listed, expected=expected, exchange=last.exchange)
        pending, answer = self._listed(status="PENDING", limit=200)
        got = [sti_id for sti_id, _ in pending]
        want = [s.sti_id for s in self.model.values() if s.status == "PENDING"]
        if got != want:
            raise StiModelMismatch(ENQUIRE, "Enquire STI filtered by status PENDING",
                                   received=got, expected=want, exchange=answer.exchange)


def _world(client: OcpClient, bound: BoundClient, target: Target) -> World:
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
        for account in ACCOUNTS:  # simulator control: the same whatever contract is bound
            client.call_operation(seeding, participantId=owner, stockAccount=account, stockCode=STOCK, quantity=SEED)
    return World(client=client, bound=bound, owner=owner, can_settle=can_settle)


@pytest.mark.ocp(functions=MAINTAIN_STI, check="scenario")
def test_sti_lifecycle_follows_the_model(ocp_harness: Harness) -> None:
    """Random STI lifecycles (input, revoke, batch settlement, enquiry) match the model."""
    world = _world(ocp_harness.client, ocp_harness.bound, ocp_harness.target)

    def machine() -> StiLifecycle:
        world.reference = uuid.uuid4().hex[:16]  # each example checks only its own STIs
        return StiLifecycle(world)

    # hypothesis documents a factory as fine here; its annotation only names the class form
    run_state_machine_as_test(machine, settings=SETTINGS)  # type: ignore[arg-type]
