"""DOCX (python-docx), XLSX (openpyxl, read-only) and ODT (zip + defusedxml)."""

from __future__ import annotations

import re
from pathlib import Path

from . import NoText
from .formats import Format
from .package import Package, local

FORMATS = (
    Format(".docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           read="read_docx", zip_members=lambda names: "word/document.xml" in names),
    Format(".xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           read="read_xlsx", zip_members=lambda names: any(n.startswith("xl/") for n in names)),
    Format(".odt", "ODT", "application/vnd.oasis.opendocument.text",
           read="read_odt", zip_members=lambda names: "content.xml" in names),
)


def read_docx(path: Path) -> tuple[str, int | None]:
    import docx
    from docx.table import Table

    with Package(path) as pkg:
        pkg.preflight()
        pages = _app_pages(pkg)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a bad package
        raise NoText("corrupt") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_docx_table(block))
        elif block.text.strip():
            lines.append(block.text)
    return "\n".join(lines), pages


def _docx_table(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:  # a merged cell repeats across the columns it spans
                continue
            last = cell._tc
            text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
            for inner in cell.tables:
                text += " " + " ".join(_docx_table(inner))
            if text.strip():
                cells.append(text.strip())
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _app_pages(pkg: Package) -> int | None:
    if "docProps/app.xml" not in pkg.names():
        return None
    for elem in pkg.xml("docProps/app.xml").iter():
        if local(elem.tag) == "Pages" and (elem.text or "").isdigit():
            return int(elem.text)
    return None


def read_xlsx(path: Path) -> tuple[str, None]:
    import openpyxl

    with Package(path) as pkg:
        pkg.preflight()
    try:
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad package
        raise NoText("corrupt") from exc
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            lines.append(f"[{sheet.title}]")
            for row in sheet.iter_rows(values_only=True):
                cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
                if cells:
                    lines.append(" | ".join(cells))
    finally:
        book.close()
    return "\n".join(lines), None


_ODF_BLOCKS = {"p", "h"}


def read_odt(path: Path) -> tuple[str, None]:
    with Package(path) as pkg:
        if "content.xml" not in pkg.names():
            raise NoText("corrupt")
        manifest = pkg.xml("META-INF/manifest.xml") if "META-INF/manifest.xml" in pkg.names() else None
        if manifest is not None and any(local(e.tag) == "encryption-data" for e in manifest.iter()):
            raise NoText("encrypted")
        root = pkg.xml("content.xml")
    lines: list[str] = []
    _odf_walk(root, lines)
    return "\n".join(lines), None


def _odf_walk(elem, lines: list[str]) -> None:
    for child in elem:
        name = local(child.tag)
        if name in _ODF_BLOCKS:
            text = re.sub(r"\s+", " ", "".join(_odf_text(child))).strip()
            if text:
                lines.append(text)
        elif name == "table-row":
            cells = []
            for cell in child:
                if local(cell.tag) == "table-cell":
                    inner: list[str] = []
                    _odf_walk(cell, inner)
                    if inner:
                        cells.append(" ".join(inner))
            if cells:
                lines.append(" | ".join(cells))
        else:
            _odf_walk(child, lines)


def _odf_text(elem):
    yield elem.text or ""
    for child in elem:
        name = local(child.tag)
        if name in ("s", "tab"):
            yield " "
        elif name == "line-break":
            yield "\n"
        elif name not in ("note",):
            yield from _odf_text(child)
        yield child.tail or ""
