"""The record page shows every part of the seed page; its JSON twin says the same."""

import hashlib
import io
import re

from pypdf import PdfReader

from tests.conftest import SAMPLE

SEED = "D0000032552803"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_seed_record_page_has_every_part(sample_client):
    response = sample_client.get(f"/records/{SEED}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(html)
    for part in [
        "결재문서", "’17년도 제4차 서울협치협의회 개최결과 보고",
        "문서번호 민관협력담당관-130", "결재일자 2018.1.4.", "공개여부 부분공개(6)", "방침번호",
        "주무관 곽금영", "협치기획팀장 이현주", "민관협력담당관 조미숙 01/04", "서울혁신기획관 전효관",
        "위원회제도 혁신에 관한 정책 권고안",  # body text, from the public HWPX
        "문서 보기", "스크린리더",
        "본 문서는 공문서로서의 법적 효력은 없으며",
        "결재문서본문.hwpx", "PDF다운로드", "원문다운로드",
        "제4차 서울협치협의회 회의록(2017.12.15).hwpx", "참석자 명부(제4차 서울협치협의회).pdf",
        "비공개 문서", "개인정보",
        "기관명 서울특별시", "부서명 서울혁신기획관 민관협력담당관", "생산일자 2018-01-04",
        "공개구분 부분공개(6)", "보존기간 3년", "작성자(전화번호) 곽금영 (02-2133-6554)",
        f"관리번호 {SEED}", "같은 분류 문서보기",
        "공공누리 제4유형", "출처표시 + 상업적 이용금지 + 변경금지", "저작자표시 + 변경금지",
    ]:
        assert part in page, part
    assert 'rel="license" href="https://creativecommons.org/licenses/by-nd/3.0/"' in html
    assert 'href="/classification/%ED%96%89%EC%A0%95/' in html  # 행정/… path links
    # the withheld attachments show their name and nothing that leads to their content
    assert html.count("/attachments/2/") == 0 and html.count("/attachments/3/") == 0


def test_original_downloads_byte_for_byte_with_its_sha256(sample_client):
    original = (SAMPLE / SEED / "결재문서본문.hwpx").read_bytes()
    response = sample_client.get(f"/records/{SEED}/attachments/1/original")
    assert response.status_code == 200 and response.data == original
    assert "attachment" in response.headers["Content-Disposition"]
    sha = hashlib.sha256(original).hexdigest()
    assert response.headers["X-Content-SHA256"] == sha
    assert sha in sample_client.get(f"/records/{SEED}").get_data(as_text=True)


def test_pdf_rendition_of_hwpx_is_a_korean_text_pdf(sample_client):
    response = sample_client.get(f"/records/{SEED}/attachments/1/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "서울협치협의회" in text and "텍스트 변환본" in text
    assert "텍스트 변환본" in sample_client.get(f"/records/{SEED}").get_data(as_text=True)


def test_pdf_original_is_its_own_rendition(sample_client):
    original = (SAMPLE / "SEN-2023-0907" / "급식 위생점검 결과.pdf").read_bytes()
    assert sample_client.get("/records/SEN-2023-0907/attachments/1/pdf").data == original


def test_text_view_is_accessible_text(sample_client):
    html = sample_client.get(f"/records/{SEED}/attachments/1/text").get_data(as_text=True)
    assert "<p>□ 개최개요</p>" in html and 'lang="ko"' in html


def test_json_twin_matches_interface(sample_client):
    data = sample_client.get(f"/api/records/{SEED}").get_json()
    for key in ["id", "title", "kind", "agency", "department", "doc_number", "produced", "approved",
                "retention", "classification", "licences", "disclosure", "attachments", "url"]:
        assert key in data, key
    assert data["disclosure"]["level"] == "partial" and data["disclosure"]["grounds"] == [6]
    assert data["licences"] == ["KOGL-4", "CC-BY-ND-3.0"]
    first, second, third = data["attachments"]
    assert first["n"] == 1 and first["size"] > 0 and len(first["sha256"]) == 64
    assert first["url"].endswith(f"/records/{SEED}/attachments/1/original")
    assert second == {"n": 2, "name": "제4차 서울협치협의회 회의록(2017.12.15).hwpx", "title": None,
                      "disclosure": "withheld", "grounds": [6], "grounds_info": second["grounds_info"]}


def test_classification_lists_same_classification(sample_client):
    html = sample_client.get("/classification/행정/일반행정지원/과공통일반사무/일반관리(서무)/일반업무관리")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert SEED in page and "D0000033810044" in page and "D0000031977210" in page
    assert "MOIS-2021-0412" not in page


def test_unknown_things_answer_404_pages(sample_client):
    for path in ["/records/NOPE", f"/records/{SEED}/attachments/9/original", "/classification/없음", "/x"]:
        response = sample_client.get(path)
        assert response.status_code == 404 and "찾으시는" in response.get_data(as_text=True)
    api = sample_client.get("/api/records/NOPE")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == 404


def test_record_without_text_says_why(app, runner, tmp_path):
    from tests.builders import batch, record

    root = batch(tmp_path / "b", (record(attachments=[{"file": "스캔.pdf", "disclosure": "public"}]),
                                  {"스캔.pdf": b"%PDF-1.4\n%broken"}))
    result = runner.invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output  # the file goes in, without a text view
    client = app.test_client()
    page = client.get("/records/T-0001").get_data(as_text=True)
    assert "텍스트 보기 없음" in page and "손상되었거나 읽을 수 없는 파일" in page
    assert client.get("/records/T-0001/attachments/1/original").status_code == 200


def test_security_headers_on_every_response(sample_client):
    for path in ["/", f"/records/{SEED}", "/api/search", "/nope"]:
        headers = sample_client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_each_attachment_shows_format_pages_and_why_no_text(app, runner, tmp_path):
    from tests.builders import batch, hwp5_bytes, hwp_para, pdf_bytes, record
    from tools.docmaker import write_hwpx

    encrypted = write_hwpx(tmp_path / "e.hwpx", "잠긴 글", encrypted=True).read_bytes()
    files = {
        "본문.pdf": pdf_bytes(tmp_path, "첫 쪽 본문"),
        "잠김.hwpx": encrypted,
        "배포용.hwp": hwp5_bytes(hwp_para("자리표시 문장"), flags=4),
        "옛문서.hwp": b"HWP Document File V3.00 \x1a" + b"\0" * 64,
    }
    root = batch(tmp_path / "b", (record(attachments=[{"file": n, "disclosure": "public"} for n in files]), files))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    page = text_of(app.test_client().get("/records/T-0001").get_data(as_text=True))
    assert "본문.pdf (" in page and "PDF · 1쪽" in page
    assert "잠김.hwpx" in page and "HWPX" in page and "텍스트 보기 없음: 암호화된 문서" in page
    assert "텍스트 보기 없음: 배포용 문서" in page
    assert "텍스트 보기 없음: 지원하지 않는 옛 형식 (HWP 3.0 이하)" in page
    assert "자리표시 문장" not in page
