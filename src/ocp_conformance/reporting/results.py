"""Structured test outcomes: what each test says about the catalogue functions it covers.

The readiness verdict is computed from these records, never from console text. They are plain data so
that pytest-xdist workers can send them to the controller as JSON lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

__all__ = [
    "CHECK_KINDS",
    "OUTCOMES",
    "CheckKind",
    "CheckResult",
    "Outcome",
    "ResultFormatError",
    "dump_results",
    "load_results",
]

CheckKind = Literal["contract", "negative", "scenario", "security", "file"]
Outcome = Literal["passed", "failed", "skipped", "error", "not-applicable"]
"""``not-applicable``: the test does not apply to the bound contract (what it checks is not there: an operation
without a request body has no field to reject, a workflow needs a function the contract does not offer). Neither
run nor skipped; a check with only such tests is ``n/a``."""
CHECK_KINDS: tuple[CheckKind, ...] = get_args(CheckKind)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


class ResultFormatError(ValueError):
    """A :class:`CheckResult` (or its JSON form) that breaks the record's rules: a harness bug."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One test's outcome for the catalogue functions it covers.

    Attributes:
        test_id: the pytest node id.
        functions: catalogue names (exactly as HKEX writes them) the test covers.
        check: which kind of check the test is.
        outcome: ``error`` is a harness error (a crash of ours), never the target's failure.
        failed_functions: when ``failed``, the functions to blame (a subset of ``functions``);
            empty means all of ``functions``.
        message: the failure summary (first lines) or the skip reason.

    Example:
        >>> r = CheckResult("tests/x.py::test_input", ("Input SI",), "contract", "passed")
        >>> CheckResult.from_json(r.to_json()) == r
        True
    """

    test_id: str
    functions: tuple[str, ...]
    check: CheckKind
    outcome: Outcome
    failed_functions: tuple[str, ...] = ()
    message: str = ""

    def __post_init__(self) -> None:
        if self.check not in CHECK_KINDS:
            raise ResultFormatError(
                f"{self.test_id}: check {self.check!r} is not one of {', '.join(CHECK_KINDS)}"
            )
        if self.outcome not in OUTCOMES:
            raise ResultFormatError(
                f"{self.test_id}: outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}"
            )
        stray = [name for name in self.failed_functions if name not in self.functions]
        if stray:
            raise ResultFormatError(
                f"{self.test_id}: failed_functions {stray!r} are not among the functions it covers "
                f"{list(self.functions)!r}; blame only functions the test declares"
            )

    def blames(self, function: str) -> bool:
        """True if this is a failure that counts against ``function``."""
        if self.outcome != "failed" or function not in self.functions:
            return False
        return not self.failed_functions or function in self.failed_functions

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping; :meth:`from_json` reverses it."""
        return {
            "test_id": self.test_id,
            "functions": list(self.functions),
            "check": self.check,
            "outcome": self.outcome,
            "failed_functions": list(self.failed_functions),
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        """Rebuild a result from :meth:`to_json` output; a malformed one is a :class:`ResultFormatError`."""
        if not isinstance(data, Mapping):
            received = type(data).__name__
            raise ResultFormatError(f"expected a JSON object for a check result, received {received}")
        missing = [key for key in ("test_id", "functions", "check", "outcome") if key not in data]
        if missing:
            raise ResultFormatError(f"check result lacks {', '.join(missing)}: {dict(data)!r}")
        test_id = data["test_id"]
        if not isinstance(test_id, str):
            raise ResultFormatError(f"test_id must be a string, received {test_id!r}")
        return cls(
            test_id=test_id,
            functions=_names(data["functions"], "functions", test_id),
            check=cast(CheckKind, data["check"]),
            outcome=cast(Outcome, data["outcome"]),
            failed_functions=_names(data.get("failed_functions", []), "failed_functions", test_id),
            message=str(data.get("message", "")),
        )


def _names(value: object, field: str, test_id: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ResultFormatError(f"{test_id}: {field} must be a list of catalogue names, received {value!r}")
    return tuple(cast("list[str]", list(value)))


def dump_results(results: Iterable[CheckResult]) -> str:
    """Results as JSON lines (one object per line, newline-terminated).

    ASCII only: non-ASCII characters are ``\\u`` escapes, so no separator that ``str.splitlines`` honours
    (``\\u2028``, ``\\x1c``, …) can split a record.
    """
    return "".join(json.dumps(r.to_json(), ensure_ascii=True) + "\n" for r in results)


def load_results(lines: Iterable[str]) -> Iterator[CheckResult]:
    """Parse JSON lines written by :func:`dump_results`; blank lines are ignored.

    Example:
        >>> r = CheckResult("t::a", ("Input SI",), "scenario", "skipped", message="no clock control")
        >>> list(load_results(dump_results([r]).splitlines())) == [r]
        True
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ResultFormatError(f"line {number}: not JSON ({exc.msg})") from None
        yield CheckResult.from_json(data)
