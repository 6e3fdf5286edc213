"""ocp-conformance: conformance harness for HKSCC's Orion Cash Platform API Services and RAP uploads."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
