"""Search benchmark: tantivy and Whoosh (the portal's engines, end to end) against SQLite FTS5, one run.

    .venv/bin/python bench/search.py --records 10000 [--records 100000] [--queries 20]
    .venv/bin/python bench/search.py --records 100000 --whoosh-max 30000 --gunicorn --withhold
    .venv/bin/python bench/search.py --ingest 1000 [--profile]   # end-to-end `flask ingest` rate

Generates N Korean records (titles of 4-9 words, one text attachment of 2-20 KB, words drawn from
a Zipf-distributed vocabulary of generated Hangul words) and puts them into a real store through
the store's own API (`Store.save`, the call ingest makes, with the real text extractor on each
file; blobs written without fsync and SQLite with synchronous=OFF, 1,000 records a transaction:
the bench's shortcut around the crash-safe path, which `--ingest` measures instead). Then builds
each engine's index as `flask reindex` does (`index.service.rebuild`: the reindex figure) and an
FTS5 table on the same texts, and times per query class p50/p95/max of:

- tantivy and Whoosh end to end through the Flask test client's GET /api/search (top 10 of a page
  of 20 ranked, total, facets, snippets), the portal's result cache cleared before every request;
- tantivy through a real gunicorn (2 workers) on loopback (`--gunicorn`), every query sent once
  (the set holds no query twice, so its result cache never answers);
- FTS5: top 10 by bm25 and the total count (no facets, no snippets: less work than the portal's).

Prints the machine, build rate, index size, peak RSS per phase, the ratios engine/FTS5 of the same
run, and with `--withhold` the time of one withhold (`services.change_disclosure` in process, then
`flask disclose` as a command) including the index erasure. Everything stays under a temporary
folder (`--tmp`), removed at the end. A 100,000 run takes about an hour here (the tantivy rebuild
alone half an hour): while others edit the tree, run it from a copy (`git archive HEAD | tar -x -C
DIR`), or a module changed mid-run stops it at the first import that disagrees.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import json
import os
import platform
import pstats
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

SYLLABLES = [chr(c) for c in range(0xAC00, 0xD7A4, 37)]  # a spread of Hangul syllables
AGENCIES = ["서울특별시", "부산광역시", "경기도", "행정안전부", "환경부", "국토교통부", "교육부", "보건복지부"]
DEPARTMENTS = [f"{w}과" for w in ("총무", "기획", "예산", "자치행정", "교통정책", "환경정책", "복지정책", "문화예술",
                                  "도시계획", "주택정책", "감사", "정보통신")]
KINDS = ["결재문서", "회의록", "보고서", "보도자료", "공문"]
SECRET = "bench-secret-" * 4


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4)))))
    return sorted(words)


class Corpus:
    """N records, the same for the same seed; vocab[k] is the word of Zipf rank k+1."""

    def __init__(self, n: int, seed: int = 7):
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng, 30000)
        self.rng.shuffle(self.vocab)  # rank no longer follows the alphabet
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
            size = self.rng.randint(2000, 20000)  # bytes of UTF-8: ~10 a word (3 a syllable, a space)
            yield {
                "id": f"B{i:07d}", "title": " ".join(self.words(self.rng.randint(4, 9))),
                "agency": self.rng.choice(AGENCIES), "department": self.rng.choice(DEPARTMENTS),
                "kind": self.rng.choice(KINDS), "produced": self.date(), "doc_number": f"과-{i}",
                "body": " ".join(self.words(max(20, size // 10))),
            }


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def record_json(r: dict) -> dict:
    return {"id": r["id"], "title": r["title"], "agency": r["agency"], "department": r["department"],
            "produced": r["produced"], "kind": r["kind"], "doc_number": r["doc_number"],
            "attachments": [{"file": "본문.txt", "disclosure": "public"}]}


# -- measuring --------------------------------------------------------------------------


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def reset_peak() -> None:
    """Reset this process's peak RSS (VmHWM), so that each phase reports its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def du(path: Path) -> int:
    path = Path(path).resolve()
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def _n(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# -- the store and FTS5 -----------------------------------------------------------------


def fill(data_dir: Path, fts_path: Path, corpus: Corpus) -> dict:
    """The corpus into a real store (Store.save, real extraction) and an FTS5 table; the seconds of each."""
    from archive.disclosure import Disclosure
    from archive.ingest import _digest, extraction_row
    from archive.records import Attachment, Record
    from archive.store import Store

    store = Store(data_dir)
    store.db.execute("PRAGMA synchronous=OFF")  # the bench's shortcut; --ingest measures the real path
    fts = sqlite3.connect(fts_path)
    fts.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, agency UNINDEXED, "
                "kind UNINDEXED, produced UNINDEXED, tokenize='unicode61')")
    spool = data_dir / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    t_gen = t_store = t_fts = 0.0
    rows: list[tuple] = []
    records = corpus.records()
    done = 0
    while done < corpus.n:
        t0 = time.perf_counter()
        chunk = [next(records) for _ in range(min(1000, corpus.n - done))]
        t1 = time.perf_counter()
        t_gen += t1 - t0
        with store.transaction():
            for r in chunk:
                data = r["body"].encode("utf-8")
                sha = hashlib.sha256(data).hexdigest()
                target = store.blobs.path(sha)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                att = Attachment(n=1, name="본문.txt", disclosure=Disclosure.PUBLIC, grounds=[], sha256=sha,
                                 size=len(data), media_type="text/plain")
                record = Record(id=r["id"], title=r["title"], agency=r["agency"], produced=r["produced"],
                                kind=r["kind"], department=r["department"], doc_number=r["doc_number"],
                                attachments=[att])
                store.save(record, _digest(record_json(r), [[sha, len(data)]]),
                           {sha: extraction_row(sha, target, "본문.txt")})
                rows.append((r["id"], r["title"], r["body"], r["agency"], r["kind"], r["produced"]))
        t2 = time.perf_counter()
        with fts:
            fts.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        t_fts += time.perf_counter() - t2
        t_store += t2 - t1
        rows.clear()
        done += len(chunk)
    fts.close()
    store.close()
    return {"generate": t_gen, "store": t_store, "fts5": t_fts}


