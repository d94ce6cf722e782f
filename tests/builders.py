"""Build release batches in tmp_path for tests: records and real files, made on the spot."""

from __future__ import annotations

import copy
from pathlib import Path

from tools.docmaker import write_hwpx, write_pdf, write_record

BASE = {
    "id": "T-0001",
    "title": "테스트 기록",
    "kind": "결재문서",
    "agency": "테스트시",
    "department": "기록관리과",
    "produced": "2024-01-15",
    "licences": ["KOGL-1"],
    "attachments": [{"file": "본문.txt", "disclosure": "public"}],
}


def record(**changes) -> dict:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def batch(root: Path, *records: tuple[dict, dict]) -> Path:
    """Write a batch folder; each record comes with {file name: text or bytes}."""
    root.mkdir(parents=True, exist_ok=True)
    for data, files in records:
        write_record(root / data["id"], data, files)
    return root


def hwpx_bytes(tmp: Path, text: str, **kwargs) -> bytes:
    path = tmp / "tmp.hwpx"
    write_hwpx(path, text, **kwargs)
    data = path.read_bytes()
    path.unlink()
    return data


def pdf_bytes(tmp: Path, text: str) -> bytes:
    path = tmp / "tmp.pdf"
    write_pdf(path, text)
    data = path.read_bytes()
    path.unlink()
    return data


# -- HWP 5 fixtures: records written by hand, wrapped in a compound file by python-hwpx --

PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 66, 67, 71, 72, 77


def _record(tag: int, level: int, payload: bytes) -> bytes:
    import struct

    if len(payload) < 0xFFF:
        return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload
    return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload


def _units(text: str) -> bytes:
    return text.encode("utf-16-le")


def hwp_para(text: str, level: int = 0) -> bytes:
    """A paragraph: PARA_HEADER then PARA_TEXT, ended by the paragraph-break control (13)."""
    return _record(PARA_HEADER, level, b"\0" * 24) + _record(PARA_TEXT, level + 1, _units(text) + b"\x0d\x00")


def hwp_inline_tab() -> str:
    """A tab as PARA_TEXT holds it: an 8-unit inline control."""
    return "\t" + "\0" * 6 + "\t"


def hwp_table(rows: list[list[str]], level: int = 0) -> bytes:
    """A paragraph holding a table control, its cells as LIST_HEADERs with their address."""
    import struct

    ctrl = "\x0b" + "\0" * 6 + "\x0b"  # extended control char 11 (table), 8 units
    out = _record(PARA_HEADER, level, b"\0" * 24) + _record(PARA_TEXT, level + 1, _units(ctrl) + b"\x0d\x00")
    out += _record(CTRL_HEADER, level + 1, b" lbt" + b"\0" * 34)
    out += _record(TABLE, level + 2, b"\0" * 28)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            # LIST_HEADER: paragraphs, properties, (2 bytes), column, row, ...
            payload = struct.pack("<hI", 1, 0x200000) + b"\0\0" + struct.pack("<HH", c, r)
            out += _record(LIST_HEADER, level + 2, payload.ljust(47, b"\0"))
            out += hwp_para(text, level + 2)
    return out


def hwp5_bytes(section: bytes, *, compressed: bool = True, flags: int = 0, raw_section: bytes | None = None) -> bytes:
    """Write an HWP 5 compound file with one BodyText section."""
    import struct
    import zlib

    from hwpx.hwp5.cfb import build_compound_file

    props = flags | (1 if compressed else 0)
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05010100, props)
    body = section
    if compressed:
        squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = squeezer.compress(section) + squeezer.flush()
    if raw_section is not None:
        body = raw_section
    return build_compound_file([("FileHeader", header.ljust(256, b"\0")), ("DocInfo", b""),
                                ("BodyText/Section0", body)])
