"""Every released format and every failure mode, on fixtures the tests make themselves."""

import io
import zipfile
from pathlib import Path

import pytest

from archive.extract import extract_text
from archive.extract.guard import run_guarded
from tests.builders import hwp5_bytes, hwp_inline_tab, hwp_para, hwp_table
from tools.docmaker import section_xml, write_hwpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write(tmp_path, name, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- HWP 5 ---------------------------------------------------------------------------------

SECTION = (hwp_para("첫 문단" + hwp_inline_tab() + "탭 뒤")
           + hwp_table([["항목", "내용"], ["일시", "12월 15일"]])
           + hwp_para("옛 한자 𠀀 문단"))
EXPECTED = "첫 문단 탭 뒤\n항목 | 내용\n일시 | 12월 15일\n옛 한자 𠀀 문단"


@pytest.mark.parametrize("compressed", [True, False])
def test_hwp5_paragraphs_tables_controls_and_surrogates(tmp_path, compressed):
    path = write(tmp_path, "a.hwp", hwp5_bytes(SECTION, compressed=compressed))
    assert extract_text(path).text == EXPECTED


@pytest.mark.parametrize("flag, reason", [(4, "distribution"), (2, "encrypted"), (16, "encrypted")])
def test_hwp5_protected_documents_are_reported(tmp_path, flag, reason):
    path = write(tmp_path, "p.hwp", hwp5_bytes(hwp_para("배포용 문서입니다 자리표시 문장"), flags=flag))
    result = extract_text(path)
    assert result.text == "" and result.reason == reason


def test_hwp3_and_non_ole_files_are_reported(tmp_path):
    old = write(tmp_path, "old.hwp", b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\0" * 200)
    assert extract_text(old).reason == "old_format"
    junk = write(tmp_path, "junk.hwp", b"this is not a compound file at all")
    assert extract_text(junk).reason == "corrupt"


@pytest.mark.slow
def test_hwp5_deflate_bomb_is_not_expanded(tmp_path):
    squeezer = __import__("zlib").compressobj(9, 8, -15)
    bomb = squeezer.compress(b"\0" * (200 * 1024 * 1024)) + squeezer.flush()
    path = write(tmp_path, "bomb.hwp", hwp5_bytes(b"", raw_section=bomb))
    assert extract_text(path).reason == "too_large"


# -- HWPX -----------------------------------------------------------------------------------

def test_hwpx_footnotes_text_boxes_and_line_breaks(tmp_path):
    ns = ('xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
          'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"')
    section = (f'<hs:sec {ns}><hp:p><hp:run><hp:t>본문<hp:lineBreak/>둘째 줄</hp:t>'
               '<hp:ctrl><hp:footNote><hp:subList><hp:p><hp:run><hp:t>각주 내용</hp:t></hp:run></hp:p>'
               '</hp:subList></hp:footNote></hp:ctrl></hp:run></hp:p>'
               '<hp:p><hp:run><hp:rect><hp:drawText><hp:subList><hp:p><hp:run><hp:t>글상자 안</hp:t>'
               '</hp:run></hp:p></hp:subList></hp:drawText></hp:rect></hp:run></hp:p></hs:sec>')
    path = tmp_path / "x.hwpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr("Contents/section0.xml", section)
    assert extract_text(path).text == "본문\n둘째 줄\n각주 내용\n글상자 안"


@pytest.mark.slow
def test_hwpx_zip_bomb_member_is_refused(tmp_path):
    path = tmp_path / "bomb.hwpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Contents/section0.xml", section_xml("가") + " " * (100 * 1024 * 1024))
    assert extract_text(path).reason == "too_large"


def test_hwpx_private_use_bullets_are_dropped(tmp_path):
    path = write_hwpx(tmp_path / "b.hwpx", "\uf0a7 개최개요\n\U000f02b1 일시")
    assert extract_text(path).text == "개최개요\n일시"


# -- PDF ------------------------------------------------------------------------------------

def test_pdf_from_libreoffice_keeps_korean_word_spacing():
    # LibreOffice 7.4 wrote this from a DOCX set in NanumGothic (see tests/fixtures/README.md);
    # pypdf reads it as '’17 년도 제 4 차', which phrase search cannot match.
    text = extract_text(FIXTURES / "libreoffice_spacing.pdf").text
    assert "’17년도 제4차 서울협치협의회 개최결과 보고" in text
    assert '"태양계 행성"이라고 검색하면,' in text


def test_encrypted_pdf_is_reported(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret-password")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert extract_text(write(tmp_path, "e.pdf", buffer.getvalue())).reason == "encrypted"


def test_scanned_pdf_without_text_layer_is_reported_with_pages(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 50, style="F")  # ink, no text
    result = extract_text(write(tmp_path, "scan.pdf", bytes(pdf.output())))
    assert result.text == "" and result.reason == "no_text_layer" and result.pages == 2


def test_damaged_pdf_is_reported(tmp_path):
    assert extract_text(write(tmp_path, "d.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog")).reason == "corrupt"


# -- DOCX, XLSX, ODT ------------------------------------------------------------------------

def test_docx_paragraphs_and_tables_in_body_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("회의 개요")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["구분", "일시", "장소"], ["제1차", "3월 2일", "시청"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "합친 칸"
    document.add_paragraph("끝.")
    document.save(tmp_path / "a.docx")
    expected = "회의 개요\n구분 | 일시 | 장소\n제1차 | 3월 2일 | 시청\n합친 칸\n끝."
    assert extract_text(tmp_path / "a.docx").text == expected


def test_xlsx_cells_by_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "예산"
    book.active.append(["항목", "금액"])
    book.active.append(["참석수당", 1200])
    other = book.create_sheet("인원")
    other.append(["위원", 15])
    book.save(tmp_path / "a.xlsx")
    assert extract_text(tmp_path / "a.xlsx").text == "[예산]\n항목 | 금액\n참석수당 | 1200\n[인원]\n위원 | 15"


def test_xml_entity_bomb_in_docx_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", bomb)
    assert extract_text(path).reason == "corrupt"


def test_odt_paragraphs_and_tables(tmp_path):
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    content = (f'<office:document-content {ns}><office:body><office:text>'
               '<text:h>제목</text:h><text:p>첫<text:s/>문단</text:p>'
               '<table:table><table:table-row><table:table-cell><text:p>가</text:p></table:table-cell>'
               '<table:table-cell><text:p>나</text:p></table:table-cell></table:table-row></table:table>'
               '</office:text></office:body></office:document-content>')
    path = tmp_path / "a.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    assert extract_text(path).text == "제목\n첫 문단\n가 | 나"


# -- text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16"])
def test_txt_encodings(tmp_path, encoding):
    path = write(tmp_path, "a.txt", "민관협치 활성화 기본계획(안)".encode(encoding))
    assert extract_text(path).text == "민관협치 활성화 기본계획(안)"


def test_unknown_format_is_stored_without_text(tmp_path):
    result = extract_text(write(tmp_path, "a.xyz", b"\x00\x01\x02 something"))
    assert result.text == "" and result.reason == "unsupported"


def test_a_broken_picture_is_corrupt_and_a_sound_one_waits_for_ocr(tmp_path):
    # pictures are read by OCR later (issue 16); here only checked to be pictures
    assert extract_text(write(tmp_path, "a.jpg", b"\xff\xd8\xff")).reason == "corrupt"
    from PIL import Image

    Image.new("L", (40, 20), 255).save(tmp_path / "b.png")
    assert extract_text(tmp_path / "b.png").reason == "image"


# -- budgets --------------------------------------------------------------------------------

def _slow():
    import time

    time.sleep(30)


def _greedy():
    return len(bytearray(1024 * 1024 * 1024))


def test_time_budget_kills_a_slow_extraction():
    assert run_guarded(_slow, seconds=0.5) == ("limit", "timeout")


def test_memory_budget_stops_a_greedy_extraction():
    assert run_guarded(_greedy, memory=256 * 1024 * 1024) == ("limit", "too_large")


def test_guarded_result_equals_unguarded(tmp_path):
    path = write(tmp_path, "a.hwp", hwp5_bytes(SECTION))
    assert extract_text(path).text == extract_text(path, guarded=False).text == EXPECTED


def test_long_pdf_is_read_within_budget_by_the_faster_reader(tmp_path, monkeypatch):
    from archive.extract import pdf as pdf_reader
    from tools.docmaker import write_pdf

    monkeypatch.setattr(pdf_reader, "PLUMBER_MAX_PAGES", 0)  # any PDF counts as long
    path = write_pdf(tmp_path / "long.pdf", "긴 보고서 본문")
    result = extract_text(path, guarded=False)
    assert "보고서" in result.text and result.pages == 1


def test_mislabelled_files_are_read_by_what_they_are(tmp_path):
    hwpx_as_hwp = write_hwpx(tmp_path / "real.hwpx", "이름만 hwp인 hwpx")
    named = tmp_path / "보고서.hwp"
    named.write_bytes(hwpx_as_hwp.read_bytes())
    assert extract_text(named, "보고서.hwp").text == "이름만 hwp인 hwpx"
    ole_as_txt = write(tmp_path, "note.txt", hwp5_bytes(hwp_para("확장자가 txt인 한글 문서")))
    assert extract_text(ole_as_txt, "note.txt").text == "확장자가 txt인 한글 문서"
    jpeg_as_pdf = write(tmp_path, "scan.pdf", b"\xff\xd8\xff\xe0 not a pdf")
    assert extract_text(jpeg_as_pdf, "scan.pdf").reason == "corrupt"
