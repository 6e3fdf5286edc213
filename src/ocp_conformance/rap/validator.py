"""The streaming reader and validator: one pass, line by line, every error with its line and column.

Memory is bounded whatever the file's size: the validator holds one line (at most 1 MiB; a longer one is measured,
not held: :mod:`._lines`) or one 256 KiB block at a time, the client references seen so far (needed to find
duplicates: in memory up to a million, about 80 MB, then in a temporary SQLite file: :mod:`._references`) and, with
a context, the quantities instructed per stock account and stock. It never stops at the first error, but for
a file that is not a RAP text file at all (compressed, UTF-16, no line breaks), which it says in one error.

Speed: a detail line is first matched, as bytes, against one regular expression compiled from the layout
(the fast path, for a CSV layout whose fields can all be expressed so); only lines that fail it, and the header
and trailer, are split and checked field by field (the slow path), which finds every error and its column.
The fast path accepts a subset of what the slow path accepts, so it can make validation faster, never looser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, cast

from ocp_conformance.rap._fastpath import FastPath, fast_path, never, real_date, split_lines
from ocp_conformance.rap._lines import MAX_LINE, OverLong, bounded, physical_lines, skip_line
from ocp_conformance.rap._references import ReferenceSet
from ocp_conformance.rap.codes import Problem
from ocp_conformance.rap.collector import collector_paused
from ocp_conformance.rap.context import RecordContext
from ocp_conformance.rap.layout import Layout, RecordLayout
from ocp_conformance.rap.results import RecordBlock, RecordResult, ValidationSummary

__all__ = ["FileError", "Validation", "validate", "validate_path"]

FileError = Problem
"""A file-level problem (``problem.level == "file"``) not tied to one detail record: the file is rejected."""

_BOM = b"\xef\xbb\xbf"
# re.Match.groups, applied to None (a line that did not match), raises TypeError: the block then fails.
_GROUPS = cast(Callable[[re.Match[bytes] | None], tuple[bytes, ...]], re.Match.groups)
_BLOCK = 1 << 18
"""Bytes read at a time; blocks of whole lines are checked at once when every line passes the fast path."""
_ECHO = 80
"""Characters of a value echoed in a message; a longer value is cut and its length given."""
_QUOTE = b'"'
_DATE_CACHE_LIMIT = 4096


class Validation:
    """One pass over a file: iterate it for :class:`RecordResult`\\ s and file-level :class:`Problem`\\ s.

    After iteration, :attr:`summary` holds the totals. With ``records=False`` only rejected records are
    yielded (what a command-line check needs, and faster); with ``records=True`` every detail record is. With
    ``blocks=True`` as well, runs of accepted records the block fast path took come as one :class:`RecordBlock`
    each instead of a :class:`RecordResult` per record (what bulk processing reads; the checks are the same).
    """

    def __init__(self, stream: IO[bytes] | Iterable[bytes], layout: Layout, context: RecordContext | None = None, *,
                 file_name: str | None = None, participant: str | None = None,
                 seen_sequences: Iterable[int] = (), records: bool = True, blocks: bool = False) -> None:
        self.layout = layout
        self.context = context
        self.file_name = file_name
        self.participant = participant
        self.seen_sequences = frozenset(seen_sequences)
        self.records = records
        self.blocks = blocks
        self.summary = ValidationSummary(file_type=layout.file_type)
        self._stream = stream
        self._name_parts = layout.parse_file_name(file_name) if file_name is not None else None
        self._refs = ReferenceSet()
        self._instructed: dict[tuple[str, str], int] = {}
        self._hash_known = True
        self._trailer_seen = False
        self._after_trailer_reported = False
        self._endings_reported = False
        self._dates: set[bytes] = set()
        self._line = 0
        self._last = b""

    # --- the pass ------------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[RecordResult | Problem | RecordBlock]:
        try:
            yield from self._pass()
        finally:
            self._refs.close()

    def _pass(self) -> Iterator[RecordResult | Problem | RecordBlock]:
        summary = self.summary
        yield from self._count(self._check_file_name())
        stream = self._stream
        read = getattr(stream, "read", None)
        readline = getattr(stream, "readline", None)
        lines = physical_lines(readline) if read is not None and readline is not None else bounded(stream)
        first = next(lines, b"")
        if not first:
            yield from self._count([Problem("FILE_EMPTY", 1, 1, "a header, detail records and a trailer",
                                            "an empty file (0 bytes)")])
            return
        not_text = self._not_rap_text(first)
        if not_text is not None:
            summary.lines = 1
            yield from self._count([not_text])
            return
        self._line = 1
        if isinstance(first, OverLong):
            self._last = b"\n"
            yield from self._count([self._overlong(first, 1)])
        else:
            self._last = first
            yield from self._header(first)
        fast = fast_path(self.layout)
        # the context only checks records naming an event (_context_checks): without that role it changes nothing
        context_checks = self.context is not None and self.layout.detail.role("event") is not None
        if (read is None or readline is None or fast is None or (self.records and not self.blocks)
                or context_checks):
            yield from self._each(lines, fast)
        else:
            rest = b""
            layout = self.layout
            trailer = (layout.trailer.code + layout.delimiter).encode("ascii")
            while chunk := read(_BLOCK):
                buffer = rest + chunk if rest else chunk
                cut = buffer.rfind(b"\n") + 1
                if cut == 0:  # no line end yet: wait for it, unless the line is already too long to hold
                    rest = buffer if len(buffer) < MAX_LINE else b""
                    if not rest:
                        yield from self._each(iter((skip_line(buffer, readline),)), fast)
                    continue
                block, rest = buffer[:cut], buffer[cut:]
                if self._trailer_seen:
                    yield from self._each(split_lines(block), fast)
                    continue
                start = self._line + 1
                if not self._block(block, fast):
                    # the block of the trailer: its details at once if they pass, then the trailer line
                    last = block.rfind(b"\n", 0, len(block) - 1) + 1
                    if not (last and block.startswith(trailer, last) and self._block(block[:last], fast)):
                        yield from self._each(split_lines(block), fast)
                        continue
                    if self.records:
                        yield RecordBlock(start, self._line - start + 1, block[:last])
                    yield from self._each(split_lines(block[last:]), fast)
                elif self.records:
                    yield RecordBlock(start, self._line - start + 1, block)
            if rest:
                yield from self._each(iter((rest,)), fast)
        summary.lines = self._line
        yield from self._count(self._end(self._last, self._line))

    def _not_rap_text(self, first: bytes | OverLong) -> Problem | None:
        """A file-level problem if the first line shows the file is no RAP text at all (then nothing else is
        checked: every other finding would be noise)."""
        if isinstance(first, OverLong):
            if first.ended:
                return None
            cr = "; it holds CRs: do its lines end with CR only (old Mac)?" if first.carriage_returns else ""
            return Problem("NO_LINE_BREAKS", 1, 1, f"records each ending with {self.layout.line_ending}",
                           f"{first.length:,} bytes without a line break (LF){cr}")
        if first.startswith((b"\x1f\x8b", b"PK\x03\x04")):
            kind = "gzip" if first.startswith(b"\x1f") else "zip"
            return Problem("FILE_COMPRESSED", 1, 1, "a text file starting with the header record",
                           f"a {kind} file (starts with bytes {first[:4].hex(' ').upper()})")
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(first) >= 4 and 0 in (first[0], first[1])):
            return Problem("FILE_UTF16", 1, 1, f"{self.layout.encoding.upper()} text",
                           f"UTF-16 text (starts with bytes {first[:4].hex(' ').upper()})")
        if not first.endswith(b"\n") and b"\r" in first:
            return Problem("NO_LINE_BREAKS", 1, 1, f"records each ending with {self.layout.line_ending}",
                           f"{len(first):,} bytes without a line break (LF); it holds CRs: do its lines end with "
                           "CR only (old Mac)?")
        return None

    def _overlong(self, line: OverLong, line_no: int) -> Problem:
        return Problem("LINE_TOO_LONG", line_no, 1, f"a line of at most {MAX_LINE:,} bytes (a RAP record is a few "
                       "hundred at most)", f"a line of {line.length:,} bytes (not checked further)")

    def _block(self, block: bytes, fast: FastPath) -> bool:
        """Account for a block of whole detail lines at once if every line passes the fast path; else ``False``
        (and nothing is accounted), so the caller checks the block line by line.

        The cyclic garbage collector is paused meanwhile (:func:`.collector.collector_paused`): the block allocates
        thousands of short-lived, acyclic tuples.
        """
        with collector_paused():
            return self._block_checked(block, fast)

    def _block_checked(self, block: bytes, fast: FastPath) -> bool:
        lines_of = block.split(b"\n")
        lines_of.pop()  # the block ends with LF
        lines = len(lines_of)
        # Each line must match with exactly the layout's delimiters and one CR (CRLF layouts) at its end: no
        # fragment of the regex can then have matched a delimiter or a CR inside a field.
        if (not block.isascii() or block.count(fast.delimiter) != lines * fast.delimiters
                or block.count(b"\r") != (lines if fast.crlf else 0) or _QUOTE in block):
            return False
        try:
            rows = list(map(_GROUPS, map(fast.block_match, lines_of)))
        except TypeError:  # a line did not match (groups of None)
            return False
        columns = list(zip(*rows))  # noqa: B905 (equal lengths by construction)
        numbers: dict[int, list[int]] = {}
        for position, low, high in fast.block_ints:
            values = numbers[position] = list(map(int, columns[position]))
            if min(values) < low or max(values) > high:
                return False
        for position in fast.block_dates:
            new = set(columns[position]) - self._dates
            if not all(map(real_date, new)):
                return False
            if len(self._dates) > _DATE_CACHE_LIMIT:
                self._dates.clear()
            self._dates |= new
        for rule in fast.block_rules:
            if not rule(columns):
                return False
        if fast.block_reference is not None:
            references = columns[fast.block_reference]
            if len(set(references)) != len(references) or not self._refs.add_new(references):
                return False
        self.summary.details += lines
        if fast.block_hash is not None:
            self.summary.hash_total += sum(numbers.get(fast.block_hash) or map(int, columns[fast.block_hash]))
        self._line += lines
        self._last = block[block.rfind(b"\n", 0, len(block) - 1) + 1:]
        return True

    def _each(self, lines: Iterator[bytes | OverLong], fast: FastPath | None) -> Iterator[RecordResult | Problem]:
        """Check lines one at a time: the per-line fast path, else field by field."""
        summary, refs, records, context = self.summary, self._refs, self.records, self.context
        match = fast.match if fast is not None and not self._trailer_seen else never
        ints = fast.ints if fast else ()
        dates = fast.dates if fast else ()
        rules = fast.rules if fast else ()
        ref_i = fast.reference if fast else None
        hash_i = fast.hash if fast else None
        delim = fast.delimiter if fast else b""
        ndelims = fast.delimiters if fast else 0
        good_dates = self._dates
        line_no = self._line
        raw = self._last
        for line in lines:
            line_no += 1
            if type(line) is not bytes or len(line) > MAX_LINE:
                if not isinstance(line, OverLong):
                    line = OverLong(len(line), line.endswith(b"\n"), b"\r" in line)
                yield from self._count([self._overlong(line, line_no)])
                raw = b"\n" if line.ended else b""
                continue
            raw = line
            matched = match(raw)
            if matched is not None and raw.isascii() and raw.count(delim) == ndelims and _QUOTE not in raw:
                groups = matched.groups()
                ok = True
                for i, low, high in ints:
                    number = int(groups[i])
                    if number < low or number > high:
                        ok = False
                        break
                if ok:
                    for i in dates:
                        if groups[i] not in good_dates:
                            if not real_date(groups[i]):
                                ok = False
                                break
                            if len(good_dates) > _DATE_CACHE_LIMIT:
                                good_dates.clear()
                            good_dates.add(groups[i])
                if ok:
                    for rule in rules:
                        if not rule(groups):
                            ok = False
                            break
                if ok and ref_i is not None:
                    ok = groups[ref_i] not in refs
                if ok:
                    values = self._values(groups) if context is not None or records else None
                    problems = self._context_checks(values, line_no) if context is not None and values else ()
                    if ref_i is not None:
                        refs.add(groups[ref_i])
                    summary.details += 1
                    if hash_i is not None:
                        summary.hash_total += int(groups[hash_i])
                    if problems:
                        summary.rejected += 1
                        yield RecordResult(line_no, values, self._count(problems))
                    elif records:
                        yield RecordResult(line_no, values)
                    continue
            yield from self._slow_line(raw, line_no)
            if self._trailer_seen:
                match = never
        self._line, self._last = line_no, raw

    def run(self) -> ValidationSummary:
        """Consume the pass, discarding the events; return the summary."""
        for _ in self:
            pass
        return self.summary

    # --- helpers -------------------------------------------------------------------------------------------
    def _count(self, problems: Iterable[Problem]) -> tuple[Problem, ...]:
        found = tuple(problems)
        for problem in found:
            self.summary.codes[problem.code] += 1
        return found

    def _values(self, groups: Sequence[bytes]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec, raw in zip(self.layout.detail.fields, groups, strict=True):
            if raw:
                values[spec.name] = int(raw) if spec.kind == "integer" else raw.decode("ascii")
        return values

    def _check_file_name(self) -> list[Problem]:
        if self.file_name is None:
            return []
        layout, parts = self.layout, self._name_parts
        example = layout.make_file_name("B01234", "20270406", 1)
        if parts is None:
            return [Problem("BAD_FILE_NAME", 1, 1, f"a name like {example} (pattern {layout.file_name})",
                            repr(self.file_name))]
        found = []
        if parts.file_type != layout.file_type:
            found.append(Problem("BAD_FILE_NAME", 1, 1, f"file type {layout.file_type} in the name (e.g. {example})",
                                 f"{parts.file_type!r} in {self.file_name!r}"))
        if self.participant is not None and parts.participant != self.participant:
            found.append(Problem("WRONG_PARTICIPANT", 1, 1, f"participant {self.participant} (the uploader) in the "
                                 "file name", f"{parts.participant!r} in {self.file_name!r}"))
        return found

    def _terminated(self, raw: bytes, line_no: int, problems: list[Problem]) -> bytes:
        """The line without its ending; a wrong ending (the first one only) is a problem."""
        if raw.endswith(b"\r\n"):
            body, ending = raw[:-2], "CRLF"
        elif raw.endswith(b"\n"):
            body, ending = raw[:-1], "LF"
        else:
            body, ending = raw, None
        carriage = body.find(b"\r")
        if (ending is not None and ending != self.layout.line_ending) or carriage >= 0:
            self.summary.line_ending_mismatches += 1
            if not self._endings_reported:
                self._endings_reported = True
                seen = "a CR inside the line" if carriage >= 0 else ending
                problems.append(Problem("LINE_ENDINGS", line_no, (carriage if carriage >= 0 else len(body)) + 1,
                                        f"every line ending with {self.layout.line_ending}",
                                        f"{seen} (reported once; the summary counts every such line)"))
        return body

    def _decoded(self, body: bytes, line_no: int, problems: list[Problem]) -> str | None:
        try:
            return body.decode(self.layout.encoding)
        except UnicodeDecodeError as exc:
            problems.append(Problem("BAD_ENCODING", line_no, exc.start + 1, f"{self.layout.encoding.upper()} text",
                                    f"byte 0x{body[exc.start]:02X} (the rest of the line is not checked)"))
            return None

    def _split(self, text: str, record: RecordLayout) -> list[tuple[str, int]] | None:
        """The field texts after the record code, each with its 1-based column; ``None`` if the count is wrong."""
        layout = self.layout
        if layout.format == "csv":
            parts = text.split(layout.delimiter)[1:]
            if len(parts) != len(record.fields):
                return None
            column, out = len(record.code) + 2, []
            for part in parts:
                out.append((part, column))
                column += len(part) + 1
            return out
        widths = [spec.width or 0 for spec in record.fields]
        if len(text) != len(record.code) + sum(widths):
            return None
        column, out = len(record.code), []
        for spec, width in zip(record.fields, widths, strict=True):
            out.append((spec.unpad(text[column:column + width]), column + 1))
            column += width
        return out

    def _field_count(self, text: str, record: RecordLayout, line_no: int, code: str) -> Problem:
        if self.layout.format == "csv":
            count = len(text.split(self.layout.delimiter)) - 1
            return Problem(code, line_no, len(text) + 1, f"{len(record.fields)} fields after the record type "
                           f"({', '.join(f.name for f in record.fields)})", f"{count} fields")
        width = len(record.code) + sum(spec.width or 0 for spec in record.fields)
        return Problem(code, line_no, min(len(text), width) + 1, f"a {record.kind} record of {width} characters",
                       f"{len(text)} characters")

    def _parse(self, text: str, record: RecordLayout, line_no: int,
               code: str | None = None) -> tuple[dict[str, Any], dict[str, int], set[str], list[Problem]]:
        """Values, columns, names of bad fields, and problems (``code`` overrides the FIELD_* codes)."""
        split = self._split(text, record)
        if split is None:
            return {}, {}, {f.name for f in record.fields}, [self._field_count(text, record, line_no,
                                                                              code or "FIELD_COUNT")]
        values: dict[str, Any] = {}
        columns: dict[str, int] = {}
        invalid: set[str] = set()
        problems = []
        for spec, (part, column) in zip(record.fields, split, strict=True):
            columns[spec.name] = column
            error: tuple[str, str] | None
            if part.startswith('"') and self.layout.format == "csv":
                value, error = None, ("FIELD_FORMAT", "the value without quotes: quoting is not allowed")
            else:
                value, error = spec.check(part)
            if error is not None:
                invalid.add(spec.name)
                expected = error[1] if code is None else f"{error[1]} ({error[0]})"
                problems.append(Problem(code or error[0], line_no, column, expected,
                                        _echo(part) if part else "an empty field", spec.name))
            elif value is not None:
                values[spec.name] = value
        return values, columns, invalid, problems

    # --- records -------------------------------------------------------------------------------------------
    def _header(self, raw: bytes) -> Iterator[RecordResult | Problem]:
        layout, header, summary = self.layout, self.layout.header, self.summary
        problems: list[Problem] = []
        if raw.startswith(_BOM):
            problems.append(Problem("BOM", 1, 1, "the header's first byte, 'H'", "a UTF-8 byte-order mark (EF BB BF)"))
            raw = raw[len(_BOM):]
        body = self._terminated(raw, 1, problems)
        text = self._decoded(body, 1, problems)
        if text is None:
            yield from self._count(problems)
            return
        code = self._code(text)
        if code != header.code:
            problems.append(Problem("BAD_HEADER", 1, 1, f"a header record ({header.code}) on line 1",
                                    f"a record starting {text[:12]!r}"))
            yield from self._count(problems)
            if code == layout.detail.code:
                yield from self._slow_line(raw, 1, terminated=True)
            return
        values, columns, _, found = self._parse(text, header, 1, "BAD_HEADER")
        problems += found
        for role, attribute in (("participant", "participant"), ("business_date", "business_date"),
                                ("sequence", "sequence")):
            spec = header.role(role)
            if spec is not None and spec.name in values:
                setattr(summary, attribute, values[spec.name])
        file_type = header.role("file_type")
        if file_type is not None and values.get(file_type.name, layout.file_type) != layout.file_type:
            problems.append(Problem("BAD_HEADER", 1, columns[file_type.name], f"file type {layout.file_type}",
                                    repr(values[file_type.name]), file_type.name))
        problems += self._header_agreement(values, columns)
        yield from self._count(problems)

    def _header_agreement(self, values: dict[str, Any], columns: dict[str, int]) -> list[Problem]:
        """Header vs the uploader, the file name and the sequences already used."""
        header, parts, found = self.layout.header, self._name_parts, []
        pid_spec, date_spec, seq_spec = header.role("participant"), header.role("business_date"), header.role(
            "sequence")
        pid = values.get(pid_spec.name) if pid_spec else None
        if pid is not None and pid_spec is not None:
            if self.participant is not None and pid != self.participant:
                found.append(Problem("WRONG_PARTICIPANT", 1, columns[pid_spec.name], f"participant {self.participant} "
                                     "(the uploader)", repr(pid), pid_spec.name))
            elif parts is not None and parts.participant != pid:
                found.append(Problem("WRONG_PARTICIPANT", 1, columns[pid_spec.name], f"the participant of the file "
                                     f"name, {parts.participant}", repr(pid), pid_spec.name))
        date = values.get(date_spec.name) if date_spec else None
        if parts is not None and date is not None and date_spec is not None and date.replace("-", "") != parts.date:
            found.append(Problem("BAD_FILE_NAME", 1, columns[date_spec.name], f"the business date of the file name, "
                                 f"{parts.date}", repr(date), date_spec.name))
        sequence = values.get(seq_spec.name) if seq_spec else None
        if sequence is not None and seq_spec is not None:
            if parts is not None and parts.sequence != sequence:
                found.append(Problem("BAD_FILE_NAME", 1, columns[seq_spec.name], f"the sequence no. of the file name, "
                                     f"{parts.sequence}", repr(sequence), seq_spec.name))
            if sequence in self.seen_sequences:
                found.append(Problem("DUPLICATE_SEQUENCE", 1, columns[seq_spec.name], "a sequence no. not used before "
                                     f"(used: {', '.join(str(s) for s in sorted(self.seen_sequences)[:10])})",
                                     str(sequence), seq_spec.name))
        return found

    def _code(self, text: str) -> str:
        if self.layout.format == "csv":
            return text.split(self.layout.delimiter, 1)[0]
        return text[:len(self.layout.detail.code)]

    def _slow_line(self, raw: bytes, line_no: int, *, terminated: bool = False) -> Iterator[RecordResult | Problem]:
        """Check one line field by field; ``terminated``: its line ending was already checked."""
        layout, summary = self.layout, self.summary
        problems: list[Problem] = []
        body = raw.rstrip(b"\r\n") if terminated else self._terminated(raw, line_no, problems)
        text = self._decoded(body, line_no, problems)
        code = self._code(text) if text is not None else layout.detail.code
        if text is not None and code == layout.trailer.code:
            yield from self._count(problems)
            yield from self._count(self._trailer(text, line_no))
            return
        if self._trailer_seen:  # reported once: the file is rejected, the rest is not checked
            if not self._after_trailer_reported:
                self._after_trailer_reported = True
                what = "an empty line" if text == "" else f"a line starting {_echo(text[:12])}" if text else "bytes"
                problems.append(Problem("AFTER_TRAILER", line_no, 1, "nothing after the trailer (it ends the file)",
                                        f"{what} (reported once for all that follows)"))
            yield from self._count(problems)
            return
        if text is not None and code == layout.header.code:
            problems.append(Problem("SECOND_HEADER", line_no, 1, "one header record, on line 1",
                                    f"a second header ({layout.header.code}) record"))
            yield from self._count(problems)
            return
        if text is not None and code != layout.detail.code:
            codes = "/".join(r.code for r in layout.records)
            problems.append(Problem("RECORD_TYPE", line_no, 1, f"a record type {codes} (H only on line 1)",
                                    _echo(code[:12])))
            yield from self._count(problems)
            return
        summary.details += 1
        values: dict[str, Any] | None = None
        if text is None:
            self._hash_known = False
        else:
            values, columns, invalid, found = self._parse(text, layout.detail, line_no)
            problems += found
            self._add_hash(values, invalid)
            for rule in layout.detail.rules:
                for name, expected, received in rule.check(values, invalid):
                    problems.append(Problem("FIELD_RULE", line_no, columns.get(name, 1), expected, received, name))
            reference = layout.detail.role("client_reference")
            if reference is not None and reference.name in values:
                key = values[reference.name].encode(layout.encoding)
                if key in self._refs:
                    problems.append(Problem("DUPLICATE_REFERENCE", line_no, columns[reference.name],
                                            "a client reference not used earlier in this file",
                                            repr(values[reference.name]), reference.name))
                else:
                    self._refs.add(key)
            if not problems and self.context is not None:
                problems += self._context_checks(values, line_no)
        if problems:
            summary.rejected += 1
        if problems or self.records:
            yield RecordResult(line_no, values if not problems or values else None, self._count(problems))

    def _add_hash(self, values: dict[str, Any], invalid: set[str]) -> None:
        name = self.layout.hash_total
        if name is None:
            return
        if name in values:
            self.summary.hash_total += values[name]
        elif name in invalid:
            self._hash_known = False  # the field was there but not a number in range: cannot verify the total

    def _context_checks(self, values: dict[str, Any], line_no: int) -> tuple[Problem, ...]:
        context, detail = self.context, self.layout.detail
        assert context is not None
        event_spec = detail.role("event")
        if event_spec is None or event_spec.name not in values:
            return ()
        found = []
        stock_spec, account_spec, quantity_spec = detail.role("stock_code"), detail.role("stock_account"), detail.role(
            "quantity")
        event = context.event(values[event_spec.name])
        column = detail.index(event_spec.name)
        if event is None:
            found.append(Problem("UNKNOWN_EVENT", line_no, self._column(values, column),
                                 "the announcement id of an open corporate-action event",
                                 repr(values[event_spec.name]), event_spec.name))
        elif stock_spec is not None and values.get(stock_spec.name) != event.stock_code:
            found.append(Problem("EVENT_STOCK_MISMATCH", line_no,
                                 self._column(values, detail.index(stock_spec.name)),
                                 f"stock {event.stock_code} (event {event.announcement_id})",
                                 repr(values.get(stock_spec.name)), stock_spec.name))
        participant = self.summary.participant
        if (not found and participant is not None and stock_spec and account_spec and quantity_spec
                and {stock_spec.name, account_spec.name, quantity_spec.name} <= set(values)
                and detail.draws_on_holding(values)):
            key = (values[account_spec.name], values[stock_spec.name])
            already = self._instructed.get(key, 0)
            available = context.available(participant, *key)
            quantity = values[quantity_spec.name]
            if already + quantity > available:
                found.append(Problem("QUANTITY_ABOVE_HOLDING", line_no,
                                     self._column(values, detail.index(quantity_spec.name)),
                                     f"at most {max(available - already, 0)} (available {available}, "
                                     f"already instructed in this file {already})", str(quantity), quantity_spec.name))
            else:
                self._instructed[key] = already + quantity
        return tuple(found)

    def _column(self, values: dict[str, Any], index: int) -> int:
        """The column of the ``index``-th detail field, rebuilt from the values (only for accepted records)."""
        layout = self.layout
        if layout.format == "fixed":
            return len(layout.detail.code) + sum(s.width or 0 for s in layout.detail.fields[:index]) + 1
        column = len(layout.detail.code) + 2
        for spec in layout.detail.fields[:index]:
            column += len(spec.format(values.get(spec.name))) + 1
        return column

    def _trailer(self, text: str, line_no: int) -> list[Problem]:
        layout, trailer, summary = self.layout, self.layout.trailer, self.summary
        if self._trailer_seen:
            return [Problem("SECOND_TRAILER", line_no, 1, "one trailer record, on the last line",
                            f"a second trailer ({trailer.code}) record")]
        self._trailer_seen = True
        values, columns, _, problems = self._parse(text, trailer, line_no, "BAD_TRAILER")
        count_spec, hash_spec = trailer.role("record_count"), trailer.role("hash_total")
        if count_spec is not None and count_spec.name in values and values[count_spec.name] != summary.details:
            problems.append(Problem("TRAILER_COUNT", line_no, columns[count_spec.name],
                                    f"{summary.details} (the detail records in the file)",
                                    str(values[count_spec.name]), count_spec.name))
        if (hash_spec is not None and layout.hash_total is not None and hash_spec.name in values
                and self._hash_known and values[hash_spec.name] != layout.hash_of(summary.hash_total)):
            problems.append(Problem("TRAILER_HASH", line_no, columns[hash_spec.name],
                                    f"{layout.hash_of(summary.hash_total)} (the sum of {layout.hash_total})",
                                    str(values[hash_spec.name]), hash_spec.name))
        return problems

    def _end(self, last: bytes, line_no: int) -> list[Problem]:
        found = []
        if not last.endswith(b"\n"):
            found.append(Problem("TRUNCATED_LAST_LINE", line_no, len(last) + 1,
                                 f"the line to end with {self.layout.line_ending}", "end of file"))
        if not self._trailer_seen:
            found.append(Problem("MISSING_TRAILER", line_no + 1, 1, f"a trailer record ({self.layout.trailer.code}) "
                                 "as the last line", f"end of file after line {line_no}"))
        return found


def _echo(value: str) -> str:
    """``value`` quoted for a message; past :data:`_ECHO` characters, cut and followed by its length."""
    if len(value) <= _ECHO:
        return repr(value)
    return f"{value[:_ECHO]!r}... ({len(value):,} characters)"


def validate(stream: IO[bytes] | Iterable[bytes], layout: Layout, context: RecordContext | None = None, *,
             file_name: str | None = None, participant: str | None = None, seen_sequences: Iterable[int] = (),
             records: bool = True, blocks: bool = False) -> Validation:
    """Validate a RAP file read from ``stream`` (binary lines) against ``layout``.

    Iterate the result for each detail record's :class:`RecordResult` (accepted or with its problems) and each
    file-level :class:`Problem`; afterwards ``.summary`` has the totals.

    Args:
        stream: the file opened in binary mode, or any iterable of lines (bytes, each with its line ending).
        layout: the file type's layout (:func:`ocp_conformance.rap.load_layouts`).
        context: answers whether an event exists and what a participant holds; ``None`` skips those checks.
        file_name: the file's base name, checked against the layout's pattern and the header.
        participant: the uploading participant; the file name and header must name it.
        seen_sequences: sequence numbers already used for this file type and date (DUPLICATE_SEQUENCE).
        records: yield accepted records too (default); ``False`` yields only rejected ones.
        blocks: with ``records``, yield runs of accepted records as :class:`RecordBlock`\\ s where the block fast
            path takes them (see :class:`Validation`).

    Example:
        >>> layouts = load_layouts()
        >>> with open("B01234_SI_20270406_001.csv", "rb") as f:
        ...     outcome = validate(f, layouts["SI"], file_name="B01234_SI_20270406_001.csv")
        ...     accepted = [r.values for r in outcome if isinstance(r, RecordResult) and r.accepted]
        >>> outcome.summary.valid
        True
    """
    return Validation(stream, layout, context, file_name=file_name, participant=participant,
                      seen_sequences=seen_sequences, records=records, blocks=blocks)


def validate_path(path: Path, layout: Layout, context: RecordContext | None = None, *,
                  participant: str | None = None, seen_sequences: Iterable[int] = (),
                  records: bool = False) -> Iterator[RecordResult | Problem | ValidationSummary]:
    """Validate the file at ``path`` (its name included); yields the events, then the summary last."""
    with path.open("rb", buffering=1 << 20) as stream:
        validation = validate(stream, layout, context, file_name=path.name, participant=participant,
                              seen_sequences=seen_sequences, records=records)
        for event in validation:
            assert not isinstance(event, RecordBlock), "blocks=False yields no blocks"
            yield event
        yield validation.summary