def rebuild(data_dir: Path, engine_name: str) -> tuple[float, float, int]:
    """`index.service.rebuild`, as `flask reindex` calls it: (seconds, peak RSS MB, bytes on disk)."""
    from archive.store import Store
    from index import service
    from index.engine import open_engine

    store = Store(data_dir)
    engine = open_engine(engine_name, data_dir)
    reset_peak()
    start = time.perf_counter()
    service.rebuild(engine, store)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    store.close()
    return seconds, peak, du(data_dir / f"search-{engine_name}")


# -- queries ----------------------------------------------------------------------------

CLASSES = [  # (name, what it is)
    ("one word", "a mid-frequency word (Zipf ranks 200-3000)"),
    ("two words", "a mid word AND a common word (ranks 1-200)"),
    ("phrase", '"common common": two common words as a phrase'),
    ("filtered", "a mid word with agency:"),
    ("facets+highlight", "a common word (ranks 1-200)"),
    ("top word", "the corpus's single most common words (ranks 1-10)"),
    ("top 2-phrase", '"top top": two of the 10 most common words as a phrase'),
    ("top long phrase", '5-8 of the 20 most common words as one phrase'),
    ("many terms", "8-12 words AND, from the 300 most common"),
    ("OR chain", "6-10 common words joined by OR"),
    ("top+date+facet", "a top-10 word, a date range and a kind filter"),
]


