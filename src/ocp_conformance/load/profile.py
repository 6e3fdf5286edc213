"""Load profiles: a day's traffic as data (``load/*.yaml``), checked against their JSON Schema and the catalogue.

A profile says who does what how often (the mix, by catalogue function and the binding's roles), how the users
arrive (steady, a ramp, a burst before a cut-off), how long they think between calls, how each request's values
are drawn, what the end-of-run invariants read back, and the thresholds a CI job fails on. It names no
operationId and no field of a contract: the binding (``binding.yaml``) turns roles into names.

Example:
    >>> profile = load_profile(find_profile("peak-day"))
    >>> [entry.function for entry in profile.mix][:2]
    ['Input SI', 'Cancel SI']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ocp_conformance.contracts import Catalogue, SourceError, YamlDocument, load_yaml, project_resource
from ocp_conformance.contracts.suggest import did_you_mean

__all__ = ["DEFAULT_SAMPLE", "UPLOAD_ROLE", "Arrival", "Counterpart", "MixEntry", "OnTracked", "Profile", "SetupCall",
           "Thresholds", "Track", "find_profile", "load_profile", "profile_names", "profile_schema", "profiles_folder"]

DEFAULT_SAMPLE = 0.05
UPLOAD_ROLE = "upload"
"""The role of a mix entry that uploads a file of a RAP catalogue entry (its ``function``)."""
_SCHEMA_FILE = Path(__file__).with_name("profile.schema.yaml")


@cache
def profile_schema() -> dict[str, Any]:
    """The JSON Schema every load profile must satisfy (shipped with the package)."""
    schema: dict[str, Any] = yaml.safe_load(_SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


@dataclass(frozen=True, slots=True)
class Arrival:
    """How many users are active over the run: ``steady``, ``ramp`` (to the peak over ``ramp`` of the run) or
    ``burst`` (``base`` of the peak, then the peak from ``start`` for ``length`` of the run)."""

    shape: str
    ramp: float = 0.0
    base: float = 1.0
    start: float = 0.0
    length: float = 0.0

    def users_at(self, elapsed: float, duration: float, peak: int) -> int:
        """The users active ``elapsed`` seconds into a run of ``duration`` (at least 1)."""
        share = elapsed / duration if duration > 0 else 1.0
        if self.shape == "ramp":
            fraction = min(1.0, share / self.ramp) if self.ramp > 0 else 1.0
        elif self.shape == "burst":
            fraction = 1.0 if self.start <= share < self.start + self.length else self.base
        else:
            fraction = 1.0
        return max(1, round(peak * fraction))


@dataclass(frozen=True, slots=True)
class OnTracked:
    """Act on an instruction this user created with ``created_by`` (optionally only one in ``status``)."""

    created_by: str
    status: str | None = None
    consume: bool = False


@dataclass(frozen=True, slots=True)
class Counterpart:
    """The counterparty's matching input, sent after the first (``share`` of the time): ``values`` override the
    first input's, and the ``party`` role (the counterparty) becomes the first sender."""

    share: float
    party: str
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MixEntry:
    function: str
    role: str
    weight: float
    values: Mapping[str, Any] = field(default_factory=dict)
    on: OnTracked | None = None
    counterpart: Counterpart | None = None
    records: tuple[int, int] | None = None
    """``upload`` (a RAP file type): how many detail records a file holds, at least and at most."""
    creates: str | None = None
    """``upload``: the tracked function whose instructions the file's accepted records are (read back like it)."""

    @property
    def is_upload(self) -> bool:
        """A RAP file upload (through the target's RAP channel), not a call through the binding."""
        return self.role == UPLOAD_ROLE

    @property
    def label(self) -> str:
        return f"{self.function} ({self.role})"


