"""HWPX (OWPML, KS X 6101): a zip of XML sections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from . import NoText
from .formats import Format
from .package import Package, local

FORMATS = (Format(".hwpx", "HWPX", "application/hwp+zip", read="read",
                  zip_members=lambda names: any(n.startswith("Contents/section") for n in names)),)

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
# Elements whose paragraphs are their own blocks, read after the paragraph holding them.
_CONTAINERS = {"tbl", "subList", "p"}


def read(path: Path) -> tuple[str, None]:
    with Package(path) as pkg:
        if _is_encrypted(pkg):
            raise NoText("encrypted")
        sections = _section_order(pkg)
        if not sections:
            raise NoText("corrupt")
        lines: list[str] = []
        for name in sections:
            lines.extend(blocks(pkg.xml(name)))
    return "\n".join(lines), None


def _is_encrypted(pkg: Package) -> bool:
    if "META-INF/manifest.xml" not in pkg.names():
        return False
    manifest = pkg.xml("META-INF/manifest.xml")
    return any(local(e.tag) == "encryption-data" for e in manifest.iter())


def _section_order(pkg: Package) -> list[str]:
    """Return the section parts in the order the package manifest (content.hpf) gives."""
    names = pkg.names()
    in_zip = [n for n in names if _SECTION.match(n)]
    if "Contents/content.hpf" in names:
        opf = pkg.xml("Contents/content.hpf")
        hrefs = {e.get("id"): e.get("href") for e in opf.iter() if local(e.tag) == "item"}
        ordered = [hrefs.get(e.get("idref")) for e in opf.iter() if local(e.tag) == "itemref"]
        spine = [h for h in ordered if h in in_zip]
        if spine:
            return spine + [n for n in in_zip if n not in spine]
    return sorted(in_zip, key=lambda n: int(_SECTION.match(n).group(1)))


def blocks(elem) -> Iterator[str]:
    """Yield the text lines of an element: paragraphs, then what they hold, in order."""
    for child in elem:
        name = local(child.tag)
        if name == "p":
            yield from paragraph(child)
        elif name == "tbl":
            yield from table(child)
        else:
            yield from blocks(child)


def paragraph(p) -> Iterator[str]:
    parts: list[str] = []
    _inline(p, parts)
    for line in "".join(parts).split("\n"):
        if line.strip():
            yield line
    yield from _nested(p)


def _inline(elem, parts: list[str]) -> None:
    for child in elem:
        name = local(child.tag)
        if name in _CONTAINERS:
            continue
        if name == "t":
            parts.append(child.text or "")
            for inner in child:
                inner_name = local(inner.tag)
                if inner_name == "lineBreak":
                    parts.append("\n")
                elif inner_name == "tab":
                    parts.append(" ")
                parts.append(inner.tail or "")
        else:
            _inline(child, parts)


def _nested(elem) -> Iterator[str]:
    for child in elem:
        name = local(child.tag)
        if name == "tbl":
            yield from table(child)
        elif name in ("subList", "p"):
            yield from blocks(child) if name == "subList" else paragraph(child)
        else:
            yield from _nested(child)


def table(tbl) -> Iterator[str]:
    """Yield a table row by row, its cells in reading order separated by ' | '."""
    cells = [c for row in tbl if local(row.tag) == "tr" for c in row if local(c.tag) == "tc"]
    if len(cells) == 1:  # a one-cell box frames text: keep its lines
        yield from blocks(cells[0])
        return
    for row in tbl:
        if local(row.tag) != "tr":
            continue
        cells = []
        for cell in row:
            if local(cell.tag) == "tc":
                text = " ".join(line.strip() for line in blocks(cell) if line.strip())
                if text:
                    cells.append(text)
        if cells:
            yield " | ".join(cells)
