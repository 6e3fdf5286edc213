"""The validator's fast path, compiled once per layout: one regex per detail line, and checks per block of lines.

A detail line is matched, as bytes, against a regular expression built from the layout's field fragments
(:meth:`ocp_conformance.rap.fields.FieldSpec.fragment`). For whole blocks of lines a second regex captures only
what still needs checking after the match (client reference, hash field, ranges and dates it cannot express,
rule fields); exact integer ranges, real dates (but 29 February) and one ``when`` rule are folded into it.
The fast path may refuse a good line (the caller then checks it field by field), never accept a bad one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ocp_conformance.rap.fields import FieldSpec
from ocp_conformance.rap.layout import Layout, RecordLayout
from ocp_conformance.rap.rules import Rule

__all__ = ["FastPath", "fast_path", "never", "real_date", "split_lines"]


@dataclass(frozen=True, slots=True, eq=False)
class FastPath:
    """A layout's compiled fast path for detail lines: per line (``match``) and per block of lines (``findall``)."""

    match: Callable[[bytes], re.Match[bytes] | None]
    delimiter: bytes
    delimiters: int
    crlf: bool
    ints: tuple[tuple[int, int, int], ...]
    dates: tuple[int, ...]
    rules: tuple[Callable[[Sequence[bytes]], bool], ...]
    reference: int | None
    hash: int | None
    block_match: Callable[[bytes], re.Match[bytes] | None]
    """Over one line of a block (without its LF), capturing only the fields the block checks need."""
    block_ints: tuple[tuple[int, int, int], ...]
    block_dates: tuple[int, ...]
    block_rules: tuple[Callable[[Sequence[Sequence[bytes]]], bool], ...]
    block_reference: int | None
    block_hash: int | None


@cache
def fast_path(layout: Layout) -> FastPath | None:
    """Compile the fast path once per layout; ``None`` if some field cannot be expressed as a regex."""
    detail = layout.detail
    if layout.format != "csv" or not layout.delimiter.isascii() or not detail.code.isascii():
        return None
    fragments = []
    for spec in detail.fields:
        fragment = spec.fragment(layout.delimiter)
        if fragment is None or not fragment.isascii():
            return None
        fragments.append(fragment)
    delim = re.escape(layout.delimiter)
    head, tail = re.escape(detail.code) + delim, re.escape(layout.terminator)

    def regex(capture: Callable[[FieldSpec], bool]) -> str:
        parts = []
        for spec, fragment in zip(detail.fields, fragments, strict=True):
            body = fragment if spec.required else f"(?:{fragment})?"
            parts.append(f"({body})" if capture(spec) else f"(?:{body})")
        return head + delim.join(parts) + tail

    index = {spec.name: i for i, spec in enumerate(detail.fields)}
    reference = detail.role("client_reference")
    block_regex, needed, folded = _block_regex(layout, fragments)
    block_index = {name: i for i, name in enumerate(s.name for s in detail.fields if s.name in needed)}

    def ranges(positions: dict[str, int]) -> tuple[tuple[int, int, int], ...]:
        return tuple((positions[s.name], s.minimum if s.minimum is not None else -(10**30),
                      s.maximum if s.maximum is not None else 10**30) for s in detail.fields
                     if s.kind == "integer" and s.name in positions)

    def needed_positions(positions: dict[str, int], names: set[str], record: RecordLayout) -> set[int]:
        return {positions[f.name] for f in record.fields if f.name in names and _exact(f) is None}

    return FastPath(
        match=re.compile(regex(lambda s: True).encode("ascii")).fullmatch,
        delimiter=layout.delimiter.encode("ascii"), delimiters=len(detail.fields), crlf=layout.line_ending == "CRLF",
        ints=ranges(index), dates=tuple(i for i, s in enumerate(detail.fields) if s.kind == "date"),
        rules=tuple(rule.fast(index) for rule in detail.rules),
        reference=index[reference.name] if reference else None,
        hash=index[layout.hash_total] if layout.hash_total else None,
        block_match=re.compile(block_regex.encode("ascii")).fullmatch,
        block_ints=tuple(r for r in ranges(block_index) if r[0] in needed_positions(block_index, needed, detail)),
        block_dates=tuple(block_index[s.name] for s in detail.fields if s.kind == "date" and s.name in needed),
        block_rules=tuple(rule.columns(block_index) for rule in detail.rules if rule is not folded),
        block_reference=block_index[reference.name] if reference else None,
        block_hash=block_index[layout.hash_total] if layout.hash_total else None,
    )


