"""One simulated user's traffic: a profile's mix, sent through the binding, its outcomes recorded.

No Locust here: :class:`UserTraffic` makes the calls and reports each to an ``emit`` callback (the engine fires
Locust's ``request`` event from it; tests collect them), so the traffic is testable in process against the
embedded simulator.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ocp_conformance.binding import BindingMissing, place_pointer
from ocp_conformance.bound_client import BoundClient, BoundExchange, MissingInAnswer
from ocp_conformance.client import TargetUnreachable
from ocp_conformance.contracts.validation import RequestInvalid
from ocp_conformance.load.generators import DrawContext, Items, draw_values
from ocp_conformance.load.profile import MixEntry, Profile, Track
from ocp_conformance.load.rap_upload import BuiltFile, UploadUnavailable, build_file, upload_error, upload_layout
from ocp_conformance.load.record import Acknowledged, RunRecord
from ocp_conformance.rap import RapResult
from ocp_conformance.targets.rap_channel import RapChannelError, RapUploadRefused

__all__ = ["Outcome", "UserTraffic", "error_text", "own_connection", "parse_error_text", "unbound_entries"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request as Locust counts it: ``name`` the catalogue function, ``role`` its request type."""

    function: str
    role: str
    ms: float
    length: int
    error: str | None


def error_text(status: int | None, code: object = None, transport: str | None = None) -> str:
    """How a failed call is named in Locust's error table: ``HTTP 422 SI_STATE_CONFLICT``, ``transport: ...``."""
    if transport is not None:
        return f"transport: {transport}"
    return f"HTTP {status}" + (f" {code}" if code not in (None, "") else "")


def parse_error_text(text: str) -> tuple[str, str]:
    """(status, code) back from :func:`error_text` (``transport``, ``-`` for a transport failure), or from a RAP
    upload's :func:`~ocp_conformance.load.rap_upload.upload_error` (``RAP <file status>``, the first code)."""
    if text.startswith("transport: "):
        return "transport", text.removeprefix("transport: ")
    if text.startswith("harness: "):
        return "harness", text.removeprefix("harness: ")
    parts = text.split(" ", 2)
    if len(parts) >= 2 and parts[0] in ("HTTP", "RAP"):
        return parts[1] if parts[0] == "HTTP" else f"RAP {parts[1]}", parts[2] if len(parts) > 2 else "-"
    return "other", text


def own_connection(bound: BoundClient) -> BoundClient:
    """The same client (validators, binding, target settings shared) on an HTTP connection pool of its own.

    Each simulated user needs one, as each Locust ``HttpUser`` has its own session: one pool shared by every user
    costs each request a scan of all the pool's connections, which grows with the users (measured:
    benchmarks/bench_load_overhead.py)."""
    client = copy.copy(bound.client)
    client.target = replace(bound.client.target, _client=None)
    return BoundClient(client, bound.binding)


def unbound_entries(profile: Profile, bound: BoundClient) -> dict[str, str]:
    """Mix, setup and tracking uses the binding cannot express: label -> the binding entry to add. They are not
    run (never failed, never passed), as everywhere in the harness."""
    missing: dict[str, str] = {}
    for upload in (m for m in profile.mix if m.is_upload):
        why = _upload_unavailable(upload, bound)
        if why is not None:
            missing[upload.label] = why
    uses: list[tuple[str, str, str, Sequence[str]]] = [
        (m.label, m.function, m.role, [*_roles(m.values), *_roles(m.counterpart.values if m.counterpart else {})])
        for m in profile.mix if not m.is_upload]
    uses += [(f"setup {s.function} ({s.role})", s.function, s.role, _roles(s.values)) for s in profile.setup]
    for t in profile.track:
        uses.append((f"read back {t.function} ({t.enquiry})", t.enquiry, "list",
                     [t.id, t.reference, t.status, "items", "next_cursor", "limit", "cursor",
                      *([t.owner] if t.owner else [])]))
        uses.append((f"track {t.function}", t.function, "create", [t.id, t.reference, t.status]))
    for label, function, role, roles in uses:
        try:
            bound.binding.operation(function, role)
            for name in roles:
                bound.binding.field(function, name)
        except BindingMissing as missing_role:
            missing[label] = str(missing_role)
    return missing


