"""The RAP channel: a file uploaded as a participant comes back as the target's parsed result file, in process
and over SFTP alike; a malformed result, a silent target or missing credentials are errors that say why."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocp_conformance.rap import DEMO_PARTICIPANT, ResultFileError, generate_file, load_layouts, parse_result_file
from ocp_conformance.simulator.app import build_app
from ocp_conformance.simulator.rap import serve_in_thread
from ocp_conformance.targets import InProcessRapChannel, RapChannelError, SftpRapChannel, simulator_target

LAYOUTS = load_layouts()


def _si_file(records: int, *, defect: str | None = None, sequence: int = 1) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    generated = generate_file(buffer, LAYOUTS["SI"], records, defect=defect, sequence=sequence)
    return generated.file_name, buffer.getvalue()


def test_the_embedded_simulator_answers_an_upload_in_process() -> None:
    target, _ = simulator_target()
    name, content = _si_file(5)
    result = target.rap_channel().upload(DEMO_PARTICIPANT, name, content)
    target.close()
    assert (result.file_name, result.participant, result.file_type, result.status) == (
        name, DEMO_PARTICIPANT, "SI", "ACCEPTED")
    assert [r.line for r in result.accepted] == [2, 3, 4, 5, 6]
    assert all(r.instruction_id for r in result.accepted)


def test_a_rejected_file_comes_back_with_its_file_errors() -> None:
    channel = InProcessRapChannel(build_app().rap)
    name, content = _si_file(5, defect="trailer-hash")
    result = channel.upload(DEMO_PARTICIPANT, name, content)
    channel.close()
    assert result.status == "REJECTED"
    assert [(e.line, e.code) for e in result.file_errors] == [(7, "TRAILER_HASH")]


def test_sftp_and_in_process_give_the_same_result(tmp_path: Path) -> None:
    app = build_app()
    passwords = {pid: app.token_of(pid) for pid in app.participants}
    name, content = _si_file(3, defect="out-of-range")
    with serve_in_thread(tmp_path, passwords, app.rap) as server:
        channel = SftpRapChannel("127.0.0.1", server.port, passwords, result_timeout=20)
        over_sftp = channel.upload(DEMO_PARTICIPANT, name, content)
    in_process = InProcessRapChannel(build_app().rap).upload(DEMO_PARTICIPANT, name, content)
    assert over_sftp.text == in_process.text
    assert over_sftp.status == "PARTIALLY_ACCEPTED"
    assert "host key NOT checked" in channel.description


def test_a_target_that_never_answers_is_a_timeout_not_a_hang(tmp_path: Path) -> None:
    passwords = {DEMO_PARTICIPANT: "secret-password"}
    with serve_in_thread(tmp_path, passwords, lambda participant, path: None) as server:
        channel = SftpRapChannel("127.0.0.1", server.port, passwords, result_timeout=0.5)
        with pytest.raises(RapChannelError, match=r"no result file /OUTBOX/x\.csv\.result\.csv .* within 0\.5 s"):
            channel.upload(DEMO_PARTICIPANT, "x.csv", b"H\r\n")


def test_wrong_credentials_and_unknown_participants_say_what_to_fix(tmp_path: Path) -> None:
    with serve_in_thread(tmp_path, {DEMO_PARTICIPANT: "right"}, lambda participant, path: None) as server:
        wrong = SftpRapChannel("127.0.0.1", server.port, {DEMO_PARTICIPANT: "wrong"}, result_timeout=5)
        with pytest.raises(RapChannelError, match="check the RAP host, port and credentials") as caught:
            wrong.upload(DEMO_PARTICIPANT, "x.csv", b"H\r\n")
        assert "wrong" not in str(caught.value).replace("wrong.", "")
        with pytest.raises(RapChannelError, match="no SFTP credentials for participant B99999"):
            wrong.upload("B99999", "x.csv", b"H\r\n")


@pytest.mark.parametrize("name", ["", "../x.csv", "INBOX/x.csv", ".."])
def test_a_file_name_with_a_folder_is_refused(name: str) -> None:
    with pytest.raises(RapChannelError, match="not a plain file name"):
        InProcessRapChannel(build_app().rap).upload(DEMO_PARTICIPANT, name, b"")


def test_a_target_without_a_channel_says_how_to_get_one() -> None:
    target, _ = simulator_target()
    target.rap = None
    with pytest.raises(Exception, match="has no RAP upload channel"):
        target.rap_channel()


@pytest.mark.parametrize(("text", "error"), [
    ("", r"r:1: expected a header row starting with H"),
    ("H,a,b,SI,DONE,0,0,0,0\r\n", r"r:1: expected a file status"),
    ("H,a,b,SI,ACCEPTED,1,1,0,0\r\nR,2,ref,MAYBE,x,\r\n", r"r:2: expected ACCEPTED or REJECTED"),
    ("H,a,b,SI,ACCEPTED,1,1,0,0\r\nR,two,ref,ACCEPTED,x,\r\n", r"r:2: expected a number, got 'two'"),
    ("H,a,b,SI,ACCEPTED,1,1,0\r\n", r"r:1: expected 9 fields in a H row, got 8"),
    ("H,a,b,SI,ACCEPTED,1,1,0,0\r\nX,1\r\n", r"r:2: expected a row starting with E, R or M, got 'X'"),
])
def test_a_malformed_result_file_is_refused_at_its_line(text: str, error: str) -> None:
    with pytest.raises(ResultFileError, match=error):
        parse_result_file(text, "r")


_SHARED_CHANNEL = InProcessRapChannel(build_app().rap)
_SEQUENCES = itertools.count(1)


@settings(max_examples=30, deadline=None)
@given(records=st.integers(min_value=1, max_value=12), seed=st.integers(min_value=0, max_value=10_000))
def test_every_generated_valid_file_is_accepted_in_full_in_process(records: int, seed: int) -> None:
    buffer = io.BytesIO()
    generated = generate_file(buffer, LAYOUTS["SI"], records, seed=seed, sequence=next(_SEQUENCES))
    result = _SHARED_CHANNEL.upload(DEMO_PARTICIPANT, generated.file_name, buffer.getvalue())
    assert result.status == "ACCEPTED", result.text
    assert (result.records_total, result.accepted_total, len(result.accepted)) == (records, records, records)
