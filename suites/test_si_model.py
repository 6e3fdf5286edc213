"""Model-based test of the SI lifecycle: random Maintain SI sequences against the target, checked against
:mod:`si_model` after every step.

Never assumes an empty world: every SI gets a fresh ``ownReference`` and a match key (quantity) no one else
uses, and only the suite's own SIs are checked. A divergence raises :class:`ModelMismatch`, blamed on the
catalogue function whose rule the model applied in that step. After every step the suite reads its own writes
(Enquire SI by id): when that first read diverges but a second read agrees with the model, the write took effect
and the read was stale, so the divergence is Enquire SI's (issue 15 item 3).

Values come from the contract's whole domain, read from the bound contract's schema (:mod:`contract_domain`), never
restated here: amounts with every decimal place Money allows, quantities up to the maximum, references of the
greatest length, the business date or the next settlement day; every field the target echoes is compared with what
was sent, exactly (amounts as ``Decimal``), and a mismatched pair may differ by one unit of the last decimal place
(issue 15 item 2).
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from si_model import REVOCABLE, Expected, ModelSi, SiModel
from suites.contract_domain import FieldDomain, field_domain
from suites.first_finding import Findings
from suites.rule_broken import RuleBroken
from suites.sim_control import CLEARING_ACCOUNT, held, run_batch_settlement, seed_holding

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import OcpClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import Target

MAINTAIN_SI: Final = [
    "Input SI", "Change SI", "Change Hold Matched SI", "Cancel SI", "Revoke Matched SI",
    "Change Matched/Settled SI", "Enquire SI", "Enquire SI Unmatched Reason", "Enquire Deleted SI",
]
STOCKS: Final = ("00005", "00700", "00388")
_MATCH_ID_STATUSES: Final = frozenset({"MATCHED", "MATCHED_ON_HOLD", "SHARES_ON_HOLD", "REVOKE_PENDING", "SETTLED",
                                       "REVOKED"})
SETTINGS: Final = settings(
    max_examples=25, stateful_step_count=25, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each replay costs real requests
    # a rule whose precondition fails (nothing to act on yet) is filtered: a health check, not a finding
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class ModelMismatch(RuleBroken):
    """The target's view of an SI differs from what the Maintain SI rules predict."""

    def __init__(self, function: str, what: str, *, received: object, expected: object, si: ModelSi | None,
                 step: str, exchange: BoundExchange | None = None) -> None:
        super().__init__(function, what, received=received, expected=expected,
                         exchange=exchange.exchange if exchange is not None else None,
                         context=[*([f"SI: {si.describe()}"] if si is not None else []), f"Step: {step}"])
        _FINDINGS.record(self)


_FINDINGS = Findings()
"""Every mismatch of the current run (the first seen is the finding)."""


@dataclass(slots=True)
class World:
    """The target and what the suite learnt about it once per session."""

    client: OcpClient
    bound: BoundClient
    parties: tuple[str, ...]
    business_date: str
    next_date: str
    can_settle: bool
    quantities: itertools.count[int]
    maximal_quantities: itertools.count[int]
    """Counting down from the contract's maximum quantity: maximal, and still a match key no one else uses."""
    amount: FieldDomain
    quantity: FieldDomain
    reference: FieldDomain

    def fresh_quantity(self, maximal: bool = False) -> int:
        return next(self.maximal_quantities if maximal else self.quantities)

    def fresh_reference(self, data: st.DataObject) -> str:
        """A reference of the greatest length the contract allows: drawn characters of its domain, then a unique
        tail (so listing by it finds exactly this SI)."""
        longest = self.reference.longest()
        unique = uuid.uuid4().hex[:min(12, longest)]
        drawn = data.draw(self.reference.strings(), label="reference characters")
        reference = (drawn + uuid.uuid4().hex * 4)[:longest - len(unique)] + unique
        return reference if self.reference.fits(reference) else (uuid.uuid4().hex * 4)[:longest]


_ERROR_KINDS: Final = {404: "not_found", 409: "conflict", 422: "business"}
"""The model's error statuses by kind; the binding says what the bound contract answers for each."""


