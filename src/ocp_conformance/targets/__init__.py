"""Targets: the in-process simulator (default) and any server at a URL."""

from __future__ import annotations

from ocp_conformance.targets.rap_channel import (
    InProcessRapChannel,
    RapChannel,
    RapChannelError,
    RapUploadRefused,
    SftpRapChannel,
)
from ocp_conformance.targets.rap_sftp import attach_sftp_channel
from ocp_conformance.targets.simulator_target import simulator_target
from ocp_conformance.targets.target import CLOCK_CONTROL, Target, TargetError
from ocp_conformance.targets.url_target import tokens_from_environment, url_target

__all__ = ["CLOCK_CONTROL", "InProcessRapChannel", "RapChannel", "RapChannelError", "RapUploadRefused",
           "SftpRapChannel", "Target", "TargetError", "attach_sftp_channel", "simulator_target",
           "tokens_from_environment", "url_target"]