def queries(corpus: Corpus, count: int) -> dict[str, list[dict]]:  # noqa: C901 - one branch a class
    """{class: [query]}, a query: q (portal), params (extra /api/search arguments), match and where (FTS5)."""
    rng = random.Random(11)
    v = corpus.vocab
    top, common, mid = v[:10], v[:200], v[200:3000]
    seen: set[tuple] = set()
    out: dict[str, list[dict]] = {name: [] for name, _ in CLASSES}

    def add(name, q, match, params=None, where="", args=()):
        key = (q, tuple(sorted((params or {}).items())))
        if key in seen:
            return False
        seen.add(key)
        out[name].append({"q": q, "params": params or {}, "match": match, "where": where, "args": args})
        return True

    def quoted(words):
        return " ".join(f'"{w}"' for w in words)

    for name, _ in CLASSES:
        tries = 0
        while len(out[name]) < count and tries < count * 50:
            tries += 1
            if name == "one word":
                a = rng.choice(mid)
                add(name, a, f'"{a}"')
            elif name == "two words":
                a, c = rng.choice(mid), rng.choice(common)
                add(name, f"{a} {c}", quoted([a, c]))
            elif name == "phrase":
                words = rng.sample(common, 2)
                add(name, f'"{" ".join(words)}"', f'"{" ".join(words)}"')
            elif name == "filtered":
                a, agency = rng.choice(mid), rng.choice(AGENCIES)
                add(name, f"{a} agency:{agency}", f'"{a}"', where=" AND agency = ?", args=(agency,))
            elif name == "facets+highlight":
                c = rng.choice(common)
                add(name, c, f'"{c}"')
            elif name == "top word":
                c = top[len(out[name]) % len(top)] if len(out[name]) < len(top) else rng.choice(top)
                if not add(name, c, f'"{c}"'):  # the same word again would be a cache hit: with a sort
                    sort = rng.choice(["newest", "oldest"])
                    add(name, c, f'"{c}"', params={"sort": sort, "page": str(rng.randint(2, 5))})
            elif name == "top 2-phrase":
                words = rng.sample(top, 2)
                add(name, f'"{" ".join(words)}"', f'"{" ".join(words)}"')
            elif name == "top long phrase":
                words = [rng.choice(v[:20]) for _ in range(rng.randint(5, 8))]
                add(name, f'"{" ".join(words)}"', f'"{" ".join(words)}"')
            elif name == "many terms":
                words = rng.sample(v[:300], rng.randint(8, 12))
                add(name, " ".join(words), quoted(words))
            elif name == "OR chain":
                words = rng.sample(common, rng.randint(6, 10))
                add(name, " OR ".join(words), " OR ".join(f'"{w}"' for w in words))
            elif name == "top+date+facet":
                c, kind = rng.choice(top), rng.choice(KINDS)
                lo = rng.randint(2010, 2022)
                hi = lo + rng.randint(0, 3)
                date_from, date_to = f"{lo}-01-01", f"{hi}-12-31"
                add(name, c, f'"{c}"', params={"from": date_from, "to": date_to, "kind": kind},
                    where=" AND produced BETWEEN ? AND ? AND kind = ?", args=(date_from, date_to, kind))
    return out


def fts5_query(fts: sqlite3.Connection, item: dict) -> int:
    args = (item["match"], *item["args"])
    fts.execute(f"SELECT id FROM docs WHERE docs MATCH ?{item['where']} ORDER BY bm25(docs) LIMIT 10",
                args).fetchall()
    return fts.execute(f"SELECT count(*) FROM docs WHERE docs MATCH ?{item['where']}", args).fetchone()[0]


def api_params(item: dict) -> dict:
    return {"q": item["q"], **item["params"]}


class Through:
    """GET /api/search through the Flask test client, the result cache cleared first."""

    def __init__(self, data_dir: Path, engine: str):
        from app import create_app
        from index import service

        self.cache = service._results
        self.app = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": SECRET, "TESTING": True,
                               "SEARCH_ENGINE": engine})
        self.client = self.app.test_client()

    def get(self, item: dict) -> dict:
        self.cache.clear()
        response = self.client.get("/api/search", query_string=api_params(item))
        assert response.status_code == 200, (item, response.status_code, response.get_data(as_text=True)[:300])
        return response.get_json()


