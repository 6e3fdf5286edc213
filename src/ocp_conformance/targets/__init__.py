"""Targets: the in-process simulator (default), any server at a URL, and profiles from ocp-conformance.toml."""

from __future__ import annotations

from ocp_conformance.targets.auth import AuthError, Credentials, read_secret
from ocp_conformance.targets.capability import PlanLevel, PlannedEntry, TestPlan, compile_plan
from ocp_conformance.targets.diagnosis import clock_skew, explain_exception, explain_status
from ocp_conformance.targets.limits import LimitedTransport, RateLimiter
from ocp_conformance.targets.profile import (
    DEFAULT_CONFIG,
    AuthProfile,
    Config,
    ParticipantProfile,
    RunProfile,
    SecretRef,
    TargetProfile,
    load_config,
)
from ocp_conformance.targets.profile_secrets import resolve_profile_secrets
from ocp_conformance.targets.profile_target import PARTICIPANT_EXTENSION, profile_target
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
from ocp_conformance.targets.target_check import ParticipantCheck, TargetCheck, check_target, check_url_target
from ocp_conformance.targets.url_target import tokens_from_environment, url_target

__all__ = ["CLOCK_CONTROL", "DEFAULT_CONFIG", "PARTICIPANT_EXTENSION", "AuthError", "AuthProfile", "Config",
           "Credentials", "InProcessRapChannel", "LimitedTransport", "ParticipantCheck", "ParticipantProfile",
           "PlanLevel", "PlannedEntry", "RapChannel", "RapChannelError", "RapUploadRefused", "RateLimiter",
           "RunProfile", "SecretRef", "SftpRapChannel", "Target", "TargetCheck", "TargetError", "TargetProfile",
           "TestPlan", "attach_sftp_channel", "check_target", "check_url_target", "clock_skew", "compile_plan",
           "explain_exception", "explain_status", "load_config", "profile_target", "read_secret",
           "resolve_profile_secrets", "simulator_target", "tokens_from_environment", "url_target"]
