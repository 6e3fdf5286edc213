"""RAP processing in the simulator: a file is validated against the simulation, rejected whole or applied record by
record through the API's domain calls, and answered with OUTBOX/<name>.result.csv."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rap_transport_helpers import DEADLINE, sftp_session

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.rap import (
    CODES,
    DEFECTS,
    DEMO_CA_EVENTS,
    FileHeader,
    Layout,
    RecordGenerator,
    generate_file,
    load_layouts,
    write_file,
)
from ocp_conformance.simulator.ccass import EXCESS_OPTIONS, SUBSCRIPTION_OPTIONS, SiFilter, Simulation
from ocp_conformance.simulator.ccass.ca_demo import DEMO_RIGHTS_STOCK, DEMO_TENDER_STOCK, demo_ca_events
from ocp_conformance.simulator.rap import ProcessingResult, RapProcessor, participant_folders, serve_in_thread
from ocp_conformance.simulator.rap.processing import APPLIERS, CA_FILE_TYPES, FILE_REJECTED, INTERNAL_ERROR
from ocp_conformance.simulator.state import SimulatorState, demo_token
from ocp_conformance.targets import simulator_target

ALPHA = "B01234"
LAYOUTS = load_layouts()
FILE_DEFECTS = sorted(kind for kind, d in DEFECTS.items() if CODES[d.code].level == "file")
RECORD_DEFECTS = sorted(kind for kind, d in DEFECTS.items() if CODES[d.code].level == "record")


def _upload(root: Path, layout: Layout, records: int = 20, **options: Any) -> Path:
    """Generate a file into ALPHA's INBOX under its generated name; return its path."""
    buffer = io.BytesIO()
    generated = generate_file(buffer, layout, records, **options)
    path = participant_folders(root, ALPHA).inbox / generated.file_name
    path.write_bytes(buffer.getvalue())
    return path


def _custom(root: Path, layout: Layout, records: Iterable[Mapping[str, Any]], sequence: int = 1) -> Path:
    buffer = io.BytesIO()
    write_file(buffer, layout, FileHeader(ALPHA, "2027-04-06", sequence), records)
    path = participant_folders(root, ALPHA).inbox / layout.make_file_name(ALPHA, "20270406", sequence)
    path.write_bytes(buffer.getvalue())
    return path


def _rows(result: ProcessingResult) -> list[list[str]]:
    assert result.result_file is not None
    data = result.result_file.read_bytes()
    assert data.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _in_domain(sim: Simulation, file_type: str) -> list[tuple[str | None, str]]:
    """(client reference, id) of everything ALPHA has of the kind this file type creates, in input order."""
    if file_type in CA_FILE_TYPES:
        return [(i.client_reference, i.instruction_id) for i in sim.corporate_actions.instructions_of(ALPHA)
                if i.event_type == file_type]
    if file_type == "SI":
        return [(s.own_reference, s.si_id) for s in sim.si_book.enquire(ALPHA, SiFilter())]
    if file_type == "ISI":
        return [(i.own_reference, i.isi_id) for i in sim.isi_book.enquire(ALPHA)]
    if file_type == "ATI":
        return [(a.own_reference, a.ati_id) for a in sim.transfers.enquire(ALPHA)]
    assert file_type == "STI"
    return [(s.own_reference, s.sti_id) for s in sim.transfers.enquire_sti(ALPHA)]


def _accepted(result: ProcessingResult) -> list[tuple[str | None, str]]:
    return [(r.client_reference, r.instruction_id or "") for r in result.records if r.accepted]


@pytest.fixture
def state() -> SimulatorState:
    return SimulatorState()


@pytest.fixture
def processor(state: SimulatorState) -> RapProcessor:
    return RapProcessor(state, LAYOUTS)