class Gunicorn:
    """2 gunicorn workers over the store on loopback; one keep-alive-less GET per query."""

    def __init__(self, data_dir: Path, engine: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SEARCH_ENGINE": engine,
               "ARCHIVE_SECRET_KEY": SECRET}
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                                      "--timeout", "120", "app:create_app()"], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                self._get("/api/search?q=")
                break
            except OSError:
                time.sleep(0.3)
        else:
            self.close()
            raise RuntimeError("gunicorn did not start")

    def _get(self, path: str) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (path, response.status)
            return json.loads(body)
        finally:
            conn.close()

    def get(self, item: dict) -> dict:
        return self._get("/api/search?" + urllib.parse.urlencode(api_params(item)))

    def workers_rss(self) -> float:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return max((peak_mb(pid) for pid in children), default=float("nan"))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def time_engine(through, items_by_class: dict[str, list[dict]], warm: list[dict]) -> dict[str, dict]:
    for item in warm:
        through.get(item)
    out = {}
    for name, items in items_by_class.items():
        times, totals, partial = [], [], 0
        for item in items:
            box: dict = {}
            times.append(timed(lambda item=item, box=box: box.update(through.get(item))))
            totals.append(box["total"])
            partial += bool(box.get("partial"))
        out[name] = {"times": times, "total": sum(totals) / len(totals), "partial": partial}
    return out


def time_fts5(fts_path: Path, items_by_class: dict[str, list[dict]]) -> dict[str, dict]:
    fts = sqlite3.connect(fts_path)
    fts5_query(fts, items_by_class["one word"][0])
    out = {}
    for name, items in items_by_class.items():
        times, totals = [], []
        for item in items:
            box: list = []
            times.append(timed(lambda item=item, box=box: box.append(fts5_query(fts, item))))
            totals.append(box[0])
        out[name] = {"times": times, "total": sum(totals) / len(totals), "partial": 0}
    fts.close()
    return out


def print_table(n: int, results: dict[str, dict[str, dict]]) -> None:
    engines = list(results)
    print(f"\nper query class at {n:,} records: p50 / p95 / max in ms (mean total hits); "
          "ratio = p95 / FTS5 p95")
    head = f"{'class':<17}" + "".join(f" {e:>26}" for e in engines)
    print(head)
    everything: dict[str, list[float]] = {e: [] for e in engines}
    for name, _ in CLASSES:
        row = f"{name:<17}"
        for e in engines:
            r = results[e][name]
            everything[e] += r["times"]
            cell = f"{pct(r['times'], 50):.1f}/{pct(r['times'], 95):.1f}/{max(r['times']):.0f}"
            cell += f" ({r['total']:,.0f})"
            if r["partial"]:
                cell += f" {r['partial']}P"
            row += f" {cell:>26}"
        ratios = [f"{e} x{pct(results[e][name]['times'], 95) / max(pct(results['FTS5'][name]['times'], 95), 0.01):.1f}"
                  for e in engines if e != "FTS5" and "FTS5" in results]
        print(row + "   " + ", ".join(ratios))
    row = f"{'ALL':<17}"
    for e in engines:
        t = everything[e]
        row += f" {f'{pct(t, 50):.1f}/{pct(t, 95):.1f}/{max(t):.0f}':>26}"
    ratios = [f"{e} x{pct(everything[e], 95) / max(pct(everything['FTS5'], 95), 0.01):.1f}"
              for e in engines if e != "FTS5" and "FTS5" in results]
    print(row + "   " + ", ".join(ratios))
    if any(r["partial"] for e in engines for r in results[e].values()):
        print("  nP: n answers were partial (Whoosh's time budget ran out)")


# -- a withhold -------------------------------------------------------------------------


