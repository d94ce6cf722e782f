"""Write small but real documents (HWPX, PDF, DOCX-free) for the sample batch and tests.

Text given to `write_hwpx` uses one convention: a line starting with '|' is a table row,
its cells separated by ' | '; consecutive rows make one table.
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

NS = (
    'xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core" '
    'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head" '
    'xmlns:opf="http://www.idpf.org/2007/opf/"'
)
logging.getLogger("fontTools").setLevel(logging.ERROR)  # font subsetting chatter

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
ODF_NS = 'xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
VERSION_XML = (
    '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" tagetApplication="WORDPROCESSOR" '
    'major="5" minor="1" micro="0" buildNumber="1" xmlVersion="1.4"/>'
)
CONTAINER_XML = (
    '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    "</ocf:rootfiles></ocf:container>"
)


def _para(text: str, pid: int) -> str:
    return (f'<hp:p id="{pid}" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
            f'<hp:run charPrIDRef="0"><hp:t>{escape(text)}</hp:t></hp:run></hp:p>')


def _table(rows: list[list[str]], pid: int) -> str:
    cols = max(len(r) for r in rows)
    out = [f'<hp:p id="{pid}" paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0">'
           f'<hp:tbl id="{pid}" rowCnt="{len(rows)}" colCnt="{cols}" cellSpacing="0" borderFillIDRef="1">']
    for r, row in enumerate(rows):
        out.append("<hp:tr>")
        for c, cell in enumerate(row):
            out.append(f'<hp:tc name="" header="0" borderFillIDRef="1"><hp:subList id="" textDirection="HORIZONTAL">'
                       f'{_para(cell, pid * 1000 + r * 50 + c)}</hp:subList>'
                       f'<hp:cellAddr colAddr="{c}" rowAddr="{r}"/><hp:cellSpan colSpan="1" rowSpan="1"/></hp:tc>')
        out.append("</hp:tr>")
    out.append("</hp:tbl><hp:t/></hp:run></hp:p>")
    return "".join(out)


def section_xml(text: str) -> str:
    body, rows, pid = [], [], 0
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
            continue
        if rows:
            pid += 1
            body.append(_table(rows, pid))
            rows = []
        if line.strip():
            pid += 1
            body.append(_para(line, pid))
    return f"{XML_DECL}<hs:sec {NS}>{''.join(body)}</hs:sec>"


def write_hwpx(path: Path, text: str, title: str = "", sections: list[str] | None = None,
               encrypted: bool = False) -> Path:
    """Write an HWPX package whose sections hold `text` (or each of `sections`)."""
    sections = sections or [text]
    items = "".join(f'<opf:item id="section{i}" href="Contents/section{i}.xml" media-type="application/xml"/>'
                    for i in range(len(sections)))
    spine = "".join(f'<opf:itemref idref="section{i}" linear="yes"/>' for i in range(len(sections)))
    manifest_entry = (
        '<odf:file-entry full-path="Contents/section0.xml" media-type="application/xml">'
        '<odf:encryption-data checksum-type="sha256-1k" checksum="AAAA"/></odf:file-entry>'
        if encrypted else "")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip")
        zf.writestr("version.xml", XML_DECL + VERSION_XML)
        zf.writestr("META-INF/container.xml", XML_DECL + CONTAINER_XML)
        zf.writestr("META-INF/manifest.xml", f"{XML_DECL}<odf:manifest {ODF_NS}>{manifest_entry}</odf:manifest>")
        zf.writestr(
            "Contents/content.hpf",
            f'{XML_DECL}<opf:package {NS} version="" unique-identifier="" id="">'
            f"<opf:metadata><opf:title>{escape(title)}</opf:title><opf:language>ko</opf:language></opf:metadata>"
            f'<opf:manifest><opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
            f"{items}</opf:manifest>"
            f'<opf:spine><opf:itemref idref="header" linear="yes"/>{spine}</opf:spine></opf:package>',
        )
        zf.writestr("Contents/header.xml", f'{XML_DECL}<hh:head {NS} version="1.4" secCnt="{len(sections)}"/>')
        for i, sec in enumerate(sections):
            zf.writestr(f"Contents/section{i}.xml", section_xml(sec), compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("Preview/PrvText.txt", sections[0][:1000])
    return path


def write_pdf(path: Path, text: str, title: str = "",
              font: str = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf") -> Path:
    """Write a PDF with a real text layer, set in a Korean font."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_font("Korean", fname=font)
    pdf.add_page()
    pdf.set_font("Korean", size=11)
    pdf.multi_cell(0, 7, text)
    pdf.output(str(path))
    return path


def write_record(folder: Path, record: dict, files: dict[str, bytes | str]) -> Path:
    """Write a record folder: record.json and its files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "record.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip a batch folder with UTF-8 names, as a clerk's upload would be."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder.parent).as_posix())
    return target
