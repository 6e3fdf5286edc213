"""Where the contracts live: an explicit folder, OCP_CONTRACTS, the installed bundle, or this checkout."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_contracts_dir", "project_resource"]

_PACKAGE = Path(__file__).resolve().parent.parent


def project_resource(name: str) -> Path:
    """A top-level project folder (``contracts``, ``suites``, ``scenarios``).

    A wheel carries them under ``ocp_conformance/_bundled``; an editable install finds them in the checkout.
    """
    bundled = _PACKAGE / "_bundled" / name
    if bundled.exists():
        return bundled
    return _PACKAGE.parent.parent / name


def default_contracts_dir() -> Path:
    """``$OCP_CONTRACTS`` if set (to swap in an official contract), else the project's own contracts."""
    override = os.environ.get("OCP_CONTRACTS")
    return Path(override) if override else project_resource("contracts")
