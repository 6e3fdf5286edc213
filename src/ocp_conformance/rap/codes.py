"""Every error code a RAP upload can earn, with its level and its fix, in one table (data, not code paths).

A *file-level* error rejects the whole file; a *record-level* error rejects one detail record (DOMAIN.md §7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = ["CODES", "Code", "Level", "Problem"]

Level = Literal["file", "record"]


@dataclass(frozen=True, slots=True)
class Code:
    """One error code: what it means and how a participant fixes it."""

    name: str
    level: Level
    title: str
    fix: str


def _table(*codes: Code) -> Mapping[str, Code]:
    return MappingProxyType({code.name: code for code in codes})


CODES: Mapping[str, Code] = _table(
    # file-level: the file is rejected whole
    Code("FILE_EMPTY", "file", "the file is empty", "upload a file with a header, the detail records and a trailer"),
    Code("BAD_ENCODING", "file", "bytes that are not valid in the layout's encoding",
         "save the file as plain ASCII (or UTF-8 where the layout says so); replace accented or special characters"),
    Code("BOM", "file", "the file starts with a byte-order mark", "save the file without a BOM (\"UTF-8\", not "
         "\"UTF-8 with BOM\")"),
    Code("LINE_ENDINGS", "file", "a line ends differently from the layout's line ending",
         "end every line the same way, as the layout says (CRLF or LF); convert with unix2dos or dos2unix"),
    Code("BAD_HEADER", "file", "the first record is not a valid header",
         "start the file with one H record: H,<file type>,<participant ID>,<business date>,<sequence no.>"),
    Code("BAD_TRAILER", "file", "the trailer record is malformed",
         "end the file with one T record: T,<detail count>,<hash total>"),
    Code("MISSING_TRAILER", "file", "the file has no trailer record",
         "end the file with a T record; a missing trailer usually means the file was cut short: upload it again"),
    Code("TRUNCATED_LAST_LINE", "file", "the last line has no line ending",
         "end the last line with the layout's line ending; a missing one often means the upload was cut short"),
    Code("TRAILER_COUNT", "file", "the trailer's record count is not the number of detail records",
         "set the trailer's count to the number of D records (or look for lost or duplicated lines)"),
    Code("TRAILER_HASH", "file", "the trailer's hash total is not the sum of the detail records' hash field",
         "set the hash total to the sum of the hash-totalled field (quantity), or look for altered lines"),
    Code("WRONG_PARTICIPANT", "file", "the participant in the file name, header and upload account disagree",
         "use your own participant ID in the file name and the header"),
    Code("DUPLICATE_SEQUENCE", "file", "this sequence number was already used for this file type and date",
         "give each file of the day a new sequence number (in the header and the file name)"),
    Code("BAD_FILE_NAME", "file", "the file name does not follow the layout's pattern or disagrees with the header",
         "name the file <participant ID>_<file type>_<YYYYMMDD>_<sequence no.>.csv, matching its header"),
    Code("UNKNOWN_FILE_TYPE", "file", "neither the file name nor the header names a RAP file type",
         "name the file <participant ID>_<file type>_<YYYYMMDD>_<sequence no.>.csv with a RAP file type (e.g. SI), "
         "and start it with H,<file type>,...; or pass --type"),
    Code("FILE_COMPRESSED", "file", "the file is compressed (gzip or zip), not a RAP text file",
         "upload the uncompressed CSV file (gunzip or unzip it first)"),
    Code("FILE_UTF16", "file", "the file is UTF-16 text, not ASCII",
         "save the file as ASCII or UTF-8 (\"UTF-8\", not \"Unicode\" or \"UTF-16\")"),
    Code("NO_LINE_BREAKS", "file", "the file has no line break (LF) at all",
         "end every record with the layout's line ending (CRLF); a file whose lines end with CR only (old Mac) "
         "needs converting"),
    Code("LINE_TOO_LONG", "file", "a line is far longer than any RAP record (over 1 MiB)",
         "check the file is a RAP upload and that its lines end with the layout's line ending"),
    Code("SECOND_HEADER", "file", "a second header record", "put exactly one H record, on line 1"),
    Code("SECOND_TRAILER", "file", "a second trailer record", "put exactly one T record, on the last line"),
    Code("AFTER_TRAILER", "file", "content after the trailer record",
         "end the file with the trailer; remove what follows it (or two files were joined: upload them apart)"),
    Code("FILE_TOO_LARGE", "file", "the file is larger than the receiver accepts for one upload",
         "split the instructions over several files (each with its own sequence number), each within the limit"),
    Code("TOO_MANY_RECORDS", "file", "the file has more detail records than the receiver accepts for one upload",
         "split the instructions over several files (each with its own sequence number), each within the limit"),
    # record-level: the record is rejected and reported; the rest of the file is processed
    Code("RECORD_TYPE", "record", "an unknown or misplaced record type",
         "use H for the first line, D for each instruction and T for the last line"),
    Code("FIELD_COUNT", "record", "the record has the wrong number of fields (or the wrong length)",
         "give the record exactly the layout's fields, in order; a delimiter inside a value splits it"),
    Code("FIELD_REQUIRED", "record", "a required field is empty", "fill in the field"),
    Code("FIELD_FORMAT", "record", "a field does not have the expected format",
         "write the value in the layout's format (see the field's pattern)"),
    Code("FIELD_LENGTH", "record", "a field is too short or too long", "shorten or complete the value"),
    Code("FIELD_ENUM", "record", "a field is not one of the allowed values", "use one of the listed values"),
    Code("FIELD_RANGE", "record", "a number is outside the allowed range", "use a number within the range"),
    Code("FIELD_DATE", "record", "a date is not a real calendar date in YYYY-MM-DD", "write the date as YYYY-MM-DD"),
    Code("FIELD_RULE", "record", "fields of the record contradict each other",
         "make the fields consistent as the rule says"),
    Code("DUPLICATE_REFERENCE", "record", "the client reference is used by an earlier record of this file",
         "give every instruction of the file its own client reference"),
    Code("UNKNOWN_EVENT", "record", "no corporate-action event has this announcement id",
         "use the announcement id of an open corporate-action event"),
    Code("EVENT_STOCK_MISMATCH", "record", "the stock code is not the event's stock",
         "use the stock code of the event (for subscriptions, the rights or warrants code)"),
    Code("QUANTITY_ABOVE_HOLDING", "record", "the quantity exceeds the available holding",
         "instruct at most the available quantity, net of quantities already instructed"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One error found in a file, at a 1-based line and column (column 1 for a whole line or the file)."""

    code: str
    line: int
    column: int
    expected: str
    received: str
    field: str | None = None

    @property
    def level(self) -> Level:
        return CODES[self.code].level

    @property
    def fix(self) -> str:
        return CODES[self.code].fix

    @property
    def message(self) -> str:
        """``<title>[ (field x)]: expected …, received …; fix: …`` on one line."""
        where = f" (field {self.field})" if self.field else ""
        return (f"{CODES[self.code].title}{where}: expected {self.expected}, received {self.received}; "
                f"fix: {self.fix}")

    def render(self, path: object) -> str:
        """``path:line:column: CODE message``, the form compilers use, so editors can jump to it."""
        return f"{path}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_json(self, path: object) -> dict[str, object]:
        return {"file": str(path), "line": self.line, "column": self.column, "code": self.code,
                "level": self.level, "field": self.field, "expected": self.expected, "received": self.received,
                "fix": self.fix, "message": self.message}