# Every real date but 29 February, which the per-line check handles (the fast path may refuse, never accept wrongly).
_EXACT_DATE = ("(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
               "|(?:0[13578]|1[02])-31)")


def _exact(spec: FieldSpec) -> str | None:
    """A fragment accepting only good values, with no check left for after the match (or ``None``)."""
    if spec.kind == "date" and not spec.patterns:
        return _EXACT_DATE
    if spec.kind == "integer" and spec.maximum is not None and spec.minimum in (0, 1):
        digits = len(str(spec.maximum))
        if spec.maximum == 10**digits - 1:
            more = f"[1-9][0-9]{{0,{digits - 1}}}"
            return more if spec.minimum == 1 else f"(?:0|{more})"
    return None


def _block_regex(layout: Layout, fragments: list[str]) -> tuple[str, set[str], Rule | None]:
    """The regex a block's lines must match (without their LF), the fields it captures, and the rule it folds in.

    It captures only the fields still to be checked after the match: the client reference, the hash field,
    integers and dates whose range the regex cannot express, and the fields of rules. One ``when`` rule whose
    condition is an enum field before its other fields is folded into the regex as two alternative line
    tails, so it costs nothing after the match.
    """
    detail = layout.detail
    fields = detail.fields
    bodies = [_exact(spec) or fragment for spec, fragment in zip(fields, fragments, strict=True)]
    reference = detail.role("client_reference")
    base = {reference.name} if reference else set()
    base |= {layout.hash_total} if layout.hash_total else set()
    base |= {s.name for s in fields if s.kind in ("integer", "date") and _exact(s) is None}
    folded: Rule | None = None
    for rule in detail.rules:
        if rule.kind != "when" or folded is not None or rule.condition is None:
            continue
        position = next(i for i, s in enumerate(fields) if s.name == rule.condition[0])
        later = {s.name for s in fields[position + 1:]}
        others = {n for r in detail.rules if r is not rule for n in r.fields}
        if (fields[position].enum and set(rule.required) | set(rule.otherwise_empty) <= later
                and not (base | others) & ({fields[position].name} | later)):
            folded = rule
    needed = base | {n for r in detail.rules if r is not folded for n in r.fields}
    delim = re.escape(layout.delimiter)

    def part(i: int, force: str | None = None) -> str:
        spec = fields[i]
        body = "" if force == "empty" else bodies[i] if spec.required or force == "required" else f"(?:{bodies[i]})?"
        return f"({body})" if spec.name in needed else f"(?:{body})"

    end = re.escape(layout.terminator[:-1])
    head = re.escape(detail.code) + delim
    if folded is None or folded.condition is None:
        return head + delim.join(part(i) for i in range(len(fields))) + end, needed, None
    name, allowed = folded.condition
    position = next(i for i, s in enumerate(fields) if s.name == name)
    values = fields[position].enum or ()
    chosen = [re.escape(v) for v in values if v in allowed]
    rest = [re.escape(v) for v in values if v not in allowed]
    branches = []
    for options, force_names, force in ((chosen, folded.required, "required"),
                                        (rest, folded.otherwise_empty, "empty")):
        if options:
            tail = [f"(?:{'|'.join(options)})"] + [part(i, force if fields[i].name in force_names else None)
                                                   for i in range(position + 1, len(fields))]
            branches.append(delim.join(tail))
    prefix = "".join(part(i) + delim for i in range(position))
    return head + prefix + "(?:" + "|".join(branches) + ")" + end, needed, folded


def real_date(text: bytes) -> bool:
    try:
        dt.date.fromisoformat(text.decode("ascii"))
    except ValueError:
        return False
    return True


def never(raw: bytes) -> None:
    return None


def split_lines(block: bytes) -> Iterator[bytes]:
    """The lines of ``block`` with their endings (only ``\\n`` ends a line; ``bytes.splitlines`` would split
    at a lone CR, which is a defect to report, not a line break)."""
    start = 0
    while start < len(block):
        end = block.find(b"\n", start)
        end = len(block) if end < 0 else end + 1
        yield block[start:end]
        start = end
