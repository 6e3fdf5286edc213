"""RAP files uploaded under load (profile rap-deadline): built from the layout, sent through the target's RAP channel,
their accepted records' SIs read back by the invariants; checked in process against the embedded simulator, and one
short served run over SFTP under gevent (the path a participant runs)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import SourceError, load_contracts
from ocp_conformance.load.generators import SEQUENCE_BLOCK, DrawContext, FileSequences, ReferenceSource
from ocp_conformance.load.invariants import check_invariants, read_back
from ocp_conformance.load.profile import Profile, find_profile, load_profile
from ocp_conformance.load.record import RunRecord
from ocp_conformance.load.report import build_report
from ocp_conformance.load.traffic import Outcome, UserTraffic, parse_error_text, unbound_entries
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.simulator.faults.load import _forget_si
from ocp_conformance.targets import simulator_target
from tests.served_simulator import free_port, served_simulator


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile(find_profile("rap-deadline"), load_contracts().catalogue)


@pytest.fixture
def served() -> Iterator[tuple[BoundClient, SimulatorApp]]:
    contracts = load_contracts()
    target, app = simulator_target(contracts)
    yield BoundClient(OcpClient(target, contracts, strict=False), load_binding(contracts)), app
    target.close()


@pytest.fixture
def bound(served: tuple[BoundClient, SimulatorApp]) -> BoundClient:
    return served[0]


def _upload(bound: BoundClient, profile: Profile, files: int) -> tuple[RunRecord, list[Outcome]]:
    """``files`` SI files, one per user of four participants, through one process's references and sequences."""
    record, outcomes = RunRecord(), list[Outcome]()
    participants = list(bound.client.target.participants[:4])
    references, sequences = ReferenceSource("T2", 0), FileSequences(0, "T2")
    upload = next(m for m in profile.mix if m.is_upload)
    for index in range(files):
        context = DrawContext(participant=participants[index % 4], participants=participants,
                              business_dates=bound.client.business_dates(), references=references,
                              rng=random.Random(index), sequences=sequences)
        assert UserTraffic(profile, bound, context, record, outcomes.append).run(upload)
    return record, outcomes


def test_uploaded_files_are_accepted_and_their_sis_read_back_exactly_once(bound: BoundClient,
                                                                          profile: Profile) -> None:
    record, outcomes = _upload(bound, profile, 6)
    assert [(o.function, o.role, o.error) for o in outcomes] == [("SI", "upload", None)] * 6
    assert all(o.length > 0 for o in outcomes)
    low, high = next(m for m in profile.mix if m.is_upload).records or (0, 0)
    assert 6 * low <= len(record.acknowledged) <= 6 * high
    assert {a.function for a in record.acknowledged} == {"Input SI"}
    assert all(a.reference and a.reference.startswith("T200-") for a in record.acknowledged)
    track = profile.track[0]
    found = read_back(bound, track, list(bound.client.target.participants[:4]), "T2", record.acknowledged)
    results = check_invariants(track, record.acknowledged, found)
    assert all(r.passed for r in results), [r.detail for r in results]


def test_an_si_a_file_created_and_the_target_lost_fails_exactly_once(served: tuple[BoundClient, SimulatorApp],
                                                                     profile: Profile) -> None:
    bound, app = served
    record, _ = _upload(bound, profile, 2)
    lost = next(a for a in record.acknowledged if _unmatched(app, a.id))
    _forget_si(app.state.simulation, lost.owner, lost.id)  # what the drop-acknowledged-si fault does to an Input SI
    track = profile.track[0]
    found = read_back(bound, track, list(bound.client.target.participants[:4]), "T2", record.acknowledged)
    exactly_once = next(r for r in check_invariants(track, record.acknowledged, found) if r.name == "exactly-once")
    assert (exactly_once.passed, exactly_once.function, exactly_once.count) == (False, "Input SI", 1)


def _unmatched(app: SimulatorApp, si_id: str) -> bool:
    return str(app.state.simulation.si_book._sis[si_id].status) == "UNMATCHED"


