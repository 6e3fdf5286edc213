"""Generate realistic RAP files, valid or with exactly one named defect, streaming and reproducible (seeded).

Values come from the demo market the simulator knows (participant B01234, accounts 01/02, stocks 00005, 00700,
...), so a generated file can later be uploaded to the simulator and accepted. Fields the demo market does not
cover are generated from their schema (enum values, integer ranges, dates, ``examples``), so a replaced layout
still generates as long as each field has one of those.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import IO, Any

from ocp_conformance.rap.fields import FieldSpec
from ocp_conformance.rap.layout import Layout
from ocp_conformance.rap.rules import Rule
from ocp_conformance.rap.writer import FileHeader, RapWriter, format_record

__all__ = ["DEFECTS", "DEMO_BUSINESS_DATE", "DEMO_CA_EVENTS", "DEMO_PARTICIPANT", "GENERATED_ACCOUNTS",
           "GENERATED_STOCKS", "Defect", "GeneratedFile", "RecordGenerator", "generate_file"]

DEMO_PARTICIPANT = "B01234"
DEMO_BUSINESS_DATE = "2027-04-06"
# The simulator's demo market (simulator/ccass/reference.py): keep these in step with it.
GENERATED_STOCKS: tuple[str, ...] = ("00001", "00005", "00388", "00700", "02800", "08001")
"""The stock codes generated SI, ISI, ATI and STI records quote (a CA record quotes its event's stock)."""
GENERATED_ACCOUNTS: tuple[str, ...] = ("01", "02")
"""The stock accounts generated SI, ISI, ATI and STI records name (a CA record names account 01)."""
_POOLS: Mapping[str, tuple[Any, ...]] = MappingProxyType({
    "stock_code": GENERATED_STOCKS,
    "stock_account": GENERATED_ACCOUNTS,
    "toAccount": GENERATED_ACCOUNTS,
    "counterpartyId": ("B05678", "C00019", "B07777"),
    "investorId": ("I00001",),
    "event": ("CA2026110001", "CA2026110002", "CA2026110003"),
    "currency": ("HKD",),
    "withAffirmation": ("Y",),
    # ISIs that settle when affirmed: never held, and no DVP on-hold (refused on the FOP ISIs drawn too)
    "dvpOnHoldRequired": ("N",),
    "holdBeforeSettlement": ("N",),
    "appointeeName": ("Chan Tai Man", "Wong Siu Ming", "Lee Ka Yan", "O'Brien Mary-Ann"),
    "idDocumentNumber": ("A1234563", "K9876543", "E5554443", "P12345678"),
})
_OTHER_PARTICIPANT = "B05678"
# The simulator's demo corporate-action events (simulator/ccass/ca_demo.py), one open event per CA file type, with
# the stock its instructions quote (the rights code for the rights issue, the new issue for the tender); a test keeps
# these in step with it. CA2027000002 (ELECTION) is left out on purpose: its deadline has passed at the simulator's
# start; so is the takeover offer CA2027000007 (SUBSCRIPTION): generated subscriptions are the rights issue's.
DEMO_CA_EVENTS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "ELECTION": ("CA2027000001", "00005"),
    "SUBSCRIPTION": ("CA2027000003", "02901"),
    "VOTING": ("CA2027000004", "00700"),
    "CORPREP": ("CA2027000005", "00700"),
    "TENDER": ("CA2027000006", "04299"),
})
# Fields whose values must fit those events: the rights issue's kinds, the AGM's meeting type and resolutions, tender
# prices per unit of HKD 100 nominal.
_CA_POOLS: Mapping[str, tuple[Any, ...]] = MappingProxyType({
    "subscriptionKind": ("RIGHTS", "EXCESS_RIGHTS"),
    "tenderPrice": ("99.50", "100.00", "100.25"),
    "meetingType": ("AGM",),
    "resolutionNo": (1, 2, 3),
    "stock_account": ("01",),  # the clearing account holds 1,000,000 of each stock (and 100,000 rights)
})


