"""Hand arrived RAP files to the simulator's processing: in arrival order, exactly once, never killing the transport.

Both transports (`sftp.py`, `folder_watch.py`) call `UploadDelivery.arrived(participant, path)`; one worker
thread calls `on_upload` for each file in that order. The transport's own loop never waits for processing, and
processing never runs two files of the simulator at once (the domain is not thread-safe).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from ocp_conformance.simulator.rap.folders import OUTBOX, write_atomically

__all__ = ["OnUpload", "UploadDelivery"]

OnUpload = Callable[[str, Path], None]
"""`on_upload(participant, file)`: called once per file that has fully arrived in the participant's INBOX."""

logger = logging.getLogger("ocp_conformance.simulator.rap")


class UploadDelivery:
    """A FIFO of arrived files and the one thread that hands each to `on_upload`.

    An exception in `on_upload` is logged and written for the participant to
    `OUTBOX/<name>.error.txt`; the next file is delivered as usual.
    """

    def __init__(self, on_upload: OnUpload, *, name: str = "rap-delivery") -> None:
        self._on_upload = on_upload
        self._queue: queue.SimpleQueue[tuple[str, Path] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def arrived(self, participant: str, path: Path) -> None:
        """Queue a file that has fully arrived; returns at once."""
        logger.info("received %s from %s", path.name, participant)
        self._queue.put((participant, path))

    def close(self, timeout: float | None = 30) -> None:
        """Deliver what is queued, then stop the worker."""
        if self._thread.is_alive():
            self._queue.put(None)  # the stop mark, after everything queued
            self._thread.join(timeout)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self._deliver(*item)
            except BaseException:  # the worker must outlive anything, or every later upload would wait forever
                logger.exception("delivering %s from %s failed", item[1].name, item[0])

    def _deliver(self, participant: str, path: Path) -> None:
        try:
            self._on_upload(participant, path)
        except Exception as exc:
            logger.exception("processing %s from %s failed", path.name, participant)
            self._write_error(participant, path, exc)

    def _write_error(self, participant: str, path: Path, exc: Exception) -> None:
        outbox = path.parent.parent / OUTBOX  # beside the INBOX the file came to
        text = (f"The simulator could not process {path.name}.\n"
                f"Error: {type(exc).__name__}: {exc}\n"
                "This is a failure of the simulator's processing, not a verdict on the file; "
                "the file was kept in INBOX.\n")
        try:
            outbox.mkdir(exist_ok=True)
            write_atomically(outbox / f"{path.name}.error.txt", text)
        except OSError:
            logger.exception("could not write the error file for %s of %s", path.name, participant)