@pytest.mark.parametrize("file_type", sorted(LAYOUTS))
def test_a_generated_file_of_each_type_is_accepted_in_full_and_lands_in_the_domain(
        file_type: str, tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    path = _upload(tmp_path, LAYOUTS[file_type], 20, seed=11)
    result = processor.process(ALPHA, path)
    assert (result.status, result.accepted, result.rejected, result.file_errors) == ("ACCEPTED", 20, 0, [])
    assert _in_domain(state.simulation, file_type) == _accepted(result)
    assert [ref for ref, _ in _accepted(result)] == [f"R{i:012d}" for i in range(20)]
    rows = _rows(result)
    assert result.result_file == tmp_path / ALPHA / "OUTBOX" / f"{path.name}.result.csv"
    assert rows[0] == ["H", path.name, ALPHA, file_type, "ACCEPTED", "20", "20", "0", "0"]
    assert [row[:4] for row in rows[1:]] == [["R", str(i + 2), f"R{i:012d}", "ACCEPTED"] for i in range(20)]
    assert all(row[4] for row in rows[1:])  # the id of what each record created


def test_an_si_upload_is_what_enquire_si_shows_over_the_api(tmp_path: Path) -> None:
    contracts = load_contracts()
    target, app = simulator_target(contracts)
    client = OcpClient(target, contracts, strict=True)
    result = RapProcessor(app.state, LAYOUTS).process(ALPHA, _upload(tmp_path, LAYOUTS["SI"], 12, seed=5))
    assert result.status == "ACCEPTED"
    listed = client.call("Enquire SI", operation="enquireSi", as_participant=ALPHA, limit=50).body
    assert sorted((si["ownReference"], si["siId"]) for si in listed["items"]) == sorted(_accepted(result))


@pytest.mark.parametrize("kind", FILE_DEFECTS)
@pytest.mark.parametrize("file_type", ["ELECTION", "SI"])
def test_a_file_level_defect_rejects_the_file_whole_with_nothing_applied(
        file_type: str, kind: str, tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    path = _upload(tmp_path, LAYOUTS[file_type], 6, defect=kind, seed=2)
    result = processor.process(ALPHA, path)
    assert result.status == "REJECTED"
    assert _in_domain(state.simulation, file_type) == []
    assert state.simulation.ledger.on_hold(ALPHA, "01", DEMO_CA_EVENTS["ELECTION"][1]) == 0
    rows = _rows(result)
    assert rows[0][:5] == ["H", path.name, ALPHA, file_type, "REJECTED"]
    errors = [row for row in rows if row[0] == "E"]
    assert DEFECTS[kind].code in {row[3] for row in errors}
    assert all(row[1].isdigit() and row[2].isdigit() and row[4] for row in errors)  # line, column, message
    details = [row for row in rows if row[0] == "R"]
    assert all(row[3] == "REJECTED" and row[4] for row in details)  # every line named, none accepted
    assert len(details) == result.rejected == len(result.records)
    # the sequence number stays free: the corrected file may use it
    fixed = processor.process(ALPHA, _upload(tmp_path, LAYOUTS[file_type], 6, seed=2))
    assert fixed.status == "ACCEPTED"


def test_valid_records_of_a_rejected_file_are_named_as_not_applied(tmp_path: Path, processor: RapProcessor) -> None:
    result = processor.process(ALPHA, _upload(tmp_path, LAYOUTS["TENDER"], 3, defect="trailer-hash"))
    assert [(r.line, r.code) for r in result.records] == [(2, FILE_REJECTED), (3, FILE_REJECTED), (4, FILE_REJECTED)]
    assert [r.client_reference for r in result.records] == [f"R{i:012d}" for i in range(3)]


@pytest.mark.parametrize("kind", RECORD_DEFECTS)
def test_a_record_level_defect_rejects_only_that_line(kind: str, tmp_path: Path, state: SimulatorState,
                                                      processor: RapProcessor) -> None:
    layout = LAYOUTS["SI"]
    buffer = io.BytesIO()
    generated = generate_file(buffer, layout, 8, defect=kind, seed=4)
    path = participant_folders(tmp_path, ALPHA).inbox / generated.file_name
    path.write_bytes(buffer.getvalue())
    result = processor.process(ALPHA, path)
    assert result.status == "PARTIALLY_ACCEPTED"
    assert [(r.line, r.code) for r in result.records if not r.accepted] == [(generated.line, DEFECTS[kind].code)]
    assert _in_domain(state.simulation, "SI") == _accepted(result)
    rejected = [row for row in _rows(result) if row[0] == "R" and row[3] == "REJECTED"]
    assert [(row[1], row[4]) for row in rejected] == [(str(generated.line), DEFECTS[kind].code)]
    assert rejected[0][5].startswith("column ")


def _election(index: int, **values: Any) -> dict[str, Any]:
    record = RecordGenerator(LAYOUTS["ELECTION"], seed=index).record(index)
    record.update(values)
    return record


def test_an_election_above_the_holding_and_one_past_the_deadline_are_rejected_at_their_lines(
        tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    held_in_02 = state.simulation.ledger.available(ALPHA, "02", "00005")
    records = [
        _election(0, quantity=100),
        _election(1, stockAccount="02", quantity=held_in_02 + 100),  # more than account 02 holds
        _election(2, announcementId="CA2027000002", stockCode="00388"),  # its CCASS deadline has passed
        _election(3, quantity=200),
    ]
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["ELECTION"], records))
    assert result.status == "PARTIALLY_ACCEPTED"
    assert [(r.line, r.accepted, r.code) for r in result.records] == [
        (2, True, None), (3, False, "QUANTITY_ABOVE_HOLDING"), (4, False, "AFTER_DEADLINE"), (5, True, None)]
    assert [i.quantity for i in state.simulation.corporate_actions.instructions_of(ALPHA)] == [100, 200]


def test_the_entitlement_left_on_the_event_is_the_ca_books_to_check(tmp_path: Path, state: SimulatorState,
                                                                    processor: RapProcessor) -> None:
    book = state.simulation.corporate_actions
    book.instruct(ALPHA, "01", "CA2027000001", "00005", 999_900, option="CASH")
    state.simulation.ledger.deposit(ALPHA, "01", "00005", 500_000)  # bought after the record date: not entitled
    assert state.simulation.ledger.available(ALPHA, "01", "00005") == 500_100  # the validator sees enough stock
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["ELECTION"], [_election(0, quantity=200)]))
    assert [(r.line, r.code) for r in result.records] == [(2, "QUANTITY_ABOVE_HOLDING")]
    assert result.status == "REJECTED"


