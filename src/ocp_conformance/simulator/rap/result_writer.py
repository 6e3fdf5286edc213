"""What processing one RAP upload did, and its result file, written in bounded memory.

[M] The result file (CSV, CRLF; a value with a comma or quote is quoted as RFC 4180 says), read back by
:func:`ocp_conformance.rap.parse_result_file`:

- ``H,<file name>,<participant>,<file type>,<status>,<records>,<accepted>,<rejected>,<file errors>``
- per file-level error: ``E,<line>,<column>,<code>,<message>``
- per detail record, in file order: ``R,<line>,<client reference>,ACCEPTED,<instruction id>,`` or
  ``R,<line>,<client reference>,REJECTED,<code>,<reason>``
- last, per code with more file-level errors, then per code with more rejected records, than
  :class:`~.limits.RapLimits` ``errors_per_code``: ``M,<code>,<how many more>,<message>`` (those E or R rows are
  not listed; the header's counts include them)

A file with a million bad lines thus answers with at most ``errors_per_code`` rows per code besides one ACCEPTED
row per applied record: the result file stays within a small multiple of the upload.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from ocp_conformance.rap import Problem
from ocp_conformance.rap.result_file import FileStatus
from ocp_conformance.simulator.rap.limits import RapLimits

__all__ = ["RECORDS_KEPT", "ProcessingResult", "RecordOutcome", "ResultRows", "write_result"]

RECORDS_KEPT: Final = 10_000
"""Outcomes kept in :attr:`ProcessingResult.records` (all of them for a file within it); the result file has all."""


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What became of one detail record."""

    line: int
    client_reference: str | None
    accepted: bool
    instruction_id: str | None = None
    code: str | None = None
    reason: str | None = None


@dataclass(slots=True)
class ProcessingResult:
    """What processing one uploaded file did; :attr:`result_file` is where the participant reads it.

    ``records`` holds the first :data:`RECORDS_KEPT` outcomes and ``file_errors`` the listed file-level errors
    (``errors_per_code`` per code); the counts cover all of them.
    """

    file_name: str
    participant: str
    file_type: str | None
    file_errors: list[Problem] = field(default_factory=list)
    records: list[RecordOutcome] = field(default_factory=list)
    result_file: Path | None = None
    record_count: int = 0
    accepted: int = 0
    file_error_count: int = 0
    omitted: Counter[str] = field(default_factory=Counter)
    """Per code, the rejected records (R rows) the result file does not list (it says how many in an ``M`` row)."""
    file_errors_omitted: Counter[str] = field(default_factory=Counter)
    """Per code, the file-level errors (E rows) the result file does not list (``M`` rows too)."""
    errors_per_code: int = RapLimits().errors_per_code
    rows: ResultRows | None = field(default=None, repr=False)
    listed: Counter[str] = field(default_factory=Counter, repr=False)
    """Per code, the file-level errors in :attr:`file_errors`."""

    @property
    def rejected(self) -> int:
        return self.record_count - self.accepted

    @property
    def status(self) -> FileStatus:
        if self.file_error_count or (self.record_count and not self.accepted):
            return "REJECTED"
        return "ACCEPTED" if not self.rejected else "PARTIALLY_ACCEPTED"

    def add_file_error(self, problem: Problem) -> None:
        """Count a file-level error; list it unless its code already has ``errors_per_code`` listed."""
        self.file_error_count += 1
        if self.listed[problem.code] < self.errors_per_code:
            self.listed[problem.code] += 1
            self.file_errors.append(problem)
        else:
            self.file_errors_omitted[problem.code] += 1

    def add(self, outcome: RecordOutcome) -> None:
        """Count a record's outcome, keep it if there is room, and write its row (if writing)."""
        self.record_count += 1
        self.accepted += outcome.accepted
        if len(self.records) < RECORDS_KEPT:
            self.records.append(outcome)
        if self.rows is not None and not self.rows.write(outcome):
            self.omitted[outcome.code or ""] += 1

    def add_accepted(self, first_line: int, references: Sequence[str | None], ids: Sequence[str]) -> None:
        """:meth:`add` for ``len(ids)`` consecutive records, all accepted: lines ``first_line``... with their
        client references and instruction ids (the same counts, kept outcomes and rows, in one go)."""
        count = len(ids)
        self.record_count += count
        self.accepted += count
        room = min(RECORDS_KEPT - len(self.records), count)
        if room > 0:
            self.records.extend(RecordOutcome(first_line + k, references[k], True, instruction_id=ids[k])
                                for k in range(room))
        if self.rows is not None:
            self.rows.write_accepted(first_line, references, ids)

    def summary(self) -> str:
        """One line for a console: name, status, counts and the first file-level error if any."""
        text = (f"{self.file_name} from {self.participant}: {self.status}, {self.record_count} record(s), "
                f"{self.accepted} accepted, {self.rejected} rejected")
        if self.file_errors:
            first = self.file_errors[0]
            text += f"; {self.file_error_count} file error(s), first {first.line}:{first.column} {first.code}"
        return text


