"""The tantivy engine against real indexes in tmp_path, fed index documents made by hand."""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from pathlib import Path

import pytest
import tantivy

from index import lang
from index.engine import FACETS, MAX_PAGE, SearchRequest
from index.tantivy_engine import FIELDS, MERGE_MIN_LAYER, TantivyEngine, _meta, holding_deletions
from index.tantivy_search import TIE_GROUP_MAX


def doc(record_id: str, **fields) -> dict:
    """An index document in index.documents' shape."""
    produced = fields.pop("produced", "2020-01-01")
    out = {
        "id": record_id, "version": 1, "title": "", "numbers": record_id, "exact": [record_id.lower()],
        "summary": "", "body": "", "names": "", "agency": "서울특별시", "department": "", "kind": "결재문서",
        "classification": [], "classification_text": "", "produced": produced, "year": produced[:4],
        "level": "공개", "grounds": [], "licences": [],
    }
    out.update(fields)
    return out


def ask(engine: TantivyEngine, q: str = "", **kw):
    return engine.search(lang.parse(q), SearchRequest(q=q, **kw))


def ids(matches) -> list[str]:
    return [hit.id for hit in matches.hits]


@pytest.fixture
def engine(tmp_path) -> TantivyEngine:
    return TantivyEngine(tmp_path)


def test_empty_index_made_on_first_use(engine, tmp_path):
    matches = ask(engine)
    assert matches.total == 0 and matches.hits == [] and not matches.partial
    assert set(matches.facets) == set(FACETS)
    link = tmp_path / "search-tantivy"
    assert link.is_symlink() and link.resolve().name.startswith("tantivy-")
    assert engine.is_current()


def test_phrase_matching_bigrams_must_be_adjacent(engine):
    engine.write([doc("A", body="위원회는 권고안을 채택하였다"), doc("B", body="새로 고안하여 권고하였다")])
    assert ids(ask(engine, "권고안")) == ["A"]
    assert sorted(ids(ask(engine, "권고"))) == ["A", "B"]


def test_spacing_does_not_decide(engine):
    engine.write([doc("A", body="위원회제도 개선"), doc("B", body="위원회 제도 개선"), doc("C", body="위원회의 제도")])
    assert sorted(ids(ask(engine, "위원회 제도"))) == ["A", "B", "C"]  # two words: each anywhere
    assert sorted(ids(ask(engine, '"위원회 제도"'))) == ["A", "B"]  # the bridge bigram 회제
    assert sorted(ids(ask(engine, "위원회제도"))) == ["A", "B"]


def test_lone_syllable_finds_bigrams_starting_with_it(engine):
    engine.write([doc("A", body="시민 참여"), doc("B", body="서울 시"), doc("C", body="민주 참여")])
    assert sorted(ids(ask(engine, "시"))) == ["A", "B"]


def test_and_or_not(engine):
    engine.write([doc("A", body="협치 위원회"), doc("B", body="협치 거버넌스"), doc("C", body="위원회 회의")])
    assert ids(ask(engine, "협치 위원회")) == ["A"]
    assert sorted(ids(ask(engine, "협치 OR 회의"))) == ["A", "B", "C"]
    assert ids(ask(engine, "협치 -위원회")) == ["B"]
    assert ids(ask(engine, "-협치")) == ["C"]
    assert sorted(ids(ask(engine, "NOT 거버넌스"))) == ["A", "C"]
    assert ids(ask(engine, "위원회 (협치 OR 회의) -회의")) == ["A"]


def test_fields_and_filters(engine):
    engine.write([
        doc("A", title="예산 계획", body="기타", agency="서울특별시", grounds=["5", "6"], licences=["KOGL-1"]),
        doc("B", title="기타", body="예산 계획", agency="부산광역시", grounds=["6"],
            classification=["행정", "행정/일반"], classification_text="행정 일반"),
    ])
    assert ids(ask(engine, "title:예산")) == ["A"]
    assert ids(ask(engine, "예산 agency:부산광역시")) == ["B"]
    assert sorted(ids(ask(engine, "ground:6"))) == ["A", "B"]
    assert ids(ask(engine, "예산", filters={"grounds": "5"})) == ["A"]
    assert ids(ask(engine, "", filters={"classification": "행정/일반"})) == ["B"]
    assert ids(ask(engine, "", filters={"licences": "KOGL-1"})) == ["A"]
    assert ids(ask(engine, "분류:일반")) == ["B"]
    assert ask(engine, "", filters={"nosuchfield": "x"}).total == 0