def test_a_ca_record_for_an_event_of_another_type_is_rejected(tmp_path: Path, processor: RapProcessor) -> None:
    record = _election(0, announcementId="CA2027000007", stockCode="08001")  # the takeover offer (a SUBSCRIPTION)
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["ELECTION"], [record]))
    assert [(r.line, r.code) for r in result.records] == [(2, "EVENT_TYPE_MISMATCH")]


def test_a_subscription_line_accepts_a_takeover_offer_and_moves_the_shares_out(
        tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    ledger = state.simulation.ledger
    before = ledger.holding(ALPHA, "02", "08001")
    record = {"clientReference": "TO1", "announcementId": "CA2027000007", "stockCode": "08001", "stockAccount": "02",
              "quantity": 1_000, "subscriptionKind": "TAKEOVER_OFFER", "amount": "850.00", "currency": "HKD"}
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["SUBSCRIPTION"], [record]))
    assert result.status == "ACCEPTED", result.records
    (done,) = state.simulation.corporate_actions.instructions_of(ALPHA, "CA2027000007")
    assert (done.option, done.delivered, done.amount) == ("TAKEOVER_OFFER", 1_000, Decimal("850.00"))
    assert ledger.holding(ALPHA, "02", "08001") == before - 1_000


def test_an_excess_application_beyond_the_rights_held_is_accepted(
        tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    """[M] An excess application asks for shares beyond the rights held: with 100 rights, subscribing for them and
    applying for 500 excess is a valid file (the upload's holdings check once counted the 500 too)."""
    sim = state.simulation
    sim.ledger.withdraw(ALPHA, "01", DEMO_RIGHTS_STOCK, sim.ledger.available(ALPHA, "01", DEMO_RIGHTS_STOCK) - 100,
                        at=sim.clock.now)
    line = {"announcementId": "CA2027000003", "stockCode": DEMO_RIGHTS_STOCK, "stockAccount": "01", "currency": "HKD"}
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["SUBSCRIPTION"], [
        {**line, "clientReference": "RS1", "quantity": 100, "subscriptionKind": "RIGHTS", "amount": "4000.00"},
        {**line, "clientReference": "RS2", "quantity": 500, "subscriptionKind": "EXCESS_RIGHTS", "amount": "20000.00"},
        {**line, "clientReference": "RS3", "quantity": 1, "subscriptionKind": "RIGHTS", "amount": "40.00"}]))
    assert [(r.line, r.accepted, r.code) for r in result.records] == [
        (2, True, None), (3, True, None), (4, False, "QUANTITY_ABOVE_HOLDING")]