class RecordGenerator:
    """Valid detail records for a layout, one at a time, from a seeded random generator."""

    def __init__(self, layout: Layout, *, seed: int = 0, participant: str = DEMO_PARTICIPANT,
                 business_date: str = DEMO_BUSINESS_DATE) -> None:
        self.layout = layout
        self.random = random.Random(seed)
        self.participant = participant
        self.business_date = business_date
        self._makers = [(spec, self._maker(spec)) for spec in layout.detail.fields]

    def _maker(self, spec: FieldSpec) -> Callable[[int], Any]:
        choice = self.random.choice
        pool = _POOLS.get(spec.name) or _POOLS.get(spec.role or "")
        demo_event = DEMO_CA_EVENTS.get(self.layout.file_type)
        if demo_event is not None:
            if spec.role == "event":
                return lambda i: demo_event[0]
            if spec.role == "stock_code":
                return lambda i: demo_event[1]
            pool = _CA_POOLS.get(spec.name) or _CA_POOLS.get(spec.role or "") or pool
        if spec.role == "client_reference":
            return lambda i: f"R{i:012d}"
        if spec.name == "counterpartyId":
            others = tuple(p for p in _POOLS["counterpartyId"] if p != self.participant) or (_OTHER_PARTICIPANT,)
            return lambda i: choice(others)
        if pool is not None:
            return lambda i: choice(pool)
        if spec.kind == "integer":
            low = max(spec.minimum if spec.minimum is not None else 0, 0)
            if spec.role == "quantity" or (low >= 1 and spec.maximum is not None and spec.maximum > 10**6):
                # board lots, small: 20 records from the 10,000 shares of a demo account 02 still settle
                return lambda i: 100 * self.random.randint(1, 5)
            high = min(spec.maximum if spec.maximum is not None else low + 1000, low + 1000)
            return lambda i: self.random.randint(low, high)
        if spec.kind == "date":
            return lambda i: self.business_date
        if spec.enum:
            values = spec.enum
            return lambda i: choice(values)
        if spec.name == "amount":
            return lambda i: f"{self.random.randint(1, 999_999)}.{self.random.randint(0, 99):02d}"
        if spec.examples:
            examples = spec.examples
            return lambda i: choice(examples)
        if not spec.required:
            return lambda i: None  # an optional field nothing says how to fill stays empty
        raise ValueError(f"{self.layout.file_type}: no way to generate field {spec.name!r}; give its schema "
                         "`examples`, an enum or a range")

    def record(self, index: int) -> dict[str, Any]:
        """The ``index``-th record (its client reference is derived from ``index``, so references are unique)."""
        values = {spec.name: make(index) for spec, make in self._makers}
        for rule in self.layout.detail.rules:
            self._satisfy(rule, values, index)
        return {k: v for k, v in values.items() if v is not None}

    def value(self, name: str, index: int) -> Any:
        """A fresh good value for field ``name``."""
        return dict(self._makers_by_name())[name](index)

    def _makers_by_name(self) -> list[tuple[str, Callable[[int], Any]]]:
        return [(spec.name, make) for spec, make in self._makers]

    def _satisfy(self, rule: Rule, values: dict[str, Any], index: int) -> None:
        if rule.kind == "differ":
            first, second = rule.fields
            if values[first] == values[second]:
                spec = next(s for s in self.layout.detail.fields if s.name == second)
                pool = _POOLS.get(spec.name) or _POOLS.get(spec.role or "") or spec.enum or ()
                values[second] = next((v for v in pool if v != values[first]), values[second])
        elif rule.kind == "sum":
            assert rule.total is not None
            parts = [f for f in rule.fields if f != rule.total]
            remaining = int(values[rule.total])
            for name in parts[:-1]:
                values[name] = self.random.randint(0, remaining)
                remaining -= values[name]
            values[parts[-1]] = remaining
        else:
            assert rule.condition is not None
            name, allowed = rule.condition
            if values.get(name) in allowed:
                for required in rule.required:
                    if values.get(required) is None:
                        values[required] = self.value(required, index)
            else:
                for empty in rule.otherwise_empty:
                    values[empty] = None

    def records(self, count: int) -> Iterator[dict[str, Any]]:
        """``count`` records, lazily."""
        return (self.record(i) for i in range(count))


@dataclass(frozen=True, slots=True)
class Defect:
    """A kind of defect the generator can plant, and the error code it must earn."""

    kind: str
    code: str
    description: str
    only_code: bool = True
    """The file earns this code and no other (else it may also earn field errors on the damaged line)."""
    applies: Callable[[Layout], bool] = field(default=lambda layout: True)
    min_records: int = 0


def _has(predicate: Callable[[FieldSpec], bool]) -> Callable[[Layout], bool]:
    return lambda layout: any(predicate(spec) for spec in layout.detail.fields)


