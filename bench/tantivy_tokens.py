"""Tantivy engine benchmark: indexing pre-tokenized (index.analysis) against tantivy's own tokenizer,
then search timings, the counting pass, reader reloads, two threads and a purge.

    .venv/bin/python bench/tantivy_tokens.py --records 3000 [--queries 30] [--body-bytes 2000-8000]

Generates N Korean index documents (index.documents' shape; words from a Zipf-distributed vocabulary
of generated Hangul words, a few Latin words and numbers), rebuilds a TantivyEngine over them and
prints docs/s; indexes the same texts with tantivy's ngram(2,2) tokenizer (the nearest native one)
and prints docs/s and how many of index.analysis's terms it yields. Then p50/p95 of
TantivyEngine.search for common words, rare words, two words, long phrases, a lone syllable,
browsing and a filter. Everything stays under a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tantivy  # noqa: E402

from index import lang  # noqa: E402
from index.analysis import pieces  # noqa: E402
from index.engine import SearchRequest  # noqa: E402
from index.tantivy_engine import TantivyEngine, make_schema  # noqa: E402
from index.tantivy_search import everything  # noqa: E402

SYLLABLES = [chr(c) for c in range(0xAC00, 0xD7A4, 37)]
AGENCIES = ["서울특별시", "부산광역시", "경기도", "행정안전부", "환경부", "국토교통부", "교육부", "보건복지부"]
DEPARTMENTS = [f"{a}과" for a in ("기획", "총무", "예산", "감사", "복지", "환경", "도시", "교통")] + [""]
KINDS = ["결재문서", "회의록", "보고서", "보도자료", "공문"]
LATIN = ["covid", "2019", "ict", "smart", "city", "data", "plan", "iso"]


class Corpus:
    def __init__(self, n: int, body: tuple[int, int], seed: int = 7):
        self.rng = random.Random(seed)
        words = set()
        while len(words) < 30000:
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((2, 2, 3, 3, 3, 4)))))
        self.vocab = sorted(words)
        self.rng.shuffle(self.vocab)  # rank 0 the most common
        total, self.cum = 0.0, []
        for rank in range(len(self.vocab)):
            total += 1 / (rank + 1)
            self.cum.append(total)
        self.n, self.body = n, body

    def words(self, k: int) -> list[str]:
        out = self.rng.choices(self.vocab, cum_weights=self.cum, k=k)
        return [self.rng.choice(LATIN) if self.rng.random() < 0.02 else w for w in out]

    def documents(self):
        for i in range(self.n):
            size = self.rng.randint(*self.body)
            produced = f"{self.rng.randint(2010, 2025)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
            rid = f"B{i:07d}"
            yield {
                "id": rid, "version": 1, "title": " ".join(self.words(self.rng.randint(4, 9))),
                "numbers": f"{rid} 과-{i}", "exact": [rid.lower(), f"과-{i}"],
                "summary": " ".join(self.words(20)), "body": " ".join(self.words(max(20, size // 10))),
                "names": f"{' '.join(self.words(2))}.hwp", "agency": self.rng.choice(AGENCIES),
                "department": self.rng.choice(DEPARTMENTS), "kind": self.rng.choice(KINDS),
                "classification": ["행정", "행정/일반"], "classification_text": "행정 일반",
                "produced": produced, "year": produced[:4],
                "level": self.rng.choice(["공개", "부분공개"]),
                "grounds": sorted(self.rng.sample(["1", "2", "5", "6"], self.rng.randint(0, 2))),
                "licences": ["KOGL-1"],
            }


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def index_native(folder: Path, documents: list[dict]) -> float:
    """The same texts with tantivy's ngram(2,2) + lowercase tokenizer, tokenized in Rust."""
    folder.mkdir(parents=True)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in lang.TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="bigram", index_option="position")
    index = tantivy.Index(sb.build(), path=str(folder))
    index.register_tokenizer("bigram", _native())
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    t0 = time.perf_counter()
    for doc in documents:
        out = tantivy.Document()
        out.add_text("id", doc["id"])
        for name in lang.TEXT_FIELDS:
            if doc[name]:
                out.add_text(name, doc[name])
        writer.add_document(out)
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - t0


def _native():
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(2, 2)).filter(tantivy.Filter.lowercase()).build()


def agreement(documents: list[dict]) -> tuple[float, float]:
    """Share of index.analysis's terms the native tokenizer yields, and of its terms that are ours."""
    native = _native()
    ours, theirs = set(), set()
    for doc in documents[:50]:
        ours |= {t for t, _, _ in pieces(doc["body"])}
        theirs |= set(native.analyze(doc["body"]))
    return len(ours & theirs) / len(ours), len(ours & theirs) / len(theirs)


def timings(engine: TantivyEngine, queries: list[str], **kw) -> tuple[float, float]:
    times = []
    for q in queries:
        tree = lang.parse(q)
        t0 = time.perf_counter()
        engine.search(tree, SearchRequest(q=q, **kw))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1 if len(times) > 1 else 0]


def query_sets(corpus: Corpus, docs: list[dict], n: int) -> dict[str, list[str]]:
    rng = random.Random(11)
    common = corpus.vocab[:n]
    rare = [rng.choice(corpus.vocab[5000:]) for _ in range(n)]

    def phrase(k):
        words = rng.choice(docs)["body"].split()
        at = rng.randrange(0, max(1, len(words) - k))
        return '"' + " ".join(words[at:at + k]) + '"'

    return {
        "common word": common,
        "rare word": rare,
        "two common words": [f"{a} {b}" for a, b in zip(common, reversed(common), strict=True)],
        "long phrase (8 words)": [phrase(8) for _ in range(n)],
        "long phrase (20 words)": [phrase(20) for _ in range(n)],
        "lone syllable": [w[0] for w in common],
        "common OR rare -common": [f"{a} OR {b} -{c}" for a, b, c in zip(common, rare, common[1:] + common[:1],
                                                                          strict=True)],
        "exact number": [d["id"] for d in rng.sample(docs, n)],
    }


