"""Issue 17: a typed word's other forms (index.forms), agency names (index.names), and how the
query tree takes them (index.expansion): bounded, ranked below the word as typed, never in a
filter without saying so."""

import pytest

from index import lang
from index.engine import SearchRequest
from index.expansion import resolved
from index.forms import forms, stem
from index.lang import MAX_CLAUSES, Or, QueryRefused, Text, clauses
from index.names import Table
from tests.builders import batch, record
from tests.index.conftest import ingested


@pytest.mark.parametrize("word, expected", [
    ("미세먼지를", "미세먼지"), ("도서관에서", "도서관"), ("따릉이를", "따릉이"), ("도서관에서는", "도서관"),
    ("지원하는", "지원"), ("11,000원을", "11,000원"), ("COVID-19를", "COVID-19"), ("위원회를", "위원회"),
    # only looks like a particle: the word is the noun
    ("따릉이", None), ("어린이집", None), ("마을", None), ("제도", None), ("정책협의", None), ("경기도", None),
    ("물을", None), ("100만", None),
])
def test_stems(word, expected):
    assert stem(word) == expected


def test_number_and_latin_forms():
    assert forms("11000원") == ["1만1천원"] and forms("1만1천원") == ["11000원"]
    assert forms("7만원") == ["70000원"] and forms("50,000원") == ["5만원"]
    assert forms("covid19") == ["covid 19"] and forms("Wi-Fi") == ["wifi"]
    assert forms("협치") == []


def test_the_names_table():
    table = Table(["# a comment\n", "부산광역시\t부산시\n", "경기도\n",
                   "광주광역시\t광주시\n", "경기도 광주시\t광주시\n"])
    assert table.others("부산시") == ["부산광역시"] and table.others("부산광역시") == ["부산시"]
    assert table.others("경기도청") == ["경기도"] and table.others("구청") == []
    assert table.full_names("광주시") == ["광주광역시", "경기도 광주시"]
    assert table.label("부산광역시") == "부산광역시 (부산시)" and table.label("경기도") == "경기도"


def test_a_word_becomes_an_or_of_its_forms_an_exclusion_and_a_phrase_stay():
    tree = lang.parse("미세먼지를")
    assert isinstance(tree, Or) and [t.surface for t in tree.children] == ["미세먼지를", "미세먼지"]
    assert tree.children[0].weight == 1.0 > tree.children[1].weight
    assert isinstance(lang.parse('"미세먼지를"'), Text)
    assert isinstance(lang.parse("협치 -미세먼지를").children[1].child, Text)


def test_forms_count_against_the_cap_and_never_make_a_query_refused():
    words = " ".join("가나다라를" + chr(0xAC00 + i) + "를" for i in range(20))  # every word has a stem
    tree = lang.parse(words)
    assert clauses(tree) <= MAX_CLAUSES
    plain = lang.parse(" ".join(f'"{w}"' for w in words.split()))  # the same words without forms
    assert clauses(plain) < clauses(tree)


def test_an_agency_filter_by_short_name_says_which_name_it_used():
    tree = lang.parse("agency:부산시 공원")
    assert resolved(tree) == [{"field": "agency", "asked": "부산시", "value": "부산광역시"}]
    assert resolved(lang.parse("agency:부산광역시")) == [] and resolved(lang.parse("agency:없는기관")) == []
    with pytest.raises(QueryRefused, match="full name"):
        lang.parse("agency:광주시")  # two agencies have it: never widened, never guessed


@pytest.fixture(scope="module")
def ranked(tmp_path_factory, engine_name):
    tmp = tmp_path_factory.mktemp(f"forms-{engine_name}")
    root = batch(tmp / "batch", *[
        (record(id="R1", title="대기 보고", agency="부산광역시"), {"본문.txt": "봄철 미세먼지가 심해졌다."}),
        (record(id="R2", title="대기 보고", agency="품질시"), {"본문.txt": "봄철 미세먼지를 줄였다."}),
    ])
    return ingested(tmp / "store", engine_name, root)


def test_the_word_as_typed_ranks_above_its_stem(ranked):
    assert ranked.ids("미세먼지를") == ["R2", "R1"]
    assert ranked.ids("미세먼지가") == ["R1", "R2"]


def test_the_answer_and_snippets_with_other_forms(ranked):
    answer = ranked(SearchRequest(q="agency:부산시 미세먼지를"))
    assert [h["id"] for h in answer["results"]] == ["R1"]
    assert answer["resolved"] == [{"field": "agency", "asked": "부산시", "value": "부산광역시"}]
    assert "<mark>미세먼지</mark>가" in str(answer["results"][0]["snippet"])


def test_an_index_made_by_another_analysis_is_rebuilt(engine_app):
    from archive.store import Store
    from index import service

    engine = engine_app.extensions["search_engine"]
    store = Store(engine_app.config["DATA_DIR"])
    try:
        assert not service.needs_rebuild(engine, store)
        engine.set_mark({**engine.mark(), "by": engine.name})  # as the release before analysis versions marked it
        assert service.needs_rebuild(engine, store)
        verify = engine_app.test_cli_runner().invoke(args=["verify"])
        assert verify.exit_code != 0 and "reindex" in verify.output, verify.output
        assert service.catch_up(engine, store) == store.count()  # rebuilt whole, not caught up
        assert engine.mark()["by"] == service.index_mark(engine) and not service.needs_rebuild(engine, store)
    finally:
        store.close()


def test_the_search_page_labels_agencies_and_says_which_name_it_used(engine_app):
    client = engine_app.test_client()
    page = client.get("/search", query_string={"q": "agency:부산시"}).get_data(as_text=True)
    assert "agency:부산시 → agency:부산광역시" in page and "부산광역시 (부산시)" in page
    data = client.get("/api/search", query_string={"q": "agency:부산시"}).get_json()
    assert data["resolved"] == [{"field": "agency", "asked": "부산시", "value": "부산광역시"}]
    assert data["facet_labels"]["agency"]["부산광역시"] == "부산광역시 (부산시)"
    assert client.get("/api/search", query_string={"q": "agency:광주시"}).status_code == 400