def withhold(data_dir: Path, n: int) -> None:
    """One withhold in process (services.change_disclosure, profiled), then one by `flask disclose`."""
    import services
    from archive import accounts
    from archive.changes import Change
    from archive.store import Store
    from index import lang
    from index.engine import SearchRequest, open_engine
    from index.tantivy_engine import holding_deletions

    store = Store(data_dir)
    accounts.create_user(store, "benchclerk", accounts.Role.CLERK, "bench-password-long-enough-1")
    engine = open_engine("tantivy", data_dir)
    folder = engine.link.resolve()
    segments = json.loads((folder / "meta.json").read_text())["segments"]
    print(f"\nwithhold at {n:,} records (tantivy): the index holds {len(segments)} segments "
          f"({', '.join(str(s['max_doc']) for s in segments)} documents)")
    profile = cProfile.Profile()
    rid = f"B{n // 2:07d}"
    start = time.perf_counter()
    profile.enable()
    services.change_disclosure(store, engine, data_dir, Change(rid, 1, True, "bench", "benchclerk", [6]))
    profile.disable()
    seconds = time.perf_counter() - start
    after = json.loads((folder / "meta.json").read_text())["segments"]
    print(f"  services.change_disclosure({rid}, withhold): {seconds:.2f} s in process; segments after: "
          f"{len(after)} ({', '.join(str(s['max_doc']) for s in after)}); holding deletions: "
          f"{len(holding_deletions(folder))}")
    found = engine.search(lang.parse(rid), SearchRequest(q=rid))
    print(f"  search for {rid} after: {found.total} hit(s) (the record stays: its metadata is public)")
    _print_profile(profile, 12)
    store.close()
    rid = f"B{n // 3:07d}"
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SEARCH_ENGINE": "tantivy",
           "ARCHIVE_SECRET_KEY": SECRET}
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "flask"), "--app", "app", "disclose", rid, "1", "--withhold", "--ground", "6",
                           "--reason", "bench", "--clerk", "benchclerk"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "app", "--help"], cwd=ROOT, env=env, capture_output=True)
    startup = time.perf_counter() - start
    print(f"  flask disclose {rid} 1 --withhold: {seconds:.2f} s as a command (exit {done.returncode}: "
          f"{(done.stdout or done.stderr).strip()[:120]}); the command's start alone: {startup:.2f} s")


def _print_profile(profile: cProfile.Profile, limit: int) -> None:
    stats = pstats.Stats(profile)
    total = stats.total_tt
    rows = []
    for (file, line, func), (_, _, tt, ct, _) in stats.stats.items():
        rows.append((ct, tt, f"{Path(file).name}:{line}({func})"))
    print(f"  profile ({total:.2f} s): cumulative / own seconds")
    for ct, tt, where in sorted(rows, reverse=True)[:limit]:
        print(f"    {ct:7.2f} {tt:7.2f}  {where}")


# -- one size ---------------------------------------------------------------------------


def _filled(base: Path, data_dir: Path, fts_path: Path, corpus: Corpus) -> dict | None:
    """Fill the store and FTS5 unless a kept folder (`--reuse`) already holds them (then None)."""
    marker = base / "filled"
    if marker.exists():
        print(f"store: reused from {base} (built earlier by this bench with the same corpus)", flush=True)
        return None
    shutil.rmtree(base, ignore_errors=True)  # half a fill (interrupted) is not reused
    base.mkdir(parents=True)
    t = fill(data_dir, fts_path, corpus)
    marker.write_text(json.dumps(t), encoding="utf-8")
    return t


def _current(data_dir: Path, engine_name: str) -> bool:
    from index import service
    from index.engine import open_engine

    # current fields and a feed position of this analysis (an index without one is rebuilt: issue 15)
    return (data_dir / f"search-{engine_name}").exists() \
        and not service.needs_rebuild(open_engine(engine_name, data_dir))


def run(n: int, args, tmp: Path) -> None:
    base = (args.reuse or tmp) / f"n{n}"
    data_dir, fts_path = base / "store", base / "fts.sqlite3"
    corpus = Corpus(n)
    print(f"\n== {n:,} records (one text attachment of 2-20 KB each) ==", flush=True)
    reset_peak()
    t = _filled(base, data_dir, fts_path, corpus)
    if t is None:
        _queries_and_after(n, args, base, data_dir, fts_path, corpus)
        return
    text_bytes = du(data_dir / "blobs")
    print(f"store: {n:,} records, {text_bytes / 1e6:,.0f} MB of text; generated in {t['generate']:.0f} s, "
          f"stored (Store.save + extraction, synchronous=OFF) in {t['store']:.0f} s = {n / t['store']:,.0f} "
          f"records/s; archive.sqlite3 {du(data_dir / 'archive.sqlite3') / 1e6:,.0f} MB; "
          f"peak RSS {peak_mb():,.0f} MB", flush=True)
    print(f"build: FTS5 {n / t['fts5']:,.0f} records/s ({t['fts5']:.1f} s), {du(fts_path) / 1e6:,.0f} MB",
          flush=True)
    _queries_and_after(n, args, base, data_dir, fts_path, corpus)