class SiLifecycle(RuleBasedStateMachine):
    """Drives two or three participants through random SI lifecycles and compares the target with the model."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.client = world.client
        self.bound = world.bound
        self.model = SiModel()
        self.siblings: dict[str, str] = {}
        """Deliberately mismatched SIs -> the counter-SI a Change SI may fix them against."""
        self.step = "(start)"

    # ------------------------------------------------------------------ checks
    def _expect(self, answer: BoundExchange, expected: Expected, function: str, si: ModelSi | None) -> None:
        """The answer is a success when the rule says so, else the bound contract's status and code for the
        rule's error."""
        code = answer.error_code() if not answer.ok else None
        success = expected.status < 300
        status_ok = answer.ok if success else \
            answer.status == self.bound.binding.error_status(_ERROR_KINDS[expected.status], function=function)
        if not status_ok or (expected.code is not None and code != expected.code):
            received = f"HTTP {answer.status}" + (f" {code}" if code else "")
            raise ModelMismatch(function, "unexpected answer", received=received, expected=expected, si=si,
                                step=self.step, exchange=answer)

    def _compare(self, si: ModelSi, view: BoundExchange, function: str) -> None:
        """Status, match id presence, own hold flag, owner, revocation flags and every field sent agree with the model,
        exactly: the amount as a ``Decimal`` (``1000.1234`` is not ``1000.12``), never a float."""
        received, expected = _differences(si, view)
        if received:
            raise ModelMismatch(function, f"SI {si.si_id} differs in {', '.join(sorted(expected))}",
                                received=received, expected=expected, si=si, step=self.step, exchange=view)

    def _read_back(self, si: ModelSi, function: str) -> BoundExchange:
        """getSi of the suite's own SI right after ``function`` wrote it (read-your-writes), compared with the
        model. A divergence is the write's (``function``) when a second read shows it too (the write did not take
        effect); when the second read agrees with the model, the first read served a stale state: Enquire SI's."""
        got = self._get(si)
        received, expected = _differences(si, got)
        if received:
            again = self._get(si)
            if not _differences(si, again)[0]:
                raise ModelMismatch("Enquire SI", f"the first read of SI {si.si_id} after {function} served a "
                                    f"stale state (a second read shows the write) in {', '.join(sorted(expected))}",
                                    received=received, expected=expected, si=si, step=self.step, exchange=got)
            self._compare(si, again, function)
        return got

    def _get(self, si: ModelSi) -> BoundExchange:
        got = self.bound.call("Enquire SI", "get", as_participant=si.owner, si_id=si.si_id)
        if not got.ok:
            raise ModelMismatch("Enquire SI", f"reading the suite's own SI {si.si_id}",
                                received=f"HTTP {got.status} {got.error_code()}", expected="2xx",
                                si=si, step=self.step, exchange=got)
        return got

    def _verify(self, sis: list[ModelSi], blame: Any) -> None:
        """getSi of each SI (and its counter-SI) agrees with the model; matched pairs share one matchId;
        Enquire SI filtered by ownReference lists exactly the SIs that are not deleted."""
        seen: dict[str, ModelSi] = {}
        for si in sis:
            seen[si.si_id] = si
            other = self.model.partner(si)
            if other is not None:
                seen[other.si_id] = other
        match_ids: dict[str, str | None] = {}
        for si in seen.values():
            got = self._read_back(si, blame(si) if callable(blame) else blame)
            match_ids[si.si_id] = got.get("match_id", None)
            self._verify_listing(si, got)
        for si in seen.values():
            other = self.model.partner(si)
            if other is not None and si.status in _MATCH_ID_STATUSES and match_ids[si.si_id] != match_ids[other.si_id]:
                function = blame(si) if callable(blame) else blame
                raise ModelMismatch(function, f"the two sides of a pair do not share a matchId ({other.si_id})",
                                    received=f"{match_ids[si.si_id]} / {match_ids[other.si_id]}",
                                    expected="one matchId on both SIs", si=si, step=self.step)

    def _verify_listing(self, si: ModelSi, view: BoundExchange) -> None:
        listing = self.bound.call("Enquire SI", "list", as_participant=si.owner, own_reference=si.own_reference)
        items = listing.items() if listing.ok else []
        strays = [listing.item_value(i, "si_id") for i in items
                  if listing.item_value(i, "own_reference") != si.own_reference]
        ids = [listing.item_value(i, "si_id") for i in items]
        expected = [si.si_id] if SiModel.listed(si) else []
        if not listing.ok or strays or ids != expected:
            raise ModelMismatch("Enquire SI", f"Enquire SI (own reference {si.own_reference}, no status filter)",
                                received=f"HTTP {listing.status}, SI ids {ids}",
                                expected=f"2xx, SI ids {expected} (deleted SIs only with a status filter)",
                                si=si, step=self.step, exchange=listing)
        listed = items[0] if items else None
        if listed is not None and listing.item_value(listed, "status") != view.get("status", None):
            raise ModelMismatch("Enquire SI", "listing and reading one SI disagree on the status",
                                received=listing.item_value(listed, "status"), expected=view.get("status", None),
                                si=si, step=self.step, exchange=listing)

    def _verify_deleted(self, si: ModelSi, function: str) -> None:
        """Enquire Deleted SI lists the day's cancelled and revoked SIs."""
        cursor: object = None
        found = False
        for _ in range(50):
            values: dict[str, Any] = {"limit": 200}
            if cursor:
                values["cursor"] = cursor
            page = self.bound.call("Enquire Deleted SI", "list", as_participant=si.owner, **values)
            if not page.ok:
                break
            found = any(page.item_value(i, "si_id") == si.si_id for i in page.items())
            cursor = page.get("next_cursor", None)
            if found or not cursor:
                break
        if not found:
            raise ModelMismatch("Enquire Deleted SI", f"SI {si.si_id} missing from the deleted SIs after {function}",
                                received="not listed", expected=f"listed with status {si.status}", si=si,
                                step=self.step)

    def _pick(self, data: st.DataObject, label: str) -> ModelSi:
        return self.model[data.draw(st.sampled_from(sorted(self.model.sis)), label=label)]

    # ------------------------------------------------------------------ rules
    def _input(self, owner: str, side: str, counterparty: str, stock: str, quantity: int, payment: str,
               amount: str | None, hold: bool, exclude: bool, settlement_date: str, reference: str) -> ModelSi:
        values: dict[str, Any] = {
            "side": side, "counterparty": counterparty, "stock_code": stock, "quantity": quantity,
            "settlement_date": settlement_date, "payment_type": payment, "own_reference": reference,
            "hold": hold, "exclude_from_batch": exclude,
        }
        if amount is not None:
            values.update(amount=amount, currency="HKD")
        self.step = f"Input SI as {owner}: {side} {quantity} x {stock} {payment} with {counterparty}, hold={hold}"
        answer = self.bound.call("Input SI", "create", as_participant=owner, **values)
        if not answer.ok:
            raise ModelMismatch("Input SI", "a valid SI was refused", received=f"HTTP {answer.status} "
                                f"{answer.error_code()}", expected="2xx", si=None, step=self.step,
                                exchange=answer)
        si = ModelSi(si_id=str(answer.get("si_id")), owner=owner, side=side, counterparty=counterparty,
                     stock_code=stock, quantity=quantity, settlement_date=settlement_date,
                     payment_type=payment, amount=amount, currency="HKD" if amount else None,
                     own_reference=reference, hold=hold, exclude_from_batch=exclude)
        self.model.input(si)
        self.step += f" -> {si.si_id}"
        self._compare(si, answer, "Input SI")
        self._verify([si], "Input SI")
        return si

    @rule(data=st.data(), kind=st.sampled_from(["match", "match", "mismatch", "one-sided"]),
          payment=st.sampled_from(["FOP", "FOP", "DVP"]),
          holds=st.sampled_from([(False, False), (False, False), (True, False), (False, True)]),
          exclude=st.sampled_from([False, False, False, True]), deliver_first=st.booleans())
    def input_pair(self, data: st.DataObject, kind: str, payment: str, holds: tuple[bool, bool], exclude: bool,
                   deliver_first: bool) -> None:
        """Input SI: matching sides match at once (on hold if either flag is set); mismatched ones do not (a
        mismatched amount is one unit of the last decimal place off)."""
        deliverer, receiver = data.draw(st.permutations(self.world.parties), label="parties")[:2]
        stock = data.draw(st.sampled_from(STOCKS), label="stock")
        quantity = self.world.fresh_quantity(data.draw(st.booleans(), label="maximal quantity"))
        amount = data.draw(self.world.amount.amounts(), label="amount") if payment == "DVP" else None
        settlement_date = data.draw(st.sampled_from([self.world.business_date, self.world.next_date]),
                                    label="settlement date")
        sides = [("DELIVER", deliverer, receiver, holds[0]), ("RECEIVE", receiver, deliverer, holds[1])]
        if not deliver_first:
            sides.reverse()
        if kind == "one-sided":
            sides = sides[:1]
        created = []
        for i, (side, owner, counterparty, hold) in enumerate(sides):
            q, a = quantity, amount
            if kind == "mismatch" and i == 1:
                if amount is not None and data.draw(st.booleans(), label="mismatch amount"):
                    a = self.world.amount.neighbour(amount)
                else:
                    q = self.world.fresh_quantity()
            created.append(self._input(owner, side, counterparty, stock, q, payment, a, hold,
                                       exclude and i == 0, settlement_date, self.world.fresh_reference(data)))
        if kind == "mismatch":
            self.siblings[created[0].si_id] = created[1].si_id
            self.siblings[created[1].si_id] = created[0].si_id

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data(), fix=st.booleans())
    def change_si(self, data: st.DataObject, fix: bool) -> None:
        """Change SI: only an UNMATCHED SI changes (else 409 SI_STATE_CONFLICT); fixing a mismatch matches it."""
        si = self._pick(data, "si")
        sibling = self.model.sis.get(self.siblings.get(si.si_id, ""))
        if fix and sibling is not None:
            changes: dict[str, Any] = {"quantity": sibling.quantity, "amount": sibling.amount}
        else:
            changes = {"quantity": self.world.fresh_quantity()}
            if si.amount is not None and data.draw(st.booleans(), label="new amount"):
                changes["amount"] = data.draw(self.world.amount.amounts(), label="amount")
        body = {k: v for k, v in changes.items() if v is not None}
        self.step = f"Change SI as {si.owner} on {si.si_id} ({si.status}): {body}"
        answer = self.bound.call("Change SI", "change", as_participant=si.owner, si_id=si.si_id, **body)
        expected, partner = self.model.change(si.si_id, changes)
        self._expect(answer, expected, "Change SI", si)
        if expected.status == 200:
            self._compare(si, answer, "Change SI")
        self._verify([si] + ([partner] if partner else []), "Change SI")

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data(), hold=st.booleans())
    def change_hold(self, data: st.DataObject, hold: bool) -> None:
        """Change Hold Matched SI: own flag on a matched pair; on hold while either side's flag is set."""
        si = self._pick(data, "si")
        self.step = f"Change Hold Matched SI as {si.owner} on {si.si_id} ({si.status}): hold={hold}"
        role, values = self.bound.role_for("Change Hold Matched SI", "hold", {"hold": hold})
        answer = self.bound.call("Change Hold Matched SI", role, as_participant=si.owner, si_id=si.si_id, **values)
        expected = self.model.set_hold(si.si_id, hold)
        self._expect(answer, expected, "Change Hold Matched SI", si)
        if expected.status == 200:
            self._compare(si, answer, "Change Hold Matched SI")
        self._verify([si], "Change Hold Matched SI")

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data())
    def cancel_si(self, data: st.DataObject) -> None:
        """Cancel SI: only UNMATCHED SIs (else 409 SI_STATE_CONFLICT); a cancelled SI is listed as deleted."""
        si = self._pick(data, "si")
        self.step = f"Cancel SI as {si.owner} on {si.si_id} ({si.status})"
        answer = self.bound.call("Cancel SI", "cancel", as_participant=si.owner, si_id=si.si_id)
        expected = self.model.cancel(si.si_id)
        self._expect(answer, expected, "Cancel SI", si)
        if expected.status == 200:
            self._compare(si, answer, "Cancel SI")
        self._verify([si], "Cancel SI")
        if expected.status == 200:
            self._verify_deleted(si, "Cancel SI")

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        """Revoke Matched SI: one side -> REVOKE_PENDING, both -> REVOKED; never for unmatched or settled."""
        si = self._pick(data, "si")
        self.step = f"Revoke Matched SI as {si.owner} on {si.si_id} ({si.status})"
        answer = self.bound.call("Revoke Matched SI", "revoke", as_participant=si.owner, si_id=si.si_id)
        expected = self.model.revoke(si.si_id)
        self._expect(answer, expected, "Revoke Matched SI", si)
        if expected.status == 200:
            self._compare(si, answer, "Revoke Matched SI")
        self._verify([si], "Revoke Matched SI")
        if si.status == "REVOKED":
            self._verify_deleted(si, "Revoke Matched SI")

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data(), what=st.sampled_from(["own_reference", "narrative", "exclude_from_batch"]))
    def change_matched(self, data: st.DataObject, what: str) -> None:
        """Change Matched/Settled SI: non-matching attributes change without unmatching the pair."""
        si = self._pick(data, "si")
        value: Any = (self.world.fresh_reference(data) if what == "own_reference"
                      else f"model step {uuid.uuid4().hex[:8]}" if what == "narrative" else not si.exclude_from_batch)
        self.step = f"Change Matched/Settled SI as {si.owner} on {si.si_id} ({si.status}): {what}={value!r}"
        answer = self.bound.call("Change Matched/Settled SI", "amend", as_participant=si.owner, si_id=si.si_id,
                                 **{what: value})
        expected = self.model.change_matched(si.si_id, {what: value})
        self._expect(answer, expected, "Change Matched/Settled SI", si)
        if expected.status == 200:
            self._compare(si, answer, "Change Matched/Settled SI")
        self._verify([si], "Change Matched/Settled SI")

    @precondition(lambda self: bool(self.model.sis))
    @rule(data=st.data())
    def unmatched_reason(self, data: st.DataObject) -> None:
        """Enquire SI Unmatched Reason: answers for UNMATCHED SIs, 409 SI_STATE_CONFLICT otherwise."""
        si = self._pick(data, "si")
        self.step = f"Enquire SI Unmatched Reason as {si.owner} on {si.si_id} ({si.status})"
        answer = self.bound.call("Enquire SI Unmatched Reason", "get", as_participant=si.owner, si_id=si.si_id)
        self._expect(answer, self.model.unmatched_reason(si.si_id), "Enquire SI Unmatched Reason", si)

    @precondition(lambda self: self.world.can_settle and bool(self.model.sis))
    @rule()
    def batch_settlement(self) -> None:
        """A batch run settles MATCHED, non-excluded, due pairs; on-hold and revoke-pending pairs stay put.

        Deliverers short of what the suite's due pairs need (simGetPositions) get it first (simSeedHolding).
        The world may hold other due pairs that use the same stock in the same run, so a pair the run reports
        as failed for lack of stock stays MATCHED in the model instead of counting as a divergence."""
        need: dict[tuple[str, str], int] = {}
        for deliver, _receive in self.model.due_pairs(self.world.business_date):
            key = (deliver.owner, deliver.stock_code)
            need[key] = need.get(key, 0) + deliver.quantity
        for (owner, stock), quantity in need.items():
            missing = quantity - _holding(self.client, owner, stock)
            while missing > 0:  # maximal quantities: one seeding may not exceed the contract's maximum
                seeded = min(missing, self.world.quantity.maximum)
                seed_holding(self.client, owner, stock, seeded)
                missing -= seeded
        self.step = "batch settlement run (simRunBatchSettlement)"
        lacking = run_batch_settlement(self.client).failed_match_ids
        for deliver, receive in self.model.settle(self.world.business_date):
            view = self.bound.call("Enquire SI", "get", as_participant=deliver.owner, si_id=deliver.si_id)
            if view.get("match_id", None) in lacking and view.get("status", None) == "MATCHED":
                deliver.status = receive.status = "MATCHED"
        self._verify([si for si in self.model if si.partner is not None], _settlement_blame)

    def teardown(self) -> None:
        """Leave the world tidy (best effort): cancel unmatched SIs and revoke matched pairs on both sides, so
        no later example or suite meets them in matching or settlement."""
        for si in self.model:
            try:
                if si.status == "UNMATCHED":
                    self.bound.call("Cancel SI", "cancel", as_participant=si.owner, si_id=si.si_id)
                elif si.status in REVOCABLE and not si.revoke_by_me:
                    self.bound.call("Revoke Matched SI", "revoke", as_participant=si.owner, si_id=si.si_id)
            except AssertionError:
                pass


