"""A target's RAP channel: how the suites upload an instruction file as a participant and read its result.

RAP takes files by SFTP (``/INBOX``) and answers with a result file (``/OUTBOX/<name>.result.csv``). The
embedded simulator is reached in process (:class:`InProcessRapChannel`); a served simulator, the exchange's
portal or a participant's adapter by SFTP (:class:`SftpRapChannel`). Both return the parsed result file.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import warnings
import weakref
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol

from cryptography.utils import CryptographyDeprecationWarning

from ocp_conformance.rap import RapResult, ResultFileError, parse_result_file
from ocp_conformance.simulator.rap import RapProcessor, participant_folders
from ocp_conformance.targets.target import TargetError

with warnings.catch_warnings():  # asyncssh loads cryptography's DSA, deprecated since cryptography 51: not ours
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    import asyncssh

__all__ = ["RESULT_SUFFIX", "InProcessRapChannel", "RapChannel", "RapChannelError", "RapUploadRefused",
           "SftpRapChannel"]

RESULT_SUFFIX = ".result.csv"
"""RAP's answer to ``<name>`` is ``/OUTBOX/<name>.result.csv``."""


class RapChannelError(TargetError):
    """The upload or its result could not be exchanged: says where it failed and how to fix it."""


class RapUploadRefused(RapChannelError):
    """The target refused the upload itself (e.g. a file of that name was already uploaded): a rejection of the
    file, not a failure of the channel."""


class RapChannel(Protocol):
    """Upload a RAP file as a participant and return the target's result file, parsed."""

    description: str

    def upload(self, participant: str, file_name: str, content: bytes) -> RapResult: ...

    def close(self) -> None: ...


class InProcessRapChannel:
    """Hands each file to the embedded simulator's :class:`RapProcessor`, through a participant folder on disk
    (as the SFTP and folder transports do), and reads the result file it writes."""

    description = "in process (embedded simulator)"

    def __init__(self, processor: RapProcessor) -> None:
        self._processor = processor
        # mkdtemp + finalize rather than TemporaryDirectory: a target dropped without close() must not warn
        # (ResourceWarning) from a finalizer, which may run at any allocation, e.g. inside pytest's ast.parse
        self._root = Path(tempfile.mkdtemp(prefix="ocp-rap-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._root, ignore_errors=True)

    def upload(self, participant: str, file_name: str, content: bytes) -> RapResult:
        _check_name(file_name)
        folders = participant_folders(self._root, participant)
        path = folders.inbox / file_name
        path.write_bytes(content)
        processed = self._processor.process(participant, path)
        if processed.result_file is None:
            raise RapChannelError(f"the simulator wrote no result file for {file_name} ({processed.summary()})")
        text = processed.result_file.read_bytes().decode("utf-8")
        return _parse(text, f"OUTBOX/{processed.result_file.name}")

    def close(self) -> None:
        self._cleanup()


class SftpRapChannel:
    """Uploads by SFTP to ``/INBOX`` and waits for ``/OUTBOX/<name>.result.csv``.

    Args:
        host, port: the RAP SFTP server.
        passwords: participant id -> SFTP password (secret: never logged or reported).
        known_hosts: an OpenSSH known_hosts file to check the server's key against; ``None`` accepts any key
            (the embedded simulator's, generated at start) and is said in :attr:`description`.
        result_timeout: how long to wait for the result file, in seconds.
    """

    def __init__(self, host: str, port: int, passwords: Mapping[str, str], *, known_hosts: Path | None = None,
                 result_timeout: float = 30.0, poll_interval: float = 0.1) -> None:
        self.host, self.port = host, port
        self._passwords = dict(passwords)
        self._known_hosts = known_hosts
        self._result_timeout = result_timeout
        self._poll_interval = poll_interval
        key_check = f"host key checked against {known_hosts}" if known_hosts else "host key NOT checked"
        self.description = f"SFTP {host}:{port} ({key_check})"

    def upload(self, participant: str, file_name: str, content: bytes) -> RapResult:
        _check_name(file_name)
        password = self._passwords.get(participant)
        if password is None:
            known = ", ".join(sorted(self._passwords)) or "none"
            raise RapChannelError(f"no SFTP credentials for participant {participant} on {self.host}:{self.port} "
                                  f"(have: {known}); give it a password in the target's RAP settings")
        try:
            text = asyncio.run(self._exchange(participant, password, file_name, content))
        except RapUploadRefused:
            raise
        except (OSError, asyncssh.Error) as exc:
            raise RapChannelError(f"SFTP {self.host}:{self.port} as {participant}: {type(exc).__name__}: {exc}; "
                                  "check the RAP host, port and credentials of the target") from None
        return _parse(text, f"sftp://{self.host}:{self.port}/OUTBOX/{file_name}{RESULT_SUFFIX}")

    async def _exchange(self, participant: str, password: str, file_name: str, content: bytes) -> str:
        known_hosts = str(self._known_hosts) if self._known_hosts is not None else None
        result = str(PurePosixPath("/OUTBOX") / f"{file_name}{RESULT_SUFFIX}")
        async with asyncssh.connect(self.host, self.port, username=participant, password=password,
                                    known_hosts=known_hosts, client_keys=None, agent_path=None,
                                    preferred_auth="password", connect_timeout=self._result_timeout) as connection, \
                connection.start_sftp_client() as sftp:
            try:
                async with sftp.open(f"/INBOX/{file_name}", "wb") as remote:
                    await remote.write(content)
            except asyncssh.SFTPError as refused:
                raise RapUploadRefused(f"SFTP {self.host}:{self.port} refused /INBOX/{file_name} from {participant}: "
                                       f"{refused.reason}") from None
            deadline = time.monotonic() + self._result_timeout
            while not await sftp.exists(result):
                if time.monotonic() > deadline:
                    raise RapChannelError(
                        f"no result file {result} on {self.host}:{self.port} within {self._result_timeout:g} s "
                        f"of uploading /INBOX/{file_name}; the target did not process the file (or is slower: "
                        "raise the RAP result timeout)")
                await asyncio.sleep(self._poll_interval)
            async with sftp.open(result, "rb") as answer:
                data = await answer.read()
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def close(self) -> None:
        """Nothing is held between uploads: each opens its own connection."""


def _check_name(file_name: str) -> None:
    if not file_name or "/" in file_name or "\\" in file_name or file_name in (".", ".."):
        raise RapChannelError(f"{file_name!r} is not a plain file name; RAP takes files named like "
                              "B01234_SI_20270406_001.csv, without folders")


def _parse(text: str, source: str) -> RapResult:
    try:
        return parse_result_file(text, source)
    except ResultFileError as exc:
        raise RapChannelError(f"the target's result file is malformed: {exc}") from None
