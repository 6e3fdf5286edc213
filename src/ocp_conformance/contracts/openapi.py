"""OpenAPI documents: load, bundle external ``$ref``s into one self-contained dict, index the operations."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ocp_conformance.contracts.overlay import apply_overlay_file, overlay_for
from ocp_conformance.contracts.source import SourceError, YamlDocument, load_yaml

__all__ = ["HTTP_METHODS", "ApiDocument", "Operation", "bundle", "non_null_schema", "simple_sample"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a contract, addressed by ``operation_id``."""

    operation_id: str
    method: str
    path: str
    """The path template as the contract writes it, without the server prefix."""
    server_path: str
    """The server URL's path (e.g. ``/ocp/v1``); requests go to ``server_path + path``."""
    function: str | None
    """``x-ocp-function``: the catalogue name this operation serves (None for simulator control)."""
    spec: dict[str, Any]
    document: str

    @property
    def url_template(self) -> str:
        return self.server_path.rstrip("/") + self.path

    @property
    def documented_statuses(self) -> frozenset[str]:
        return frozenset(str(s) for s in self.spec.get("responses", {}))

    def parameter_names(self, location: str, *, required: bool = False) -> tuple[str, ...]:
        """The names of the operation's own parameters ``in`` ``location`` (``path``, ``query``, ``header``), only
        the required ones if ``required``: a request must carry them, whatever the contract calls them."""
        return tuple(str(p["name"]) for p in self.spec.get("parameters", [])
                     if isinstance(p, dict) and p.get("in") == location and (p.get("required") or not required))

    def error_codes(self, status: int | str) -> tuple[str, ...]:
        """The stable problem codes this operation documents for ``status`` (``x-ocp-error-codes``)."""
        return tuple(self.spec.get("x-ocp-error-codes", {}).get(str(status), ()))

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.method.upper()} {self.url_template})"


@dataclass(slots=True)
class ApiDocument:
    """A bundled OpenAPI document and its operations."""

    name: str
    path: Path
    source: YamlDocument
    bundled: dict[str, Any]
    operations: dict[str, Operation] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, *, with_overlay: bool = True) -> ApiDocument:
        """Load and bundle ``path``, applying ``overlays/<name>.yaml`` of its contracts folder unless told not to."""
        source = load_yaml(path)
        if not isinstance(source.data, dict) or "openapi" not in source.data:
            raise SourceError(source.locate(()), "not an OpenAPI document (no `openapi` field)")
        bundled = bundle(source)
        overlay = overlay_for(path) if with_overlay else None
        if overlay is not None:
            bundled = apply_overlay_file(bundled, overlay)
        doc = cls(name=path.stem, path=path, source=source, bundled=bundled)
        doc.operations = _index_operations(doc)
        return doc

    def resolve(self, node: Any) -> Any:
        """``node`` with its local ``$ref``s (``#/components/...``) followed to what they name."""
        return _local(self.bundled, node)

    @property
    def version(self) -> str:
        return str(self.bundled.get("info", {}).get("version", "unknown"))


def _index_operations(doc: ApiDocument) -> dict[str, Operation]:
    servers = doc.bundled.get("servers") or [{"url": "/"}]
    server_path = urlsplit(str(servers[0].get("url", "/"))).path or "/"
    operations: dict[str, Operation] = {}
    for path, item in (doc.bundled.get("paths") or {}).items():
        shared_parameters = item.get("parameters", [])
        for method in HTTP_METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            op_id = spec.get("operationId")
            if not op_id:
                raise SourceError(doc.source.locate(("paths", path, method)),
                                  f"{method.upper()} {path} has no operationId",
                                  fix="every operation needs a unique operationId")
            if op_id in operations:
                raise SourceError(doc.source.locate(("paths", path, method, "operationId")),
                                  f"operationId {op_id!r} is used twice", fix="make operationIds unique")
            merged = dict(spec)
            own_parameters = [_local(doc.bundled, p) for p in spec.get("parameters", [])]
            own = {(p.get("name"), p.get("in")) for p in own_parameters}
            merged["parameters"] = [
                *own_parameters,
                *(p for p in (_local(doc.bundled, q) for q in shared_parameters)
                  if (p.get("name"), p.get("in")) not in own),
            ]
            operations[op_id] = Operation(
                operation_id=op_id, method=method, path=path, server_path=server_path,
                function=spec.get("x-ocp-function"), spec=merged, document=doc.name,
            )
    return operations