def _enum_outside_rules(spec: FieldSpec, layout: Layout) -> bool:
    return spec.enum is not None and all(spec.name not in r.fields for r in layout.detail.rules)


DEFECTS: Mapping[str, Defect] = MappingProxyType({d.kind: d for d in (
    Defect("empty", "FILE_EMPTY", "a file of 0 bytes"),
    Defect("bad-encoding", "BAD_ENCODING", "a Latin-1 byte (0xE9) in a detail's client reference", min_records=1),
    Defect("bom", "BOM", "a UTF-8 byte-order mark before the header"),
    Defect("line-endings", "LINE_ENDINGS", "one detail line ends with LF instead of CRLF", min_records=1),
    Defect("bad-header", "BAD_HEADER", "the header names another file type"),
    Defect("missing-trailer", "MISSING_TRAILER", "no trailer record"),
    Defect("truncated", "TRUNCATED_LAST_LINE", "the file stops in the middle of a detail line (no trailer)",
           only_code=False, min_records=1),
    Defect("trailer-count", "TRAILER_COUNT", "the trailer's record count is one too many"),
    Defect("trailer-hash", "TRAILER_HASH", "the trailer's hash total is one too many"),
    Defect("wrong-participant", "WRONG_PARTICIPANT", "the header names another participant than the file name"),
    Defect("bad-file-name", "BAD_FILE_NAME", "the file name does not follow the pattern"),
    Defect("record-type", "RECORD_TYPE", "a line with an unknown record type among the details", min_records=1),
    Defect("field-count", "FIELD_COUNT", "a detail line with one field too many", min_records=1),
    Defect("missing-field", "FIELD_REQUIRED", "a detail's stock code is empty", min_records=1),
    Defect("bad-field", "FIELD_FORMAT", "a detail's stock code is not 5 digits", min_records=1),
    Defect("bad-enum", "FIELD_ENUM", "a detail's enumerated field has a value outside the list", min_records=1,
           applies=lambda layout: any(_enum_outside_rules(s, layout) for s in layout.detail.fields)),
    Defect("out-of-range", "FIELD_RANGE", "a detail's quantity is 0", min_records=1,
           applies=lambda layout: layout.detail.role("quantity") is not None),
    Defect("bad-date", "FIELD_DATE", "a detail's date is 30 February", min_records=1,
           applies=_has(lambda spec: spec.kind == "date")),
    Defect("rule", "FIELD_RULE", "a detail breaks the layout's first cross-field rule", min_records=1,
           applies=lambda layout: bool(layout.detail.rules)),
    Defect("duplicate-reference", "DUPLICATE_REFERENCE", "a detail reuses the first detail's client reference",
           min_records=2),
)})


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """What was written: the file name to use, and where the planted defect is (line 0 = none)."""

    file_name: str
    records: int
    defect: Defect | None = None
    line: int = 0