def test_the_layout_s_records_drawing_no_holding_are_the_domain_s_excess_applications() -> None:
    assert dict(LAYOUTS["SUBSCRIPTION"].detail.draws_no_holding) == {"subscriptionKind": EXCESS_OPTIONS}


def test_every_subscription_kind_of_the_layout_is_one_an_event_may_offer() -> None:
    """A kind the layout allows but no event may offer (or the reverse) could never be applied from a file: the
    domain once named the warrant kind WARRANT_SUBSCRIPTION, the layout WARRANT."""
    (kind,) = [f for f in LAYOUTS["SUBSCRIPTION"].detail.fields if f.name == "subscriptionKind"]
    assert set(kind.enum or ()) == set(SUBSCRIPTION_OPTIONS)


def test_a_tender_line_needs_no_holding_and_debits_its_tender_monies(
        tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    money = state.simulation.ledger.money_ledger
    record = {"clientReference": "TN1", "announcementId": "CA2027000006", "stockCode": DEMO_TENDER_STOCK,
              "stockAccount": "80", "quantity": 2_000, "tenderPrice": "100.25", "currency": "HKD"}
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["TENDER"], [record, {
        **record, "clientReference": "TN2", "tenderPrice": "0"}]))
    assert [(r.line, r.code) for r in result.records if not r.accepted] == [(3, "TENDER_PRICE_INVALID")]
    (done,) = state.simulation.corporate_actions.instructions_of(ALPHA, "CA2027000006")
    assert (done.earmarked, done.tender_price, done.amount) == (0, Decimal("100.25"), Decimal("200500.00"))
    assert money.position(ALPHA, "HKMK", "HKD").sub_ledgers["ENTITLEMENTS"] == Decimal("-200500.00")


def test_an_unknown_event_is_named_by_the_validator(tmp_path: Path, processor: RapProcessor) -> None:
    record = _election(0, announcementId="CA2099000001")
    result = processor.process(ALPHA, _custom(tmp_path, LAYOUTS["ELECTION"], [record]))
    assert [(r.line, r.code) for r in result.records] == [(2, "UNKNOWN_EVENT")]


def test_the_same_sequence_uploaded_twice_is_a_duplicate(tmp_path: Path, state: SimulatorState,
                                                         processor: RapProcessor) -> None:
    path = _upload(tmp_path, LAYOUTS["ELECTION"], 5)
    assert processor.process(ALPHA, path).status == "ACCEPTED"
    again = processor.process(ALPHA, path)
    assert again.status == "REJECTED"
    assert [(e.line, e.code) for e in again.file_errors] == [(1, "DUPLICATE_SEQUENCE")]
    assert len(state.simulation.corporate_actions.instructions_of(ALPHA)) == 5  # applied exactly once
    assert processor.used_sequences(ALPHA, "ELECTION", "2027-04-06") == {1}
    assert processor.process(ALPHA, _upload(tmp_path, LAYOUTS["ELECTION"], 5, sequence=2)).status == "ACCEPTED"
    assert processor.used_sequences(ALPHA, "SI", "20270406") == frozenset()
    state.reset()  # a fresh simulation has used no sequence
    assert processor.process(ALPHA, path).status == "ACCEPTED"


def test_an_unknown_file_type_is_rejected_with_the_known_ones(tmp_path: Path, processor: RapProcessor) -> None:
    path = participant_folders(tmp_path, ALPHA).inbox / "B01234_CAE_20270406_001.csv"
    path.write_bytes(b"H,CAE,B01234,2027-04-06,1\r\nT,0,0\r\n")
    result = processor.process(ALPHA, path)
    assert (result.status, result.file_type) == ("REJECTED", None)
    [error] = [row for row in _rows(result) if row[0] == "E"]
    assert error[:4] == ["E", "1", "1", "BAD_FILE_NAME"]
    assert "ELECTION" in error[4] and "VOTING" in error[4]


