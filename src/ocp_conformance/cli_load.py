"""``ocp-conformance load``: checks its options, then runs the load in a process of its own.

Locust runs on gevent, which must patch the standard library before ssl and sockets are imported; the CLI has
imported them already, so the load runs in ``python -m ocp_conformance.load`` (and each local worker too). Exit
codes: 0 every invariant and threshold passed, 1 one failed or part of the profile not run, 2 usage or
configuration, 3 harness error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from ocp_conformance.cli_errors import fail

__all__ = ["load_command"]





def load_command(
    target: Annotated[str, typer.Option("--target", help="a served target: URL (tokens from OCP_TOKEN_<P>) or a "
                                        "[targets.NAME] profile")],
    profile: Annotated[str, typer.Option("--profile", help="a shipped load profile (peak-day, cut-off-burst, "
                                         "mass-transfer, enquiry-storm, custody-day, rap-deadline) or the path of "
                                         "one's own")],
    users: Annotated[int | None, typer.Option("--users", min=1, help="peak users (default: the profile's)",
                                              show_default=False)] = None,
    duration: Annotated[float | None, typer.Option("--duration", min=1, help="seconds (default: the profile's)",
                                                   show_default=False)] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="local Locust worker processes under a master "
                                         "(0: one local runner); with --worker, how many workers in all share the "
                                         "target profile's rate_limit and max_concurrency")] = 0,
    sample: Annotated[float | None, typer.Option("--sample", min=0, max=1, help="share of responses checked against "
                                                 "the contract (default: the profile's, else 0.05)",
                                                 show_default=False)] = None,
    master_bind: Annotated[str | None, typer.Option("--master-bind", metavar="HOST:PORT", help="listen for workers "
                                                    "of other machines here (with --expect-workers)",
                                                    show_default=False)] = None,
    expect_workers: Annotated[int, typer.Option("--expect-workers", min=0, help="workers of other machines to wait "
                                                "for (each: ocp-conformance load --worker --master HOST:PORT)")] = 0,
    worker: Annotated[bool, typer.Option("--worker", help="be a worker of the master at --master")] = False,
    master: Annotated[str | None, typer.Option("--master", metavar="HOST:PORT", help="the master a --worker joins",
                                               show_default=False)] = None,
    report: Annotated[Path, typer.Option("--report", help="folder for load.json, load.md, load.html and "
                                         "load-junit.xml")] = Path("reports/load"),
    contracts: Annotated[Path | None, typer.Option("--contracts", help="contracts folder (default: ours, or "
                                                   "$OCP_CONTRACTS)", show_default=False)] = None,
    config: Annotated[Path | None, typer.Option("--config", help="target profiles (default: ./ocp-conformance.toml)",
                                                show_default=False)] = None,
    request_timeout: Annotated[float, typer.Option("--request-timeout", min=0.1, help="seconds per request")] = 30.0,
    rap_sftp: Annotated[str | None, typer.Option("--rap-sftp", metavar="HOST:PORT", help="a URL target's RAP SFTP "
                                                 "server, for a profile's RAP uploads (passwords: "
                                                 "OCP_RAP_PASSWORD_<P>, else the token)", show_default=False)] = None,
    rap_known_hosts: Annotated[Path | None, typer.Option("--rap-known-hosts", help="OpenSSH known_hosts with the RAP "
                                                         "SFTP server's key (default: not checked)",
                                                         show_default=False)] = None,
) -> None:
    """Load a target with a day's traffic (Locust); sample responses against the contract; check that every
    acknowledged instruction exists exactly once, counts reconcile and no participant sees another's."""
    from ocp_conformance.contracts import SourceError
    from ocp_conformance.load.setup import load_target, resolve
    from ocp_conformance.targets import TargetError

    if worker and master is None:
        raise fail("--worker needs --master HOST:PORT", "e.g. --worker --master 10.0.0.5:5557")
    if (expect_workers > 0) != (master_bind is not None):
        raise fail("--expect-workers and --master-bind go together",
                    "on the master: --master-bind 0.0.0.0:5557 --expect-workers 2; on each other machine: "
                    "ocp-conformance load --worker --master MASTER:5557 --target ... --profile ...")
    try:
        _, resolved = resolve(profile, contracts)
        load_target(target, config, request_timeout, rap_sftp=rap_sftp, rap_known_hosts=rap_known_hosts).close()
    except SourceError as exc:
        raise fail(exc.render()) from None
    except TargetError as exc:
        raise fail(str(exc)) from None
    args = [sys.executable, "-m", "ocp_conformance.load", "--target", target, "--profile", str(resolved.path),
            "--report", str(report), "--request-timeout", str(request_timeout)]
    for flag, value in (("--users", users), ("--duration", duration), ("--sample", sample),
                        ("--contracts", contracts), ("--config", config), ("--master-bind", master_bind),
                        ("--master", master), ("--rap-sftp", rap_sftp), ("--rap-known-hosts", rap_known_hosts)):
        if value is not None:
            args += [flag, str(value)]
    if workers:
        args += ["--workers", str(workers)]
    if expect_workers:
        args += ["--expect-workers", str(expect_workers)]
    if worker:
        args.append("--worker")
    raise typer.Exit(subprocess.call(args))
