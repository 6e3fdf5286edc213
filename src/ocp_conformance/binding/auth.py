"""The bound contract's credential: where a participant's secret goes, read from its security schemes."""

from __future__ import annotations

from ocp_conformance.binding.model import Binding
from ocp_conformance.contracts import ContractSet

__all__ = ["credential_header"]


def credential_header(contracts: ContractSet, binding: Binding) -> str | None:
    """The header an API-key scheme of the binding's ``auth.schemes`` puts the participant's credential in, or
    ``None`` for a bearer token (``Authorization: Bearer``), the default."""
    for document in contracts.api_documents:
        schemes = (document.bundled.get("components") or {}).get("securitySchemes") or {}
        for name in binding.auth_schemes:
            scheme = schemes.get(name) or {}
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                return str(scheme["name"])
    return None
