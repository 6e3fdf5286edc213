"""RAP's local folder transport: the simulator polls each participant's INBOX folder.

When a file counts as arrived: a regular file in `root/<participant>/INBOX/` whose name is not temporary (`.x`,
`*.part`, `*.filepart`, `*.tmp`) is delivered once two consecutive scans, one interval apart, see it with the
same size, modification time and inode. So:

- **Rename a finished file into INBOX** (write it elsewhere on the same file system, or in INBOX under a
  temporary name, then rename): it is complete when it appears and is delivered one interval later. This is
  the safe way.
- A file written in place is delivered once it has not changed for one interval; a writer that pauses longer
  than that mid-file would have a partial file delivered.

Each file is delivered once; a new file later put under a delivered name (another inode, size or time) is a
new upload. Files already in INBOX when the watcher starts are left alone unless `deliver_existing=True`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from ocp_conformance.simulator.rap.delivery import OnUpload, UploadDelivery
from ocp_conformance.simulator.rap.folders import INBOX, is_temporary_name, participant_folders

__all__ = ["RapFolderWatcher"]

logger = logging.getLogger("ocp_conformance.simulator.rap")

_Signature = tuple[int, int, int]  # size, mtime_ns, inode


class RapFolderWatcher:
    """Poll `root/<participant>/INBOX/` and call `on_upload(participant, path)` once per arrived file.

    Example:
        >>> with RapFolderWatcher(Path("rap"), print, participants=["B01234"]):  # doctest: +SKIP
        ...     ...  # mv file.csv rap/B01234/INBOX/
    """

    def __init__(self, root: Path, on_upload: OnUpload, *, participants: Iterable[str] = (),
                 interval: float = 0.2, deliver_existing: bool = False) -> None:
        self.root = root
        self.interval = interval
        self._on_upload = on_upload
        self._participants = list(participants)
        self._deliver_existing = deliver_existing
        self._seen: dict[Path, _Signature] = {}
        self._delivered: dict[Path, _Signature] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._delivery: UploadDelivery | None = None

    def start(self) -> None:
        """Create the given participants' folders, note what is already there, and start polling."""
        for participant in self._participants:
            participant_folders(self.root, participant)
        self._delivery = UploadDelivery(self._on_upload, name="rap-folder-delivery")
        if not self._deliver_existing:
            self._delivered = {path: signature for _, path, signature in self._scan()}
        self._thread = threading.Thread(target=self._run, name="rap-folder-watch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop polling, then deliver what is already queued."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(max(10 * self.interval, 10))
        if self._delivery is not None:
            self._delivery.close()

    def __enter__(self) -> RapFolderWatcher:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def poll(self) -> list[Path]:
        """Scan once; return the files this scan found arrived (and queued for delivery)."""
        if self._delivery is None:
            raise RuntimeError("start the watcher first")
        arrived = []
        with self._lock:
            seen: dict[Path, _Signature] = {}
            stable = []
            for participant, path, signature in self._scan():
                seen[path] = signature
                if self._seen.get(path) == signature and self._delivered.get(path) != signature:
                    stable.append((signature[1], str(path), participant, path, signature))
            for *_, participant, path, signature in sorted(stable):  # oldest first: the order they arrived in
                self._delivered[path] = signature
                self._delivery.arrived(participant, path)
                arrived.append(path)
            self._seen = seen
            self._delivered = {path: sig for path, sig in self._delivered.items() if path in seen}
        return arrived

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:
                logger.exception("scanning the RAP folders under %s failed; trying again", self.root)

    def _scan(self) -> Iterable[tuple[str, Path, _Signature]]:
        try:
            homes = sorted(entry for entry in self.root.iterdir() if (entry / INBOX).is_dir())
        except FileNotFoundError:
            return
        for home in homes:
            try:
                entries = sorted(os.scandir(home / INBOX), key=lambda entry: entry.name)
            except FileNotFoundError:
                continue
            for entry in entries:
                if is_temporary_name(entry.name):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                yield home.name, Path(entry.path), (info.st_size, info.st_mtime_ns, info.st_ino)