_ECHOED: Final = ("side", "counterparty", "stock_code", "quantity", "settlement_date", "payment_type", "amount",
                   "currency", "own_reference", "narrative", "exclude_from_batch")
"""Fields sent (or set by a step) that every answer about the SI carries back, by role and ModelSi attribute."""


def _differences(si: ModelSi, view: BoundExchange) -> tuple[dict[str, object], dict[str, object]]:
    """(received, expected) of what ``view`` shows of ``si`` differently from the model (both empty: it agrees):
    status, match id presence, own hold flag, the participant it is attributed to (who input it), revocation flags
    and every field sent, the amount as a ``Decimal``."""
    received: dict[str, object] = {
        "status": view.get("status", None), "matched": view.get("match_id", None) is not None,
        "hold": view.get("hold", None), "participant": view.get("participant", None),
        "revocation": (view.get("revocation_by_me", None), view.get("revocation_by_counterparty", None)),
        **{role: view.get(role, None) for role in _ECHOED},
    }
    received["amount"] = _decimal(received["amount"])
    expected: dict[str, object] = {
        "status": si.status, "matched": si.status in _MATCH_ID_STATUSES, "hold": si.hold, "participant": si.owner,
        "revocation": (si.revoke_by_me, si.revoke_by_counterparty),
        **{role: getattr(si, role) for role in _ECHOED},
    }
    expected["amount"] = _decimal(expected["amount"])
    differing = sorted(k for k in expected if received[k] != expected[k])
    return {k: received[k] for k in differing}, {k: expected[k] for k in differing}


