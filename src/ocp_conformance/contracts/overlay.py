"""OpenAPI Overlay 1.0: add ``x-ocp-*`` extensions (or anything) to an *unmodified* official document.

A contracts folder may hold ``overlays/<document>.yaml`` beside ``api/<document>.yaml``; its actions are applied
to the bundled document when it is loaded (by the ``oas-patch`` library's implementation of the Overlay 1.0
specification), so the exchange's file stays byte-for-byte as published and our additions live apart.

Example overlay::

    overlay: 1.0.0
    info: {title: OCP extensions for the official guide, version: 1.0.0}
    actions:
      - target: $.paths['/v2/si'].post
        update: {x-ocp-function: Input SI}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ocp_conformance.contracts.source import SourceError, load_yaml

__all__ = ["OVERLAY_FOLDER", "apply_overlay_file", "overlay_for"]

OVERLAY_FOLDER = "overlays"


def overlay_for(document: Path) -> Path | None:
    """The overlay of ``api/<name>.yaml`` (``overlays/<name>.yaml`` of the same contracts folder), if any."""
    candidate = document.parent.parent / OVERLAY_FOLDER / document.name
    return candidate if candidate.is_file() else None


def apply_overlay_file(bundled: dict[str, Any], overlay: Path) -> dict[str, Any]:
    """``bundled`` with the overlay's actions applied; a malformed overlay or an action whose target matches
    nothing is a :class:`SourceError` at its line (a silently ignored action would drop an extension)."""
    from jsonpath_ng.ext.parser import parse
    from oas_patch.overlay import apply_overlay

    source = load_yaml(overlay)
    data = source.data
    if not isinstance(data, dict) or not str(data.get("overlay", "")).startswith("1.") \
            or not isinstance(data.get("actions"), list):
        raise SourceError(source.locate(()), "not an OpenAPI Overlay 1.x document (needs `overlay: 1.0.0` and an "
                          "`actions` list)", fix="see the OpenAPI Overlay Specification 1.0.0")
    for index, action in enumerate(data["actions"]):
        target = action.get("target") if isinstance(action, dict) else None
        if not isinstance(target, str) or not ("update" in action or action.get("remove") is True):
            raise SourceError(source.locate(("actions", index)), "an action needs a `target` (JSONPath) and an "
                              "`update` or `remove: true`", fix="e.g. target: $.paths['/x'].post")
        try:
            matches = parse(target).find(bundled)
        except Exception as exc:  # jsonpath-ng raises JsonPathParserError, and bare Exceptions for some syntax
            raise SourceError(source.locate(("actions", index, "target")), f"invalid JSONPath {target!r}: {exc}",
                              fix="write a JSONPath such as $.paths['/x'].post") from None
        if not matches:
            raise SourceError(source.locate(("actions", index, "target")),
                              f"target {target!r} matches nothing in {overlay.name}'s document",
                              fix="check the path and method against the official document")
    result: dict[str, Any] = apply_overlay(bundled, data)
    return result