@dataclass(frozen=True, slots=True)
class SetupCall:
    function: str
    role: str
    count: int
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Track:
    """What the invariants read back: acknowledgements of ``function`` (their ``id`` and run ``reference``), listed
    by ``enquiry``'s list role; ``cancelled_by`` moves one to ``cancelled_status``."""

    function: str
    id: str
    reference: str
    status: str
    enquiry: str
    owner: str | None = None
    cancelled_by: str | None = None
    cancelled_status: str | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    error_rate: float | None = None
    violations: int | None = None
    min_throughput: float | None = None
    p95_ms: Mapping[str, float] = field(default_factory=dict)
    p99_ms: Mapping[str, float] = field(default_factory=dict)

    def latency_limit(self, which: str, function: str) -> float | None:
        limits = self.p95_ms if which == "p95" else self.p99_ms
        return limits.get(function, limits.get("default"))


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    path: Path
    description: str
    users: int
    duration: float
    arrival: Arrival
    mix: tuple[MixEntry, ...]
    track: tuple[Track, ...]
    participants: int = 2
    sample: float = DEFAULT_SAMPLE
    think_min: float = 0.0
    think_max: float = 0.0
    setup: tuple[SetupCall, ...] = ()
    expected_errors: frozenset[str] = frozenset()
    thresholds: Thresholds = Thresholds()

    def functions(self) -> list[str]:
        """Every catalogue function the profile calls, in first-use order."""
        names = [s.function for s in self.setup] + [m.function for m in self.mix]
        names += [t.enquiry for t in self.track]
        return list(dict.fromkeys(names))


def profiles_folder() -> Path:
    """The shipped profiles: ``load/`` of the checkout, or of the wheel (``_bundled/load``)."""
    return project_resource("load")


def profile_names(folder: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (folder or profiles_folder()).glob("*.yaml"))


def find_profile(name: str) -> Path:
    """A profile by name (``peak-day``) among the shipped ones, or a path to a YAML file of one's own.

    Raises:
        SourceError: no such profile (with the names that exist).
    """
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} or candidate.is_file():
        if not candidate.is_file():
            raise SourceError(candidate, "load profile not found", fix="check the path")
        return candidate
    shipped = profiles_folder() / f"{name}.yaml"
    if shipped.is_file():
        return shipped
    names = profile_names()
    raise SourceError(Path(name), f"no load profile {name!r}.{did_you_mean(name, names)}",
                      fix=f"use one of: {', '.join(names)}, or the path of a profile file")


def load_profile(path: Path, catalogue: Catalogue | None = None) -> Profile:
    """Read and check a profile: its JSON Schema, then (given a ``catalogue``) that every function exists.

    Raises:
        SourceError: the first defect, at file:line:column, with the fix.
    """
    document = load_yaml(path)
    data = document.data
    errors = [(document.locate(tuple(e.absolute_path)), e.message)
              for e in Draft202012Validator(profile_schema()).iter_errors(data)]
    if errors:
        where, message = min(errors, key=lambda e: (e[0].line, e[0].column))  # the first in the file
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SourceError(where, f"load profile: {message}{more}",
                          fix=f"see {_SCHEMA_FILE.name} in the package and docs/load.md")
    profile = _profile(path, data)
    _check_meaning(document, profile, data, catalogue)
    return profile


def _profile(path: Path, data: dict[str, Any]) -> Profile:
    arrival = Arrival(**data["arrival"])
    mix = tuple(MixEntry(function=m["function"], role=m["role"], weight=float(m["weight"]),
                         values=dict(m.get("values") or {}),
                         on=OnTracked(**m["on"]) if "on" in m else None,
                         counterpart=_counterpart(m["counterpart"]) if "counterpart" in m else None,
                         records=(int(m["records"]["min"]), int(m["records"]["max"])) if "records" in m else None,
                         creates=m.get("creates"))
                for m in data["mix"])
    track = tuple(Track(function=t["function"], id=t["id"], reference=t["reference"], status=t["status"],
                        enquiry=t["enquiry"], owner=t.get("owner"),
                        cancelled_by=(t.get("cancelled") or {}).get("by"),
                        cancelled_status=(t.get("cancelled") or {}).get("status"))
                  for t in data["track"])
    setup = tuple(SetupCall(function=s["function"], role=s["role"], count=int(s["count"]),
                            values=dict(s.get("values") or {})) for s in data.get("setup") or ())
    raw = data.get("thresholds") or {}
    thresholds = Thresholds(error_rate=raw.get("error_rate"), violations=raw.get("violations"),
                            min_throughput=raw.get("min_throughput"), p95_ms=dict(raw.get("p95_ms") or {}),
                            p99_ms=dict(raw.get("p99_ms") or {}))
    think = data.get("think_time") or {"min": 0.0, "max": 0.0}
    return Profile(name=path.stem, path=path, description=str(data["description"]).strip(), users=int(data["users"]),
                   duration=float(data["duration"]), arrival=arrival, mix=mix, track=track,
                   participants=int(data.get("participants", 2)), sample=float(data.get("sample", DEFAULT_SAMPLE)),
                   think_min=float(think["min"]), think_max=float(think["max"]), setup=setup,
                   expected_errors=frozenset(data.get("expected_errors") or ()), thresholds=thresholds)


