"""The zip layout `evidence pack` writes, checked byte for byte around the entries' data.

The signature covers the manifest, and the manifest every file's content; what neither covers is the zip's own
bookkeeping (local and central headers, the end record). A signed package must have exactly the layout `pack`
writes: entries back to back from offset 0, fixed timestamps and attributes, no extra fields or comments, the
central directory right after the last entry and the end record last. So a changed byte anywhere in the file is
either in an entry's content (its SHA-256 changes) or in this bookkeeping (named here).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

__all__ = ["EXTERNAL_ATTR", "ZIP_TIME", "layout_problems"]

#: The timestamp of every entry `pack` writes (the earliest a zip can hold): packages differ only by content.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
EXTERNAL_ATTR = 0o644 << 16
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_END = struct.Struct("<4sHHHHIIH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_UTF8_NAME = 0x800


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _entry_problems(info: zipfile.ZipInfo) -> list[str]:
    name = info.filename
    expected = {
        "timestamp": (info.date_time, ZIP_TIME),
        "file attributes": (info.external_attr, EXTERNAL_ATTR),
        "compression": (info.compress_type, zipfile.ZIP_DEFLATED),
        "extra field": (info.extra, b""),
        "entry comment": (info.comment, b""),
        "flags": (info.flag_bits, 0 if name.isascii() else _UTF8_NAME),
        "version": ((info.create_version, info.extract_version, info.reserved), (20, 20, 0)),
        "internal attributes": ((info.volume, info.internal_attr), (0, 0)),
    }
    problems = [f"{name}: {what} is {received!r}, not {wanted!r} as `evidence pack` writes it"
                for what, (received, wanted) in expected.items() if received != wanted]
    if info.create_system not in (0, 3):  # 0 packed on Windows, 3 elsewhere
        problems.append(f"{name}: made by system {info.create_system}, not one `evidence pack` writes")
    return problems


def _central_record(info: zipfile.ZipInfo) -> bytes:
    """The central directory record zipfile writes for ``info`` (no zip64: packages stay far below 4 GiB)."""
    name = info.filename.encode("utf-8")
    time, date = _dos_time(info.date_time)
    return _CENTRAL.pack(b"PK\x01\x02", info.create_version, info.create_system, info.extract_version, info.reserved,
                         info.flag_bits, info.compress_type, time, date, info.CRC, info.compress_size, info.file_size,
                         len(name), len(info.extra), len(info.comment), info.volume, info.internal_attr,
                         info.external_attr, info.header_offset) + name + info.extra + info.comment


def layout_problems(path: Path, archive: zipfile.ZipFile) -> list[str]:
    """One line per difference from the layout `pack` writes (empty: every byte outside the entries' data is
    as `pack` writes it)."""
    infos = sorted(archive.infolist(), key=lambda info: info.header_offset)
    problems = [line for info in infos for line in _entry_problems(info)]
    if archive.comment:
        problems.append(f"{path.name}: the zip has a comment, which `evidence pack` never writes")
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as stream:
        for info in infos:
            if info.header_offset != offset:
                problems.append(f"{info.filename}: starts at byte {info.header_offset}, expected {offset} (bytes "
                                "added or removed between entries)")
                offset = info.header_offset
            stream.seek(offset)
            header = stream.read(_LOCAL.size)
            if len(header) < _LOCAL.size:
                problems.append(f"{info.filename}: its local header is cut short")
                return problems
            local = _LOCAL.unpack(header)
            name = stream.read(local[9])
            wanted = (b"PK\x03\x04", info.extract_version, info.flag_bits, info.compress_type,
                      *_dos_time(info.date_time), info.CRC, info.compress_size, info.file_size,
                      len(info.filename.encode("utf-8")), 0)
            if local != wanted or name != info.filename.encode("utf-8"):
                problems.append(f"{info.filename}: its local header differs from the central directory")
            offset += _LOCAL.size + local[9] + local[10] + info.compress_size
        if offset != archive.start_dir:
            problems.append(f"{path.name}: {archive.start_dir - offset} byte(s) between the last entry and the "
                            "central directory")
        records = b"".join(_central_record(info) for info in infos)
        stream.seek(archive.start_dir)
        if stream.read(len(records)) != records:
            problems.append(f"{path.name}: the central directory differs from the entries it lists (an edited "
                            "length, attribute or name)")
        end = stream.read()
    wanted_end = _END.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(records), archive.start_dir, 0)
    if end != wanted_end:
        problems.append(f"{path.name}: the end of the zip differs from what `evidence pack` writes (an edited end "
                        f"record, a comment or {len(end) - len(wanted_end)} byte(s) appended); file size {size}")
    return problems
