"""Deliberate defects of RAP processing, for fault profiles: the processor consults them, per file type.

A clean simulator has none (``ProcessingDefects()``). Each field names the file types (or, per file type, the
codes) it breaks, so a fault profile breaks exactly the catalogue entry it names and the RAP file suites of
every other type still pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["FAKE_INSTRUCTION_PREFIX", "ProcessingDefects"]

FAKE_INSTRUCTION_PREFIX = "FAKE"
"""The instruction id a defect reports for a record it says it accepted but never applied."""


def _frozen_codes(value: Mapping[str, frozenset[str]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({k: frozenset(v) for k, v in value.items()})


@dataclass(frozen=True, slots=True)
class ProcessingDefects:
    """What the processor does wrong, per file type. Empty (the default): nothing."""

    file_codes_ignored: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """File type -> file-level codes not enforced (the file is processed as if they were not found)."""
    record_codes_ignored: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """File type -> record-level codes (validator or domain) reported ACCEPTED, though nothing is applied."""
    codes_renamed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """File type -> {right code: wrong code} for rejected records."""
    rejected_omitted: frozenset[str] = frozenset()
    """File types whose result file leaves out the rejected records."""
    applied_twice: frozenset[str] = frozenset()
    """File types whose accepted records are applied twice (a retry without a done-mark)."""
    not_applied: frozenset[str] = frozenset()
    """File types whose valid records are reported ACCEPTED but never applied."""
    sequences_forgotten: frozenset[str] = frozenset()
    """File types whose sequence numbers are not remembered, so a duplicate file sequence is accepted."""

    def merged(self, other: ProcessingDefects) -> ProcessingDefects:
        """Both sets of defects (several fault profiles at once)."""
        return ProcessingDefects(
            file_codes_ignored=_frozen_codes(_union(self.file_codes_ignored, other.file_codes_ignored)),
            record_codes_ignored=_frozen_codes(_union(self.record_codes_ignored, other.record_codes_ignored)),
            codes_renamed=MappingProxyType({t: {**self.codes_renamed.get(t, {}), **other.codes_renamed.get(t, {})}
                                            for t in {*self.codes_renamed, *other.codes_renamed}}),
            rejected_omitted=self.rejected_omitted | other.rejected_omitted,
            applied_twice=self.applied_twice | other.applied_twice,
            not_applied=self.not_applied | other.not_applied,
            sequences_forgotten=self.sequences_forgotten | other.sequences_forgotten,
        )

    def ignores_file_code(self, file_type: str, code: str) -> bool:
        return code in self.file_codes_ignored.get(file_type, frozenset())

    def ignores_record_codes(self, file_type: str, codes: list[str]) -> bool:
        """Every one of ``codes`` is ignored for ``file_type`` (so the record is reported accepted)."""
        ignored = self.record_codes_ignored.get(file_type, frozenset())
        return bool(codes) and all(code in ignored for code in codes)

    def code(self, file_type: str, code: str) -> str:
        """The code the result file reports for a record rejected with ``code``."""
        return self.codes_renamed.get(file_type, {}).get(code, code)


def _union(first: Mapping[str, frozenset[str]], second: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return {t: first.get(t, frozenset()) | second.get(t, frozenset()) for t in {*first, *second}}