def _queries_and_after(n: int, args, base: Path, data_dir: Path, fts_path: Path, corpus: Corpus) -> None:
    engines = [e for e in args.engines if e != "whoosh" or n <= args.whoosh_max]
    built = {}
    for engine in sorted(engines, key=lambda e: e != "whoosh"):  # tantivy last: the store is left indexed by it
        if args.reuse and _current(data_dir, engine):
            print(f"build: {engine} index reused (current)", flush=True)
            continue
        seconds, peak, size = rebuild(data_dir, engine)
        built[engine] = seconds
        print(f"build: {engine} {n / seconds:,.0f} records/s (index.service.rebuild = reindex: {seconds:.1f} s), "
              f"{size / 1e6:,.0f} MB on disk, peak RSS {peak:,.0f} MB", flush=True)
    if "whoosh" in args.engines and "whoosh" not in engines:
        print(f"build: whoosh skipped at {n:,} (--whoosh-max {args.whoosh_max:,})")
    items = queries(corpus, args.queries)
    warm = [{"q": w, "params": {}, "match": f'"{w}"', "where": "", "args": ()} for w in corpus.vocab[5000:5003]]
    results: dict[str, dict] = {}
    for engine in sorted(engines):
        through = Through(data_dir, engine)
        reset_peak()
        results[engine] = time_engine(through, items, warm)
        print(f"timed: {engine} through the test client, peak RSS {peak_mb():,.0f} MB while searching", flush=True)
    if args.gunicorn and "tantivy" in engines:
        server = Gunicorn(data_dir, "tantivy")
        try:
            results["tantivy/gunicorn"] = time_engine(server, items, warm)
            print(f"timed: tantivy through gunicorn on loopback, worker peak RSS {server.workers_rss():,.0f} MB")
        finally:
            server.close()
    results["FTS5"] = time_fts5(fts_path, items)
    print_table(n, results)
    print("classes: " + "; ".join(f"{name}: {what}" for name, what in CLASSES))
    if args.withhold and "tantivy" in engines:
        withhold(data_dir, n)
    if not args.reuse:
        shutil.rmtree(base, ignore_errors=True)


# -- ingest -----------------------------------------------------------------------------


def calibration() -> float:
    """Milliseconds (the best of five) of a fixed pure-Python workload, bigrams of a fixed Korean text
    counted in a dict, none of the project's code: this machine's speed today. A shared VM's speed
    varies by half from one day to the next, which a code change's effect (10-20 %) disappears in;
    divided by this, two days' figures compare."""
    text = " ".join(f"{chr(0xAC00 + (i * 7919) % 11172)}{chr(0xAC00 + (i * 104729) % 11172)}민원 2019년"
                    for i in range(12_000))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        counts: dict[str, int] = {}
        for word in text.split():
            for i in range(len(word) - 1):
                counts[word[i : i + 2]] = counts.get(word[i : i + 2], 0) + 1
        sorted(counts.items(), key=lambda kv: -kv[1])
        best = min(best, time.perf_counter() - start)
    return best * 1000


