"""The tantivy engine alone at scale: build rate, size and query times at 1,000,000 records.

    .venv/bin/python bench/index_scale.py --records 1000000 [--tmp /work]

`bench/search.py` measures the portal end to end (store, HTTP, snippets), but at a million records
its store, the FTS5 table and the index together need some 60 GB and hours here. This one feeds
the same generated corpus (bench/search.py's Corpus: Zipf vocabulary, 2-20 KB a record) straight
into `TantivyEngine.rebuild` (the index documents the portal builds, minus the store's reading),
then times `engine.search` in process for bench/search.py's query classes, the worst shapes among
them (count, facets and the page, no snippets or store reads: what the engine costs). It says
what `reindex` of a million would cost here, and how common words scale from 100,000.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import CLASSES, Corpus, queries  # noqa: E402
from index import lang  # noqa: E402
from index.engine import SearchRequest  # noqa: E402
from index.tantivy_engine import TantivyEngine  # noqa: E402


def documents(corpus: Corpus):
    for r in corpus.records():
        yield {"id": r["id"], "version": 1, "title": r["title"], "numbers": f"{r['id']} {r['doc_number']}",
               "exact": [r["id"].lower(), r["doc_number"].lower()], "summary": "", "body": r["body"],
               "names": "본문.txt", "agency": r["agency"], "department": r["department"], "kind": r["kind"],
               "classification": [], "classification_text": "", "produced": r["produced"],
               "year": r["produced"][:4], "level": "public", "grounds": [], "licences": ["KOGL-1"]}


def request(item: dict) -> SearchRequest:
    p = item["params"]
    return SearchRequest(q=item["q"], page=int(p.get("page", 1)), page_size=20, sort=p.get("sort", "relevance"),
                         filters={"kind": p["kind"]} if "kind" in p else {}, date_from=p.get("from"),
                         date_to=p.get("to"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10, help="queries per class")
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="yeollam-scale-", dir=args.tmp))
    try:
        corpus = Corpus(args.records)
        engine = TantivyEngine(tmp)
        start = time.monotonic()
        n = engine.rebuild(documents(corpus), progress=None)
        took = time.monotonic() - start
        size = sum(f.stat().st_size for f in (tmp / "search-tantivy").resolve().rglob("*") if f.is_file())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"build: {n:,} documents in {took:.0f} s = {n / took:,.0f} documents/s (the corpus generated "
              f"as it goes), {size / 2**30:.1f} GiB on disk, peak RSS {peak:,.0f} MB", flush=True)
        asked = queries(Corpus(args.records), args.queries)
        print(f"\nengine.search in process at {n:,} documents: p50 / p95 / max ms (mean total)")
        every = []
        for name, _ in CLASSES:
            times, totals = [], []
            for item in asked[name]:
                req = request(item)
                tree = lang.parse(req.q)
                t0 = time.perf_counter()
                found = engine.search(tree, req)
                times.append((time.perf_counter() - t0) * 1000)
                totals.append(found.total)
            every += times
            if times:
                p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
                print(f"{name:18s} {statistics.median(times):7.1f} / {p95:7.1f} / {max(times):7.1f}"
                      f"  ({statistics.mean(totals):,.0f})", flush=True)
        p95 = statistics.quantiles(every, n=20, method="inclusive")[-1]
        print(f"{'ALL':18s} {statistics.median(every):7.1f} / {p95:7.1f} / {max(every):7.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