def _decimal(value: object) -> object:
    """An amount as a ``Decimal`` (compared by value, never as a float); anything else as received."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _holding(client: OcpClient, participant: str, stock: str) -> int:
    return held(client, participant, CLEARING_ACCOUNT, stock)


def _settlement_blame(si: ModelSi) -> str:
    """Which rule a settlement-run divergence breaks: hold, revocation, exclusion, or what made it eligible."""
    if si.status == "MATCHED_ON_HOLD":
        return "Change Hold Matched SI"
    if si.status == "REVOKE_PENDING":
        return "Revoke Matched SI"
    if si.status == "MATCHED" and si.exclude_from_batch:
        return "Change Matched/Settled SI"
    return si.rule


def _world(client: OcpClient, bound: BoundClient, target: Target) -> World:
    pair = target.acting_pair()
    parties = [*pair, *(p for p in target.participants if p not in pair)][:3]
    can_settle = target.can("clock-control")
    if can_settle:
        clock = client.call_operation("simGetClock").body
        if not clock.get("inFunctionWindow", True):
            pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")
    today, next_day = client.business_dates()
    business_date, next_date = today.isoformat(), next_day.isoformat()
    contracts, binding = bound.client.contracts, bound.binding
    quantity = field_domain(contracts, binding, "Input SI", "create", "quantity")
    base = 1_000_000 + secrets.randbelow(10**9)  # match keys no one else uses
    top = quantity.maximum - secrets.randbelow(10**6) * 7  # maximal ones, also fresh in each session
    return World(client=client, bound=bound, parties=parties, business_date=business_date, next_date=next_date,
                 can_settle=can_settle, quantities=itertools.count(base, 7),
                 maximal_quantities=itertools.count(top, -7),
                 amount=field_domain(contracts, binding, "Input SI", "create", "amount"), quantity=quantity,
                 reference=field_domain(contracts, binding, "Input SI", "create", "own_reference"))


@pytest.mark.ocp(functions=MAINTAIN_SI, check="scenario")
def test_si_lifecycle_follows_the_model(ocp_harness: Harness) -> None:
    """Random SI lifecycles (input, change, hold, cancel, revoke, change matched, settle) match the model."""
    world = _world(ocp_harness.client, ocp_harness.bound, ocp_harness.target)
    with _FINDINGS.first_seen():
        # hypothesis documents a factory as fine here; its annotation only names the class form
        run_state_machine_as_test(lambda: SiLifecycle(world), settings=SETTINGS)  # type: ignore[arg-type]