def _local(bundled: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local ``$ref``s (``#/components/...``) to the object they name."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = bundled
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def bundle(root: YamlDocument) -> dict[str, Any]:
    """Inline every external ``$ref`` (``./file.yaml#/components/<section>/<Name>``) into the root document.

    Referenced items are copied into the root's ``components`` under the same section and name, so the result
    is one self-contained dict that jsonschema, schemathesis and the simulator can all use. Parameters,
    responses and schemas are resolved to local references; a name clash between files is an error. Path
    items (``paths: {/x: {$ref: ./paths/group.yaml#/components/pathItems/X}}``, so one function group can live
    in its own file) are inlined under ``paths`` instead, as every tool reads them there.
    """
    result = copy.deepcopy(root.data)
    imported: dict[str, dict[str, Any]] = {}
    cache: dict[Path, YamlDocument] = {root.path.resolve(): root}

    def document(path: Path) -> YamlDocument:
        key = path.resolve()
        if key not in cache:
            cache[key] = load_yaml(key)
        return cache[key]

    def rewrite(node: Any, base: Path, where: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                node = dict(node)
                node["$ref"] = resolve(ref, base, where)
            return {k: rewrite(v, base, (*where, k)) if k != "$ref" else v for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v, base, (*where, i)) for i, v in enumerate(node)]
        return node

    def resolve(ref: str, base: Path, where: tuple[str | int, ...]) -> str:
        file_part, _, pointer = ref.partition("#")
        target = (base.parent / file_part).resolve() if file_part else base.resolve()
        if target == root.path.resolve():
            return "#" + pointer
        parts = pointer.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "components":
            raise SourceError(document(base).locate(where), f"cannot bundle $ref {ref!r}",
                              fix="external references must point at #/components/<section>/<Name>")
        _, section, name = parts
        source = document(target)
        try:
            item = source.data["components"][section][name]
        except (KeyError, TypeError):
            raise SourceError(document(base).locate(where), f"$ref {ref!r} points at nothing in {target.name}",
                              fix=f"define components/{section}/{name} in {target}") from None
        existing = imported.setdefault(section, {})
        if name not in existing:
            existing[name] = {}  # placeholder first: referenced items may refer back to themselves
            existing[name] = rewrite(item, target, ("components", section, name))
        return f"#/components/{section}/{name}"

    bundled: dict[str, Any] = rewrite(result, root.path, ())
    own = bundled.setdefault("components", {})
    for section, items in imported.items():
        for name, item in items.items():
            if name in own.get(section, {}) and own[section][name] != item:
                raise SourceError(root.locate(("components", section, name)),
                                  f"components/{section}/{name} is defined here and in a referenced file",
                                  fix="rename one of them")
            own.setdefault(section, {})[name] = item
    _inline_path_items(bundled)
    return bundled


def _inline_path_items(bundled: dict[str, Any]) -> None:
    path_items = bundled.get("components", {}).pop("pathItems", None)
    if not path_items:
        return
    paths = bundled.get("paths") or {}
    for path, item in list(paths.items()):
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/pathItems/"):
            name = ref.rsplit("/", 1)[1]
            paths[path] = {**path_items[name], **{k: v for k, v in item.items() if k != "$ref"}}


def non_null_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``oneOf``/``anyOf`` of a value and ``null`` (a field that may be cleared) as the value's schema."""
    for keyword in ("oneOf", "anyOf"):
        options = [o for o in schema.get(keyword, []) if o.get("type") != "null"]
        if len(options) == 1:
            return dict(options[0])
    return schema


def simple_sample(schema: dict[str, Any]) -> tuple[bool, Any]:
    """A valid value of a simple (resolved) schema: its first example, its first enum value, or ``True`` for a
    boolean; (False, None) for anything else."""
    if schema.get("examples"):
        return True, schema["examples"][0]
    if schema.get("enum"):
        return True, schema["enum"][0]
    if schema.get("type") == "boolean":
        return True, True
    return False, None
