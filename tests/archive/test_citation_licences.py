"""Citation (KOGL 출처표시, references, BibTeX, CSL-JSON) and licence conflicts, from public metadata."""

from __future__ import annotations

import json

import pytest

from archive import citation, licences

URL = "https://yeollam.example/records/R-1"


def view(**changes) -> dict:
    base = {
        "id": "R-1", "title": "2024년 {중요} 보고_서 & 100%", "agency": "테스트시", "department": "기록관리과",
        "kind": "보고서", "doc_number": "기록관리과-7", "produced": "2024-03-05",
        "author": {"name": "홍길동", "phone": "02-123-4567"}, "summary": None,
        "licences": [vars(licences.licence("KOGL-3"))],
    }
    return base | changes


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_kogl_attribution_names_what_the_guidelines_ask(number):
    text = citation.kogl_attribution(view(licences=[vars(licences.licence(f"KOGL-{number}"))]), URL)
    assert text.startswith("본 저작물은 '테스트시'에서 '2024년' 작성하여 ")
    assert f"공공누리 제{number}유형으로 개방한 " in text
    assert "'2024년 {중요} 보고_서 & 100%(작성자: 홍길동)'" in text
    assert f"'테스트시, {URL}'에서 무료로 내려받으실 수 있습니다." in text
    assert "02-123-4567" not in text


def test_no_kogl_type_no_kogl_text_and_the_strictest_type_when_several():
    assert citation.kogl_attribution(view(licences=[vars(licences.licence("CC-BY-4.0"))]), URL) is None
    both = [vars(licences.licence("KOGL-1")), vars(licences.licence("KOGL-4"))]
    assert "제4유형" in citation.kogl_attribution(view(licences=both), URL)


def test_bibtex_escapes_and_csl_is_json():
    data = citation.citation(view(), URL)
    bib = data["bibtex"]
    assert bib.startswith("@misc{yeollam-R-1,") and bib.endswith("}")
    assert r"title = {{2024년 \{중요\} 보고\_서 \& 100\%}}" in bib
    assert f"url = {{{URL}}}" in bib and "year = {2024}" in bib
    assert bib.count("{") - bib.count(r"\{") == bib.count("}") - bib.count(r"\}")
    csl = json.loads(json.dumps(data["csl"]))
    assert csl["type"] == "document" and csl["issued"] == {"date-parts": [[2024, 3, 5]]}
    assert csl["author"] == [{"literal": "테스트시 기록관리과"}] and csl["URL"] == URL
    assert data["text"].startswith(
        "테스트시 기록관리과. (2024). 2024년 {중요} 보고_서 & 100% [보고서, 문서번호 기록관리과-7]")
    assert data["text_en"].endswith(f"Yeollam public records portal, record R-1. {URL}")
    for form in (data["kogl"], data["text"], data["text_en"], data["bibtex"], json.dumps(data["csl"])):
        assert "02-123-4567" not in form


def test_seed_pair_conflicts_on_commercial_use_and_the_stricter_governs():
    (conflict,) = licences.conflicts(["CC-BY-ND-3.0", "KOGL-4"])
    assert conflict["term"] == "commercial"
    assert conflict["allowed_by"] == ["CC-BY-ND-3.0"] and conflict["governs"] == ["KOGL-4"]
    assert "상업적 이용은 허용되지 않습니다" in conflict["message"]["ko"]
    assert "KOGL Type 4" in conflict["message"]["en"]


@pytest.mark.parametrize(("codes", "terms"), [
    (["KOGL-1"], []),
    (["KOGL-4", "CC-BY-NC-ND-4.0"], []),  # the same terms: no conflict
    (["KOGL-1", "CC-BY-4.0"], []),
    (["KOGL-2", "CC-BY-4.0"], ["commercial"]),
    (["KOGL-2", "CC-BY-ND-4.0"], ["commercial", "derivatives"]),
    (["KOGL-3", "CC-BY-SA-4.0"], ["derivatives", "share_alike"]),
    (["KOGL-1", "CC0-1.0"], ["attribution"]),
    (["KOGL-4", "CC-BY-ND-3.0", "NO-SUCH"], ["commercial"]),
])
def test_conflicts_term_by_term(codes, terms):
    assert [c["term"] for c in licences.conflicts(codes)] == terms


def test_the_terms_table_is_whole():
    table = licences._table()
    for code, entry in table["licences"].items():
        assert licences.licence(code) is not None, code
        assert set(entry) == set(table["terms"]), code
    assert set(table["cc_default"]) == set(table["terms"])
    assert licences.terms("KOGL-4") == {"commercial": False, "derivatives": False, "attribution": False,
                                         "share_alike": True}
    assert licences.terms("CC-BY-NC-SA-4.0") == {"commercial": False, "derivatives": True, "attribution": False,
                                                  "share_alike": False}
    assert licences.terms("GPL-3.0") is None
