"""Extraction of the formats of the whole path: HWPX, PDF, TXT, Markdown."""

import zipfile

import pytest

from archive.extract import extract_text
from archive.extract.clean import clean_text
from tests.conftest import CORPUS
from tools.docmaker import write_hwpx, write_pdf


def test_hwpx_sections_in_manifest_order_and_table_cells(tmp_path):
    path = write_hwpx(tmp_path / "a.hwpx", "", sections=[
        "첫째 구역 문단\n| 항목 | 내용\n| 일시 | 12월 15일",
        "둘째 구역 문단",
    ])
    text = extract_text(path).text
    assert text.splitlines() == ["첫째 구역 문단", "항목 | 내용", "일시 | 12월 15일", "둘째 구역 문단"]


def test_encrypted_hwpx_is_reported(tmp_path):
    path = write_hwpx(tmp_path / "e.hwpx", "보이면 안 되는 글", encrypted=True)
    result = extract_text(path)
    assert result.text == "" and result.reason == "encrypted"


def test_broken_hwpx_is_reported_not_raised(tmp_path):
    path = tmp_path / "broken.hwpx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert extract_text(path).reason == "corrupt"


def test_xml_entity_bomb_is_not_expanded(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><hs:sec xmlns:hs="s"><p><t>&b;</t></p></hs:sec>')
    path = tmp_path / "bomb.hwpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Contents/section0.xml", bomb)
    result = extract_text(path)
    assert result.text == "" and result.reason == "corrupt"


def test_pdf_text_and_page_count(tmp_path):
    path = write_pdf(tmp_path / "a.pdf", "서울협치협의회 개최결과 보고")
    result = extract_text(path)
    assert "서울협치협의회" in result.text and result.pages == 1


def test_txt_in_cp949_and_markdown(tmp_path):
    (tmp_path / "a.txt").write_bytes("민관협치 활성화".encode("cp949"))
    assert extract_text(tmp_path / "a.txt").text == "민관협치 활성화"
    (tmp_path / "b.md").write_text("# 제목\n\n본문 **강조**")
    assert "본문 **강조**" in extract_text(tmp_path / "b.md").text


def test_clean_text_drops_private_use_and_collapses_spaces():
    assert clean_text("\uf0a7 가나\u00a0\u00a0다\t라  \n\n\n\n마") == "가나 다 라\n\n마"
    assert clean_text("\u1112\u1161\u11ab") == "한"  # NFC


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent (outside clone)")
@pytest.mark.parametrize("name, words", [
    ("hwpx/seoul_sihaengmun.hwpx", ["서울특별시", "소규모주택정비사업"]),
    ("hwpx/mpm_recruitment_notice.hwpx", ["국민참여정책단"]),
    ("hwpx/table_simple.hwpx", ["국어 | 영어 | 수학"]),
])
def test_real_hwpx_from_corpus(name, words):
    text = extract_text(CORPUS / name).text
    for word in words:
        assert word in text


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent (outside clone)")
@pytest.mark.parametrize("name, reason", [
    ("hwpx/encrypted_password_123456.hwpx", "encrypted"),
    ("pdf/encrypted_password.pdf", "encrypted"),
    ("pdf/scanned_image_only_zh.pdf", "no_text_layer"),
])
def test_real_files_without_text_give_the_reason(name, reason):
    result = extract_text(CORPUS / name)
    assert result.text == "" and result.reason == reason


def test_the_personal_data_scan_runs_in_the_extraction_child(tmp_path, monkeypatch):
    """extraction_row scans the text where it was read: in the guarded child, under its budget."""
    import json
    import os

    from archive import ingest
    from archive.pii import Finding

    monkeypatch.setattr(ingest, "find_personal_data", lambda text: [Finding("email", str(os.getpid()))])
    hwpx = write_hwpx(tmp_path / "a.hwpx", "본문")
    big = tmp_path / "big.txt"
    big.write_text("본문 " * 300_000)  # 2.1 MB: past what is read in this process
    small = tmp_path / "small.txt"
    small.write_text("본문")
    scanned_in = {p.name: int(json.loads(ingest.extraction_row("sha", p, p.name)["pii"])[0][1])
                  for p in (hwpx, big, small)}
    assert scanned_in["a.hwpx"] != os.getpid() and scanned_in["big.txt"] != os.getpid()
    assert scanned_in["small.txt"] == os.getpid()  # a small text is read, and scanned, in place


def test_a_zip_is_read_as_what_its_bytes_say_whatever_its_name(tmp_path):
    named_txt = write_hwpx(tmp_path / "memo.txt", "이름만 txt인 hwpx")
    assert extract_text(named_txt, "memo.txt").text == "이름만 txt인 hwpx"
    plain_zip = tmp_path / "a.zip"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("x.bin", b"x")
    assert extract_text(plain_zip, "a.zip").reason == "unsupported"
    assert extract_text(plain_zip, "a.docx").reason == "corrupt"
