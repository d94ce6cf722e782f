"""Search over the sample store's real index, without HTTP."""

import pytest

from index.engine import SearchRequest
from tests.index.conftest import ingested


@pytest.fixture
def ix(sample_searcher):
    return sample_searcher


def ids(searcher, q, **kwargs):
    return searcher.ids(q, **kwargs)


def search(searcher, req):
    return searcher(req)


@pytest.mark.parametrize("q", ["협치", "서울협치협의회", "위원회제도", "민관협력담당관-130"])
def test_seed_queries_find_the_seed_record(ix, q):
    assert "D0000032552803" in ids(ix, q)


def test_doc_number_puts_its_record_first(ix):
    assert ids(ix, "민관협력담당관-130")[0] == "D0000032552803"


def test_phrase_mode_needs_adjacent_bigrams(tmp_path, engine_name):
    from tests.builders import batch, record

    root = batch(tmp_path / "b",
                 (record(id="A"), {"본문.txt": "새로운 방식을 고안하여 권고함"}),
                 (record(id="B"), {"본문.txt": "위원회 권고안을 의결함"}))
    assert ingested(tmp_path / "s", engine_name, root).ids("권고안") == ["B"]


def test_withheld_text_is_not_findable(ix):
    # words that stand only in withheld attachments of the sample batch
    for q in ["한가람", "성하람", "청강리", "추예린", "석우진", "청람엔지니어링", "봉태산"]:
        assert ids(ix, q) == [], q


def test_withheld_record_is_findable_by_its_metadata(ix):
    assert ids(ix, "보조금 집행 특정감사") == ["GG-AUDIT-2020-031"]


def test_facets_count_and_filter(ix):
    data = search(ix, SearchRequest(q=""))
    assert data["total"] == 16
    agencies = dict(data["facets"]["agency"])
    assert agencies["서울특별시"] == 4
    levels = dict(data["facets"]["level"])
    assert levels == {"public": 10, "partial": 4, "withheld": 2}
    filtered = search(ix, SearchRequest(q="", filters={"agency": "서울특별시", "level": "partial"}))
    assert [h["id"] for h in filtered["results"]] == ["D0000032552803"]


def test_browse_sorts_newest_and_oldest_and_pages(ix):
    newest = ids(ix, "", sort="newest", page_size=5)
    assert newest[0] == "MOLIT-2025-1024" and len(newest) == 5
    assert ids(ix, "", sort="oldest", page_size=5)[0] == "D0000031977210"
    page3 = search(ix, SearchRequest(q="", page=3, page_size=5))
    assert page3["pages"] == 4 and len(page3["results"]) == 5


def test_date_range_on_produced(ix):
    found = ids(ix, "", date_from="2018-01-01", date_to="2018-12-31")
    assert sorted(found) == ["D0000032552803", "D0000033810044"]


def test_snippet_marks_whole_match_and_escapes(ix):
    hit = search(ix, SearchRequest(q="서울협치협의회"))["results"][0]
    assert "<mark>서울협치협의회</mark>" in str(hit["snippet"])


def test_malformed_queries_run_or_are_refused_with_a_message(ix):
    from index.lang import QueryRefused

    for q in ["((", "\"", "title:", "AND OR NOT", "*", "a:b:c", "협 치 ))", "-", "OR", "year:[", "ground:"]:
        try:
            search(ix, SearchRequest(q=q))
        except QueryRefused as refused:  # a 400 with this message, never a 500
            assert "year:[2017 TO 2019]" in str(refused), q


def test_query_language(ix):
    assert ids(ix, "협치 -동원참치") == ["D0000033810044"]
    assert sorted(ids(ix, "미세먼지 OR 수질")) == ["D0000035120417", "ME-2022-WQ-07"]
    assert ids(ix, '"서울협치협의회 개최결과"') == ["D0000032552803"]
    assert sorted(ids(ix, "협치 agency:서울특별시 year:2018 kind:결재문서")) == ["D0000032552803", "D0000033810044"]
    assert sorted(ids(ix, 'department:"서울혁신기획관 민관협력담당관" 권고안')) == ["D0000031977210", "D0000032552803"]


def test_withheld_items_are_found_by_name_and_ground_never_by_content(ix):
    assert ids(ix, "참석자 명부") == ["D0000032552803"]  # the withheld file's name
    assert sorted(ids(ix, "ground:6")) == ["BUSAN-UPC-2022-05", "D0000032552803", "DAEGU-2025-CS-0314", "GJ-HR-2019-12"]
    assert ids(ix, "ground:4") == ["GG-AUDIT-2020-031"]
    assert ids(ix, "맹지후") == []  # a name inside the withheld attendance list


def test_refused_queries_say_why(ix):
    from index.lang import QueryRefused

    with pytest.raises(QueryRefused, match="너무 깁니다"):
        search(ix, SearchRequest(q="협치 " * 200))


def test_hit_names_the_attachment_that_matched(ix):
    hit = search(ix, SearchRequest(q="측정소별"))["results"][0]
    assert hit["id"] == "D0000035120417"
    assert hit["matched_attachment"] == {"n": 2, "name": "측정소별 농도 현황.pdf"}


def test_snippet_marks_the_asked_words_not_stray_bigrams(ix):
    snippet = str(search(ix, SearchRequest(q="서울협치"))["results"][0]["snippet"])
    assert "<mark>서울협치</mark>" in snippet
    assert "<mark>협치</mark>" not in snippet  # 협치 alone was not asked for
