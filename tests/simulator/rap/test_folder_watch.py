"""RAP's local folder transport: a file renamed into INBOX is delivered exactly once, with the same contract as SFTP."""

from __future__ import annotations

import os
from pathlib import Path

from rap_transport_helpers import Recorder

from ocp_conformance.simulator.rap import RapFolderWatcher

A, B = "B01234", "B05678"
NEVER = 3600.0
"""A polling interval no test reaches: these tests scan by hand, so nothing depends on timing."""


def test_a_file_renamed_into_inbox_is_delivered_exactly_once(tmp_path: Path) -> None:
    recorder = Recorder()
    data = os.urandom(3 * 1024 * 1024)
    with RapFolderWatcher(tmp_path, recorder, participants=[A, B], interval=NEVER) as watcher:
        staged = tmp_path / "staging.csv"
        staged.write_bytes(data)
        staged.rename(tmp_path / A / "INBOX" / "B01234_CAE_20260105_001.csv")
        assert watcher.poll() == []  # first seen: not yet known to be stable
        [arrived] = watcher.poll()
        assert watcher.poll() == watcher.poll() == []
        [upload] = recorder.wait_for(1)
    assert arrived == upload.path == tmp_path / A / "INBOX" / "B01234_CAE_20260105_001.csv"
    assert (upload.participant, upload.size) == (A, len(data))
    assert len(recorder.calls) == 1


def test_temporary_names_wait_for_their_rename_and_files_in_flux_for_a_stable_scan(tmp_path: Path) -> None:
    recorder = Recorder()
    with RapFolderWatcher(tmp_path, recorder, participants=[B], interval=NEVER) as watcher:
        inbox = tmp_path / B / "INBOX"
        (inbox / "f.csv.part").write_bytes(b"H,...")
        growing = inbox / "growing.csv"
        growing.write_bytes(b"H,")
        assert watcher.poll() == []
        with growing.open("ab") as file:
            file.write(b"D," * 1000)
        assert watcher.poll() == []  # it changed since the last scan: still being written
        (inbox / "f.csv.part").rename(inbox / "f.csv")
        assert watcher.poll() == [growing]
        assert watcher.poll() == [inbox / "f.csv"]
    assert [(u.participant, u.path.name, u.size) for u in recorder.calls] == [
        (B, "growing.csv", 2002), (B, "f.csv", 5)]


def test_files_there_before_the_start_are_left_alone_and_a_new_file_under_a_used_name_is_a_new_upload(
        tmp_path: Path) -> None:
    recorder = Recorder()
    inbox = tmp_path / A / "INBOX"
    inbox.mkdir(parents=True)
    (inbox / "old.csv").write_bytes(b"before")
    with RapFolderWatcher(tmp_path, recorder, interval=NEVER) as watcher:
        assert watcher.poll() == watcher.poll() == []
        replacement = tmp_path / "new"
        replacement.write_bytes(b"a new file, same name")
        replacement.replace(inbox / "old.csv")
        watcher.poll()
        assert watcher.poll() == [inbox / "old.csv"]
    assert [u.size for u in recorder.calls] == [len(b"a new file, same name")]


def test_the_polling_thread_delivers_and_a_failing_callback_writes_the_error_file(tmp_path: Path) -> None:
    recorder = Recorder(fail_on={"bad.csv"})
    with RapFolderWatcher(tmp_path, recorder, participants=[A], interval=0.02):
        staged = tmp_path / "bad.csv"
        staged.write_bytes(b"boom")
        staged.rename(tmp_path / A / "INBOX" / "bad.csv")
        recorder.wait_for(1)
        staged = tmp_path / "good.csv"
        staged.write_bytes(b"fine")
        staged.rename(tmp_path / A / "INBOX" / "good.csv")
        recorder.wait_for(2)
    assert [u.path.name for u in recorder.calls] == ["bad.csv", "good.csv"]
    error = (tmp_path / A / "OUTBOX" / "bad.csv.error.txt").read_text(encoding="utf-8")
    assert "ValueError: layout engine exploded on bad.csv" in error


def test_a_folder_that_is_not_a_participant_id_does_not_stop_delivery(tmp_path: Path) -> None:
    recorder = Recorder(fail_on={"odd.csv"})
    odd_inbox = tmp_path / "not a participant" / "INBOX"
    odd_inbox.mkdir(parents=True)
    with RapFolderWatcher(tmp_path, recorder, participants=[A], interval=NEVER) as watcher:
        (odd_inbox / "odd.csv").write_bytes(b"?")
        (tmp_path / A / "INBOX" / "later.csv").write_bytes(b"ok")
        watcher.poll()
        watcher.poll()
        recorder.wait_for(2)
    assert sorted(u.path.name for u in recorder.calls) == ["later.csv", "odd.csv"]
    assert (tmp_path / "not a participant" / "OUTBOX" / "odd.csv.error.txt").exists()
