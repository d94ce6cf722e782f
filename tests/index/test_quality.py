"""Search quality: recall@10 and MRR over the quality set; fails below recall@10 0.95."""

import pytest

from index.engine import SearchRequest
from tests.builders import batch, record
from tests.index.conftest import ingested

from .quality_data import QUERIES, RECORDS

RECALL_FLOOR = 0.95


def search(searcher, req):
    return searcher(req)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, engine_name):
    tmp = tmp_path_factory.mktemp(f"quality-{engine_name}")
    root = batch(tmp / "batch", *[
        (record(id=rid, title=title, doc_number=number, agency="품질시", produced=f"2024-01-{i % 28 + 1:02d}"),
         {"본문.txt": body})
        for i, (rid, title, number, body) in enumerate(RECORDS)
    ])
    found = ingested(tmp / "store", engine_name, root)
    assert len(found.ids("", page_size=len(RECORDS) + 5)) == len(RECORDS)
    return found


def test_quality_set_is_large_enough():
    assert len(QUERIES) >= 60


def test_recall_at_10_and_mrr(searcher, capsys):
    recalls, reciprocal_ranks, misses = [], [], []
    for query, expected, _ in QUERIES:
        found = [h["id"] for h in search(searcher, SearchRequest(q=query, page_size=10))["results"]]
        recalls.append(len(expected & set(found)) / len(expected))
        rank = next((i for i, rid in enumerate(found, 1) if rid in expected), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if recalls[-1] < 1:
            misses.append((query, sorted(expected - set(found))))
    recall, mrr = sum(recalls) / len(recalls), sum(reciprocal_ranks) / len(reciprocal_ranks)
    with capsys.disabled():
        print(f"\n{searcher.engine.name}: quality set: {len(QUERIES)} queries, recall@10 {recall:.3f}, "
              f"MRR {mrr:.3f}; misses {misses}")
    assert recall >= RECALL_FLOOR, misses


@pytest.mark.parametrize("query, first", [(q, f) for q, _, f in QUERIES if f])
def test_exact_numbers_and_titles_rank_first(searcher, query, first):
    assert search(searcher, SearchRequest(q=query))["results"][0]["id"] == first


def test_precision_where_substring_search_would_mislead(searcher):
    found = [h["id"] for h in search(searcher, SearchRequest(q="권고안"))["results"]]
    assert "Q24" not in found  # "고안하여 권고" holds 고안 and 권고, not 권고안
