"""What validating a file yields: a result per detail record, and the totals of the file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ocp_conformance.rap.codes import CODES, Problem

__all__ = ["RecordBlock", "RecordResult", "ValidationSummary"]


@dataclass(frozen=True, slots=True)
class RecordResult:
    """One detail record: its line, its values (``None`` if they could not be read) and its problems."""

    line: int
    values: dict[str, Any] | None
    problems: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class RecordBlock:
    """Consecutive detail records, every one accepted, as the file holds them (``Validation(blocks=True)``).

    Attributes:
        first_line: the line number of the first of them.
        lines: how many records (lines) there are.
        data: their bytes, whole lines with their line endings; the validator checked each line against the
            layout's fast path, so a line holds exactly the layout's delimiters and no quote, and its fields
            are the values split at the delimiters.
    """

    first_line: int
    lines: int
    data: bytes


@dataclass(slots=True)
class ValidationSummary:
    """Totals of one validated file."""

    file_type: str
    participant: str | None = None
    business_date: str | None = None
    sequence: int | None = None
    lines: int = 0
    details: int = 0
    rejected: int = 0
    hash_total: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    line_ending_mismatches: int = 0

    @property
    def accepted(self) -> int:
        return self.details - self.rejected

    @property
    def file_errors(self) -> int:
        return sum(n for code, n in self.codes.items() if CODES[code].level == "file")

    @property
    def record_errors(self) -> int:
        return sum(n for code, n in self.codes.items() if CODES[code].level == "record")

    @property
    def valid(self) -> bool:
        """No problem at all: the file would be accepted whole."""
        return not self.codes

    def to_json(self) -> dict[str, object]:
        return {"file_type": self.file_type, "participant": self.participant, "business_date": self.business_date,
                "sequence": self.sequence, "valid": self.valid, "lines": self.lines, "details": self.details,
                "accepted": self.accepted, "rejected": self.rejected, "file_errors": self.file_errors,
                "record_errors": self.record_errors, "codes": dict(sorted(self.codes.items()))}
