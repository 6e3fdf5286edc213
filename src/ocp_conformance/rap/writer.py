"""The writer: records in, a RAP file out, streaming (one line in memory), header and trailer computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any

from ocp_conformance.rap.layout import Layout, RecordLayout

__all__ = ["FileHeader", "RapWriter", "format_record", "write_file"]


@dataclass(frozen=True, slots=True)
class FileHeader:
    """What a header says besides the file type: who, for which business date (YYYY-MM-DD), which file."""

    participant: str
    business_date: str
    sequence: int = 1


def format_record(layout: Layout, record: RecordLayout, values: Mapping[str, Any]) -> str:
    """One record's text without its line ending: the code, then each field in layout order."""
    texts = [spec.format(values.get(spec.name)) for spec in record.fields]
    if layout.format == "fixed":
        return record.code + "".join(texts)
    return layout.delimiter.join([record.code, *texts])


class RapWriter:
    """Write a header at once, then :meth:`write` each detail record; :meth:`close` writes the trailer.

    Example:
        >>> with open(layout.make_file_name("B01234", "2027-04-06", 1), "wb") as f, \\
        ...         RapWriter(f, layout, FileHeader("B01234", "2027-04-06")) as writer:
        ...     writer.write({"clientReference": "R1", ...})
    """

    def __init__(self, stream: IO[bytes], layout: Layout, header: FileHeader, *,
                 header_overrides: Mapping[str, Any] | None = None) -> None:
        self.stream = stream
        self.layout = layout
        self.count = 0
        self.total = 0
        self._closed = False
        roles = {"file_type": layout.file_type, "participant": header.participant,
                 "business_date": header.business_date, "sequence": header.sequence}
        values: dict[str, Any] = {spec.name: roles.get(spec.role or "") for spec in layout.header.fields}
        values.update(header_overrides or {})
        self.write_line(format_record(layout, layout.header, values))

    def write_line(self, text: str) -> None:
        """Write one line of text and the layout's line ending (for callers that build lines themselves)."""
        self.stream.write((text + self.layout.terminator).encode(self.layout.encoding))

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one detail record (typed values by field name; absent or ``None`` = empty)."""
        self.write_line(format_record(self.layout, self.layout.detail, record))
        self.count += 1
        if self.layout.hash_total is not None:
            self.total += int(record[self.layout.hash_total])

    def trailer_values(self) -> dict[str, Any]:
        """The trailer's fields for the records written so far."""
        roles = {"record_count": self.count, "hash_total": self.layout.hash_of(self.total)}
        return {spec.name: roles.get(spec.role or "") for spec in self.layout.trailer.fields}

    def close(self) -> None:
        """Write the trailer (once)."""
        if not self._closed:
            self._closed = True
            self.write_line(format_record(self.layout, self.layout.trailer, self.trailer_values()))

    def __enter__(self) -> RapWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.close()


def write_file(stream: IO[bytes], layout: Layout, header: FileHeader,
               records: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Write a whole file; returns ``(detail count, hash total)``."""
    with RapWriter(stream, layout, header) as writer:
        for record in records:
            writer.write(record)
    return writer.count, layout.hash_of(writer.total)
