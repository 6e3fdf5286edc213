"""The streaming validator: round trips, every valid file accepted, every planted defect found at its line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.rap import (
    DEFECTS,
    CaEvent,
    Layout,
    Problem,
    RecordResult,
    ValidationSummary,
    generate_file,
    load_layout,
    load_layouts,
    validate,
)
from ocp_conformance.rap.strategies import defective_files, rap_files

LAYOUTS = load_layouts()
FIXED = load_layout(Path(__file__).parents[1] / "data" / "rap" / "si_fixed.yaml")
ALL = [*LAYOUTS.values(), FIXED]
FAST = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def run(data: bytes, layout: Layout, *, records: bool = True, chunks: bool = False, **options: object
        ) -> tuple[list[RecordResult], list[Problem], ValidationSummary]:
    """Validate ``data``; ``chunks`` feeds it as a list of lines (no ``read``: the line-by-line path only)."""
    stream = io.BytesIO(data).readlines() if chunks else io.BytesIO(data)
    validation = validate(stream, layout, records=records, **options)  # type: ignore[arg-type]
    results, problems = [], []
    for event in validation:
        if isinstance(event, RecordResult):
            results.append(event)
            problems += event.problems
        else:
            problems.append(event)
    return results, problems, validation.summary


def codes(problems: list[Problem]) -> list[tuple[str, int]]:
    return [(p.code, p.line) for p in problems]


@pytest.mark.parametrize("layout", ALL, ids=lambda layout: layout.file_type)
@FAST
@given(data=st.data())
def test_round_trip_and_valid_files_have_no_errors(layout: Layout, data: st.DataObject) -> None:
    example = data.draw(rap_files(layout))
    results, problems, summary = run(example.data, layout, file_name=example.file_name,
                                     participant=example.header.participant)
    assert problems == []
    assert [r.values for r in results] == list(example.records)
    assert [r.line for r in results] == list(range(2, len(example.records) + 2))
    assert summary.valid and summary.details == len(example.records) and summary.accepted == len(example.records)
    assert (summary.participant, summary.business_date, summary.sequence) == (
        example.header.participant, example.header.business_date, example.header.sequence)
    assert run(example.data, layout, records=False, file_name=example.file_name)[1] == []


@pytest.mark.parametrize("layout", ALL, ids=lambda layout: layout.file_type)
@pytest.mark.parametrize("kind", list(DEFECTS))
@settings(max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_defect_is_reported_with_its_code_at_its_line(layout: Layout, kind: str, data: st.DataObject) -> None:
    defect = DEFECTS[kind]
    if not defect.applies(layout):
        with pytest.raises(ValueError, match="does not apply"):
            generate_file(io.BytesIO(), layout, 3, defect=kind)
        return
    planted = data.draw(defective_files(layout, kind))
    outcomes = [run(planted.data, layout, records=records, chunks=chunks, file_name=planted.generated.file_name)
                for records, chunks in ((True, False), (False, False), (False, True))]
    problems = outcomes[0][1]
    assert (defect.code, planted.generated.line) in codes(problems), [p.render("f") for p in problems]
    if defect.only_code:
        assert {p.code for p in problems} == {defect.code}, [p.render("f") for p in problems]
    else:
        assert {p.line for p in problems} <= {planted.generated.line, planted.generated.line + 1}
    for _, others, summary in outcomes[1:]:  # whatever path the validator takes, the same findings
        assert codes(others) == codes(problems)
        assert not summary.valid


def _si(records: int = 3, **options: object) -> bytes:
    stream = io.BytesIO()
    generate_file(stream, LAYOUTS["SI"], records, **options)  # type: ignore[arg-type]
    return stream.getvalue()


def test_large_file_takes_the_block_path_and_finds_the_same_errors() -> None:
    """Big enough for several blocks; one bad line in the middle; both paths agree line for line."""
    data = bytearray(_si(12_000, seed=4))
    lines = data.split(b"\r\n")
    lines[6000] = lines[6000].replace(b",DELIVER,", b",DELIVR,").replace(b",RECEIVE,", b",RECEIV,")
    lines[9000] = lines[9000] + b"\n"  # a stray LF: the CRLF line ending becomes LF + CRLF
    broken = b"\r\n".join(lines)
    slow = run(broken, LAYOUTS["SI"], chunks=True)
    fast = run(broken, LAYOUTS["SI"], records=False)
    assert codes(slow[1]) == codes(fast[1]) == [("FIELD_ENUM", 6001), ("LINE_ENDINGS", 9001), ("RECORD_TYPE", 9002)]
    assert slow[2].details == fast[2].details == 12_000
    assert fast[2].hash_total == slow[2].hash_total


def test_file_level_errors() -> None:
    layout = LAYOUTS["SI"]
    assert codes(run(b"", layout)[1]) == [("FILE_EMPTY", 1)]
    crlf = _si(2)
    lf = crlf.replace(b"\r\n", b"\n")
    _, problems, summary = run(lf, layout)
    assert codes(problems) == [("LINE_ENDINGS", 1)] and summary.line_ending_mismatches == 4
    assert codes(run(crlf.replace(b"\r\n", b"\r"), layout)[1]) == [("NO_LINE_BREAKS", 1)]  # old Mac CR only
    assert codes(run(crlf[:-2], layout)[1]) == [("TRUNCATED_LAST_LINE", 4)]
    header_only = crlf.split(b"\r\n")[0] + b"\r\n"
    assert codes(run(header_only, layout)[1]) == [("MISSING_TRAILER", 2)]
    detail_first = b"\r\n".join(crlf.split(b"\r\n")[1:])
    assert codes(run(detail_first, layout)[1]) == [("BAD_HEADER", 1)]
    assert codes(run(crlf, layout, file_name="B01234_SI_20270406_001.csv", seen_sequences={1, 2})[1]) == [
        ("DUPLICATE_SEQUENCE", 1)]
    _, problems, _ = run(crlf, layout, file_name="B01234_SI_20270406_001.csv", participant="B05678")
    assert codes(problems) == [("WRONG_PARTICIPANT", 1), ("WRONG_PARTICIPANT", 1)]
    assert codes(run(crlf, layout, file_name="B01234_SI_20270407_002.csv")[1]) == [("BAD_FILE_NAME", 1)] * 2
    assert codes(run(crlf, layout, file_name="B01234_ATI_20270406_001.csv")[1]) == [("BAD_FILE_NAME", 1)]


def test_records_after_the_trailer_and_a_second_header_reject_the_file() -> None:
    data = _si(2)
    lines = data.split(b"\r\n")
    extra = b"\r\n".join([*lines[:3], lines[0], *lines[3:-1], lines[1], lines[1], b""])
    problems = run(extra, LAYOUTS["SI"])[1]
    assert codes(problems) == [("SECOND_HEADER", 4), ("AFTER_TRAILER", 6)]  # once for all after the trailer
    assert all(p.level == "file" for p in problems)
    twice = b"\r\n".join([*lines[:-1], lines[-2], b""])
    assert codes(run(twice, LAYOUTS["SI"])[1]) == [("SECOND_TRAILER", 5)]
    blank_after = data + b"\r\n"
    assert codes(run(blank_after, LAYOUTS["SI"])[1]) == [("AFTER_TRAILER", 5)]


def test_non_ascii_and_bom_and_messages() -> None:
    data = _si(1).replace(b"D,R", b"D,\xc3\xa9", 1)
    _, problems, _ = run(data, LAYOUTS["SI"])
    assert codes(problems) == [("BAD_ENCODING", 2)]
    text = problems[0].render("x.csv")
    assert text.startswith("x.csv:2:3: BAD_ENCODING ") and "received byte 0xC3" in text and "fix:" in text
    _, problems, _ = run(b"\xef\xbb\xbf" + _si(1), LAYOUTS["SI"])
    assert codes(problems) == [("BOM", 1)]


def test_a_leap_day_is_a_real_date_and_30_february_is_not() -> None:
    data = _si(1, business_date="2028-02-29")
    assert run(data, LAYOUTS["SI"], records=False)[1] == []
    assert codes(run(data.replace(b"2028-02-29", b"2027-02-29"), LAYOUTS["SI"])[1]) == [
        ("BAD_HEADER", 1), ("FIELD_DATE", 2)]


class Market:
    """A context such as the simulator will provide."""

    def event(self, announcement_id: str) -> CaEvent | None:
        return {"CA2026110001": CaEvent("CA2026110001", "00005")}.get(announcement_id)

    def available(self, participant: str, account: str, stock: str) -> int:
        return 1_000 if (participant, account, stock) == ("B01234", "01", "00005") else 0


def test_context_checks_events_and_holdings() -> None:
    layout = LAYOUTS["ELECTION"]
    lines = ["H,ELECTION,B01234,2027-04-06,1",
             "D,R1,CA2026110001,00005,01,600,CASH",
             "D,R2,CA2026110001,00005,01,600,SCRIP",   # 600 + 600 > 1,000 available
             "D,R3,CA2026119999,00005,01,100,CASH",    # no such event
             "D,R4,CA2026110001,00700,01,100,CASH",    # not the event's stock
             "T,4,1400", ""]
    data = "\r\n".join(lines).encode()
    results, problems, summary = run(data, layout, context=Market())
    assert codes(problems) == [("QUANTITY_ABOVE_HOLDING", 3), ("UNKNOWN_EVENT", 4), ("EVENT_STOCK_MISMATCH", 5)]
    assert [r.accepted for r in results] == [True, False, False, False]
    assert problems[0].expected.startswith("at most 400") and problems[0].column == 28
    assert summary.rejected == 3 and summary.accepted == 1
    assert run(data, layout)[1] == []  # no context: those checks are skipped, never guessed


def test_fixed_width_file_round_trip_and_errors() -> None:
    stream = io.BytesIO()
    generated = generate_file(stream, FIXED, 5, seed=2)
    data = stream.getvalue()
    results, problems, summary = run(data, FIXED, file_name=generated.file_name)
    assert problems == [] and summary.details == len(results) == 5 and generated.file_name.endswith(".dat")
    lines = data.split(b"\n")
    lines[2] = lines[2][:17] + b"7OO00" + lines[2][22:]
    _, problems, _ = run(b"\n".join(lines), FIXED)
    assert [(p.code, p.line, p.column, p.field) for p in problems] == [("FIELD_FORMAT", 3, 18, "stockCode")]


@pytest.mark.parametrize("records", [True, False])
def test_an_overlong_line_is_reported_once_and_the_lines_after_it_keep_their_numbers(records: bool) -> None:
    lines = _si(2).split(b"\r\n")
    bad = lines[2].replace(b",DELIVER,", b",DELIVR,").replace(b",RECEIVE,", b",RECEIV,")
    data = b"\r\n".join([lines[0], lines[1], b"D," + b"x" * 3_000_000, bad, *lines[3:]])
    for chunks in ((False, True) if records else (False,)):
        _, problems, summary = run(data, LAYOUTS["SI"], records=records, chunks=chunks)
        assert [(p.code, p.line) for p in problems] == [("LINE_TOO_LONG", 3), ("FIELD_ENUM", 4)]
        assert problems[0].received == "a line of 3,000,004 bytes (not checked further)"
        assert summary.lines == 5 and summary.details == 2


def test_a_number_longer_than_pythons_int_limit_is_a_field_format_error() -> None:
    lines = _si(2).split(b"\r\n")
    fields = lines[1].split(b",")
    position = 6  # quantity
    assert fields[position].isdigit()
    fields[position] = b"9" * 5000
    lines[1] = b",".join(fields)
    lines[-2] = b"T,2," + b"1" * 5000  # the trailer's hash total too
    for records in (True, False):
        _, problems, _ = run(b"\r\n".join(lines), LAYOUTS["SI"], records=records)
        found = [(p.code, p.line, p.field) for p in problems]
        assert ("FIELD_FORMAT", 2, "quantity") in found and ("BAD_TRAILER", 4, "hashTotal") in found
        quantity = next(p for p in problems if p.field == "quantity")
        assert "at most 40 digits (received 5,000 digits)" in quantity.expected
        assert quantity.received == repr("9" * 80) + "... (5,000 characters)"


def test_compressed_utf16_and_line_break_less_files_get_their_own_file_level_code() -> None:
    import gzip

    data = _si(3)
    assert codes(run(gzip.compress(data), LAYOUTS["SI"])[1]) == [("FILE_COMPRESSED", 1)]
    assert codes(run(data.decode("ascii").encode("utf-16"), LAYOUTS["SI"])[1]) == [("FILE_UTF16", 1)]
    assert codes(run(data.decode("ascii").encode("utf-16-le"), LAYOUTS["SI"])[1]) == [("FILE_UTF16", 1)]
    no_breaks = data.replace(b"\r\n", b";") * 40_000  # over 1 MiB without an LF
    for records in (True, False):
        problems = run(no_breaks, LAYOUTS["SI"], records=records)[1]
        assert codes(problems) == [("NO_LINE_BREAKS", 1)]
        assert problems[0].received == f"{len(no_breaks):,} bytes without a line break (LF)"


def test_a_quoted_value_says_quoting_is_not_allowed() -> None:
    lines = _si(2).split(b"\r\n")
    fields = lines[1].split(b",")
    fields[1] = b'"' + fields[1] + b'"'  # the client reference
    lines[1] = b",".join(fields)
    for records in (True, False):
        problems = run(b"\r\n".join(lines), LAYOUTS["SI"], records=records)[1]
        assert [(p.code, p.line) for p in problems] == [("FIELD_FORMAT", 2)]
        assert problems[0].expected == "the value without quotes: quoting is not allowed"


def test_duplicate_references_are_found_after_the_set_spills_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocp_conformance.rap import _references

    monkeypatch.setattr(_references, "IN_MEMORY", 50)
    monkeypatch.setattr(_references.ReferenceSet.__init__, "__defaults__", (50,))
    data = bytearray(_si(12_000, seed=4))
    lines = data.split(b"\r\n")
    reference = lines[11_000].split(b",")[1]
    lines[11_500] = lines[11_500].replace(lines[11_500].split(b",")[1], reference)
    duplicated = b"\r\n".join(lines)
    for records in (True, False):
        _, problems, summary = run(duplicated, LAYOUTS["SI"], records=records)
        assert codes(problems) == [("DUPLICATE_REFERENCE", 11_501)], records
        assert summary.details == 12_000


def test_the_reference_set_is_exact_on_disk_and_adds_a_block_all_or_nothing() -> None:
    from ocp_conformance.rap._references import ReferenceSet

    refs = ReferenceSet(limit=3)
    try:
        for reference in (b"a", b"b", b"c", b"d"):
            refs.add(reference)
        assert refs.spilled and b"a" in refs and b"z" not in refs
        assert refs.add_new([b"e", b"f"]) and not refs.add_new([b"g", b"a"])
        assert b"g" not in refs and len(refs) == 6  # the refused block added nothing
    finally:
        refs.close()
