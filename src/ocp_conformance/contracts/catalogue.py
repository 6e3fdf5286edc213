"""The catalogue: every OCP function, GCP service and RAP file type, by the exact name HKEX writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from ocp_conformance.contracts.source import SourceError, YamlDocument, load_yaml
from ocp_conformance.contracts.suggest import close_names, did_you_mean

__all__ = ["Catalogue", "CatalogueEntry", "DiscontinuedFunction", "EntryKind", "UnknownFunctionError"]

EntryKind = Literal["api", "gcp", "rap"]
_KINDS: tuple[EntryKind, ...] = ("api", "gcp", "rap")


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One function, service or file type of the mission."""

    name: str
    kind: EntryKind
    group: str
    circular: str
    new_in_ocp: bool
    operations: tuple[str, ...] = ()
    file_type: str | None = None
    notes: str = ""
    display_name: str | None = None
    """The circular's exact words where they differ from ``name`` (e.g. "Election Instructions"): shown in every
    report; ``name`` stays the stable id (``--only``, waivers, history)."""

    @property
    def display(self) -> str:
        """What reports show: the circular's words (``display_name``), else the name."""
        return self.display_name or self.name

    @property
    def contracted(self) -> bool:
        """True once the entry names its operations (api, gcp) or its file type (rap)."""
        return bool(self.operations) if self.kind != "rap" else self.file_type is not None

    @property
    def service(self) -> str:
        """The Allure epic: which of the exchange's services the entry belongs to."""
        return {"api": "API Services", "gcp": "GCP Services", "rap": "RAP Upload"}[self.kind]


@dataclass(frozen=True, slots=True)
class DiscontinuedFunction:
    """A Participant Gateway function that the OCP API does not offer."""

    name: str
    circular: str
    notes: str = ""
    successor: str | None = None
    """The current catalogue function of the same group, blamed when a target still offers this one."""
    probes: tuple[str, ...] = ()
    """``"METHOD /path"`` (under the OCP API server URL) where a target would offer it as if current."""


class UnknownFunctionError(LookupError):
    """A function name that is not in the catalogue; offers the closest names."""

    def __init__(self, name: str, known: list[str]) -> None:
        close = close_names(name, known)
        hint = did_you_mean(name, known)
        super().__init__(
            f"{name!r} is not a catalogue function.{hint} "
            "Names are exactly as HKEX writes them; `ocp-conformance contracts lint` lists the catalogue."
        )
        self.name = name
        self.suggestions = close


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The parsed ``catalogue.yaml``."""

    path: Path
    entries: tuple[CatalogueEntry, ...]
    discontinued: tuple[DiscontinuedFunction, ...]
    circulars: dict[str, str] = field(default_factory=dict)
    document: YamlDocument | None = None

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, name: str) -> CatalogueEntry:
        """The entry called ``name``, or :class:`UnknownFunctionError` with suggestions."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise UnknownFunctionError(name, [e.name for e in self.entries])

    def function_of(self, operation_id: str) -> CatalogueEntry | None:
        """The entry whose ``operations`` include ``operation_id``."""
        for entry in self.entries:
            if operation_id in entry.operations:
                return entry
        return None

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        """Parse and check the shape of ``path``; any defect is a :class:`SourceError` at its line."""
        doc = load_yaml(path)
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            raise SourceError(doc.locate(()), "expected a mapping with an `entries` list",
                              fix="see contracts/catalogue.yaml in the project for the shape")
        entries: list[CatalogueEntry] = []
        seen: set[str] = set()
        for index, raw in enumerate(data["entries"]):
            where = doc.locate(("entries", index))
            entry = _parse_entry(raw, where_text=str(where), doc=doc, index=index)
            if entry.name in seen:
                raise SourceError(where, f"duplicate entry name {entry.name!r}", fix="names must be unique")
            seen.add(entry.name)
            entries.append(entry)
        discontinued = tuple(_parse_discontinued(d, doc=doc, index=i, names=seen)
                             for i, d in enumerate(data.get("discontinued") or []))
        circulars = {str(k): str(v) for k, v in (data.get("circulars") or {}).items()}
        return cls(path=path, entries=tuple(entries), discontinued=discontinued, circulars=circulars, document=doc)


def _parse_discontinued(raw: dict[str, object], *, doc: YamlDocument, index: int,
                        names: set[str]) -> DiscontinuedFunction:
    successor = raw.get("successor")
    if successor is not None and successor not in names:
        raise SourceError(doc.locate(("discontinued", index, "successor")),
                          f"successor {successor!r} is not a catalogue entry.{did_you_mean(str(successor), names)}",
                          fix="name the current function of the same group exactly as its entry does")
    probes = raw.get("probes") or []
    if not isinstance(probes, list) or not all(
            isinstance(p, str) and len(p.split(" ")) == 2 and p.split(" ")[1].startswith("/") for p in probes):
        raise SourceError(doc.locate(("discontinued", index, "probes")),
                          "probes must be a list of \"METHOD /path\" strings", fix='e.g. probes: ["GET /reports"]')
    return DiscontinuedFunction(name=str(raw["name"]), circular=str(raw.get("circular", "")),
                                notes=str(raw.get("notes", "")),
                                successor=str(successor) if successor is not None else None,
                                probes=tuple(str(p) for p in probes))


def _parse_entry(raw: object, *, where_text: str, doc: YamlDocument, index: int) -> CatalogueEntry:
    if not isinstance(raw, dict):
        raise SourceError(doc.locate(("entries", index)), f"expected a mapping, received {type(raw).__name__}")
    missing = [k for k in ("name", "kind", "group", "circular", "new_in_ocp") if k not in raw]
    if missing:
        raise SourceError(doc.locate(("entries", index)), f"entry lacks {', '.join(missing)}",
                          fix="every entry needs name, kind, group, circular and new_in_ocp")
    kind = raw["kind"]
    if kind not in _KINDS:
        raise SourceError(doc.locate(("entries", index, "kind")),
                          f"kind {kind!r} is not one of {', '.join(_KINDS)}")
    operations = raw.get("operations") or []
    if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
        raise SourceError(doc.locate(("entries", index, "operations")), "operations must be a list of operationIds")
    if not isinstance(raw["new_in_ocp"], bool):
        raise SourceError(doc.locate(("entries", index, "new_in_ocp")), "new_in_ocp must be true or false")
    return CatalogueEntry(
        name=str(raw["name"]),
        kind=cast(EntryKind, kind),
        group=str(raw["group"]),
        circular=str(raw["circular"]),
        new_in_ocp=raw["new_in_ocp"],
        operations=tuple(operations),
        file_type=str(raw["file_type"]) if raw.get("file_type") else None,
        notes=str(raw.get("notes", "")),
        display_name=str(raw["display_name"]) if raw.get("display_name") else None,
    )