def _check_upload(document: YamlDocument, index: int, entry: MixEntry, tracked: set[str]) -> None:
    """An upload has its record counts and no API call's keys; ``creates`` names a tracked function."""
    if not entry.is_upload:
        for key in ("records", "creates"):
            if getattr(entry, key) is not None:
                raise SourceError(document.locate(("mix", index, key)),
                                  f"load profile: `{key}` belongs to a RAP upload (role {UPLOAD_ROLE!r})",
                                  fix="remove it, or make this entry an upload of a RAP file type")
        return
    if entry.records is None:
        raise SourceError(document.locate(("mix", index)), "load profile: an upload needs `records: {min, max}`",
                          fix="say how many detail records a file holds, e.g. records: {min: 20, max: 300}")
    if entry.records[0] > entry.records[1]:
        raise SourceError(document.locate(("mix", index, "records", "min")),
                          f"load profile: records min {entry.records[0]} is above max {entry.records[1]}",
                          fix="make min <= max")
    for key in ("values", "on", "counterpart"):
        if getattr(entry, key):
            raise SourceError(document.locate(("mix", index, key)),
                              f"load profile: an upload takes no `{key}` (the file is generated from its layout)",
                              fix=f"remove `{key}`")
    if entry.creates is not None and entry.creates not in tracked:
        raise SourceError(document.locate(("mix", index, "creates")),
                          f"load profile: {entry.creates!r} is not a tracked function",
                          fix=f"track it under `track`, or create one of: {', '.join(sorted(tracked))}")


def _counterpart(raw: dict[str, Any]) -> Counterpart:
    return Counterpart(share=float(raw["share"]), party=str(raw["party"]), values=dict(raw["values"]))


def _check_meaning(document: YamlDocument, profile: Profile, data: dict[str, Any], catalogue: Catalogue | None) -> None:
    """What a schema cannot say: think times in order, burst inside the run, known functions, tracked creators."""
    think = data.get("think_time")
    if think is not None and think["min"] > think["max"]:
        raise SourceError(document.locate(("think_time", "min")),
                          f"load profile: think_time min {think['min']} is above max {think['max']}",
                          fix="make min <= max (seconds between one user's calls)")
    if profile.arrival.shape == "burst" and profile.arrival.start + profile.arrival.length > 1:
        raise SourceError(document.locate(("arrival", "length")),
                          "load profile: the burst ends after the run (start + length > 1)",
                          fix="shorten the burst or start it earlier (both are shares of the run)")
    tracked = {t.function for t in profile.track}
    for index, entry in enumerate(profile.mix):
        if entry.on is not None and entry.on.created_by not in tracked:
            raise SourceError(document.locate(("mix", index, "on", "created_by")),
                              f"load profile: {entry.on.created_by!r} is not a tracked function",
                              fix=f"track it under `track`, or act on one of: {', '.join(sorted(tracked))}")
        _check_upload(document, index, entry, tracked)
    if catalogue is None:
        return
    known = [e.name for e in catalogue]
    uses: list[tuple[tuple[str | int, ...], str]] = [(("mix", i, "function"), m.function)
                                                     for i, m in enumerate(profile.mix)]
    uses += [(("setup", i, "function"), s.function) for i, s in enumerate(profile.setup)]
    for i, t in enumerate(profile.track):
        uses += [(("track", i, "function"), t.function), (("track", i, "enquiry"), t.enquiry)]
        if t.cancelled_by is not None:
            uses.append((("track", i, "cancelled", "by"), t.cancelled_by))
    for parts, name in uses:
        if name not in known:
            raise SourceError(document.locate(parts), f"load profile: {name!r} is not a catalogue function."
                              + did_you_mean(name, known),
                              fix="names are exactly as HKEX writes them (see contracts/catalogue.yaml)")
    entries = {e.name: e for e in catalogue}
    for index, entry in enumerate(profile.mix):
        catalogued = entries.get(entry.function)
        if catalogued is not None and (catalogued.kind == "rap") != entry.is_upload:
            raise SourceError(document.locate(("mix", index, "role")),
                              f"load profile: {entry.function!r} is "
                              + (f"a RAP file type: its role is {UPLOAD_ROLE!r}" if catalogued.kind == "rap"
                                 else f"not a RAP file type: role {UPLOAD_ROLE!r} uploads RAP files only"),
                              fix=f"role {UPLOAD_ROLE!r} with a RAP entry of the catalogue (e.g. SI), any other role "
                                  "with an API function")