def test_without_a_rap_channel_the_upload_is_not_run_and_says_how_to_give_one(bound: BoundClient,
                                                                               profile: Profile) -> None:
    bound.client.target.rap = None
    missing = unbound_entries(profile, bound)
    assert list(missing) == ["SI (upload)"]
    assert "--rap-sftp HOST:PORT" in missing["SI (upload)"]


def test_a_partial_run_is_not_a_pass(profile: Profile) -> None:
    record = RunRecord(not_run={"SI (upload)": "the target has no RAP channel"})
    rows = [{"function": "Input SI", "role": "create", "requests": 10, "failures": 0, "p50": 5, "p95": 9, "p99": 9,
             "max": 9, "mean": 5}]
    report = build_report(profile, target="http://127.0.0.1:8000", users=1, workers=0, duration_s=1.0, sample=0.05,
                          rows=rows, errors=[], record=record, invariants=[])
    assert report.passed and report.verdict == "partial"
    assert report.to_dict()["verdict"] == "partial"


def test_file_sequences_are_disjoint_between_processes_and_run_out() -> None:
    first, second = FileSequences(0, "AB12"), FileSequences(1, "AB12")
    ours = [first.next("B01234", "SI", "2027-04-06") for _ in range(SEQUENCE_BLOCK)]
    theirs = [second.next("B01234", "SI", "2027-04-06") for _ in range(SEQUENCE_BLOCK)]
    assert len(set(ours) | set(theirs)) == 2 * SEQUENCE_BLOCK
    assert all(1 <= n <= 999 for n in ours + theirs)  # type: ignore[operator]
    assert first.next("B01234", "SI", "2027-04-06") is None
    assert first.next("B05678", "SI", "2027-04-06") is not None  # per participant
    assert FileSequences(0, "CD34").next("B01234", "SI", "2027-04-06") != ours[0]  # another run starts elsewhere


def test_rap_outcomes_read_back_from_the_error_table() -> None:
    assert parse_error_text("RAP REJECTED DUPLICATE_SEQUENCE") == ("RAP REJECTED", "DUPLICATE_SEQUENCE")
    assert parse_error_text("HTTP 409 SI_STATE_CONFLICT") == ("409", "SI_STATE_CONFLICT")


@pytest.mark.parametrize(("change", "says"), [
    ({"records": None}, "an upload needs `records"),
    ({"role": "create"}, "`records` belongs to a RAP upload"),
    ({"role": "create", "records": None, "creates": None}, "'SI' is a RAP file type: its role is 'upload'"),
    ({"function": "Input SI"}, "not a RAP file type"),
    ({"creates": "Input ATI"}, "'Input ATI' is not a tracked function"),
    ({"records": {"min": 9, "max": 3}}, "records min 9 is above max 3"),
])
def test_profile_defects_of_an_upload_are_named(tmp_path: Path, change: dict[str, object], says: str) -> None:
    import yaml

    data = yaml.safe_load(find_profile("rap-deadline").read_text(encoding="utf-8"))
    upload = data["mix"][0]
    for key, value in change.items():
        if value is None:
            upload.pop(key, None)
        else:
            upload[key] = value
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load_profile(path, load_contracts().catalogue)
    assert says in raised.value.render()


def test_rap_deadline_over_sftp_against_a_served_simulator(tmp_path: Path) -> None:
    """The served path: uploads by SFTP from gevent users (several at once in one process), read back by URL."""
    sftp_port = free_port()
    with served_simulator(options=["--rap-sftp-port", str(sftp_port)]) as simulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_TOKEN_")}
        env.update({f"OCP_TOKEN_{participant}": token for participant, token in simulator.tokens.items()})
        result = subprocess.run([sys.executable, "-m", "ocp_conformance", "load", "--target", simulator.base_url,
                                 "--profile", "rap-deadline", "--rap-sftp", f"127.0.0.1:{sftp_port}", "--users", "12",
                                 "--duration", "8", "--report", str(tmp_path)],
                                env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "load.json").read_text())
    uploads = next(f for f in report["functions"] if (f["function"], f["role"]) == ("SI", "upload"))
    assert uploads["requests"] > 0 and uploads["failures"] == 0
    assert report["verdict"] == "pass" and not report["not_run"]
    assert [(i["name"], i["passed"]) for i in report["invariants"]] == [
        ("exactly-once", True), ("status-counts", True), ("isolation", True)]