def generate_file(stream: IO[bytes], layout: Layout, records: int, *, defect: str | None = None, seed: int = 0,
                  participant: str = DEMO_PARTICIPANT, business_date: str = DEMO_BUSINESS_DATE,
                  sequence: int = 1) -> GeneratedFile:
    """Write a valid file of ``records`` detail records to ``stream``, or one with exactly the ``defect`` named.

    Example:
        >>> with open("B01234_SI_20270406_001.csv", "wb") as f:
        ...     generated = generate_file(f, layouts["SI"], 1000, defect="trailer-hash", seed=7)
        >>> generated.defect.code, generated.line
        ('TRAILER_HASH', 1002)
    """
    planted = DEFECTS[defect] if defect is not None else None
    if planted is not None:
        if not planted.applies(layout):
            raise ValueError(f"defect {defect!r} does not apply to {layout.file_type} (no such field or rule)")
        if records < planted.min_records:
            raise ValueError(f"defect {defect!r} needs at least {planted.min_records} record(s)")
    name = layout.make_file_name(participant, business_date, sequence)
    kind = planted.kind if planted else None
    if kind == "bad-file-name":
        name = name.replace("_", "-", 1)
    if kind == "empty":
        return GeneratedFile(name, 0, planted, 1)
    generator = RecordGenerator(layout, seed=seed, participant=participant, business_date=business_date)
    target = generator.random.randrange(records) if records else 0
    if kind == "duplicate-reference":
        target = max(target, 1)
    header = FileHeader(participant if kind != "wrong-participant" else _OTHER_PARTICIPANT, business_date, sequence)
    if kind == "bom":
        stream.write(b"\xef\xbb\xbf")
    file_type = layout.header.role("file_type")
    overrides = {file_type.name: "XX" if layout.file_type != "XX" else "YY"} if kind == "bad-header" and file_type \
        else None
    writer = RapWriter(stream, layout, header, header_overrides=overrides)
    line = {"bom": 1, "bad-header": 1, "wrong-participant": 1, "bad-file-name": 1, "missing-trailer": records + 2,
            "trailer-count": records + 2, "trailer-hash": records + 2}.get(kind or "", 0)
    for index in range(records):
        values = generator.record(index)
        if index != target or kind is None or line:
            writer.write(values)
            continue
        line = index + 2
        if kind == "truncated":
            text = format_record(layout, layout.detail, values)
            stream.write(text[: max(len(text) // 2, 1)].encode(layout.encoding))
            return GeneratedFile(name, records, planted, line)
        if kind == "record-type":
            writer.write(values)
            writer.write_line(format_record(layout, layout.detail, values).replace(layout.detail.code, "X", 1))
            line += 1
            continue
        writer.count += 1
        writer.total += int(values[layout.hash_total]) if layout.hash_total else 0
        stream.write(_damaged(kind, layout, generator, values, index))
    if kind == "missing-trailer":
        return GeneratedFile(name, records, planted, line)
    trailer = writer.trailer_values()
    count_field, hash_field = layout.trailer.role("record_count"), layout.trailer.role("hash_total")
    if kind == "trailer-count" and count_field is not None:
        trailer[count_field.name] += 1
    if kind == "trailer-hash" and hash_field is not None:
        trailer[hash_field.name] += 1
    writer.write_line(format_record(layout, layout.trailer, trailer))
    return GeneratedFile(name, records, planted, line or (1 if planted else 0))


def _damaged(kind: str, layout: Layout, generator: RecordGenerator, values: dict[str, Any], index: int) -> bytes:
    """The ``index``-th detail line, damaged as ``kind`` says, with its line ending."""
    detail, terminator = layout.detail, layout.terminator
    stock = detail.role("stock_code")
    quantity = detail.role("quantity")
    reference = detail.role("client_reference")
    if kind == "missing-field" and stock is not None:
        values[stock.name] = None
    elif kind == "bad-field" and stock is not None:
        values[stock.name] = "7OO"
    elif kind == "out-of-range" and quantity is not None:
        values[quantity.name] = 0
    elif kind == "bad-enum":
        spec = next(s for s in detail.fields if _enum_outside_rules(s, layout))
        values[spec.name] = "NOT_LISTED"[: spec.width or None]
    elif kind == "bad-date":
        spec = next(s for s in detail.fields if s.kind == "date")
        values[spec.name] = "2027-02-30"
    elif kind == "duplicate-reference" and reference is not None:
        values[reference.name] = generator.record(0)[reference.name]
    elif kind == "rule":
        _break(detail.rules[0], values, generator, index)
    text = format_record(layout, detail, values)
    if kind == "field-count":
        text += layout.delimiter + "EXTRA" if layout.format == "csv" else "X"
    if kind == "line-endings":
        terminator = "\n" if layout.line_ending == "CRLF" else "\r\n"
    data = (text + terminator).encode(layout.encoding)
    if kind == "bad-encoding":
        start = len(detail.code) + (len(layout.delimiter) if layout.format == "csv" else 0)
        data = data[:start] + b"\xe9" + data[start + 1:]
    return data


def _break(rule: Rule, values: dict[str, Any], generator: RecordGenerator, index: int) -> None:
    if rule.kind == "differ":
        values[rule.fields[1]] = values[rule.fields[0]]
    elif rule.kind == "sum":
        part = next(f for f in rule.fields if f != rule.total)
        values[part] = int(values[part]) + 1
    else:
        assert rule.condition is not None
        name, allowed = rule.condition
        if values.get(name) in allowed and rule.required:
            values[rule.required[0]] = None
        elif rule.otherwise_empty:
            values[rule.otherwise_empty[0]] = generator.value(rule.otherwise_empty[0], index)
        else:
            values[name] = sorted(allowed)[0]
            values[rule.required[0]] = None
