"""What ``ocp-conformance load`` resolves before any request, shared by the CLI (which checks it, exit 2 on a
defect) and the load process (which runs it): the contracts, the profile, the target."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.load.profile import Profile, find_profile, load_profile
from ocp_conformance.targets import Target, TargetError

__all__ = ["load_target", "resolve"]

_GIVE_UP_AFTER = 200
"""Unanswered requests in a row (no answer in between, from any user) after which a load stops sending."""


def load_target(name: str, config: Path | None, request_timeout: float, *, share: int = 1,
                rap_sftp: str | None = None, rap_known_hosts: Path | None = None) -> Target:
    """A served target: a URL (tokens from ``OCP_TOKEN_<PARTICIPANT>``) or a ``[targets.NAME]`` profile.

    ``rap_sftp`` (HOST:PORT, with ``rap_known_hosts``): a URL target's RAP channel, for a profile's RAP uploads; a
    profile target has its own (its RAP SFTP host).

    ``share``: how many load processes send to it at once (the workers); each keeps ``1/share`` of a profile's
    ``rate_limit`` and ``max_concurrency``, so the profile's limits hold for the run as a whole.

    Raises:
        TargetError: the embedded simulator (each worker would load its own), or the profile's defect.
    """
    if name == "simulator":
        raise TargetError("load needs a served target that every Locust worker reaches: the embedded simulator lives "
                          "in one process. Serve it (`ocp-conformance simulate --port 8000`, tokens printed there as "
                          "OCP_TOKEN_<PARTICIPANT>) and pass --target http://127.0.0.1:8000")
    if name.startswith(("http://", "https://")):
        from ocp_conformance.targets.response_guard import ResponseLimits
        from ocp_conformance.targets.transport_failure import UnansweredRequests
        from ocp_conformance.targets.url_target import url_target

        # Under load a few unanswered requests are data (the report counts them), not a reason to stop sending, as
        # a conformance run does after 2 in a row: stop only when nothing has answered for a while.
        limits = ResponseLimits(request_timeout=request_timeout, unanswered=UnansweredRequests(limit=_GIVE_UP_AFTER))
        target = url_target(name, limits=limits)
        if rap_sftp is not None or rap_known_hosts is not None:
            from ocp_conformance.targets.rap_sftp import attach_sftp_channel

            if rap_sftp is None:
                raise TargetError("--rap-known-hosts goes with --rap-sftp HOST:PORT (the RAP SFTP server to check)")
            attach_sftp_channel(target, rap_sftp, rap_known_hosts)
    else:
        from ocp_conformance.targets import DEFAULT_CONFIG, load_config, profile_target

        profile = load_config(config or DEFAULT_CONFIG).target(name)
        if share > 1:
            profile = replace(profile, rate_limit=profile.rate_limit / share,
                              max_concurrency=max(1, math.ceil(profile.max_concurrency / share)))
        if rap_sftp is not None:
            raise TargetError(f"--rap-sftp is for a URL target; profile {name} names its RAP SFTP host itself "
                              "(rap_sftp_host in its [targets.NAME] table)")
        target = profile_target(profile)
    target.acting_pair()  # a TargetError unless two participants have credentials: the invariants need two
    return target


def resolve(profile: str, contracts: Path | None) -> tuple[ContractSet, Profile]:
    """The contracts and the checked profile (:class:`~ocp_conformance.contracts.SourceError` on a defect)."""
    contract_set = load_contracts(contracts)
    return contract_set, load_profile(find_profile(profile), contract_set.catalogue)
