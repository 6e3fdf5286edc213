"""What a RAP result file must say: judged against the file uploaded, blamed on the file type's catalogue entry."""

from __future__ import annotations

from collections.abc import Sequence

from suites.rule_broken import RuleBroken

from ocp_conformance.rap import CODES, GeneratedFile, RapResult

__all__ = ["FileRuleBroken", "expect_accepted_in_full", "expect_defect_caught", "expect_record_rejected"]


class FileRuleBroken(RuleBroken):
    """The target processed a RAP file against the rules of its file type."""

    def __init__(self, function: str, what: str, *, received: object, expected: object, result: RapResult,
                 context: Sequence[str] = ()) -> None:
        super().__init__(function, what, received=received, expected=expected,
                         context=[*context, "Result file:", *("  " + line for line in result.text.splitlines()[:40])])


def _outcomes(result: RapResult) -> list[str]:
    return [f"line {r.line}: " + ("ACCEPTED" if r.accepted else f"REJECTED {r.code}") for r in result.records]


def expect_accepted_in_full(entry: str, file: str, lines: Sequence[int], result: RapResult) -> None:
    """Every detail record (on ``lines``) accepted, no file-level error."""
    accepted = sorted(r.line for r in result.accepted)
    if result.file_errors or result.status != "ACCEPTED" or accepted != sorted(lines):
        raise FileRuleBroken(entry, f"a valid file {file} was not accepted in full", result=result,
                             received=f"{result.status}; file errors {[(e.line, e.code) for e in result.file_errors]}; "
                                      f"records {_outcomes(result)}",
                             expected=f"ACCEPTED, every record accepted (lines {list(lines)}), no file error")


def expect_record_rejected(entry: str, file: str, line: int, code: str, lines: Sequence[int],
                           result: RapResult) -> None:
    """The record on ``line`` rejected with ``code``; every other detail record on ``lines`` accepted."""
    found = result.record_at(line)
    others = sorted(r.line for r in result.accepted)
    expected_others = sorted(n for n in lines if n != line)
    if found is None or found.accepted or found.code != code or result.file_errors or others != expected_others:
        received = ("no outcome for that line" if found is None else
                    "ACCEPTED" if found.accepted else f"REJECTED {found.code}")
        raise FileRuleBroken(entry, f"{file}: line {line} must be rejected with {code} ({CODES[code].title}), the "
                             "other records accepted", result=result,
                             received=f"line {line}: {received}; accepted lines {others}; file errors "
                                      f"{[(e.line, e.code) for e in result.file_errors]}",
                             expected=f"line {line}: REJECTED {code}; accepted lines {expected_others}; no file "
                                      "error")


def expect_defect_caught(entry: str, generated: GeneratedFile, result: RapResult) -> None:
    """A file-level defect rejects the whole file with its code at its line; a record-level one rejects that line
    with its code and accepts the other records."""
    defect = generated.defect
    assert defect is not None
    if CODES[defect.code].level == "record":
        extra = 1 if defect.kind == "record-type" else 0  # the stray line comes in addition to the records
        lines = list(range(2, generated.records + 2 + extra))
        expect_record_rejected(entry, generated.file_name, generated.line, defect.code, lines, result)
        return
    errors = [(e.line, e.code) for e in result.file_errors]
    if result.status != "REJECTED" or (generated.line, defect.code) not in errors or result.accepted:
        raise FileRuleBroken(entry, f"{generated.file_name} ({defect.description}) must be rejected whole with "
                             f"{defect.code} at line {generated.line}", result=result,
                             received=f"{result.status}; file errors {errors}; accepted lines "
                                      f"{[r.line for r in result.accepted]}",
                             expected=f"REJECTED; file error ({generated.line}, {defect.code}); no record accepted")