def _upload_unavailable(entry: MixEntry, bound: BoundClient) -> str | None:
    """Why a RAP upload entry cannot run on this target and contract (no channel, no layout), or ``None``."""
    if bound.client.target.rap is None:
        return ("the target has no RAP channel: give it one (a URL target: --rap-sftp HOST:PORT, the port "
                "`ocp-conformance simulate --rap-sftp-port` serves; a [targets.NAME] profile: its RAP SFTP host)")
    try:
        upload_layout(bound.client.contracts, entry.function)
    except UploadUnavailable as exc:
        return str(exc)
    return None


def _roles(values: Mapping[str, Any]) -> list[str]:
    """The roles ``values`` fills, those of drawn items too."""
    roles = list(values)
    for generator in values.values():
        if isinstance(generator, Mapping) and isinstance(generator.get("items"), Mapping):
            roles += _roles(generator["items"].get("values") or {})
    return roles


_ONE_UPLOAD_AT_A_TIME = threading.Lock()
"""A process's RAP uploads go one at a time: the SFTP client runs an asyncio event loop, and the users of a load
process (gevent greenlets) share one thread, which can run one loop at a time. More uploads at once take more
``--workers``."""


@dataclass(slots=True)
class _Owned:
    owner: str
    id: str
    status: object


class UserTraffic:
    """The calls one user makes: ``setup()`` once, then ``step()`` per task, acting as ``participant``."""

    def __init__(self, profile: Profile, bound: BoundClient, context: DrawContext, record: RunRecord,
                 emit: Callable[[Outcome], None], *, skip: Mapping[str, str] | None = None,
                 rng: random.Random | None = None) -> None:
        self.profile = profile
        self.bound = bound
        self.context = context
        self.record = record
        self.emit = emit
        self.rng = rng or context.rng
        self.skip = dict(skip or {})
        self.mix = [m for m in profile.mix if m.label not in self.skip]
        self.weights = [m.weight for m in self.mix]
        self.tracks: dict[str, Track] = {t.function: t for t in profile.track
                                         if f"track {t.function}" not in self.skip}
        self.cancellers: dict[str, Track] = {t.cancelled_by: t for t in self.tracks.values() if t.cancelled_by}
        self.pools: dict[str, list[_Owned]] = {name: [] for name in self.tracks}

    @property
    def participant(self) -> str:
        return self.context.participant

    def setup(self) -> None:
        for call in self.profile.setup:
            if f"setup {call.function} ({call.role})" in self.skip:
                continue
            for _ in range(call.count):
                self._send(call.function, call.role, self.participant, draw_values(call.values, self.context))

    def step(self) -> bool:
        """One task of the mix; ``False`` when it had nothing to act on (no call made)."""
        if not self.mix:
            return False
        entry = self.rng.choices(self.mix, weights=self.weights)[0]
        return self.run(entry)

    def run(self, entry: MixEntry) -> bool:
        if entry.is_upload:
            return self._upload(entry)
        values = draw_values(entry.values, self.context)
        actor = self.participant
        if entry.on is not None:
            owned = self._pick(entry)
            if owned is None:
                return False
            actor = owned.owner
            values[self.tracks[entry.on.created_by].id] = owned.id
        answer = self._send(entry.function, entry.role, actor, values)
        counterpart = entry.counterpart
        if counterpart is not None and answer is not None and answer.ok and self.rng.random() < counterpart.share:
            other = values.get(counterpart.party)
            if isinstance(other, str) and other in self.context.participants:
                pool = self.pools.get(entry.function)
                first = pool[-1] if pool else None
                mirrored = {**values, **draw_values(counterpart.values, self.context), counterpart.party: actor}
                second = self._send(entry.function, entry.role, other, mirrored)
                track = self.tracks.get(entry.function)
                if second is not None and second.ok and track is not None and first is not None:
                    first.status = second.get(track.status, None)  # the first leg is matched by the second
        return True

    def _pick(self, entry: MixEntry) -> _Owned | None:
        assert entry.on is not None
        pool = self.pools.get(entry.on.created_by, [])
        wanted = entry.on.status
        candidates = [i for i, o in enumerate(pool[-200:], start=max(0, len(pool) - 200))
                      if wanted is None or o.status == wanted]
        if not candidates:
            return None
        index = self.rng.choice(candidates)
        return pool.pop(index) if entry.on.consume else pool[index]

    def _send(self, function: str, role: str, actor: str, values: dict[str, Any]) -> BoundExchange | None:
        role, values = self.bound.role_for(function, role, values)
        values = {name: self._placed(function, value) if isinstance(value, Items) else value
                  for name, value in values.items()}
        check = self.rng.random() < self.profile.sample
        started = time.time()
        try:
            answer = self.bound.call(function, role, as_participant=actor, validate_request=check, **values)
        except TargetUnreachable as exc:
            cause = exc.__cause__
            self._emit(function, role, started, (time.time() - started) * 1000, 0,
                       error_text(None, transport=type(cause).__name__ if cause is not None else "unreachable"))
            return None
        except RequestInvalid as exc:  # the profile drew values the contract refuses: the profile's defect
            self._emit(function, role, started, 0.0, 0, f"harness: the contract refuses the drawn request ({exc})")
            return None
        exchange = answer.exchange
        if exchange.checked:
            self.record.sample(function, exchange.violations, exchange.describe())
        error = None if answer.ok else error_text(answer.status, _code(answer))
        self._emit(function, role, started, exchange.elapsed_ms, len(exchange.response.content), error)
        if answer.ok:
            self._after(function, actor, values, answer)
        return answer

    def _upload(self, entry: MixEntry) -> bool:
        """One RAP file of ``entry.records`` records through the target's channel; the accepted records' instructions
        are acknowledgements of ``entry.creates``. ``False`` when this process has no file sequence number left."""
        assert entry.records is not None
        layout = upload_layout(self.bound.client.contracts, entry.function)
        business_date = self.context.business_dates[0].isoformat()
        sequence = self.context.sequences.next(self.participant, layout.file_type, business_date)
        if sequence is None:
            return False
        built = build_file(layout, self.participant, business_date, sequence, self.rng.randint(*entry.records),
                           self.context.references, self.rng)
        with _ONE_UPLOAD_AT_A_TIME:
            return self._send_file(entry, built)

    def _send_file(self, entry: MixEntry, built: BuiltFile) -> bool:
        """Upload ``built`` and count its outcome; acknowledge what its accepted records created."""
        started, clock = time.time(), time.perf_counter()
        result: RapResult | None = None
        try:
            result = self.bound.client.target.rap_channel().upload(self.participant, built.name, built.content)
            length, error = len(built.content), upload_error(result)
        except RapUploadRefused:
            length, error = len(built.content), "RAP REFUSED -"
        except RapChannelError as exc:
            length, error = 0, error_text(None, transport=str(exc))
        self._emit(entry.function, entry.role, started, (time.perf_counter() - clock) * 1000, length, error)
        if result is None:
            return True
        track = self.tracks.get(entry.creates) if entry.creates is not None else None
        if track is not None:
            for accepted in result.accepted:
                if accepted.instruction_id:
                    self.record.acknowledge(Acknowledged(track.function, self.participant, accepted.instruction_id,
                                                         accepted.client_reference or None))
                    self.pools[track.function].append(_Owned(self.participant, accepted.instruction_id, None))
        return True

    def _placed(self, function: str, items: Items) -> list[dict[str, Any]]:
        """Each item's roles at the binding's pointers (relative to the item)."""
        placed = []
        for item in items:
            body: dict[str, Any] = {}
            for role, value in item.items():
                place_pointer(body, self.bound.binding.pointer(function, role), value)
            placed.append(body)
        return placed

    def _after(self, function: str, actor: str, values: Mapping[str, Any], answer: BoundExchange) -> None:
        track = self.tracks.get(function)
        if track is not None:
            try:
                instruction = str(answer.get(track.id))
            except MissingInAnswer:
                return  # a contract violation, for the sample to find; nothing to track
            reference = values.get(track.reference)
            status = answer.get(track.status, None)
            self.record.acknowledge(Acknowledged(function, actor, instruction,
                                                 None if reference is None else str(reference), status))
            self.pools[function].append(_Owned(actor, instruction, status))
        cancelled = self.cancellers.get(function)
        if cancelled is not None:
            self.record.cancelled(cancelled.function, actor, str(values.get(cancelled.id)))

    def _emit(self, function: str, role: str, started: float, ms: float, length: int, error: str | None) -> None:
        self.record.latency(int(started), function, ms)
        self.emit(Outcome(function, role, ms, length, error))


def _code(answer: BoundExchange) -> object:
    try:
        return answer.error_code()
    except BindingMissing:
        return None
