"""Persistence of the served simulator: the journal replayed into a fresh world equals the live state (idempotency
records included), and a state file that cannot be used is refused precisely, never silently started afresh."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocp_conformance.rap import generate_file, load_layouts
from ocp_conformance.simulator.app import SimulatorApp, build_app
from ocp_conformance.simulator.persistence import SCHEMA_VERSION, Restored, StateFileError, restore
from ocp_conformance.simulator.persistence.journal import chain
from ocp_conformance.simulator.persistence.store import GENESIS
from ocp_conformance.simulator.rap import participant_folders
from ocp_conformance.targets.simulator_target import SyncASGITransport

ALPHA, BETA = "B01234", "B05678"
SI_PATH = "/ocp/v1/settlement-instructions"


def _client(app: SimulatorApp, participant: str) -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app.asgi), base_url="http://simulator",
                        headers={"Authorization": f"Bearer {app.token_of(participant)}"})


def _si(side: str, counterparty: str, quantity: int, day: str, **extra: Any) -> dict[str, Any]:
    return {"side": side, "counterpartyId": counterparty, "stockCode": "00005", "quantity": quantity,
            "settlementDate": day, "paymentType": "FOP", **extra}


def _key(n: int) -> dict[str, str]:
    return {"Idempotency-Key": f"persist-{n:08d}"}


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


@pytest.fixture
def opened() -> Iterator[list[Restored]]:
    """Journals to close at the end (a test that fails must not leave the file locked for the next one)."""
    journals: list[Restored] = []
    yield journals
    for restored in journals:
        restored.journal.close()


def _open(path: Path, opened: list[Restored], **options: Any) -> tuple[SimulatorApp, Restored]:
    app = build_app(**options)
    restored = restore(app, path)
    opened.append(restored)
    return app, restored


def _close(restored: Restored, opened: list[Restored]) -> None:
    opened.remove(restored)
    restored.journal.close()


def _workload(app: SimulatorApp, rap_root: Path) -> None:
    """Calls of every kind that change state, refused ones included, and two RAP uploads."""
    alpha, beta = _client(app, ALPHA), _client(app, BETA)
    day = alpha.get("/_sim/clock").json()["businessDate"]
    for stock in ("00005", "00700", "02800"):
        assert alpha.post("/_sim/holdings", json={"participantId": ALPHA, "stockCode": stock,
                                                  "quantity": 100_000}).status_code == 200
    for n in range(6):  # matched pairs, some settled by the run below
        assert alpha.post(SI_PATH, json=_si("DELIVER", BETA, 10 + n, day), headers=_key(n)).status_code == 201
        assert beta.post(SI_PATH, json=_si("RECEIVE", ALPHA, 10 + n, day), headers=_key(n)).status_code == 201
    lone = alpha.post(SI_PATH, json=_si("DELIVER", BETA, 999, day), headers=_key(50)).json()["siId"]
    assert alpha.delete(f"{SI_PATH}/{lone}").status_code in (200, 204)
    refused = alpha.post(SI_PATH, json=_si("DELIVER", ALPHA, 5, day), headers=_key(51))
    assert refused.status_code == 422
    ati = {"fromAccount": "01", "toAccount": "02", "stockCode": "00700", "quantity": 500}
    assert alpha.post("/ocp/v1/account-transfers", json=ati, headers=_key(60)).status_code == 201
    sti = {"fromAccount": "01", "toAccount": "80", "stockCode": "00700", "quantity": 5, "paymentType": "FOP"}
    assert alpha.post("/ocp/v1/segregated-transfers", json=sti, headers=_key(61)).status_code == 201
    mass = {"items": [{"kind": "ATI", **ati, "quantity": 7}, {"kind": "STI", **sti, "quantity": 3}],
            "ownReference": "MASS1"}
    assert alpha.post("/ocp/v1/mass-transfers", json=mass, headers=_key(62)).status_code == 201
    isi = {"investorId": "I00001", "direction": "DELIVER_TO_INVESTOR", "stockCode": "00700", "quantity": 100,
           "paymentType": "FOP"}
    assert alpha.post("/ocp/v1/investor-settlement-instructions", json=isi, headers=_key(63)).status_code == 201
    assert alpha.post("/_sim/settlement-runs").status_code == 200
    assert alpha.post("/_sim/clock/advance", json={"minutes": 90}).status_code == 200
    trade = {"participantId": ALPHA, "stockCode": "02800", "side": "SELL", "quantity": 3_000}
    assert alpha.post("/_sim/exchange-trades", json=trade).status_code == 200
    di = {"stockCode": "02800", "quantity": 1_200, "ownReference": "di-1"}
    created = alpha.post("/ocp/v1/delivery-instructions", json=di, headers=_key(64))
    assert created.status_code == 201, created.text
    layouts = load_layouts()
    for file_type, seed in (("SI", 3), ("ELECTION", 4)):
        buffer = io.BytesIO()
        generated = generate_file(buffer, layouts[file_type], 8, seed=seed)
        path = participant_folders(rap_root, ALPHA).inbox / generated.file_name
        path.write_bytes(buffer.getvalue())
        assert app.rap.process(ALPHA, path).accepted == 8


def _snapshot(app: SimulatorApp) -> dict[str, Any]:
    """What the API shows of the state, for every participant, and the idempotency records."""
    seen: dict[str, Any] = {"idempotency": dict(app.state.idempotency)}
    for participant in app.participants:
        client = _client(app, participant)
        for path in (SI_PATH, "/ocp/v1/deleted-settlement-instructions", "/ocp/v1/mass-transfers",
                     "/ocp/v1/due-overdue-positions", "/ocp/v1/settlement-activity",
                     "/ocp/v1/segregated-transfers", "/ocp/v1/investor-settlement-instructions",
                     f"/_sim/participants/{participant}/positions", "/_sim/clock",
                     "/ocp/v1/stock-accounts/01/movements", "/ocp/v1/money-positions"):
            response = client.get(path, params={"limit": 200} if path.startswith("/ocp") else {})
            seen[f"{participant} {path}"] = (response.status_code, response.json())
        seen[f"{participant} rap"] = app.rap.used_sequences(participant, "SI", "20270406")
    return seen


def test_the_replayed_state_equals_the_live_state(state_file: Path, tmp_path: Path,
                                                  opened: list[Restored]) -> None:
    live, restored = _open(state_file, opened)
    assert restored.replayed == 0
    _workload(live, tmp_path / "rap")
    expected = _snapshot(live)
    assert len(expected[f"{ALPHA} {SI_PATH}"][1]["items"]) >= 14  # 7 by API, 8 by RAP, less the cancelled one
    for path in ("/ocp/v1/mass-transfers", "/ocp/v1/segregated-transfers", "/ocp/v1/investor-settlement-instructions",
                 "/ocp/v1/deleted-settlement-instructions"):
        assert expected[f"{ALPHA} {path}"][1]["items"], path  # the comparison below is not of empty lists
    _close(restored, opened)

    again, restored = _open(state_file, opened)
    assert restored.replayed == len(restored.journal) > 20
    assert _snapshot(again) == expected


def test_a_retry_after_a_restart_gets_the_original_answer_and_no_duplicate(state_file: Path,
                                                                           opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    client = _client(app, ALPHA)
    day = client.get("/_sim/clock").json()["businessDate"]
    first = client.post(SI_PATH, json=_si("DELIVER", BETA, 7, day), headers=_key(1))
    assert first.status_code == 201
    _close(restored, opened)

    app, _ = _open(state_file, opened)
    client = _client(app, ALPHA)
    retry = client.post(SI_PATH, json=_si("DELIVER", BETA, 7, day), headers=_key(1))
    assert (retry.status_code, retry.json(), retry.headers["Idempotent-Replayed"]) == (201, first.json(), "true")
    reused = client.post(SI_PATH, json=_si("DELIVER", BETA, 8, day), headers=_key(1))
    assert (reused.status_code, reused.json()["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    listed = client.get(SI_PATH, params={"limit": 200}).json()["items"]
    assert [si["siId"] for si in listed] == [first.json()["siId"]]


def test_enquiries_are_not_journaled_and_every_change_is(state_file: Path, opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    client = _client(app, ALPHA)
    day = client.get("/_sim/clock").json()["businessDate"]
    client.get(SI_PATH)
    client.post(SI_PATH, json=_si("DELIVER", BETA, 7, day), headers=_key(1))
    client.post(SI_PATH, json={"side": "SIDEWAYS"}, headers=_key(2))  # invalid: refused before any handler
    assert [(e.kind, e.operation, e.participant) for e in restored.journal.entries()] == [
        ("call", "inputSi", ALPHA)]
    assert app.token_of(ALPHA).encode() not in next(restored.journal.entries()).payload


def test_a_change_the_file_cannot_record_is_not_acknowledged(state_file: Path, opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    client = _client(app, ALPHA)
    day = client.get("/_sim/clock").json()["businessDate"]
    restored.journal._connection.close()  # the file becomes unwritable under the simulator
    refused = client.post(SI_PATH, json=_si("DELIVER", BETA, 7, day), headers=_key(1))
    assert (refused.status_code, refused.json()["code"]) == (503, "STATE_NOT_SAVED")
    again = client.post("/_sim/settlement-runs")
    assert (again.status_code, again.json()["code"]) == (503, "STATE_NOT_SAVED")
    assert "Cannot operate on a closed database" in again.json()["detail"]  # refused before it runs


def _refused(path: Path, **options: Any) -> str:
    app = build_app(**options)
    with pytest.raises(StateFileError) as caught:
        restore(app, path)
    assert app.state.journal is None
    return str(caught.value)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the droids\n" * 50)
    message = _refused(path)
    assert f"--state {path}: not a state file" in message and "ocp-conformance simulate --state" in message
    assert path.read_text().startswith("these are not")


def test_another_applications_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    other.close()
    before = path.read_bytes()
    assert "another application (application_id 0x0, expected 0x4f435053)" in _refused(path)
    assert path.read_bytes() == before


def test_another_schema_version_is_refused(state_file: Path, opened: list[Restored]) -> None:
    _, restored = _open(state_file, opened)
    _close(restored, opened)
    with sqlite3.connect(state_file) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    assert f"schema version {SCHEMA_VERSION + 1}, this ocp-conformance reads version {SCHEMA_VERSION}" in \
        _refused(state_file)


def test_other_options_are_refused(state_file: Path, opened: list[Restored]) -> None:
    _, restored = _open(state_file, opened)
    _close(restored, opened)
    message = _refused(state_file, trades_per_day=5)
    assert "GCP trades per day: 1000" in message and "GCP trades per day: 5" in message


def test_a_file_in_use_is_refused(state_file: Path, opened: list[Restored]) -> None:
    _open(state_file, opened)
    assert "in use by another simulator" in _refused(state_file)


def test_a_corrupt_file_is_refused(state_file: Path, opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    _client(app, ALPHA).post("/_sim/settlement-runs")
    _close(restored, opened)
    data = bytearray(state_file.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page after the header: the schema
    state_file.write_bytes(bytes(data))
    assert "corrupt" in _refused(state_file)


def test_an_unreadable_entry_is_refused_with_its_number(state_file: Path, opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    _client(app, ALPHA).post("/_sim/settlement-runs")
    _close(restored, opened)
    with sqlite3.connect(state_file) as db:  # a broken entry with a consistent chain (a writer's bug, not an edit)
        fixed = chain(GENESIS, 1, "call", "simRunBatchSettlement", None, b"{not json")
        db.execute("UPDATE journal SET payload = ?, chain = ? WHERE seq = 1", (b"{not json", fixed))
        db.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"1:{fixed.hex()}",))
    db.close()
    assert "journal entry 1 (simRunBatchSettlement) is unreadable" in _refused(state_file)


def test_a_truncated_state_file_is_refused_unless_state_new(state_file: Path, opened: list[Restored]) -> None:
    app, restored = _open(state_file, opened)
    _client(app, ALPHA).post("/_sim/settlement-runs")
    _close(restored, opened)
    state_file.write_bytes(b"")  # truncate -s 0
    message = _refused(state_file)
    assert f"--state {state_file}: the file is empty (0 bytes)" in message and "--state-new" in message
    assert state_file.read_bytes() == b""  # refused untouched
    restored = restore(build_app(), state_file, new=True)
    opened.append(restored)
    assert restored.replayed == 0


def test_an_sqlite_file_without_tables_is_refused_unless_state_new(tmp_path: Path, opened: list[Restored]) -> None:
    path = tmp_path / "blank.sqlite"
    path.write_bytes(_blank_database(tmp_path))
    assert "an SQLite database with no tables" in _refused(path)
    app = build_app()
    restored = restore(app, path, new=True)
    opened.append(restored)
    assert restored.replayed == 0


def _blank_database(tmp_path: Path) -> bytes:
    """An SQLite file with a header and no tables (sqlite writes nothing for an untouched database)."""
    scratch = tmp_path / "scratch.sqlite"
    db = sqlite3.connect(scratch)
    db.execute("CREATE TABLE t (x)")
    db.execute("DROP TABLE t")
    db.commit()
    db.close()
    return scratch.read_bytes()


def test_state_new_does_not_wipe_a_file_holding_state(state_file: Path, opened: list[Restored]) -> None:
    _, restored = _open(state_file, opened)
    _close(restored, opened)
    app = build_app()
    with pytest.raises(StateFileError, match="--state-new was given, but the file holds a simulator's state"):
        restore(app, state_file, new=True)


def _journaled(state_file: Path, opened: list[Restored], calls: int) -> None:
    app, restored = _open(state_file, opened)
    client = _client(app, ALPHA)
    day = client.get("/_sim/clock").json()["businessDate"]
    for n in range(calls):
        assert client.post(SI_PATH, json=_si("DELIVER", BETA, 100, day), headers=_key(n)).status_code == 201
    _close(restored, opened)


def test_a_byte_changed_inside_an_entry_stops_the_start_naming_the_entry(state_file: Path,
                                                                           opened: list[Restored]) -> None:
    _journaled(state_file, opened, 3)
    with sqlite3.connect(state_file) as db:
        payload = db.execute("SELECT payload FROM journal WHERE seq = 2").fetchone()[0]
        db.execute("UPDATE journal SET payload = ? WHERE seq = 2", (payload.replace(b'"quantity":100',
                                                                                    b'"quantity":900'),))
    db.close()
    assert "journal entry 2 (inputSi) does not match its checksum" in _refused(state_file)


def test_a_removed_entry_stops_the_start(state_file: Path, opened: list[Restored]) -> None:
    _journaled(state_file, opened, 3)
    with sqlite3.connect(state_file) as db:
        db.execute("DELETE FROM journal WHERE seq = 2")
    db.close()
    assert "journal entry 2 is missing (the next one is entry 3)" in _refused(state_file)


def test_a_removed_entry_renumbered_stops_the_start(state_file: Path, opened: list[Restored]) -> None:
    _journaled(state_file, opened, 3)
    with sqlite3.connect(state_file) as db:
        db.execute("DELETE FROM journal WHERE seq = 2")
        db.execute("UPDATE journal SET seq = 2 WHERE seq = 3")
    db.close()
    assert "journal entry 2 (inputSi) does not match its checksum" in _refused(state_file)


def test_entries_cut_off_the_end_stop_the_start(state_file: Path, opened: list[Restored]) -> None:
    _journaled(state_file, opened, 3)
    with sqlite3.connect(state_file) as db:
        db.execute("DELETE FROM journal WHERE seq = 3")
    db.close()
    assert "the journal ends at entry 2, but the file recorded entry 3 as its last" in _refused(state_file)


def test_a_file_of_the_previous_schema_version_is_refused_with_the_fix(state_file: Path,
                                                                     opened: list[Restored]) -> None:
    _, restored = _open(state_file, opened)
    _close(restored, opened)
    with sqlite3.connect(state_file) as db:
        db.execute("PRAGMA user_version = 1")
    db.close()
    message = _refused(state_file)
    assert "schema version 1, this ocp-conformance reads version 2" in message
    assert "use the ocp-conformance version that wrote it" in message


def test_an_applied_upload_replays_whatever_this_starts_rap_caps(state_file: Path, tmp_path: Path,
                                                                  opened: list[Restored]) -> None:
    from ocp_conformance.simulator.rap.limits import RapLimits

    app, restored = _open(state_file, opened)
    buffer = io.BytesIO()
    generated = generate_file(buffer, load_layouts()["SI"], 6, seed=2)
    path = participant_folders(tmp_path / "rap", ALPHA, create=True).inbox / generated.file_name
    path.write_bytes(buffer.getvalue())
    assert app.rap.process(ALPHA, path).accepted == 6
    expected = _snapshot(app)
    _close(restored, opened)

    again = build_app()
    again.rap.limits = RapLimits(max_bytes=10, max_records=1)  # e.g. restarted with smaller --rap-max-* caps
    restored = restore(again, state_file)
    opened.append(restored)
    assert restored.replayed == 1 and _snapshot(again) == expected
    assert again.rap.limits == RapLimits(max_bytes=10, max_records=1)
