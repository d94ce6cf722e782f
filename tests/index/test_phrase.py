"""Adjacent: the phrase query every search uses, against Whoosh's own Phrase."""

import random

import pytest
from whoosh import query as Q
from whoosh.filedb.filestore import RamStorage

from index.analysis import terms
from index.whoosh_query import Adjacent
from index.whoosh_schema import make_schema

from .work import Lines, WorkExceeded


def ram_index(bodies: list[str]):
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        for i, body in enumerate(bodies):
            writer.add_document(id=str(i), title=body[:40], body=body)
    return ix


def found(searcher, query) -> dict[int, float]:
    return {hit.docnum: round(hit.score, 9) for hit in searcher.search(query, limit=None)}


@pytest.mark.slow
@pytest.mark.parametrize("one_by_one", [0, 32, 10**9])  # the scan always, as shipped, never
def test_same_documents_and_scores_as_whooshs_phrase(monkeypatch, one_by_one):
    monkeypatch.setattr("index.whoosh_query._CHECKED_ONE_BY_ONE", one_by_one)
    # three syllables, so that words repeat and phrases overlap themselves (가가가나, 가나가나)
    rnd = random.Random(5)
    bodies = ["".join(rnd.choice("가나다 ") for _ in range(rnd.randint(5, 400))) for _ in range(60)]
    ix = ram_index(bodies)
    with ix.searcher() as searcher:
        checked = 0
        for _ in range(120):
            body = rnd.choice(bodies)
            start = rnd.randrange(len(body))
            words = terms(body[start : start + rnd.randint(2, 14)])
            if len(words) < 2:
                continue
            if rnd.random() < 0.3:
                words[rnd.randrange(len(words))] = rnd.choice(["가가", "나나", "가나", "나가", "다가"])
            for field in ("body", "title"):
                assert found(searcher, Adjacent(field, words)) == found(searcher, Q.Phrase(field, words)), words
                checked += 1
        assert checked > 150


def test_phrases_that_overlap_themselves():
    ix = ram_index(["가가가나", "가나가나다", "가가가 나", "나가가", "가나다가나", "가가 가 나"])
    with ix.searcher() as searcher:
        def ids(text):
            return sorted(searcher.stored_fields(n)["id"] for n in found(searcher, Adjacent("body", terms(text))))

        # a bridge bigram joins 가 나 across the space; a lone 가 between spaces is a unigram
        assert ids("가가가나") == ["0", "2"]
        assert ids("가나가나다") == ["1"]
        assert ids("가나다가나") == ["4"]
        assert ids("가가가가") == []


def test_a_long_phrase_against_a_long_run_is_linear():
    # 100 bigrams of one syllable against a 5000-syllable run: Whoosh's SpanNear2 rescans the
    # growing span at every word (5000 * 100 * 100 / 2 steps); Adjacent reads each place once
    ix = ram_index(["가" * 5000 + " 끝", "가나다"])
    words = ["가가"] * 100
    with ix.searcher() as searcher:
        with Lines(BOUND) as lines:
            assert list(found(searcher, Adjacent("body", words))) == [0]
        print(f"Adjacent: {lines.lines} lines")
        with pytest.raises(WorkExceeded), Lines(BOUND):
            found(searcher, Q.Phrase("body", words))  # the bound is one Whoosh's phrase breaks


BOUND = 200_000


def test_no_slop():
    with pytest.raises(ValueError):
        Adjacent("body", ["가나", "나다"], slop=3)
