"""RAP's SFTP transport against a real asyncssh client on loopback: delivery, isolation, refusals, resilience."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncssh
import pytest
from rap_transport_helpers import DEADLINE, Recorder, sftp_session

from ocp_conformance.simulator.rap import RapSftpServer, serve_in_thread
from ocp_conformance.simulator.state import demo_token

A, B = "B01234", "B05678"
CREDENTIALS = {pid: demo_token(pid) for pid in (A, B, "C00019")}


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(body(), DEADLINE))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(tmp_path: Path, recorder: Recorder) -> Iterator[RapSftpServer]:
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder) as running:
        yield running


async def put_bytes(sftp: asyncssh.SFTPClient, path: str, data: bytes) -> None:
    async with sftp.open(path, "wb") as file:
        await file.write(data)


def test_each_participant_gets_an_inbox_and_an_outbox(server: RapSftpServer) -> None:
    for pid in CREDENTIALS:
        assert sorted(p.name for p in (server.root / pid).iterdir()) == ["INBOX", "OUTBOX"]
    assert server.port > 0
    assert server.fingerprint.startswith("SHA256:")


def test_a_multi_megabyte_upload_is_delivered_once_complete_with_its_participant(
        server: RapSftpServer, recorder: Recorder) -> None:
    data = os.urandom(6 * 1024 * 1024 + 17)

    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            await put_bytes(sftp, "/INBOX/B01234_CAE_20260105_001.csv", data)

    run(body)
    [upload] = recorder.wait_for(1)
    assert upload.participant == A
    assert upload.path == server.root / A / "INBOX" / "B01234_CAE_20260105_001.csv"
    assert (upload.size, upload.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_uploads_are_delivered_in_arrival_order_exactly_once(tmp_path: Path, recorder: Recorder) -> None:
    names = [f"B05678_CAS_20260105_00{n}.csv" for n in range(1, 5)]
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder) as server:
        async def body() -> None:
            async with sftp_session(server.port, B, CREDENTIALS[B]) as sftp:
                for name in names:
                    await put_bytes(sftp, f"INBOX/{name}", name.encode())  # relative to the participant's root
                # a temporary name is delivered when renamed to its final name, not when closed
                await put_bytes(sftp, "/INBOX/last.csv.filepart", b"last")
                await sftp.rename("/INBOX/last.csv.filepart", "/INBOX/last.csv")

        run(body)
    # closing the server delivered everything queued: no call can come after this count
    assert [(u.participant, u.path.name) for u in recorder.calls] == [(B, n) for n in [*names, "last.csv"]]


def test_a_wrong_password_or_another_participants_token_is_refused(server: RapSftpServer) -> None:
    for user, password in [(A, "wrong"), (A, CREDENTIALS[B]), ("Z99999", CREDENTIALS[A]), (A, "")]:
        async def body(user: str = user, password: str = password) -> None:
            with pytest.raises(asyncssh.PermissionDenied):
                async with sftp_session(server.port, user, password):
                    pass

        run(body)


def test_a_participant_sees_only_its_own_folder(server: RapSftpServer, recorder: Recorder) -> None:
    secret = server.root / B / "INBOX" / "B05678_secret.csv"
    secret.write_bytes(b"B05678 only")
    before = sorted(server.root.rglob("*"))

    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            for folder in ["/", "/..", "../..", "/INBOX/../.."]:
                assert set(await sftp.listdir(folder)) - {".", ".."} == {"INBOX", "OUTBOX"}
            with pytest.raises(asyncssh.SFTPNoSuchFile):  # the server's own paths mean nothing inside the chroot
                await sftp.listdir(str(server.root))
            assert await sftp.realpath("/../..") == "/"
            for path in [f"../{B}/INBOX/{secret.name}", f"/../{B}/INBOX/{secret.name}", str(secret),
                         f"/INBOX/../../{B}/INBOX/{secret.name}", "/etc/passwd", "../../../../etc/passwd"]:
                with pytest.raises(asyncssh.SFTPNoSuchFile):
                    await sftp.open(path, "rb")
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await put_bytes(sftp, path, b"overwrite")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.symlink(str(secret), "/INBOX/link.csv")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.link("/../../../etc/passwd", "/INBOX/hard.csv")

    run(body)
    assert sorted(server.root.rglob("*")) == before
    assert secret.read_bytes() == b"B05678 only"
    assert recorder.calls == []


def test_uploads_outside_inbox_are_refused(server: RapSftpServer, recorder: Recorder) -> None:
    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            for path in ["/x.csv", "/OUTBOX/x.csv", "/INBOX/sub/x.csv", "/INBOX", "/OUTBOX/../x.csv"]:
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await put_bytes(sftp, path, b"x")
            for folder in ["/INBOX/sub", "/new"]:
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await sftp.mkdir(folder)
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.rmdir("/OUTBOX")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.rename("/OUTBOX", "/INBOX/OUTBOX")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.chmod("/INBOX", 0)

    run(body)
    assert sorted(p.relative_to(server.root / A).as_posix() for p in (server.root / A).rglob("*")) == [
        "INBOX", "OUTBOX"]
    assert recorder.calls == []


def test_a_delivered_name_is_not_uploaded_again(server: RapSftpServer, recorder: Recorder) -> None:
    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            await put_bytes(sftp, "/INBOX/f.csv", b"first")
            with pytest.raises(asyncssh.SFTPFailure):  # FX_FILE_ALREADY_EXISTS is v5+; v3 reports a failure
                await put_bytes(sftp, "/INBOX/f.csv", b"second")

    run(body)
    recorder.wait_for(1)
    assert (server.root / A / "INBOX" / "f.csv").read_bytes() == b"first"


def test_a_transfer_cut_off_before_close_is_discarded(server: RapSftpServer, recorder: Recorder) -> None:
    async def body() -> None:
        async with asyncssh.connect("127.0.0.1", server.port, username=A, password=CREDENTIALS[A],
                                    known_hosts=None, client_keys=None, agent_path=None) as connection:
            sftp = await connection.start_sftp_client()
            file = await sftp.open("/INBOX/cut.csv", "wb")
            await file.write(b"half a file")
            connection.abort()
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            await put_bytes(sftp, "/INBOX/whole.csv", b"a whole file")
            for _ in range(200):  # the cut session's cleanup runs on the server's loop, soon after the abort
                if "cut.csv" not in await sftp.listdir("/INBOX"):
                    break
                await asyncio.sleep(0.01)
            assert "cut.csv" not in await sftp.listdir("/INBOX")

    run(body)
    assert [u.path.name for u in recorder.wait_for(1)] == ["whole.csv"]


def test_a_file_left_open_when_the_client_ends_its_session_cleanly_is_discarded(tmp_path: Path) -> None:
    recorder = Recorder()
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder) as server:
        async def body() -> None:
            async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
                file = await sftp.open("/INBOX/left_open.csv", "wb")
                await file.write(b"never closed")
            async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
                await put_bytes(sftp, "/INBOX/closed.csv", b"closed")
                for _ in range(200):  # the ended session's cleanup runs on the server's loop, soon after
                    if "left_open.csv" not in await sftp.listdir("/INBOX"):
                        break
                    await asyncio.sleep(0.01)
                assert "left_open.csv" not in await sftp.listdir("/INBOX")

        run(body)
    assert [u.path.name for u in recorder.calls] == ["closed.csv"]


def test_a_failing_callback_leaves_an_error_file_and_the_server_keeps_working(
        tmp_path: Path) -> None:
    recorder = Recorder(fail_on={"bad.csv"})
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder) as server:
        async def body() -> None:
            async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
                await put_bytes(sftp, "/INBOX/bad.csv", b"boom")
                for _ in range(int(DEADLINE * 100)):
                    if "bad.csv.error.txt" in await sftp.listdir("/OUTBOX"):
                        break
                    await asyncio.sleep(0.01)
                async with sftp.open("/OUTBOX/bad.csv.error.txt", "r") as file:
                    text = await file.read()
                assert "bad.csv" in text and "ValueError: layout engine exploded on bad.csv" in text
                await put_bytes(sftp, "/INBOX/good.csv", b"fine")
                await sftp.remove("/OUTBOX/bad.csv.error.txt")  # a participant may clear its OUTBOX
                assert "bad.csv.error.txt" not in await sftp.listdir("/OUTBOX")
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await sftp.remove("/INBOX/good.csv")

        run(body)
        assert [u.path.name for u in recorder.wait_for(2)] == ["bad.csv", "good.csv"]


def test_logs_never_carry_a_password(server: RapSftpServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")

    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            await put_bytes(sftp, "/INBOX/logged.csv", b"x")
        with pytest.raises(asyncssh.PermissionDenied):
            async with sftp_session(server.port, A, "not-the-token"):
                pass

    run(body)
    assert CREDENTIALS[A] not in caplog.text and "not-the-token" not in caplog.text


def test_a_participant_may_log_in_with_an_authorised_key_and_the_host_key_may_be_given(tmp_path: Path) -> None:
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = tmp_path / "B01234.authorized_keys"
    client_key.write_public_key(str(authorized))
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    host_key_file = tmp_path / "host_key"
    host_key.write_private_key(str(host_key_file))
    recorder = Recorder()
    with serve_in_thread(tmp_path / "rap", CREDENTIALS, recorder, host_key=host_key_file,
                         authorized_keys={A: authorized}) as server:
        assert server.fingerprint == host_key.get_fingerprint("sha256")

        async def body() -> None:
            async with asyncssh.connect("127.0.0.1", server.port, username=A, client_keys=[client_key],
                                        known_hosts=None, agent_path=None, preferred_auth="publickey",
                                        connect_timeout=DEADLINE) as connection:
                sftp = await connection.start_sftp_client()
                await put_bytes(sftp, "/INBOX/by_key.csv", b"k")
                sftp.exit()
            with pytest.raises(asyncssh.PermissionDenied):  # the key is B01234's, not B05678's
                async with asyncssh.connect("127.0.0.1", server.port, username=B, client_keys=[client_key],
                                            known_hosts=None, agent_path=None, preferred_auth="publickey",
                                            connect_timeout=DEADLINE):
                    pass

        run(body)
    assert [(u.participant, u.path.name) for u in recorder.calls] == [(A, "by_key.csv")]


def test_a_client_put_preserving_times_works_but_cannot_change_permissions(
        server: RapSftpServer, recorder: Recorder, tmp_path: Path) -> None:
    local = tmp_path / "B01234_CAV_20260105_001.csv"
    local.write_bytes(b"H,CAV\n" * 100_000)
    local.chmod(0o604)  # an odd mode no usual umask gives a new file
    os.utime(local, (1_700_000_000, 1_700_000_000))

    async def body() -> None:
        async with sftp_session(server.port, A, CREDENTIALS[A]) as sftp:
            await sftp.put(str(local), "/INBOX/", preserve=True)

    run(body)
    [upload] = recorder.wait_for(1)
    uploaded = server.root / A / "INBOX" / local.name
    assert (upload.path, upload.size) == (uploaded, local.stat().st_size)
    assert uploaded.stat().st_mtime == 1_700_000_000
    assert uploaded.stat().st_mode & 0o777 != 0o604  # the server chose the permissions, not the client
