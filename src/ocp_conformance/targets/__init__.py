"""Targets: the in-process simulator (default) and any server at a URL."""

from __future__ import annotations

from ocp_conformance.targets.rap_channel import InProcessRapChannel, RapChannel, RapChannelError, SftpRapChannel
from ocp_conformance.targets.response_guard import ResponseLimits
from ocp_conformance.targets.run_deadline import RUN_LIMIT_REASON, RunDeadline, RunDeadlineReached
from ocp_conformance.targets.simulator_target import simulator_target
from ocp_conformance.targets.target import CLOCK_CONTROL, Target, TargetError
from ocp_conformance.targets.transport_failure import describe_transport_failure
from ocp_conformance.targets.url_target import tokens_from_environment, url_target

__all__ = ["CLOCK_CONTROL", "RUN_LIMIT_REASON", "InProcessRapChannel", "RapChannel", "RapChannelError",
           "ResponseLimits", "RunDeadline", "RunDeadlineReached", "SftpRapChannel", "Target", "TargetError",
           "describe_transport_failure", "simulator_target", "tokens_from_environment", "url_target"]
