"""`contracts adopt`: scaffold a contracts folder around an official OpenAPI document, unmodified.

It proposes, for every operation, the catalogue function it most likely serves (by the words of its operationId,
summary, description and path against the function's name, with CCASS abbreviations spelt out and common verb
synonyms folded), an overlay that adds ``x-ocp-function`` to the unmodified document, a catalogue naming those
operations, and a binding skeleton: operations by inferred role, field roles found by name in the document's
schemas, enum maps where codes can be paired, the error media type and code field, and the security schemes.
Everything it could not infer is a ``TODO`` line in the binding, and ``contracts lint`` then names each gap.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Final

import yaml

from ocp_conformance.binding.check import field_schemas
from ocp_conformance.binding.infer import infer_role
from ocp_conformance.binding.load import load_binding
from ocp_conformance.binding.model import BINDING_FILE, Binding
from ocp_conformance.contracts import ApiDocument, Catalogue, ContractSet, Operation, SourceError
from ocp_conformance.contracts.overlay import OVERLAY_FOLDER

__all__ = ["Adoption", "Proposal", "adopt", "propose_functions", "render_proposals"]

_EXPANSIONS: Final = {
    "si": "settlement instruction", "isi": "investor settlement instruction", "ati": "account transfer",
    "sti": "segregated transfer", "di": "delivery instruction", "ncp": "non clearing participant",
    "gcp": "general clearing participant", "sis": "settlement instruction",
}
_SYNONYMS: Final = {
    "submit": "input", "create": "input", "add": "input", "new": "input", "post": "input", "enter": "input",
    "amend": "change", "amendment": "change", "modify": "change", "update": "change", "edit": "change",
    "amendments": "change", "replace": "change",
    "delete": "cancel", "remove": "cancel", "cancellation": "cancel", "withdraw": "cancel",
    "search": "enquire", "retrieve": "enquire", "get": "enquire", "list": "enquire", "query": "enquire",
    "inquire": "enquire", "inquiry": "enquire", "enquiry": "enquire", "read": "enquire", "find": "enquire",
    "revocation": "revoke", "revoked": "revoke", "reasons": "reason", "deleted": "delete_state",
    "instructions": "instruction", "transfers": "transfer", "messages": "message", "positions": "position",
    "release": "hold", "held": "hold", "settled": "settle", "matched": "match", "unmatched": "unmatch",
    "balances": "balance", "movements": "movement", "trades": "trade", "stocks": "stock",
    "securities": "stock", "security": "stock", "participants": "participant", "mappings": "mapping",
}
_STOP: Final = frozenset({"a", "an", "the", "of", "one", "to", "for", "and", "or", "by", "its", "from", "on", "in",
                          "with", "acting", "participant's", "v1", "v2", "api", "ocp", "s"})


@dataclass(frozen=True, slots=True)
class Proposal:
    """One operation of the official document and the catalogue function proposed for it."""

    operation_id: str
    function: str | None
    score: float
    role: str


@dataclass(slots=True)
class Adoption:
    """What ``adopt`` wrote and what it could not infer."""

    folder: Path
    proposals: list[Proposal]
    todos: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    raw = [w for w in re.split(r"[^A-Za-z0-9']+", text.lower()) if w]
    out: list[str] = []
    for word in raw:
        out += _EXPANSIONS.get(word, word).split()
    return [_SYNONYMS.get(w, w) for w in out if w not in _STOP]


def _function_words(name: str) -> list[str]:
    words = _words(name.replace("/", " "))
    if "delete" in name.lower():  # "Enquire Deleted SI": the deleted ones are a state, not a verb
        words = [("delete_state" if w == "cancel" else w) for w in words]
    return words


def _operation_words(operation: Operation) -> list[str]:
    spec = operation.spec
    return _words(" ".join([operation.operation_id, str(spec.get("summary", "")),
                            str(spec.get("description", ""))[:200],
                            " ".join(s for s in operation.path.split("/") if not s.startswith("{"))]))


def _score(function_words: list[str], operation_words: list[str]) -> float:
    wanted, have = set(function_words), set(operation_words)
    if not wanted:
        return 0.0
    overlap = len(wanted & have) / len(wanted)
    extra = len(have & {"delete_state", "unmatch", "reason", "hold", "revoke", "match", "settle"} - wanted)
    order = SequenceMatcher(None, " ".join(function_words), " ".join(operation_words[:8])).ratio()
    return overlap - 0.15 * extra + 0.1 * order


def propose_functions(operations: Iterable[Operation], catalogue: Catalogue, *,
                      threshold: float = 0.5) -> list[Proposal]:
    """The best catalogue function for each operation (``None`` below ``threshold``)."""
    candidates = [(entry.name, _function_words(entry.name)) for entry in catalogue if entry.kind != "rap"]
    proposals = []
    for operation in operations:
        words = _operation_words(operation)
        scored = sorted(((_score(fw, words), name) for name, fw in candidates), reverse=True)
        best_score, best = scored[0] if scored else (0.0, "")
        proposals.append(Proposal(operation.operation_id, best if best_score >= threshold else None,
                                  round(best_score, 2), infer_role(operation)))
    return proposals


def adopt(official: Path, into: Path, ours: ContractSet) -> Adoption:
    """Scaffold ``into`` around ``official`` (copied unmodified under ``api/``); see the module docstring.

    Raises:
        SourceError: ``official`` is not an OpenAPI document, or ``into`` already holds a contracts folder.
    """
    if (into / "catalogue.yaml").exists() or (into / BINDING_FILE).exists():
        raise SourceError(into, "already holds a contracts folder (catalogue.yaml or binding.yaml)",
                          fix="adopt into a new folder; edit an existing one by hand")
    document = ApiDocument.load(official, with_overlay=False)
    (into / "api").mkdir(parents=True, exist_ok=True)
    (into / OVERLAY_FOLDER).mkdir(exist_ok=True)
    shutil.copyfile(official, into / "api" / official.name)
    control = ours.control_document
    if control is not None:  # the simulator's own control surface (clock, batch runs): ours whatever the contract
        (into / "api" / control.path.name).write_text(
            "# The simulator's control surface (bundled copy of ours): the clock and batch runs.\n"
            + yaml.safe_dump(control.bundled, sort_keys=False, width=110, allow_unicode=True), encoding="utf-8")
    proposals = propose_functions(document.operations.values(), ours.catalogue)
    adoption = Adoption(folder=into, proposals=proposals)
    _write_overlay(into / OVERLAY_FOLDER / official.name, document, proposals)
    _write_catalogue(into / "catalogue.yaml", ours, proposals)
    _write_binding(into / BINDING_FILE, document, proposals, load_binding(ours), adoption)
    return adoption


def _write_overlay(path: Path, document: ApiDocument, proposals: list[Proposal]) -> None:
    actions = []
    for proposal in proposals:
        if proposal.function is None:
            continue
        operation = document.operations[proposal.operation_id]
        actions.append({"target": f"$.paths['{operation.path}'].{operation.method}",
                        "update": {"x-ocp-function": proposal.function}})
    text = yaml.safe_dump({"overlay": "1.0.0", "info": {"title": "ocp-conformance extensions", "version": "1.0.0"},
                           "actions": actions}, sort_keys=False, width=110, allow_unicode=True)
    path.write_text("# OpenAPI Overlay 1.0, proposed by `ocp-conformance contracts adopt`: the catalogue function\n"
                    "# of each operation. Check each against the official guide; add x-ocp-error-codes per operation\n"
                    "# (contracts lint names each one missing).\n" + text, encoding="utf-8")


def _write_catalogue(path: Path, ours: ContractSet, proposals: list[Proposal]) -> None:
    by_function: dict[str, list[str]] = {}
    for proposal in proposals:
        if proposal.function is not None:
            by_function.setdefault(proposal.function, []).append(proposal.operation_id)
    data = yaml.safe_load(ours.catalogue.path.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        if entry.get("kind") == "rap":
            continue
        entry.pop("operations", None)
        if entry["name"] in by_function:
            entry["operations"] = by_function[entry["name"]]
    path.write_text("# Proposed by `ocp-conformance contracts adopt`: each function's operations in the official\n"
                    "# document (entries without operations are not contracted yet).\n"
                    + yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True), encoding="utf-8")
    rap = ours.root / "rap"
    if rap.is_dir():
        shutil.copytree(rap, path.parent / "rap", dirs_exist_ok=True)


def _write_binding(path: Path, document: ApiDocument, proposals: list[Proposal], model: Binding,
                   adoption: Adoption) -> None:
    lines = ["# Proposed by `ocp-conformance contracts adopt`. Every TODO is a role it could not infer;",
             "# `ocp-conformance contracts lint --contracts THIS_FOLDER` checks the rest against the contract.",
             "version: 1",
             "# The documents in api/ are the exchange's, unmodified: the readiness reports say so (`model` if not).",
             "contract: official", ""]
    schemes = list((document.bundled.get("components") or {}).get("securitySchemes") or {})
    lines += ["auth:", f"  schemes: [{', '.join(schemes)}]" if schemes else "  schemes: []  # TODO", ""]
    lines += _error_lines(document, model, adoption)
    lines += ["functions:"]
    functions: dict[str, dict[str, str]] = {}
    for proposal in proposals:
        if proposal.function is None:
            continue
        roles = functions.setdefault(proposal.function, {})
        role = proposal.role if proposal.role not in roles else f"{proposal.role}_{len(roles)}"
        roles[role] = proposal.operation_id
    for name, roles in functions.items():
        set_name = model.functions[name].fields if name in model.functions else None
        lines += [f'  "{name}":', "    operations: {" + ", ".join(f"{r}: {o}" for r, o in roles.items()) + "}"]
        if set_name is not None:
            lines.append(f"    fields: {set_name}")
    lines += ["", "fields:"]
    used_sets = {model.functions[n].fields for n in functions if n in model.functions} - {None}
    enum_pairs: dict[str, tuple[str, list[Any]]] = {}
    for set_name in sorted(s for s in used_sets if s is not None):
        operations = [document.operations[o] for n, roles in functions.items()
                      if n in model.functions and model.functions[n].fields == set_name for o in roles.values()]
        lines.append(f"  {set_name}:")
        for role, spec in model.field_sets[set_name].items():
            found = _find_field(document, operations, spec.pointer, spec.parameter)
            if found is None:
                lines.append(f"    # TODO {role}: no field like {spec.pointer or spec.parameter} found")
                adoption.todos.append(f"fields.{set_name}.{role}")
                continue
            pointer, parameter, codes = found
            parts = [f"pointer: {pointer}"] if pointer else []
            parts += [f"parameter: {parameter}"] if parameter else []
            if spec.enum is not None:
                parts.append(f"enum: {spec.enum}")
                enum_pairs[spec.enum] = (spec.enum, codes)
            lines.append(f"    {role}: {{{', '.join(parts)}}}")
    lines += ["", "enums:"]
    for enum, (_, codes) in sorted(enum_pairs.items()):
        lines.append(f"  {enum}:")
        for value in model.enums.get(enum, {}):
            code = _pair_code(value, codes)
            if code is None:
                lines.append(f"    # TODO {value}: which of {codes} is it?")
                adoption.todos.append(f"enums.{enum}.{value}")
            else:
                lines.append(f"    {value}: {code}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _error_lines(document: ApiDocument, model: Binding, adoption: Adoption) -> list[str]:
    media: dict[str, dict[str, Any]] = {}
    for operation in document.operations.values():
        for status, response in (operation.spec.get("responses") or {}).items():
            if str(status)[0] in "45":
                for name, content in (document.resolve(response).get("content") or {}).items():
                    media.setdefault(name, document.resolve(content.get("schema", {})))
    if not media:
        adoption.todos.append("errors")
        return ["# TODO errors: the document declares no error response bodies", ""]
    name, schema = next(iter(media.items()))
    properties = list(schema.get("properties") or {})
    code = _closest(["code", "errorCode", "error_code"], properties)
    message = _closest(["detail", "message", "errorMessage"], properties)
    lines = ["errors:", f"  media_type: {name}"]
    lines.append(f"  code: /{code}" if code else "  code: /code  # TODO: where is the error code?")
    if message:
        lines.append(f"  message: /{message}")
    for name_, prop in (schema.get("properties") or {}).items():
        items = document.resolve(document.resolve(prop).get("items", {})) if isinstance(prop, dict) else {}
        inner = list(items.get("properties") or {})
        pointer = _closest(["pointer", "field", "name", "path", "location"], inner)
        if document.resolve(prop).get("type") == "array" and pointer:
            lines += [f"  field_errors: /{name_}", f"  field_pointer: /{pointer}"]
            break
    statuses = model.errors.statuses if model.errors is not None else {}
    if statuses:
        lines.append("  statuses: {" + ", ".join(f"{k}: {v}" for k, v in statuses.items()) + "}  # check each")
    if code is None:
        adoption.todos.append("errors.code")
    return [*lines, ""]


def _closest(wanted: list[str], names: list[str]) -> str | None:
    lowered = {n.lower(): n for n in names}
    for want in wanted:
        if want.lower() in lowered:
            return lowered[want.lower()]
    return None


def _find_field(document: ApiDocument, operations: list[Operation], pointer: str | None,
                parameter: str | None) -> tuple[str | None, str | None, list[Any]] | None:
    """A pointer (and parameter) in the official operations for a role that our binding puts at ``pointer``:
    the same name, or the most similar one (``stockCode`` ~ ``securityCode``)."""
    names: dict[str, list[Any]] = {}
    params: set[str] = set()
    for operation in operations:
        for root in _property_names(document, operation):
            names.setdefault(root[0], root[1])
        params.update(p.get("name", "") for p in operation.spec.get("parameters", []))
    wanted = (pointer or f"/{parameter}").lstrip("/")
    match = _similar(wanted, list(names))
    found_pointer = f"/{match}" if match and pointer else None
    found_parameter = _similar(parameter, sorted(params)) if parameter else None
    if found_pointer is None and found_parameter is None:
        return None
    return found_pointer, found_parameter, names.get(match or "", [])


def _property_names(document: ApiDocument, operation: Operation) -> list[tuple[str, list[Any]]]:
    found = []
    for candidate in field_schemas(document, operation, ""):
        for name in candidate.get("properties") or {}:
            schemas = field_schemas(document, operation, f"/{name}")
            codes = [c for s in schemas for c in s.get("enum", ())]
            found.append((str(name), codes))
    return found


def _similar(wanted: str, names: list[str]) -> str | None:
    if wanted in names:
        return wanted
    wanted_words = set(_words(wanted))
    best = max(names, key=lambda n: (len(wanted_words & set(_words(n))), SequenceMatcher(None, wanted, n).ratio()),
               default=None)
    if best is None:
        return None
    same_words = len(wanted_words & set(_words(best)))
    ratio = SequenceMatcher(None, wanted.lower(), best.lower()).ratio()
    return best if same_words == len(wanted_words) or (same_words and ratio >= 0.75) else None


def _pair_code(value: str, codes: list[Any]) -> Any:
    if value in codes:
        return value
    initials = [c for c in codes if isinstance(c, str) and c and c[0] == value[0]]
    return initials[0] if len(initials) == 1 else None


def render_proposals(proposals: list[Proposal]) -> Mapping[str, list[str]]:
    """Function -> the operations proposed for it (for the command's summary)."""
    shown: dict[str, list[str]] = {}
    for proposal in proposals:
        shown.setdefault(proposal.function or "(no function)", []).append(
            f"{proposal.operation_id} ({proposal.role}, {proposal.score:.2f})")
    return shown
