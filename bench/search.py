"""Search benchmark: Whoosh (through the portal's HTTP API) against SQLite FTS5, same corpus.

    .venv/bin/python bench/search.py --records 10000 [--records 100000] [--queries 40]
    .venv/bin/python bench/search.py --ingest 1000      # end-to-end ingest rate only

Generates N Korean records (titles of 4-9 words, bodies of 2-20 KB, words drawn from a
Zipf-distributed vocabulary of generated Hangul words), builds the Whoosh index the way
`reindex` does and an FTS5 table on the same texts, then times, per query type, p50 and
p95 of: Whoosh end to end through GET /api/search (top 10, total, facets, snippets) and
FTS5 (top 10 by bm25 and the total count). Prints index build rate and size, record-page
render time, and the ratio Whoosh/FTS5. Everything stays under a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = [chr(c) for c in range(0xAC00, 0xD7A4, 37)]  # a spread of Hangul syllables
AGENCIES = ["서울특별시", "부산광역시", "경기도", "행정안전부", "환경부", "국토교통부", "교육부", "보건복지부"]
KINDS = ["결재문서", "회의록", "보고서", "보도자료", "공문"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4)))))
    return sorted(words)


class Corpus:
    def __init__(self, n: int, seed: int = 7):
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng, 30000)
        weights = [1 / (rank + 1) for rank in range(len(self.vocab))]  # Zipf, s = 1
        self.cum = list(_accumulate(weights))
        self.n = n

    def words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=k)

    def date(self) -> str:
        year, month, day = self.rng.randint(2010, 2025), self.rng.randint(1, 12), self.rng.randint(1, 28)
        return f"{year}-{month:02d}-{day:02d}"

    def records(self):
        for i in range(self.n):
            size = self.rng.randint(2000, 20000)  # bytes of UTF-8: ~3 per syllable
            body_words = self.words(max(20, size // 10))
            body = " ".join(body_words)
            yield {
                "id": f"B{i:07d}", "title": " ".join(self.words(self.rng.randint(4, 9))),
                "agency": self.rng.choice(AGENCIES), "kind": self.rng.choice(KINDS),
                "produced": self.date(),
                "doc_number": f"과-{i}", "body": body,
            }


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def build_whoosh(data_dir: Path, corpus: Corpus) -> tuple[float, int]:
    """Index the corpus with the portal's schema and analyzer; return (seconds, bytes)."""
    from whoosh import index as whoosh_index

    from index.indexer import _fresh_folder, _swap_in

    data_dir.mkdir(parents=True, exist_ok=True)
    folder = _fresh_folder(data_dir)
    ix = whoosh_index.open_dir(str(folder))
    start = time.perf_counter()
    writer = ix.writer(procs=2, multisegment=True, limitmb=256)
    for r in corpus.records():
        writer.add_document(
            id=r["id"], title=r["title"], numbers=f"{r['id']} {r['doc_number']}",
            exact=f"{r['id'].lower()},{r['doc_number']}", summary="", body=r["body"],
            body_sources=[(1, "본문.txt", 0, len(r["body"]))], names="본문.txt", agency=r["agency"],
            department="", kind=r["kind"], classification="", produced=r["produced"],
            year=r["produced"][:4], level="public", grounds="", licences="KOGL-1",
        )
    writer.commit()
    seconds = time.perf_counter() - start
    ix.close()
    _swap_in(data_dir, folder)
    size = sum(p.stat().st_size for p in folder.iterdir())
    return seconds, size


def build_fts5(path: Path, corpus: Corpus) -> tuple[float, int]:
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, agency UNINDEXED, "
               "produced UNINDEXED, tokenize='unicode61')")
    start = time.perf_counter()
    with db:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                       ((r["id"], r["title"], r["body"], r["agency"], r["produced"]) for r in corpus.records()))
    seconds = time.perf_counter() - start
    db.close()
    return seconds, path.stat().st_size


