"""HWP 5 (the binary Hangul format): an OLE compound file of record streams.

Read with `olefile` and a short record walker, after the published format
(한글 문서 파일 형식 5.0): `FileHeader` flags, `BodyText/Section*` streams (raw deflate
when the compressed bit is set), records walked by their headers, and the text of
`HWPTAG_PARA_TEXT` decoded as UTF-16LE with its control characters skipped by size.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import olefile

from . import NoText
from .formats import Format
from .limits import MAX_XML_MEMBER

# The OLE signature (HWP 5) and HWP 3's own: an OLE file of another kind fails in `read` as corrupt.
FORMATS = (Format(".hwp", "HWP", "application/x-hwp", read="read",
                  magic=(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"HWP Docu")),)

SIGNATURE = b"HWP Document File"
# FileHeader property bits
COMPRESSED, PASSWORD, DISTRIBUTION, DRM, CERT_ENCRYPTED, CERT_DRM = 1, 2, 4, 16, 256, 1024

HWPTAG_BEGIN = 0x10
PARA_TEXT = HWPTAG_BEGIN + 51
CTRL_HEADER = HWPTAG_BEGIN + 55
LIST_HEADER = HWPTAG_BEGIN + 56

# Control characters in PARA_TEXT, by the number of UTF-16 units they take.
INLINE = {4, 5, 6, 7, 8, 9, 19, 20}  # 8 units: the char, 12 bytes of data, the char again
EXTENDED = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}  # 8 units: points to a control
CHAR_AS = {10: "\n", 13: "\n", 24: "-", 30: " ", 31: " "}  # 1 unit each; others dropped

_SECTION = re.compile(r"^Section(\d+)$")


def read(path: Path) -> tuple[str, None]:
    with open(path, "rb") as f:
        head = f.read(32)
    if head.startswith(b"HWP Document File V3"):
        raise NoText("old_format")
    if not olefile.isOleFile(str(path)):
        raise NoText("corrupt")
    try:
        ole = olefile.OleFileIO(str(path))
    except OSError as exc:
        raise NoText("corrupt") from exc
    with ole:
        header = ole.openstream("FileHeader").read(256) if ole.exists("FileHeader") else b""
        if not header.startswith(SIGNATURE):
            raise NoText("corrupt")
        props = struct.unpack_from("<I", header, 36)[0]
        if props & DISTRIBUTION:
            raise NoText("distribution")  # the text is only in encrypted ViewText streams
        if props & (PASSWORD | DRM | CERT_ENCRYPTED | CERT_DRM):
            raise NoText("encrypted")
        sections = sorted(
            (int(m.group(1)), entry)
            for entry in ole.listdir()
            if len(entry) == 2 and entry[0] == "BodyText" and (m := _SECTION.match(entry[1]))
        )
        lines: list[str] = []
        for _, entry in sections:
            data = ole.openstream(entry).read()
            if props & COMPRESSED:
                data = _inflate(data)
            lines.extend(section_lines(data))
    return "\n".join(lines), None


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, MAX_XML_MEMBER)
    except zlib.error as exc:
        raise NoText("corrupt") from exc
    if inflater.unconsumed_tail:
        raise NoText("too_large")  # a deflate bomb: stop at the cap
    return out


def records(data: bytes):
    """Yield (tag, level, payload) for each record of a stream."""
    pos, end = 0, len(data)
    while pos + 4 <= end:
        (word,) = struct.unpack_from("<I", data, pos)
        tag, level, size = word & 0x3FF, (word >> 10) & 0x3FF, (word >> 20) & 0xFFF
        pos += 4
        if size == 0xFFF:
            if pos + 4 > end:
                return
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        yield tag, level, data[pos : pos + size]
        pos += size


def para_text(payload: bytes) -> str:
    """Decode PARA_TEXT: UTF-16LE, controls skipped by their sizes."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    out: list[int] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit < 32:
            if unit in INLINE or unit in EXTENDED:
                if unit == 9:
                    out.append(0x20)  # a tab reads as a space
                i += 8
                continue
            if unit in CHAR_AS:
                out.extend(ord(c) for c in CHAR_AS[unit])
            i += 1
            continue
        out.append(unit)
        i += 1
    return struct.pack(f"<{len(out)}H", *out).decode("utf-16-le", errors="replace")


class _Table:
    def __init__(self, level: int):
        self.level = level
        self.cells: list[tuple[int, int, list[str]]] = []  # (row, col, lines)

    def rows(self) -> list[str]:
        if len(self.cells) == 1:  # a one-cell box frames text: keep its lines
            return [line for line in self.cells[0][2] if line.strip()]
        by_row: dict[int, list[tuple[int, str]]] = {}
        for row, col, lines in self.cells:
            text = " ".join(line.strip() for line in lines if line.strip())
            if text:
                by_row.setdefault(row, []).append((col, text))
        return [" | ".join(t for _, t in sorted(cells)) for _, cells in sorted(by_row.items())]


def section_lines(data: bytes) -> list[str]:
    """Return the lines of one section: paragraphs in order, each table row by row."""
    walker = _SectionWalker()
    for tag, level, payload in records(data):
        walker.feed(tag, level, payload)
    walker.close(0, -1)
    return walker.main


class _SectionWalker:
    """The open controls and table cells of a section, as its records go by."""

    def __init__(self):
        self.main: list[str] = []
        self.stack: list[tuple[int, str, object]] = []  # (level, kind, data)

    def target(self) -> list[str]:
        for _, kind, obj in reversed(self.stack):
            if kind == "cell":
                return obj[2]
        return self.main

    def close(self, level: int, tag: int) -> None:
        # A cell's paragraphs are its siblings (same level), so a cell ends only at the next
        # cell's LIST_HEADER or where the level falls below it.
        while self.stack:
            top_level, kind, obj = self.stack[-1]
            if top_level < level or (top_level == level and kind == "cell" and tag != LIST_HEADER):
                break
            self.stack.pop()
            if kind == "table":
                self.target().extend(obj.rows())

    def feed(self, tag: int, level: int, payload: bytes) -> None:
        self.close(level, tag)
        stack = self.stack
        if tag == CTRL_HEADER and len(payload) >= 4:
            ctrl = payload[:4][::-1].decode("latin-1")
            stack.append((level, "table", _Table(level)) if ctrl == "tbl " else (level, "ctrl", ctrl))
        elif tag == LIST_HEADER and stack and stack[-1][1] == "table" and len(payload) >= 12:
            col, row = struct.unpack_from("<HH", payload, 8)
            cell = (row, col, [])
            stack[-1][2].cells.append(cell)
            stack.append((level, "cell", cell))
        elif tag == PARA_TEXT:
            self.target().extend(line for line in para_text(payload).split("\n") if line.strip())
