"""Reading RAP's result file: what became of an uploaded file and of each of its detail records.

[M] The result file is modelled (RAP's is not public; see ``contracts/rap/README.md``): CSV, one row per line,

- ``H,<file name>,<participant>,<file type>,<status>,<records>,<accepted>,<rejected>,<file errors>``
- per file-level error: ``E,<line>,<column>,<code>,<message>``
- per detail record, in file order: ``R,<line>,<client reference>,ACCEPTED,<instruction id>,`` or
  ``R,<line>,<client reference>,REJECTED,<code>,<reason>``
- last, per code whose errors were too many to list: ``M,<code>,<how many more>,<message>``

The simulator writes it (``simulator/rap/processing.py``); the suites read it from any target with
:func:`parse_result_file`, which refuses a malformed one with the line and what was expected.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

__all__ = ["FileStatus", "RapResult", "ResultFileError", "ResultFileProblem", "ResultRecord", "parse_result_file"]

FileStatus = Literal["ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED"]
_STATUSES: tuple[FileStatus, ...] = ("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED")


class ResultFileError(ValueError):
    """A result file that does not follow the format: names the line, what was expected and what was seen."""


@dataclass(frozen=True, slots=True)
class ResultFileProblem:
    """A file-level error the target reported (an ``E`` row)."""

    line: int
    column: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """What became of one detail record (an ``R`` row)."""

    line: int
    client_reference: str
    accepted: bool
    instruction_id: str | None = None
    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RapResult:
    """A parsed result file; ``text`` is the file as the target wrote it (for reports)."""

    file_name: str
    participant: str
    file_type: str
    status: FileStatus
    records_total: int
    accepted_total: int
    rejected_total: int
    file_errors: tuple[ResultFileProblem, ...]
    records: tuple[ResultRecord, ...]
    text: str
    omitted: tuple[tuple[str, int], ...] = ()
    """Per code, how many more E/R rows the target counted but did not list (``M`` rows)."""

    @property
    def accepted(self) -> tuple[ResultRecord, ...]:
        return tuple(r for r in self.records if r.accepted)

    @property
    def rejected(self) -> tuple[ResultRecord, ...]:
        return tuple(r for r in self.records if not r.accepted)

    def record_at(self, line: int) -> ResultRecord | None:
        """The outcome of the detail record on ``line`` of the uploaded file, if the result names it."""
        return next((r for r in self.records if r.line == line), None)


def parse_result_file(text: str, source: str = "<result file>") -> RapResult:
    """Parse a result file; :class:`ResultFileError` (``source:line: expected …, got …``) if it is malformed."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0] != "H":
        seen = rows[0][:1] if rows and rows[0] else "an empty file"
        raise ResultFileError(f"{source}:1: expected a header row starting with H, got {seen!r}")
    header = rows[0]
    _width(header, 9, source, 1)
    status = header[4]
    if status not in _STATUSES:
        raise ResultFileError(f"{source}:1: expected a file status ({', '.join(_STATUSES)}), got {status!r}")
    errors: list[ResultFileProblem] = []
    records: list[ResultRecord] = []
    omitted: list[tuple[str, int]] = []
    for number, row in enumerate(rows[1:], start=2):
        kind = row[0] if row else ""
        if kind == "E":
            _width(row, 5, source, number)
            errors.append(ResultFileProblem(_int(row[1], source, number), _int(row[2], source, number), row[3],
                                            row[4]))
        elif kind == "R":
            _width(row, 6, source, number)
            records.append(_record(row, source, number))
        elif kind == "M":
            _width(row, 4, source, number)
            omitted.append((row[1], _int(row[2], source, number)))
        else:
            raise ResultFileError(f"{source}:{number}: expected a row starting with E, R or M, got {kind!r}")
    return RapResult(file_name=header[1], participant=header[2], file_type=header[3],
                     status=status, records_total=_int(header[5], source, 1),
                     accepted_total=_int(header[6], source, 1), rejected_total=_int(header[7], source, 1),
                     file_errors=tuple(errors), records=tuple(records), text=text, omitted=tuple(omitted))


def _record(row: list[str], source: str, number: int) -> ResultRecord:
    line, reference, outcome = _int(row[1], source, number), row[2], row[3]
    if outcome == "ACCEPTED":
        return ResultRecord(line, reference, True, instruction_id=row[4] or None)
    if outcome == "REJECTED":
        return ResultRecord(line, reference, False, code=row[4] or None, reason=row[5] or None)
    raise ResultFileError(f"{source}:{number}: expected ACCEPTED or REJECTED in column 4, got {outcome!r}")


def _width(row: list[str], expected: int, source: str, number: int) -> None:
    if len(row) != expected:
        raise ResultFileError(f"{source}:{number}: expected {expected} fields in a {row[0]} row, got {len(row)}")


def _int(text: str, source: str, number: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise ResultFileError(f"{source}:{number}: expected a number, got {text!r}") from None