def queries(corpus: Corpus, count: int) -> dict[str, list[tuple[str, str, dict]]]:
    """Return {type: [(whoosh q, fts5 match, extra params)]}; words from the head and middle of the Zipf curve."""
    rng = random.Random(11)
    common = corpus.vocab[:200]
    mid = corpus.vocab[200:3000]
    out: dict[str, list] = {"one word": [], "two words": [], "phrase": [], "filtered": [], "facets+highlight": []}
    for _ in range(count):
        a = rng.choice(mid)
        c = rng.choice(common)
        out["one word"].append((a, f'"{a}"', {}))
        out["two words"].append((f"{a} {c}", f'"{a}" AND "{c}"', {}))
        out["phrase"].append((f'"{c} {rng.choice(common)}"', None, {}))
        agency = rng.choice(AGENCIES)
        out["filtered"].append((f"{a} agency:{agency}", f'"{a}" AND agency:"{agency}"', {}))
        out["facets+highlight"].append((c, f'"{c}"', {}))
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(n: int, count: int, keep: Path | None) -> None:
    from app import create_app
    from index.search import _results

    tmp = Path(tempfile.mkdtemp(prefix="yeollam-bench-"))
    try:
        corpus = Corpus(n)
        w_secs, w_size = build_whoosh(tmp / "store", Corpus(n))
        f_secs, f_size = build_fts5(tmp / "fts.sqlite3", Corpus(n))
        print(f"\n== {n:,} records (bodies 2-20 KB) ==")
        print(f"build: Whoosh {n / w_secs:,.0f} records/s ({w_secs:.0f} s, procs=2), {w_size / 1e6:,.0f} MB; "
              f"FTS5 {n / f_secs:,.0f} records/s ({f_secs:.0f} s), {f_size / 1e6:,.0f} MB")
        app = create_app({"DATA_DIR": str(tmp / "store"), "SECRET_KEY": "bench" * 8, "TESTING": True})
        client = app.test_client()
        fts = sqlite3.connect(tmp / "fts.sqlite3")
        client.get("/api/search?q=warmup")
        print(f"{'query':<17} {'Whoosh p50':>10} {'p95':>7} {'FTS5 p50':>9} {'p95':>7} {'p95 ratio':>9}")
        for kind, items in queries(corpus, count).items():
            w_times, f_times = [], []
            for q, match, _ in items:
                _results.clear()  # measure the search, not the per-generation result cache
                w_times.append(timed(lambda q=q: client.get("/api/search", query_string={"q": q})))
                if match is None:  # FTS5: a phrase is a quoted string
                    match = '"' + q.strip('"') + '"'
                if kind == "filtered":
                    word, agency = q.split(" agency:")
                    sql = ("SELECT id FROM docs WHERE docs MATCH ? AND agency = ? ORDER BY bm25(docs) LIMIT 10",
                           "SELECT count(*) FROM docs WHERE docs MATCH ? AND agency = ?", (f'"{word}"', agency))
                else:
                    sql = ("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
                           "SELECT count(*) FROM docs WHERE docs MATCH ?", (match,))
                f_times.append(timed(lambda sql=sql: (fts.execute(sql[0], sql[2]).fetchall(),
                                                      fts.execute(sql[1], sql[2]).fetchone())))
            print(f"{kind:<17} {pct(w_times, 50):>10.0f} {pct(w_times, 95):>7.0f} {pct(f_times, 50):>9.1f} "
                  f"{pct(f_times, 95):>7.1f} {pct(w_times, 95) / max(pct(f_times, 95), 0.01):>8.1f}x")
        # Record page: the portal's page over a real stored record is measured by --ingest runs;
        # here the search page HTML, the heaviest page, end to end.
        html = []
        for word in corpus.vocab[300:320]:
            _results.clear()
            html.append(timed(lambda word=word: client.get("/search", query_string={"q": word})))
        cached = [timed(lambda: client.get("/search", query_string={"q": corpus.vocab[300]})) for _ in range(20)]
        print(f"search page HTML: p50 {pct(html, 50):.0f} ms uncached, {pct(cached, 50):.1f} ms from the result cache")
        if keep:
            shutil.copytree(tmp / "store", keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ingest_rate(n: int) -> None:
    """End-to-end ingest (validate, store, extract in a child, index) of n text records."""
    from app import create_app
    from tools.docmaker import write_record

    tmp = Path(tempfile.mkdtemp(prefix="yeollam-ingest-"))
    try:
        corpus = Corpus(n)
        for r in corpus.records():
            write_record(tmp / "batch" / r["id"], {
                "id": r["id"], "title": r["title"], "agency": r["agency"], "produced": r["produced"],
                "kind": r["kind"], "doc_number": r["doc_number"],
                "attachments": [{"file": "본문.txt", "disclosure": "public"}]}, {"본문.txt": r["body"]})
        app = create_app({"DATA_DIR": str(tmp / "store"), "SECRET_KEY": "bench" * 8, "TESTING": True})
        start = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["ingest", str(tmp / "batch")])
        seconds = time.perf_counter() - start
        assert result.exit_code == 0, result.output[-500:]
        client = app.test_client()
        ids = [f"B{i:07d}" for i in range(0, min(n, 200), 5)]
        page = [timed(lambda rid=rid: client.get(f"/records/{rid}")) for rid in ids]
        api = [timed(lambda rid=rid: client.get(f"/api/records/{rid}")) for rid in ids]
        print(f"\ningest: {n:,} text records in {seconds:.1f} s = {n / seconds:,.0f} records/s end to end")
        print(f"record page: HTML p50 {pct(page, 50):.1f} ms, p95 {pct(page, 95):.1f} ms; "
              f"JSON p50 {pct(api, 50):.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, action="append", default=[])
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--ingest", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="copy the Whoosh store here (for profiling)")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}")
    if args.ingest:
        ingest_rate(args.ingest)
    for n in args.records or ([] if args.ingest else [10000]):
        run(n, args.queries, args.keep)


if __name__ == "__main__":
    main()