def test_year_and_date_ranges(engine):
    engine.write([doc(f"R{y}", body="공개", produced=f"{y}-06-15") for y in range(2015, 2021)])
    assert sorted(ids(ask(engine, "year:[2017 TO 2019]"))) == ["R2017", "R2018", "R2019"]
    assert sorted(ids(ask(engine, "공개 year:[2019 TO ]"))) == ["R2019", "R2020"]
    assert ids(ask(engine, "year:2016")) == ["R2016"]
    assert sorted(ids(ask(engine, date_from="2018-06-15", date_to="2019-06-14"))) == ["R2018"]
    assert sorted(ids(ask(engine, "공개", date_from="2020-01-01"))) == ["R2020"]
    assert sorted(ids(ask(engine, date_to="2015-12-31"))) == ["R2015"]


def test_sort_newest_oldest_and_ties_by_id(engine):
    engine.write([doc("B", body="공개", produced="2020-01-01"), doc("A", body="공개", produced="2020-01-01"),
                  doc("AB", body="공개", produced="2020-01-01"),
                  doc("C", body="공개", produced="2021-03-01"), doc("D", body="공개", produced="2019-12-31")])
    assert ids(ask(engine)) == ["C", "A", "AB", "B", "D"]  # browsing: newest first
    assert ids(ask(engine, "공개", sort="newest")) == ["C", "A", "AB", "B", "D"]
    assert ids(ask(engine, "공개", sort="oldest")) == ["D", "A", "AB", "B", "C"]
    assert ids(ask(engine, "공개")) == ["A", "AB", "B", "C", "D"]  # equal scores: by id