def ingest_rate(n: int, tmp: Path, profile: bool) -> None:
    """End-to-end `flask ingest` of n text records with tantivy: the real CLI in a child process."""
    from tools.docmaker import write_record

    base = tmp / f"ingest{n}"
    batch = base / "batch"
    for r in Corpus(n, seed=13).records():
        write_record(batch / r["id"], record_json(r), {"본문.txt": r["body"]})
    size = du(batch)
    # as an installed portal starts: its bytecode compiled once (this environment may say never to,
    # which makes every start compile the project again: ~0.1 s of each run)
    env_base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(BIN / "flask"), "--app", "app", "--help"], cwd=ROOT, capture_output=True,
                   env={**env_base, "ARCHIVE_DATA_DIR": str(base / "warm"), "ARCHIVE_SECRET_KEY": SECRET})
    runs = [(f"plain, run {i}", []) for i in (1, 2, 3)]
    if profile:
        runs.append(("profiled", [str(BIN / "python"), "-m", "cProfile", "-o", str(base / "ingest.prof")]))
    for label, prefix in runs:
        data_dir = base / f"store-{label.replace(', ', '-').replace(' ', '')}"
        env = {**env_base, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SEARCH_ENGINE": "tantivy",
               "ARCHIVE_SECRET_KEY": SECRET}
        command = [*prefix, str(BIN / "flask"), "--app", "app", "ingest", str(batch)]
        import resource  # the child's CPU time: on a shared machine the wall rate alone says little

        start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds, used = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, done.stdout[-500:] + done.stderr[-500:]
        user, system = used.ru_utime - cpu.ru_utime, used.ru_stime - cpu.ru_stime
        print(f"\ningest ({label}): {n:,} text records ({size / 1e6:.0f} MB) by `flask ingest` in {seconds:.1f} s "
              f"= {n / seconds:,.0f} records/s end to end (tantivy; {done.stdout.strip().splitlines()[-1]}); "
              f"CPU {user:.1f} s user + {system:.1f} s system; load {os.getloadavg()[0]:.1f}", flush=True)
    if profile:
        stats = pstats.Stats(str(base / "ingest.prof"))
        total = max(ct for (_, _, _, ct, _) in stats.stats.values())
        rows = [(ct, tt, f"{Path(f).name}:{line}({func})")
                for (f, line, func), (_, _, tt, ct, _) in stats.stats.items()]
        print(f"profile of the ingest ({total:.1f} s under cProfile): cumulative / own seconds")
        for ct, tt, where in sorted(rows, reverse=True)[:40]:
            print(f"  {ct:7.2f} {tt:7.2f}  {where}")
        print("by own time:")
        for ct, tt, where in sorted(rows, key=lambda r: -r[1])[:15]:
            print(f"  {ct:7.2f} {tt:7.2f}  {where}")
    shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, action="append", default=[])
    parser.add_argument("--queries", type=int, default=20, help="queries per class")
    parser.add_argument("--engines", default="tantivy,whoosh", type=lambda s: s.split(","))
    parser.add_argument("--whoosh-max", type=int, default=100_000, help="skip Whoosh above this many records")
    parser.add_argument("--gunicorn", action="store_true", help="time tantivy through gunicorn on loopback too")
    parser.add_argument("--withhold", action="store_true", help="time one withhold (tantivy) at each size")
    parser.add_argument("--ingest", type=int, default=0, help="end-to-end `flask ingest` of this many records")
    parser.add_argument("--profile", action="store_true", help="profile the ingest (cProfile)")
    parser.add_argument("--tmp", type=Path, default=None, help="parent of the temporary folder")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="keep the store, FTS5 and indexes in DIR/n<N> and reuse them next run "
                             "(an index is rebuilt only when not current); never with --withhold")
    args = parser.parse_args()
    if args.reuse and args.withhold:
        parser.error("--withhold changes the store: not with --reuse")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import tantivy
    import whoosh

    print(f"machine: {platform.platform()}, {cpu}, {os.cpu_count()} CPUs, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {tantivy.__version__}, "
          f"Whoosh {whoosh.versionstring()}; load average {os.getloadavg()[0]:.1f} at start", flush=True)
    print(f"machine speed: {calibration():.0f} ms for a fixed Python workload (the same code every run: "
          "figures of two days compare after dividing by it)", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="yeollam-bench-", dir=args.tmp))
    try:
        if args.ingest:
            ingest_rate(args.ingest, tmp, args.profile)
        for n in args.records or ([] if args.ingest else [10000]):
            run(n, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end (2 CPUs shared with other work: figures are "
          "pessimistic; compare the ratios of one run)")


if __name__ == "__main__":
    main()
