"""Every file of ../shared/corpus: the words a reader sees, or the right reason for no text."""

import csv

import pytest

from archive.extract import extract_text
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(),
                                reason="../shared/corpus is absent (a clone outside this workplace)")

# Words in reading order: each must appear after the one before it.
READABLE = {
    "docx/korean_glossary_word.docx": ["Semantic Search", "의미론적 검색은", "연관키워드: 데이터 융합, 인공지능, 딥러닝"],
    "hwp/covid_mask_guidance_bullets.hwp": ["마스크 착용 의무", "① 발열, 기침 등", "KC 마크를 부착한 전자식 마스크"],
    "hwp/digital_gov_innovation_plan_2019.hwp": ["디지털 정부혁신 추진계획", "관계부처 합동", "□ 공공서비스 개방"],
    "hwp/lh_power_of_attorney_form.hwp": ["위 임 장", "행복주택 예비입주자 모집", "한국토지주택공사 경남지역본부장 귀하"],
    "hwp/msit_press_release_noori.hwp": ["보도일시 | 2018. 9. 4.(화)", "국민이 정한 그 이름은 ｢누리｣",
                                         "한국형발사체(KSLV-2)", "총 길이 | 47.2 m | 25.8 m"],
    "hwp/rfp_generative_ai_2025.hwp": ["제 안 요 청 서", "생성형 AI 서비스 시범 도입", "한전KPS주식회사 귀하"],
    "hwp/tiny_hangul_line.hwp": ["가나다라마바사아자차카타파하"],
    "hwp/uncompressed_controls.hwp": ["A\nB\nA\nC\nA\nB"],
    "hwp/uncompressed_text.hwp": ["가나다라ABCD", "가나다", "ㅁㅁㅁ촘"],
    "hwpx/encrypted_counterpart_plain.hwpx": ["글97 안내문", "회원등록카드"],
    "hwpx/gangbuk_rfp_tables.hwpx": ["제2회 가을밤의 음악축제", "강 북 구 청\n(문화관광체육과)", "서 면 질 의 서"],
    "hwpx/gov_donation_report_form.hwpx": ["2025년 보고서", "1. 기부통계", "150 | 경상북도 포항시"],
    "hwpx/mcst_press_release.hwpx": ["문화체육관광부 | 보도자료", "2024 파리 올림픽·패럴림픽", "(이천선수촌) | 장애인체육과"],
    "hwpx/mfds_admin_notice.hwpx": ["식품의약품안전처 공고 제2025-477호", "생산·수입 중단 보고대상 의료기기"],
    "hwpx/mois_press_release_tables.hwpx": ["보도자료", "국민주권정부의 정부혁신", "공공부문 인공지능 대전환"],
    "hwpx/mpm_recruitment_notice.hwpx": ["인사혁신처 공고 제2023 - 311호", "제6기 국민참여정책단을 모집", "활동기간 : 2023. 7."],
    "hwpx/public_data_standard_tables.hwpx": ["공공데이터 제공 표준 (2023.5.18.)", "대중교통환승센터", "데이터기준일자 | 필수"],
    "hwpx/seoul_sihaengmun.hwpx": ["서 울 특 별 시", "소규모주택정비사업 추진실적 제출", "부분공개(5)"],
    "hwpx/table_simple.hwpx": ["C반 기말고사", "이름 | 국어 | 영어 | 수학", "육손이 | 66 | 66 | 66"],
}
NO_TEXT = {
    "hwp/distribution_protected.hwp": "distribution",
    "hwp/hwp3_password_123456.hwp": "old_format",
    "hwpx/encrypted_password_123456.hwpx": "encrypted",
    "pdf/encrypted_password.pdf": "encrypted",
    "pdf/scanned_image_only_zh.pdf": "no_text_layer",
}


def corpus_files() -> list[str]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as f:
        return [row["file"] for row in csv.DictReader(f, delimiter="\t")]


def test_every_corpus_file_has_an_expectation():
    assert sorted(corpus_files()) == sorted(READABLE | NO_TEXT)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_readable_file_gives_its_words_in_order(name):
    result = extract_text(CORPUS / name)
    assert result.reason is None
    position = 0
    for words in READABLE[name]:
        found = result.text.find(words, position)
        assert found >= 0, f"{words!r} missing (or out of order) in {name}"
        position = found + len(words)
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in result.text)  # no Hancom private-use glyphs


@pytest.mark.parametrize("name", sorted(NO_TEXT))
def test_protected_or_image_files_give_the_reason(name):
    result = extract_text(CORPUS / name)
    assert result.text == "" and result.reason == NO_TEXT[name]
