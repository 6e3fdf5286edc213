"""Where RAP files live in the simulator: one folder per participant, with an INBOX and an OUTBOX.

```
root/
  B01234/
    INBOX/    the participant's uploads (the only place it may write)
    OUTBOX/   what the simulator writes back: result files, `<name>.error.txt`
```

Both transports (SFTP and the local folder) share this layout, so processing does not care how a file came.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INBOX", "OUTBOX", "ParticipantFolders", "is_temporary_name", "participant_folders", "write_atomically"]

INBOX = "INBOX"
OUTBOX = "OUTBOX"

_PARTICIPANT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TEMPORARY_SUFFIXES = (".part", ".filepart", ".tmp")


@dataclass(frozen=True, slots=True)
class ParticipantFolders:
    """One participant's folders."""

    home: Path
    inbox: Path
    outbox: Path


def participant_folders(root: Path, participant: str, *, create: bool = True) -> ParticipantFolders:
    """The folders of `participant` under `root`, created unless `create` is false.

    Raises:
        ValueError: the participant id could name something other than one folder (a path separator, `..`).
    """
    if not _PARTICIPANT.fullmatch(participant):
        raise ValueError(f"participant id {participant!r} is not a plain folder name ([A-Za-z0-9_-], 1 to 64 chars)")
    home = root / participant
    folders = ParticipantFolders(home, home / INBOX, home / OUTBOX)
    if create:
        folders.inbox.mkdir(parents=True, exist_ok=True)
        folders.outbox.mkdir(parents=True, exist_ok=True)
    return folders


def is_temporary_name(name: str) -> bool:
    """A name a client writes under before renaming the finished file: hidden (`.x`) or `*.part|.filepart|.tmp`.

    Neither transport delivers such a file; it arrives when renamed to its final name inside INBOX.
    """
    return name.startswith(".") or name.lower().endswith(_TEMPORARY_SUFFIXES)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so a reader sees either nothing or the whole file (temporary name, then rename)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
