"""Every secret value one target profile resolves, for the evidence pack's scan (issue 6: a secret given to a
profile appears nowhere in what is handed over).

The values are those the run itself reads (:func:`~ocp_conformance.targets.auth.read_secret`): each
participant's bearer token, API key or OAuth2 client secret from its environment variable or file, and the text
of each mutual-TLS private key file. OAuth2 access tokens issued during a run are not known afterwards; the
report redacts them as the run goes, and the pack's scan for token shapes covers them.
"""

from __future__ import annotations

from pathlib import Path

from ocp_conformance.targets.auth import read_secret
from ocp_conformance.targets.profile import TargetProfile
from ocp_conformance.targets.target import TargetError

__all__ = ["resolve_profile_secrets"]


def resolve_profile_secrets(profile: TargetProfile) -> dict[str, str]:
    """``label -> value``: labels say where each secret is configured and never contain it; a
    :class:`~ocp_conformance.targets.auth.AuthError` (at the profile line) if one cannot be read."""
    secrets: dict[str, str] = {}
    for pid, auth in profile.auth.items():
        if auth.secret is not None:
            secrets[f"targets.{profile.name}.auth.{pid} secret ({auth.secret.describe()})"] = read_secret(auth.secret)
        if auth.client_key is not None:
            secrets[f"targets.{profile.name}.auth.{pid} client_key {auth.client_key}"] = _key_text(
                auth.client_key, f"{auth.cert_location}")
    if profile.client_key is not None:
        secrets[f"targets.{profile.name} client_key {profile.client_key}"] = _key_text(
            profile.client_key, f"{profile.cert_location}")
    return secrets


def _key_text(path: Path, where: str) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as exc:
        raise TargetError(f"{where}: cannot read private key file {path}: {exc.strerror or exc}; check the path "
                          "(relative paths are from the configuration file's folder)") from None
    if not text:
        raise TargetError(f"{where}: private key file {path} is empty")
    return text
