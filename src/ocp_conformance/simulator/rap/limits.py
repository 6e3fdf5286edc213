"""How much one RAP upload may hold, and how much of its errors the result file lists.

[M] HKSCC's RAP Batch File Specification is not public, so the defaults are modelled on what a real batch file
reaches: a participant's busiest daily SI batch is in the hundreds of thousands of instructions, and a detail
record of our layouts is 60-110 bytes (an SI record about 71). One million records, then, is above any real day,
and 128 MiB holds a million records of the widest layout with room for long free-text fields. A larger upload is
not a batch file (a wrong file, a loop in the sender, an attack) and is rejected before it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# cli.py states these in `simulate --help` without importing this module (it imports the simulator lazily)
__all__ = ["DEFAULT_ERRORS_PER_CODE", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_RECORDS", "RapLimits"]

DEFAULT_MAX_BYTES: Final = 128 * 1024 * 1024
DEFAULT_MAX_RECORDS: Final = 1_000_000
DEFAULT_ERRORS_PER_CODE: Final = 1_000


@dataclass(frozen=True, slots=True)
class RapLimits:
    """Caps on one upload (``simulate --rap-max-bytes/--rap-max-records/--rap-errors-per-code``).

    Attributes:
        max_bytes: a larger file is rejected at once with FILE_TOO_LARGE, unread.
        max_records: a file with more detail records is rejected with TOO_MANY_RECORDS as soon as the next one is
            read; nothing more is read.
        errors_per_code: the result file lists at most this many rejected records (and file-level errors) per code,
            then one ``M`` row with the count of the rest, so it stays within a small multiple of the upload.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_records: int = DEFAULT_MAX_RECORDS
    errors_per_code: int = DEFAULT_ERRORS_PER_CODE

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_records", "errors_per_code"):
            if getattr(self, name) < 1:
                raise ValueError(f"RapLimits.{name} must be at least 1, received {getattr(self, name)}")
