"""Caps on one RAP upload (issue 16, item 2): a file past the byte or record cap is rejected at once with a
file-level code and nothing applied; the result file lists a capped number of errors per code and counts the
rest; processing keeps a bounded number of outcomes in memory whatever the file's size."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest

from ocp_conformance.rap import generate_file, load_layouts, parse_result_file
from ocp_conformance.simulator.ccass import SiFilter
from ocp_conformance.simulator.rap import RapProcessor, participant_folders, result_writer
from ocp_conformance.simulator.rap.limits import RapLimits
from ocp_conformance.simulator.state import SimulatorState

ALPHA = "B01234"
LAYOUTS = load_layouts()


def _upload(root: Path, records: int, **options: object) -> Path:
    buffer = io.BytesIO()
    generated = generate_file(buffer, LAYOUTS["SI"], records, seed=3, **options)  # type: ignore[arg-type]
    path = participant_folders(root, ALPHA).inbox / generated.file_name
    path.write_bytes(buffer.getvalue())
    return path


def _sis(state: SimulatorState) -> list[object]:
    return list(state.simulation.si_book.enquire(ALPHA, SiFilter()))


def test_a_file_over_the_byte_cap_is_rejected_unread_with_file_too_large(tmp_path: Path) -> None:
    state = SimulatorState()
    path = _upload(tmp_path, 30)
    size = path.stat().st_size
    processor = RapProcessor(state, LAYOUTS, limits=RapLimits(max_bytes=size - 1))
    read: list[str] = []
    processor.log = read.append
    result = processor.process(ALPHA, path)
    assert result.status == "REJECTED" and result.record_count == 0 and _sis(state) == []
    [error] = result.file_errors
    assert (error.code, error.line, error.column) == ("FILE_TOO_LARGE", 1, 1)
    assert error.received == f"{size:,} bytes; the file was not read"
    assert f"at most {size - 1:,} bytes per file (simulate --rap-max-bytes)" in error.expected
    assert result.result_file is not None
    parsed = parse_result_file(result.result_file.read_text())
    assert [e.code for e in parsed.file_errors] == ["FILE_TOO_LARGE"] and parsed.records == ()
    # the same file within the cap is accepted: the cap, not the file, rejected it
    assert RapProcessor(SimulatorState(), LAYOUTS, limits=RapLimits(max_bytes=size)).process(
        ALPHA, path).status == "ACCEPTED"


def test_a_file_over_the_record_cap_is_rejected_at_the_first_record_past_it(tmp_path: Path) -> None:
    state = SimulatorState()
    processor = RapProcessor(state, LAYOUTS, limits=RapLimits(max_records=5))
    result = processor.process(ALPHA, _upload(tmp_path, 12))
    assert result.status == "REJECTED" and _sis(state) == []
    assert [(e.code, e.line) for e in result.file_errors] == [("TOO_MANY_RECORDS", 7)]  # header, then 5 records
    assert result.file_errors[0].received == "record 6 on line 7; the rest of the file was not read"
    assert [r.code for r in result.records] == ["FILE_REJECTED"] * 5
    assert RapProcessor(SimulatorState(), LAYOUTS, limits=RapLimits(max_records=12)).process(
        ALPHA, _upload(tmp_path / "again", 12)).status == "ACCEPTED"


def test_the_result_file_lists_a_capped_number_of_errors_per_code_and_counts_the_rest(tmp_path: Path) -> None:
    state = SimulatorState()
    processor = RapProcessor(state, LAYOUTS, limits=RapLimits(errors_per_code=3))
    path = _upload(tmp_path, 40, defect="trailer-hash")  # every valid record is then FILE_REJECTED
    result = processor.process(ALPHA, path)
    assert result.result_file is not None
    text = result.result_file.read_text()
    parsed = parse_result_file(text)
    assert (parsed.records_total, parsed.rejected_total) == (40, 40)
    assert [r.line for r in parsed.records] == [2, 3, 4]
    assert parsed.omitted == (("FILE_REJECTED", 37),)
    assert text.splitlines()[-1].startswith("M,FILE_REJECTED,37,37 more rejected record(s) with code FILE_REJECTED")
    assert len(text) < path.stat().st_size


def test_processing_keeps_a_bounded_number_of_outcomes_in_memory(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_writer, "RECORDS_KEPT", 4)
    state = SimulatorState()
    result = RapProcessor(state, LAYOUTS).process(ALPHA, _upload(tmp_path, 25))
    assert (result.status, result.record_count, result.accepted, len(result.records)) == ("ACCEPTED", 25, 25, 4)
    assert len(_sis(state)) == 25
    assert result.result_file is not None
    assert len(parse_result_file(result.result_file.read_text()).accepted) == 25  # the file has them all


def test_file_level_errors_too_are_listed_up_to_the_cap_per_code(tmp_path: Path) -> None:
    path = _upload(tmp_path, 12)
    path.write_bytes(path.read_bytes().replace(b"\r\nD,", b"\r\nD,\xff"))  # a bad byte on every detail line
    result = RapProcessor(SimulatorState(), LAYOUTS, limits=RapLimits(errors_per_code=2)).process(ALPHA, path)
    assert [e.code for e in result.file_errors] == ["BAD_ENCODING"] * 2
    assert (result.file_error_count, result.file_errors_omitted["BAD_ENCODING"]) == (12, 10)
    assert result.result_file is not None
    parsed = parse_result_file(result.result_file.read_text())
    assert len(parsed.file_errors) == 2 and ("BAD_ENCODING", 10) in parsed.omitted
    assert parsed.text.splitlines()[0].endswith(",12")  # the header counts every file-level error


@pytest.mark.parametrize("running", [True, False], ids=["collector-running", "collector-paused-by-caller"])
def test_the_collector_is_paused_while_records_are_applied_and_left_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running: bool) -> None:
    # Applying makes long-lived, acyclic objects: a collection meanwhile scans the whole simulation to free
    # nothing. Every record is applied paused, one by one (bulk=False) as in blocks, and the caller's setting stays.
    state = SimulatorState()
    seen: list[bool] = []
    book = state.simulation.si_book
    input_si = book.input_si

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return input_si(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(book, "input_si", watched)
    was = gc.isenabled()
    (gc.enable if running else gc.disable)()
    try:
        result = RapProcessor(state, LAYOUTS, bulk=False).process(ALPHA, _upload(tmp_path, 6))
        after = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert result.status == "ACCEPTED" and len(seen) == 6
    assert seen == [False] * 6 and after is running