def test_sorted_pages_across_segments_and_days(engine):
    rnd = random.Random(9)
    docs = [doc("".join(rnd.choice("AB0-가") for _ in range(rnd.randint(1, 6))) + f"{i}", body="공개 문서",
                produced=rnd.choice(["2019-05-01", "2020-01-01", "2021-12-31", f"2018-03-{rnd.randint(1, 28):02d}"]))
            for i in range(90)]  # three days of many records, and days of one to three
    for batch in (docs[:30], docs[30:60], docs[60:]):
        engine.write(batch)
    newest = [d["id"] for d in sorted(docs, key=lambda d: (-int(d["produced"].replace("-", "")), d["id"].encode()))]
    oldest = [d["id"] for d in sorted(docs, key=lambda d: (d["produced"], d["id"].encode()))]
    for size in (1, 7, 20):
        pages = range(1, 90 // size + 2)
        assert [h for p in pages for h in ids(ask(engine, page=p, page_size=size))] == newest
        assert [h for p in pages for h in ids(ask(engine, "문서", sort="newest", page=p, page_size=size))] == newest
        assert [h for p in pages for h in ids(ask(engine, "문서", sort="oldest", page=p, page_size=size))] == oldest
    filtered = [x for x in oldest if next(d for d in docs if d["id"] == x)["produced"] >= "2020"]
    assert ids(ask(engine, "문서", sort="oldest", date_from="2020-01-01", page_size=100)) == filtered


def test_paging_and_past_the_end(engine):
    engine.write([doc(f"R{i:03d}", body="공개 문서", produced=f"2020-01-{1 + i % 28:02d}") for i in range(45)])
    pages = [ask(engine, "공개", page=p, page_size=20) for p in (1, 2, 3, 4)]
    assert [m.total for m in pages] == [45] * 4
    assert [len(m.hits) for m in pages] == [20, 20, 5, 0]
    seen = [hit.id for m in pages for hit in m.hits]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 45
    assert seen == sorted(seen)  # one tie of equal scores: in id order across pages
    browsed = [hit.id for p in (1, 2, 3) for hit in ask(engine, page=p, page_size=20).hits]
    assert len(set(browsed)) == 45
    beyond = ask(engine, page=MAX_PAGE + 10, page_size=20)
    assert beyond.total == 45 and beyond.hits == []


def test_large_tie_pages_neither_repeat_nor_skip(engine):
    n = TIE_GROUP_MAX + 30
    engine.write([doc(f"R{i:05d}", body="같은 글") for i in range(n)])
    size = 200
    seen = [hit.id for p in range(1, n // size + 2) for hit in ask(engine, "같은", page=p, page_size=size).hits]
    assert len(seen) == n and len(set(seen)) == n


def test_facet_counts_are_exact(engine):
    rnd = random.Random(7)
    docs = [doc(f"R{i:04d}", body=rnd.choice(["예산 편성", "예산 집행", "회의록"]),
                agency=rnd.choice(["서울특별시", "부산광역시", "대구광역시"]),
                department=rnd.choice(["", "기획과", "총무과", "예산과"]),
                kind=rnd.choice(["결재문서", "회의록"]), produced=f"{rnd.randint(2010, 2022)}-01-01",
                level=rnd.choice(["공개", "부분공개", "비공개"]),
                grounds=sorted(rnd.sample(["1", "2", "5", "6"], rnd.randint(0, 3))),
                licences=rnd.sample(["KOGL-1", "KOGL-2"], rnd.randint(0, 2))) for i in range(400)]
    for batch in (docs[:150], docs[150:300], docs[300:]):  # several segments
        engine.write(batch)
    for q in ("", "예산", "예산 -집행"):
        matches = ask(engine, q)
        wanted = [d for d in docs if _brute_match(d, q)]
        assert matches.total == len(wanted)
        for name in FACETS:
            counts = Counter()
            for d in wanted:
                values = d[name] if isinstance(d[name], list) else [d[name]]
                counts.update(v for v in set(values) if v)
            assert matches.facets[name] == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), name


def _brute_match(d: dict, q: str) -> bool:
    return {"": True, "예산": "예산" in d["body"], "예산 -집행": "예산" in d["body"] and "집행" not in d["body"]}[q]


def test_exact_number_first(engine):
    engine.write([doc(f"R{i}", title=f"민관협력담당관-130 관련 보고 {i}", body="민관협력담당관-130 " * 5)
                  for i in range(5)]
                 + [doc("X", numbers="민관협력담당관-130", exact=["민관협력담당관-130"], title="기타")])
    assert ids(ask(engine, "민관협력담당관-130"))[0] == "X"
    assert ids(ask(engine, "r3"))[0] == "R3"


def test_title_phrase_ranks_higher(engine):
    engine.write([doc("A", title="회의 예산 자료", body="시민 참여 예산 " * 3),
                  doc("B", title="시민 참여 예산", body="회의 자료")])
    assert ids(ask(engine, "시민 참여 예산")) == ["B", "A"]


def test_replace_and_remove(engine):
    engine.write([doc("A", body="처음 글"), doc("B", body="처음 글")])
    engine.write([dict(doc("A", body="바뀐 글"), version=2)], remove=["B"])
    assert ids(ask(engine, "처음")) == []
    assert ids(ask(engine, "바뀐")) == ["A"]
    assert engine.indexed() == {"A": 2}


def _files_holding(folder: Path, needle: str) -> list[str]:
    return [f.name for f in folder.iterdir() if f.is_file() and needle.encode() in f.read_bytes()]


def test_purge_leaves_no_trace_on_disk(engine, tmp_path):
    secret, number = "qzxwithheldterm", "비공개번호-77341"
    engine.write([doc(f"R{i}", body=f"공개 문서 {i}", exact=[f"public-{i}"]) for i in range(30)]
                 + [doc("S", body=f"공개 문서 {secret}", exact=[number], department="qzxdeptwithheld")])
    engine.write([doc(f"T{i}", body="다른 문서") for i in range(5)])  # a second segment
    folder = (tmp_path / "search-tantivy").resolve()
    searcher = tantivy.Index.open(str(folder)).searcher()
    assert searcher.doc_freq("body", secret) == 1 and secret in engine.lexicon()
    # the control: a fast field's dictionary holds its values as written; the term dictionary (an FST)
    # and the doc store (compressed) do not, so the term lookups below are the test for those
    assert _files_holding(folder, "qzxdeptwithheld")
    engine.write([doc("S", body="공개 문서")], purge=True)  # withheld: the text goes
    folder = (tmp_path / "search-tantivy").resolve()
    searcher = tantivy.Index.open(str(folder)).searcher()
    assert ids(ask(engine, secret)) == [] and ask(engine, "문서").total == 36
    assert searcher.doc_freq("body", secret) == 0  # counts deleted documents until a merge
    assert searcher.terms_with_prefix("body", "qzx") == []
    assert searcher.doc_freq("exact", number) == 0
    assert secret not in engine.lexicon()
    assert _files_holding(folder, secret) == [] and _files_holding(folder, number) == []
    assert _files_holding(folder, "qzxdeptwithheld") == []
    assert holding_deletions(folder) == {}
    assert sorted(engine.indexed()) == sorted([f"R{i}" for i in range(30)] + [f"T{i}" for i in range(5)] + ["S"])
    # a second purge after the fillers: still exact, and the fillers are not records
    engine.write([], remove=["R0"], purge=True)
    assert ask(engine).total == 35 and "R0" not in engine.indexed()
    assert holding_deletions((tmp_path / "search-tantivy").resolve()) == {}


@pytest.mark.slow
def test_purge_on_a_segment_above_the_merge_policys_smallest_level(engine, tmp_path):
    engine.rebuild([doc("S", body="qzxfirstsecret")] + [doc(f"R{i:05d}", body="공개") for i in range(12_000)])
    engine.write([], remove=["S"], purge=True)  # segments below the smallest level: merged into one
    folder = (tmp_path / "search-tantivy").resolve()
    assert max(s["max_doc"] for s in _meta(folder)["segments"]) > MERGE_MIN_LAYER
    engine.write([doc("T", body="qzxsecondsecret")])
    engine.write([], remove=["R00001", "T"], purge=True)  # one above it: fillers as large as it
    assert holding_deletions(folder) == {}
    searcher = tantivy.Index.open(str(folder)).searcher()
    assert searcher.doc_freq("body", "qzxsecondsecret") == 0 and searcher.doc_freq("body", "qzxfirstsecret") == 0
    assert ask(engine).total == 11_999 and len(engine.indexed()) == 11_999


def test_rebuild_swaps_and_readers_keep_working(engine, tmp_path):
    engine.write([doc("OLD", body="옛 글")])
    before = engine.generation()
    old_folder = (tmp_path / "search-tantivy").resolve()
    searcher, schema, _ = TantivyEngine(tmp_path)._reader()  # a search under way in another process
    assert engine.rebuild([doc("NEW", body="새 글")], progress=lambda n: None) == 1
    assert engine.generation() != before
    assert ids(ask(engine, "새")) == ["NEW"] and ids(ask(engine, "옛")) == []
    assert old_folder.exists()  # kept one more generation
    other = TantivyEngine(tmp_path)  # another process's reader
    assert ids(ask(other)) == ["NEW"]
    engine.rebuild([doc("THIRD", body="셋째 글")])
    assert not old_folder.exists()
    found = searcher.search(tantivy.Query.term_query(schema, "body", "옛"), 5).hits  # its files are unlinked, not gone
    assert [searcher.doc(address).get_first("id") for _, address in found] == ["OLD"]
    assert ids(ask(other)) == ["THIRD"]
    assert len(list(tmp_path.glob("tantivy-*"))) == 2


def test_a_failed_rebuild_leaves_the_index(engine, tmp_path):
    engine.write([doc("A", body="글")])

    def broken():
        yield doc("B", body="글")
        raise OSError("disk")

    with pytest.raises(OSError):
        engine.rebuild(broken())
    assert ids(ask(engine)) == ["A"] and len(list(tmp_path.glob("tantivy-*"))) == 1


def test_generation_moves_on_every_commit(engine, tmp_path):
    g0 = engine.generation()
    engine.write([doc("A")])
    g1 = engine.generation()
    engine.write([], remove=["A"])
    g2 = engine.generation()
    assert len({g0, g1, g2}) == 3
    reader = TantivyEngine(tmp_path)
    assert reader.generation() == g2
    engine.write([doc("B")])
    assert ids(ask(reader)) == ["B"]  # another engine sees the commit at its next request


def test_two_threads_search_at_once(engine):
    rnd = random.Random(3)
    words = "위원회 공개 기록 협치 계획 시민 참여 예산 정책 보고 회의 결과".split()
    engine.write([doc(f"R{i}", body=" ".join(rnd.choice(words) for _ in range(50))) for i in range(300)])
    expected = {q: ids(ask(engine, q)) for q in words}
    errors = []

    def run():
        try:
            for _ in range(20):
                for q in words:
                    assert ids(ask(engine, q)) == expected[q]
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    engine.write([doc("LATE", body="나중")])  # a commit while they search
    for t in threads:
        t.join()
    assert errors == []


def test_more_like_excludes_itself(engine):
    engine.write([doc("A", body="하천 정비 사업 예산 하천 정비 계획"), doc("B", body="하천 정비 사업 추진"),
                  doc("C", body="도서관 운영 위원회"), doc("D", body="하천 정비 예산")])
    found = [rid for rid, _ in engine.more_like("A", "하천 정비 사업 예산 하천 정비 계획", 5)]
    assert "A" not in found and found and set(found) <= {"B", "D"}
    assert engine.more_like("A", "", 5) == []


def test_is_current_false_for_a_folder_with_other_fields(engine, tmp_path):
    engine.write([doc("A")])
    assert engine.is_current()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True)
    sb.add_text_field("body")
    folder = tmp_path / "tantivy-1-1"
    folder.mkdir()
    tantivy.Index(sb.build(), path=str(folder))
    os.replace(_link_to(tmp_path, folder), tmp_path / "search-tantivy")
    assert not engine.is_current()
    engine.rebuild([doc("A")])
    assert engine.is_current()


def _link_to(tmp_path: Path, folder: Path) -> Path:
    tmp = tmp_path / ".link"
    tmp.symlink_to(folder.name)
    return tmp


def test_schema_fields_named_once():
    assert len(FIELDS) == len(set(FIELDS))


def test_prefix_expansion_is_bounded(engine, monkeypatch):
    import index.tantivy_search as te

    engine.write([doc("A", body="시민 시장 시청 시설 시행 시간")])
    monkeypatch.setattr(te, "MAX_EXPANDED", 3)
    with pytest.raises(lang.QueryRefused):
        ask(engine, "시")
    monkeypatch.setattr(te, "MAX_EXPANDED", 20)
    assert ids(ask(engine, "시")) == ["A"]