def test_processing_waits_for_the_state_lock(tmp_path: Path, state: SimulatorState, processor: RapProcessor) -> None:
    path = _upload(tmp_path, LAYOUTS["ATI"], 2)
    done = threading.Event()
    with state.lock:
        worker = threading.Thread(target=lambda: (processor.process(ALPHA, path), done.set()))
        worker.start()
        assert not done.wait(0.2)  # an HTTP call in progress holds the lock: the upload waits
        assert state.simulation.transfers.enquire(ALPHA) == []
    worker.join(DEADLINE)
    assert done.is_set() and len(state.simulation.transfers.enquire(ALPHA)) == 2


def test_the_generator_names_the_simulators_open_demo_events() -> None:
    events = {event.announcement_id: event for event in demo_ca_events()}
    for file_type, (announcement_id, stock) in DEMO_CA_EVENTS.items():
        event = events[announcement_id]
        assert (event.event_type, event.instructing_stock) == (file_type, stock)
    assert DEMO_CA_EVENTS["SUBSCRIPTION"][1] == DEMO_RIGHTS_STOCK


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_type=st.sampled_from(sorted(LAYOUTS)), chosen=st.sets(st.integers(0, 9), max_size=10))
def test_any_subset_of_valid_records_is_what_the_domain_holds(tmp_path: Path, file_type: str,
                                                              chosen: set[int]) -> None:
    layout = LAYOUTS[file_type]
    generator = RecordGenerator(layout, seed=3)
    records = [generator.record(i) for i in sorted(chosen)]
    state = SimulatorState()
    root = tmp_path / f"{file_type}-{'-'.join(map(str, sorted(chosen)))}"
    result = RapProcessor(state, LAYOUTS).process(ALPHA, _custom(root, layout, records))
    assert result.rejected == 0 and result.file_errors == []
    assert _in_domain(state.simulation, file_type) == _accepted(result)
    assert [ref for ref, _ in _accepted(result)] == [f"R{i:012d}" for i in sorted(chosen)]


def test_an_sftp_upload_is_answered_in_outbox(tmp_path: Path, state: SimulatorState,
                                               processor: RapProcessor) -> None:
    layout = LAYOUTS["VOTING"]
    buffer = io.BytesIO()
    name = generate_file(buffer, layout, 4).file_name
    with serve_in_thread(tmp_path / "rap", {ALPHA: demo_token(ALPHA)}, processor) as server:
        async def upload() -> None:
            async with sftp_session(server.port, ALPHA, demo_token(ALPHA)) as sftp, \
                    sftp.open(f"/INBOX/{name}", "wb") as remote:
                await remote.write(buffer.getvalue())

        asyncio.run(asyncio.wait_for(upload(), DEADLINE))
        result_file = tmp_path / "rap" / ALPHA / "OUTBOX" / f"{name}.result.csv"
        give_up = time.monotonic() + DEADLINE
        while not result_file.exists():
            assert time.monotonic() < give_up, f"no {result_file.name} within {DEADLINE} s"
            time.sleep(0.05)
    assert result_file.read_bytes().startswith(f"H,{name},{ALPHA},VOTING,ACCEPTED,4,4,0,0\r\n".encode())
    assert len(state.simulation.corporate_actions.instructions_of(ALPHA, "CA2027000004")) == 4


def test_an_unexpected_failure_rejects_only_its_record_and_the_result_is_still_written(
        tmp_path: Path, state: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> None:
    calls, ati = [], APPLIERS["ATI"]

    def flaky(sim: Simulation, participant: str, values: Mapping[str, Any]) -> str:
        calls.append(values["clientReference"])
        if len(calls) == 2:
            raise KeyError("a field the applier expected")
        return ati(sim, participant, values)

    monkeypatch.setitem(APPLIERS, "ATI", flaky)  # type: ignore[arg-type]
    result = RapProcessor(state, LAYOUTS).process(ALPHA, _upload(tmp_path, LAYOUTS["ATI"], 3))
    assert [(r.line, r.accepted, r.code) for r in result.records] == [
        (2, True, None), (3, False, INTERNAL_ERROR), (4, True, None)]
    assert len(state.simulation.transfers.enquire(ALPHA)) == 2
    assert result.result_file is not None and result.result_file.exists()