def count_pass(engine: TantivyEngine, corpus: Corpus) -> None:
    from index.engine import FACETS

    searcher, _, _ = engine._reader()
    schema = make_schema()
    query = tantivy.Query.term_query(schema, "body", next(t for t, _, _ in pieces(corpus.vocab[0])))
    aggs = {name: {"terms": {"field": name, "size": 100_000}} for name in FACETS}
    with_total = dict(aggs, _total={"value_count": {"field": "version"}})

    def best(fn, k=20):
        out = []
        for _ in range(k):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
        return min(out)

    print(f"  one aggregation (count + 7 facets): {best(lambda: searcher.aggregate(query, with_total)):.2f} ms; "
          f"search(count) + aggregation: "
          f"{best(lambda: (searcher.search(query, 1, count=True), searcher.aggregate(query, aggs))):.2f} ms; "
          f"top 20 without count: {best(lambda: searcher.search(query, 20, count=False)):.2f} ms")
    print(f"  every record: all_query count {best(lambda: searcher.search(tantivy.Query.all_query(), 1)):.2f} ms, "
          f"exists(version) count {best(lambda: searcher.search(everything(), 1)):.2f} ms")


def reload_costs(engine: TantivyEngine, folder: Path) -> None:
    def best(fn, k=50):
        out = []
        for _ in range(k):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1e6)
        return min(out)

    meta = best(lambda: json.loads((folder / "meta.json").read_text()))
    held = engine._held
    reload = best(held.index.reload)
    fresh = best(lambda: tantivy.Index.open(str(folder)).searcher(), k=10)
    print(f"  per request: meta.json read {meta:.0f} us; on a commit: Index.reload {reload:.0f} us; "
          f"a fresh Index.open + searcher {fresh:.0f} us")


def two_threads(engine: TantivyEngine, queries: list[str]) -> None:
    trees = [(lang.parse(q), SearchRequest(q=q)) for q in queries]

    def run():
        for tree, req in trees:
            engine.search(tree, req)

    t0 = time.perf_counter()
    run()
    run()
    sequential = time.perf_counter() - t0
    threads = [threading.Thread(target=run) for _ in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = time.perf_counter() - t0
    print(f"  {2 * len(trees)} searches: sequential {sequential:.2f} s, two threads {parallel:.2f} s "
          f"(speed-up {sequential / parallel:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--body-bytes", default="2000-8000")
    args = parser.parse_args()
    low, high = (int(x) for x in args.body_bytes.split("-"))
    corpus = Corpus(args.records, (low, high))
    docs = list(corpus.documents())
    chars = sum(len(d["body"]) + len(d["title"]) + len(d["summary"]) for d in docs)
    tmp = Path(tempfile.mkdtemp(prefix="bench-tantivy-"))
    try:
        engine = TantivyEngine(tmp / "data")
        t0 = time.perf_counter()
        engine.rebuild(docs)
        ours = time.perf_counter() - t0
        folder = (tmp / "data" / "search-tantivy").resolve()
        print(f"{len(docs)} records, {chars / 1e6:.1f} M characters of text")
        print(f"pre-tokenized (index.analysis): {len(docs) / ours:.0f} docs/s, {chars / ours / 1e6:.2f} M chars/s, "
              f"index {folder_bytes(folder) / 1e6:.1f} MB")
        t0 = time.perf_counter()
        for doc in docs:
            for name in lang.TEXT_FIELDS:
                list(pieces(doc[name]))
        tokenize = time.perf_counter() - t0
        print(f"  of which pieces() alone: {tokenize:.1f} s of {ours:.1f} s")
        native = index_native(tmp / "native", docs)
        print(f"native ngram(2,2): {len(docs) / native:.0f} docs/s, index {folder_bytes(tmp / 'native') / 1e6:.1f} MB")
        share_ours, share_theirs = agreement(docs)
        print(f"  native yields {share_ours:.0%} of our terms; {share_theirs:.0%} of its terms are ours "
              f"(it bigrams Latin words and numbers, and has no bridge across a space)")
        print("search (TantivyEngine.search: page of 20, total, 7 facets), ms p50 / p95:")
        for label, queries in query_sets(corpus, docs, args.queries).items():
            p50, p95 = timings(engine, queries)
            print(f"  {label:28s} {p50:7.2f} / {p95:7.2f}")
        p50, p95 = timings(engine, [""] * args.queries)
        print(f"  {'browse (newest first)':28s} {p50:7.2f} / {p95:7.2f}")
        p50, p95 = timings(engine, [""] * args.queries, page=50)
        print(f"  {'browse, page 50':28s} {p50:7.2f} / {p95:7.2f}")
        p50, p95 = timings(engine, corpus.vocab[: args.queries], filters={"agency": "환경부"}, sort="newest")
        print(f"  {'common word, filter, newest':28s} {p50:7.2f} / {p95:7.2f}")
        count_pass(engine, corpus)
        reload_costs(engine, folder)
        two_threads(engine, corpus.vocab[:20])
        t0 = time.perf_counter()
        engine.write([dict(docs[5], body="withheld")], purge=True)
        print(f"purge of one record: {time.perf_counter() - t0:.2f} s; plain write of one record: ", end="")
        t0 = time.perf_counter()
        engine.write([docs[6]])
        print(f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
