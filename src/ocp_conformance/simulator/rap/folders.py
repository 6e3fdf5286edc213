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

__all__ = ["INBOX", "MAX_FILE_NAME", "OUTBOX", "ParticipantFolders", "file_name_problem", "is_temporary_name",
           "participant_folders", "write_atomically"]

INBOX = "INBOX"
OUTBOX = "OUTBOX"

_PARTICIPANT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TEMPORARY_SUFFIXES = (".part", ".filepart", ".tmp")
MAX_FILE_NAME = 128
"""Characters in an uploaded file's name: a CCASS name (B01234_SI_20270406_001.csv) has about 30."""


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


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an uploaded file's name (``received ...; expected ...``), or None if it can: one plain
    name of printable characters, no folders, at most :data:`MAX_FILE_NAME` characters. Both transports ask."""
    expected = f"expected a plain name like B01234_SI_20270406_001.csv (printable, at most {MAX_FILE_NAME} characters)"
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        return f"received file name {name!r}; {expected}, without folders"
    if len(name) > MAX_FILE_NAME:
        return f"received a file name of {len(name)} characters; {expected}"
    if not name.isprintable():
        return f"received file name {name!r}, with a control or unprintable character; {expected}"
    return None


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