class ResultRows:
    """The R rows of a result file, spooled to a temporary file in file order; at most ``errors_per_code``
    REJECTED rows per code."""

    def __init__(self, errors_per_code: int) -> None:
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self._writer = csv.writer(self._file, lineterminator="\r\n")
        self._cap = errors_per_code
        self._listed: Counter[str] = Counter()

    def write(self, outcome: RecordOutcome) -> bool:
        """Write the outcome's row; ``False`` if it is a rejection past its code's cap (not written)."""
        if outcome.accepted:
            self._writer.writerow(["R", outcome.line, outcome.client_reference or "", "ACCEPTED",
                                   outcome.instruction_id or "", ""])
            return True
        code = outcome.code or ""
        if self._listed[code] >= self._cap:
            return False
        self._listed[code] += 1
        self._writer.writerow(["R", outcome.line, outcome.client_reference or "", "REJECTED", code,
                               outcome.reason or ""])
        return True

    def write_accepted(self, first_line: int, references: Sequence[str | None], ids: Sequence[str]) -> None:
        """The rows of consecutive accepted records (lines ``first_line``...), as :meth:`write` writes them."""
        text = "".join([f"R,{first_line + k},{reference or ''},ACCEPTED,{instruction_id},\r\n"
                        for k, (reference, instruction_id) in enumerate(zip(references, ids, strict=True))])
        count = len(ids)
        if text.count(",") == 5 * count and text.count("\r") == count and text.count("\n") == count \
                and '"' not in text:
            self._file.write(text)  # nothing to quote: what the csv writer writes
            return
        for k, (reference, instruction_id) in enumerate(zip(references, ids, strict=True)):
            self.write(RecordOutcome(first_line + k, reference, True, instruction_id=instruction_id))

    def copy_to(self, target: IO[str]) -> None:
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, 1 << 20)

    def close(self) -> None:
        self._file.close()


def write_result(path: Path, result: ProcessingResult) -> None:
    """Write the result file at ``path`` atomically (temporary name, then rename): header, E rows, the spooled R
    rows, M rows."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(["H", result.file_name, result.participant, result.file_type or "", result.status,
                             result.record_count, result.accepted, result.rejected, result.file_error_count])
            for problem in result.file_errors:
                writer.writerow(["E", problem.line, problem.column, problem.code, problem.message])
            if result.rows is not None:
                out.flush()
                result.rows.copy_to(out)
            for omitted, what in ((result.file_errors_omitted, "file-level error(s)"),
                                  (result.omitted, "rejected record(s)")):
                for code, more in sorted(omitted.items()):
                    writer.writerow(["M", code, more, f"{more} more {what} with code {code} are not listed (the "
                                     f"first {result.errors_per_code} are)"])
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
