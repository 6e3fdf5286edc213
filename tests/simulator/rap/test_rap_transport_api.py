"""The transports' public API, pinned: the RAP processing step plugs in through exactly these signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from ocp_conformance.simulator import rap


def test_every_public_name_resolves() -> None:
    assert rap.__all__
    for name in rap.__all__:
        assert hasattr(rap, name), name


@pytest.mark.parametrize(("callable_", "expected"), [
    (rap.RapSftpServer, "(root: 'Path', credentials: 'Mapping[str, str]', on_upload: 'OnUpload', "
                        "host: 'str' = '127.0.0.1', port: 'int' = 0, *, host_key: 'Path | None' = None, "
                        "authorized_keys: 'Mapping[str, Path] | None' = None, "
                        "throttle: 'LoginThrottle | None' = None) -> 'None'"),
    (rap.serve_in_thread, "(root: 'Path', credentials: 'Mapping[str, str]', on_upload: 'OnUpload', *, "
                          "host: 'str' = '127.0.0.1', port: 'int' = 0, host_key: 'Path | None' = None, "
                          "authorized_keys: 'Mapping[str, Path] | None' = None, timeout: 'float' = 30) "
                          "-> 'Iterator[RapSftpServer]'"),
    (rap.RapFolderWatcher, "(root: 'Path', on_upload: 'OnUpload', *, participants: 'Iterable[str]' = (), "
                           "interval: 'float' = 0.2, deliver_existing: 'bool' = False) -> 'None'"),
])
def test_signatures(callable_: Callable[..., object], expected: str) -> None:
    assert str(inspect.signature(callable_)) == expected


def test_the_sftp_server_is_started_and_closed_asynchronously() -> None:
    assert inspect.iscoroutinefunction(rap.RapSftpServer.start)
    assert inspect.iscoroutinefunction(rap.RapSftpServer.close)
