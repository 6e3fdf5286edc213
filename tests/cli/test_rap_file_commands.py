"""`ocp-conformance validate-file` and `generate-file` as a user runs them: output, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ocp_conformance.cli import app

runner = CliRunner()


def cli(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_generate_then_validate_a_valid_file(tmp_path: Path) -> None:
    code, output = cli("generate-file", "SI", "--records", "50", "--out", tmp_path, "--seed", "3")
    assert code == 0, output
    path = tmp_path / "B01234_SI_20270406_001.csv"
    assert f"wrote {path} (SI, 50 record(s))" in output
    code, output = cli("validate-file", path, "--participant", "B01234")
    assert code == 0, output
    assert output.strip() == f"{path}: valid SI file, 50 record(s)"


def test_out_with_a_trailing_slash_is_a_folder_created_for_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "files"
    code, output = cli("generate-file", "SI", "--records", "2", "-o", f"{folder}/")
    assert code == 0, output
    assert folder.is_dir(), f"-o {folder}/ wrote a file named {folder.name} instead of a folder"
    assert [p.name for p in folder.iterdir()] == ["B01234_SI_20270406_001.csv"]


def test_out_with_a_trailing_slash_refuses_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "bad"
    existing.write_text("keep me", encoding="utf-8")
    code, output = usage("generate-file", "SI", "--records", "2", "-o", f"{existing}/")
    assert code == 2, output
    assert "exists and is not a folder" in output and "fix:" in output
    assert existing.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(("defect", "code"), [("trailer-count", "TRAILER_COUNT"), ("bad-field", "FIELD_FORMAT"),
                                              ("duplicate-reference", "DUPLICATE_REFERENCE")])
def test_a_planted_defect_is_reported_at_its_line(tmp_path: Path, defect: str, code: str) -> None:
    path = tmp_path / "B01234_ELECTION_20270406_007.csv"
    status, output = cli("generate-file", "election", "--records", "20", "--defect", defect, "-o", path,
                         "--sequence", "7")
    assert status == 0, output
    line = int(output.rsplit("at line ", 1)[1].rstrip(")\n"))
    status, output = cli("validate-file", path)
    assert status == 1
    first = output.splitlines()[0]
    assert first.startswith(f"{path}:{line}:") and f": {code} " in first and "expected" in first and "fix:" in first
    assert "invalid ELECTION file" in output.splitlines()[-1]


def test_json_lines_and_seen_sequences(tmp_path: Path) -> None:
    path = tmp_path / "B01234_SI_20270406_002.csv"
    assert cli("generate-file", "SI", "--records", "3", "-o", path, "--sequence", "2")[0] == 0
    seen = tmp_path / "seen.txt"
    seen.write_text("B01234_SI_20270406_001.csv\nB01234_SI_20270406_002.csv\nB01234_ATI_20270406_003.csv\n",
                    encoding="utf-8")
    code, output = cli("validate-file", path, "--format", "json", "--seen-sequences", seen)
    assert code == 1
    rows = [json.loads(line) for line in output.splitlines()]
    assert [(r["code"], r["line"], r["level"]) for r in rows[:-1]] == [("DUPLICATE_SEQUENCE", 1, "file")]
    assert rows[-1]["summary"]["valid"] is False and rows[-1]["summary"]["details"] == 3


def test_wrong_participant_and_type_from_the_header(tmp_path: Path) -> None:
    generated = tmp_path / "B01234_VOTING_20270406_001.csv"
    assert cli("generate-file", "VOTING", "--records", "2", "-o", generated)[0] == 0
    renamed = generated.rename(tmp_path / "votes.csv")  # type now read from the header; the name is wrong
    code, output = cli("validate-file", renamed, "--participant", "C00019")
    assert code == 1
    assert [line.split(": ")[1].split()[0] for line in output.splitlines()[:-1]] == [
        "BAD_FILE_NAME", "WRONG_PARTICIPANT"]


def usage(*args: str | Path) -> tuple[int, str]:
    code, output = cli(*args)
    return code, " ".join(output.split())  # error messages wrap to the terminal's width


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, output = usage("validate-file", tmp_path / "missing.csv")
    assert code == 2 and "no such file" in output
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    code, output = usage("validate-file", junk, "--type", "ELECTON")
    assert code == 2 and "'ELECTION'" in output
    code, output = usage("generate-file", "SI", "--defect", "trailer-cout", "-o", tmp_path)
    assert code == 2 and "'trailer-count'" in output
    code, output = usage("generate-file", "ATI", "--defect", "bad-date", "-o", tmp_path)
    assert code == 2 and "does not apply" in output
    assert not list(tmp_path.glob("*ATI*"))


def test_list_defects() -> None:
    code, output = cli("generate-file", "SI", "--list-defects")
    assert code == 0 and "trailer-hash\tTRAILER_HASH\t" in output


def test_a_layout_is_replaced_by_editing_data_only(tmp_path: Path) -> None:
    """Another contracts folder whose SI layout uses ';', LF and another file extension: no code change."""
    contracts = tmp_path / "contracts"
    shutil.copytree(Path(__file__).parents[2] / "contracts", contracts)
    layout = contracts / "rap" / "si.yaml"
    text = layout.read_text(encoding="utf-8").replace('delimiter: ","', 'delimiter: ";"').replace(
        "line_ending: CRLF", "line_ending: LF").replace("_{sequence}.csv", "_{sequence}.txt")
    layout.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    code, output = cli("generate-file", "SI", "--records", "30", "-o", out, "--contracts", contracts)
    assert code == 0, output
    path = out / "B01234_SI_20270406_001.txt"
    assert path.read_bytes().startswith(b"H;SI;B01234;2027-04-06;1\n")
    assert cli("validate-file", path, "--contracts", contracts)[0] == 0
    path.write_bytes(path.read_bytes().replace(b";", b",", 1))
    code, output = cli("validate-file", path, "--contracts", contracts)
    assert code == 1 and ": BAD_HEADER " in output


def _valid(tmp_path: Path, records: int = 3) -> Path:
    path = tmp_path / "B01234_SI_20270406_001.csv"
    assert cli("generate-file", "SI", "--records", str(records), "-o", path)[0] == 0
    return path


def test_a_file_of_no_rap_type_is_that_files_error_and_the_others_are_still_checked(tmp_path: Path) -> None:
    junk = tmp_path / "B01234_FOO_20270406_001.csv"
    junk.write_text("H,FOO,B01234,2027-04-06,1\r\nT,0,0\r\n", encoding="ascii")
    good = _valid(tmp_path)
    code, output = cli("validate-file", junk, good)
    assert code == 1, output
    lines = output.splitlines()
    assert lines[0].startswith(f"{junk}:1:1: UNKNOWN_FILE_TYPE neither the file name nor the header names a RAP "
                               "file type")
    assert lines[1].startswith(f"{junk}: invalid unknown file: 1 file-level")
    assert lines[2] == f"{good}: valid SI file, 3 record(s)"


def test_a_number_past_pythons_digit_limit_is_reported_and_the_next_file_still_checked(tmp_path: Path) -> None:
    good = _valid(tmp_path)
    huge = tmp_path / "other" / good.name
    huge.parent.mkdir()
    lines = good.read_bytes().split(b"\r\n")
    fields = lines[1].split(b",")
    fields[6] = b"1" * 5000  # quantity
    lines[1] = b",".join(fields)
    huge.write_bytes(b"\r\n".join(lines))
    code, output = cli("validate-file", huge, good)
    assert code == 1, output
    assert f"{huge}:2:" in output and "FIELD_FORMAT" in output and "at most 40 digits" in output
    assert len(max(output.splitlines(), key=len)) < 1000  # the 5,000-digit value is not echoed whole
    assert output.splitlines()[-1] == f"{good}: valid SI file, 3 record(s)"


def test_a_seen_sequences_file_saved_with_a_bom_keeps_its_first_entry(tmp_path: Path) -> None:
    path = _valid(tmp_path)
    seen = tmp_path / "seen.txt"
    seen.write_bytes(b"\xef\xbb\xbf" + path.name.encode() + b"\r\n")
    code, output = cli("validate-file", path, "--seen-sequences", seen)
    assert code == 1 and "DUPLICATE_SEQUENCE" in output, output


def test_errors_are_capped_per_code_with_a_count_of_the_rest(tmp_path: Path) -> None:
    path = _valid(tmp_path, 30)
    data = path.read_bytes().replace(b",DELIVER,", b",DELIVR,").replace(b",RECEIVE,", b",RECEIV,")
    path.write_bytes(data)
    code, output = cli("validate-file", path, "--errors-per-code", "4")
    assert code == 1
    lines = output.splitlines()
    assert sum("FIELD_ENUM" in line for line in lines) == 5  # 4 errors, then the count of the rest
    assert f"{path}: 26 more FIELD_ENUM error(s) not shown (the first 4 are; --errors-per-code N shows more)" in lines
    code, output = cli("validate-file", path, "--errors-per-code", "4", "--format", "json")
    omitted = [json.loads(line) for line in output.splitlines() if '"omitted"' in line]
    assert omitted == [{"file": str(path), "code": "FIELD_ENUM", "omitted": 26, "shown": 4}]
