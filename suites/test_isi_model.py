"""Model-based test of the ISI status lifecycle over the API (DOMAIN.md §4, contracts/README.md "Maintain ISI").

Hypothesis drives random sequences of Input ISI (with or without affirmation, by a broker on or off the
investor's list, with a quantity that settles at once or one no one holds), Change ISI, Cancel ISI and the
investor's affirmation or refusal, and after each step compares every ISI the run made, as its owner and as
the investor sees it, with this model of the documented transitions:

    input with affirmation                 -> UNAFFIRMED
    input without affirmation, listed, FOP -> SETTLED if the deliverer has the stock, else PENDING_SETTLEMENT
    input without affirmation, unlisted    -> 422 COUNTERPARTY_NOT_LISTED (nothing created)
    UNAFFIRMED  --affirm-->  SETTLED (stock suffices) or PENDING_SETTLEMENT;  --refuse-->  CANCELLED
    UNAFFIRMED, or PENDING_SETTLEMENT without affirmation:
                --change--> the same (a pending one settles if the stock now suffices);  --cancel--> CANCELLED
    anything else: change, cancel, affirm -> 409 ISI_STATE_CONFLICT

Affirmation is simulator control, so without capability clock-control those steps are left out; the small
quantities' outcome is then taken from the target (it depends on holdings the suite cannot seed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from isi_parties import brokers, investor
from suites.first_finding import Findings
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL, Target

MAINTAIN_ISI: Final = ["Input ISI", "Change ISI", "Cancel ISI", "Enquire ISI"]
STOCK: Final = "08001"
HUGE: Final = 900_000_000_000
"""More shares than anyone holds: an ISI with this quantity waits PENDING_SETTLEMENT."""
AMENDABLE: Final = frozenset({"UNAFFIRMED", "PENDING_SETTLEMENT"})
_ERROR_KINDS: Final = {403: "forbidden", 404: "not_found", 409: "conflict", 422: "business"}
"""The model's error statuses by kind; the binding says what the bound contract answers for each."""
SETTINGS: Final = settings(
    max_examples=20, stateful_step_count=15, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each replay costs real requests
    # a rule whose precondition fails (nothing to act on yet) is filtered: a health check, not a finding
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class LifecycleMismatch(RuleBroken):
    """The target's ISI status or answer differs from what the documented transitions predict."""

    def __init__(self, function: str, what: str, *, received: object, expected: object, step: str,
                 exchange: Exchange | None = None) -> None:
        super().__init__(function, what, received=received, expected=expected, exchange=exchange,
                         context=[f"Step: {step}"])
        _FINDINGS.record(self)


_FINDINGS = Findings()
"""Every mismatch of the current run (the first seen is the finding)."""


@dataclass
class World:
    client: OcpClient
    bound: BoundClient
    investor: str
    listed: str
    unlisted: str | None
    can_control: bool


@dataclass
class ModelIsi:
    isi_id: str
    owner: str
    with_affirmation: bool
    quantity: int
    status: str | None
    """None while unknown (a small quantity's outcome on a target whose holdings the suite cannot seed)."""


class IsiLifecycle(RuleBasedStateMachine):
    isis = Bundle("isis")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.client = world.client
        self.bound = world.bound
        self.model: dict[str, ModelIsi] = {}
        self.step = "(start)"
        self.reference = "M" + secrets.token_hex(7).upper()
        """One per example: the target keeps earlier examples' ISIs, so enquiries filter by it."""

    # ------------------------------------------------------------------ helpers
    def _settles(self, quantity: int) -> str | None:
        """The status a settlement attempt leaves: small quantities settle (the suite seeded the stock)."""
        if quantity == HUGE:
            return "PENDING_SETTLEMENT"
        return "SETTLED" if self.world.can_control else None

    def _answer(self, answer: BoundExchange, function: str, status: int, code: str | None = None) -> None:
        """A success when the rule says so (``status`` < 300), else the bound contract's status and code for the
        rule's error."""
        received_code = answer.error_code() if not answer.ok else None
        status_ok = answer.ok if status < 300 else \
            answer.status == self.bound.binding.error_status(_ERROR_KINDS[status], function=function)
        if not status_ok or (code is not None and received_code != code):
            raise LifecycleMismatch(function, "unexpected answer",
                                    received=f"HTTP {answer.status} {received_code or ''}".strip(),
                                    expected=f"HTTP {status} {code or ''}".strip(), step=self.step,
                                    exchange=answer.exchange)

    def _adopt(self, isi: ModelIsi, received: object, quantity: object, function: str, exchange: Exchange) -> None:
        """The status and quantity the target shows for ``isi`` agree with the model (an unknown status is
        learnt from the first view)."""
        if isi.status is None and received in ("SETTLED", "PENDING_SETTLEMENT"):
            isi.status = str(received)
        if received != isi.status or quantity != isi.quantity:
            raise LifecycleMismatch(function, f"ISI {isi.isi_id} differs from the model",
                                    received={"status": received, "quantity": quantity},
                                    expected={"status": isi.status, "quantity": isi.quantity}, step=self.step,
                                    exchange=exchange)

    def _adopt_answer(self, isi: ModelIsi, answer: BoundExchange, function: str) -> None:
        self._adopt(isi, answer.get("status", None), answer.get("quantity", None), function, answer.exchange)

    # ------------------------------------------------------------------ rules
    @rule(target=isis, with_affirmation=st.booleans(), listed=st.booleans(), huge=st.booleans(),
          deliver=st.booleans())
    def input_isi(self, with_affirmation: bool, listed: bool, huge: bool, deliver: bool) -> str:
        owner = self.world.listed if listed or self.world.unlisted is None else self.world.unlisted
        quantity = HUGE if huge else 1 + secrets.randbelow(100)
        self.step = f"Input ISI as {owner}, with affirmation {with_affirmation}, quantity {quantity}"
        answer = self.bound.call(
            "Input ISI", "create", as_participant=owner, investor=self.world.investor, stock_code=STOCK,
            quantity=quantity, direction="DELIVER_TO_INVESTOR" if deliver else "RECEIVE_FROM_INVESTOR",
            payment_type="FOP", with_affirmation=with_affirmation, own_reference=self.reference)
        if not with_affirmation and owner != self.world.listed:
            self._answer(answer, "Input ISI", 422, "COUNTERPARTY_NOT_LISTED")
            return "ISI9999999999"  # nothing created: later steps on it expect 404
        self._answer(answer, "Input ISI", 201)
        isi = ModelIsi(str(answer.get("isi_id")), owner, with_affirmation, quantity,
                       "UNAFFIRMED" if with_affirmation else self._settles(quantity))
        self.model[isi.isi_id] = isi
        self._adopt_answer(isi, answer, "Input ISI")
        return isi.isi_id

    @rule(isi_id=isis, huge=st.booleans())
    def change_isi(self, isi_id: str, huge: bool) -> None:
        isi = self.model.get(isi_id)
        quantity = HUGE if huge else 1 + secrets.randbelow(100)
        self.step = f"Change ISI {isi_id} quantity={quantity}"
        owner = isi.owner if isi else self.world.listed
        answer = self.bound.call("Change ISI", "change", as_participant=owner, isi_id=isi_id, quantity=quantity)
        if isi is None:
            self._answer(answer, "Change ISI", 404, "ISI_NOT_FOUND")
        elif isi.status == "UNAFFIRMED" or (isi.status == "PENDING_SETTLEMENT" and not isi.with_affirmation):
            self._answer(answer, "Change ISI", 200)
            isi.quantity = quantity
            if isi.status == "PENDING_SETTLEMENT":
                isi.status = self._settles(quantity)
            self._adopt_answer(isi, answer, "Change ISI")
        elif isi.status is not None:
            self._answer(answer, "Change ISI", 409, "ISI_STATE_CONFLICT")

    @rule(isi_id=isis)
    def cancel_isi(self, isi_id: str) -> None:
        isi = self.model.get(isi_id)
        self.step = f"Cancel ISI {isi_id}"
        owner = isi.owner if isi else self.world.listed
        answer = self.bound.call("Cancel ISI", "cancel", as_participant=owner, isi_id=isi_id)
        if isi is None:
            self._answer(answer, "Cancel ISI", 404, "ISI_NOT_FOUND")
        elif isi.status == "UNAFFIRMED" or (isi.status == "PENDING_SETTLEMENT" and not isi.with_affirmation):
            self._answer(answer, "Cancel ISI", 200)
            isi.status = "CANCELLED"
            self._adopt_answer(isi, answer, "Cancel ISI")
        elif isi.status is not None:
            self._answer(answer, "Cancel ISI", 409, "ISI_STATE_CONFLICT")

    @rule(isi_id=isis, affirm=st.booleans())
    def investor_answers(self, isi_id: str, affirm: bool) -> None:
        isi = self.model.get(isi_id)
        if not self.world.can_control or isi is None:
            return
        self.step = f"investor {'affirms' if affirm else 'refuses'} ISI {isi_id}"
        # simulator control (the investor's side), the same whatever contract is bound: judged by its status,
        # then the ISI is read back through the bound contract
        control = self.client.call_operation("simAffirmIsi", isiId=isi_id, investorId=self.world.investor,
                                             affirm=affirm)
        expected = 200 if isi.status == "UNAFFIRMED" else 409
        if control.status != expected:
            raise LifecycleMismatch("Input ISI", "unexpected answer to the investor's affirmation",
                                    received=f"HTTP {control.status}", expected=f"HTTP {expected}",
                                    step=self.step, exchange=control)
        if expected != 200:
            return
        isi.status = self._settles(isi.quantity) if affirm else "CANCELLED"
        view = self.bound.call("Enquire ISI", "get", as_participant=isi.owner, isi_id=isi_id)
        self._answer(view, "Enquire ISI", 200)
        self._adopt_answer(isi, view, "Input ISI")

    # ------------------------------------------------------------------ what both parties see
    @invariant()
    def both_parties_see_the_model(self) -> None:
        if not self.model:
            return
        self.step += " (then Enquire ISI as each party)"
        for party in {self.world.investor, *(i.owner for i in self.model.values())}:
            expected = {i.isi_id for i in self.model.values() if party in (i.owner, self.world.investor)}
            seen: dict[str, tuple[object, object]] = {}
            cursor: object = None
            page = None
            for _ in range(50):
                values: dict[str, Any] = {"own_reference": self.reference, "limit": 200}
                page = self.bound.call("Enquire ISI", "list", as_participant=party,
                                       **values | ({"cursor": cursor} if cursor else {}))
                self._answer(page, "Enquire ISI", 200)
                page.expect()
                seen.update({str(page.item_value(item, "isi_id")): (page.item_value(item, "status"),
                                                                    page.item_value(item, "quantity"))
                             for item in page.items()})
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            assert page is not None
            if set(seen) != expected:
                raise LifecycleMismatch("Enquire ISI", f"{party} lists other ISIs than it is a party to",
                                        received=sorted(seen), expected=sorted(expected), step=self.step,
                                        exchange=page.exchange)
            for isi_id, (status, quantity) in seen.items():
                self._adopt(self.model[isi_id], status, quantity, "Enquire ISI", page.exchange)


def _world(client: OcpClient, bound: BoundClient, target: Target) -> World:
    investor_id = investor(target)
    can_control = target.can(CLOCK_CONTROL)
    candidates = brokers(target)
    listed, unlisted = candidates[0], None
    if can_control:
        clock = client.call_operation("simGetClock").body
        if not clock.get("inFunctionWindow", True):
            pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")
        on_list = client.call_operation("simGetIsiCounterparties", investorId=investor_id).expect()["counterparties"]
        listed = next((b for b in candidates if b in on_list), None) or pytest.skip("no listed broker has a token")
        unlisted = next((b for b in candidates if b not in on_list), None)
        for participant in (listed, investor_id):
            client.call_operation("simSeedHolding", participantId=participant, stockAccount="01", stockCode=STOCK,
                                  quantity=1_000_000)
    return World(client=client, bound=bound, investor=investor_id, listed=listed, unlisted=unlisted,
                 can_control=can_control)


@pytest.mark.ocp(functions=MAINTAIN_ISI, check="scenario")
def test_isi_lifecycle_follows_the_documented_transitions(ocp_harness: Harness) -> None:
    """Random ISI lifecycles (input, change, cancel, affirm, refuse) follow the documented transitions."""
    world = _world(ocp_harness.client, ocp_harness.bound, ocp_harness.target)
    with _FINDINGS.first_seen():
        # hypothesis documents a factory as fine here; its annotation only names the class form
        run_state_machine_as_test(lambda: IsiLifecycle(world), settings=SETTINGS)  # type: ignore[arg-type]
