"""Bigrams alone against bigrams plus kiwipiepy morphology (a second field, ORed), on the quality set.

Measured on the Whoosh engine's schema and query translation (index.whoosh_schema, index.lang +
index.whoosh_query): analysis is engine-neutral (index.analysis), so the choice holds for tantivy.

    python -m venv /tmp/kiwi && /tmp/kiwi/bin/pip install kiwipiepy -r requirements.txt
    /tmp/kiwi/bin/python bench/analysis.py

kiwipiepy is not a dependency of the portal: this script is how the analysis was chosen.
Prints recall@10 and MRR of both over tests/index/quality_data.py, their index build time
and the resident memory kiwipiepy adds.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as Q  # noqa: E402
from whoosh.analysis import Token, Tokenizer  # noqa: E402
from whoosh.fields import TEXT  # noqa: E402

from index import lang  # noqa: E402
from index.whoosh_query import ranked, translate  # noqa: E402
from index.whoosh_schema import make_schema  # noqa: E402
from tests.index.quality_data import QUERIES, RECORDS  # noqa: E402

KEEP = ("NN", "NR", "NP", "VV", "VA", "XR", "SL", "SN", "SH", "MM")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class KiwiTokenizer(Tokenizer):
    def __init__(self, kiwi):
        self.kiwi = kiwi

    def __call__(self, value, positions=False, chars=False, start_pos=0, start_char=0, mode="", **kw):
        token = Token(positions, chars, mode=mode, **kw)
        for pos, t in enumerate(t for t in self.kiwi.tokenize(value) if t.tag.startswith(KEEP)):
            token.text, token.boost, token.stopped = t.form.lower(), 1.0, False
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + t.start, start_char + t.start + t.len
            yield token


def parse(schema, q: str):
    """The portal's Whoosh query for q: index.lang's tree translated, with its ranking signals."""
    query = translate(lang.parse(q), schema)
    return ranked(query, q) if query is not None else None


def evaluate(searcher, make_query) -> tuple[float, float, list]:
    recalls, rr, misses = [], [], []
    for q, expected, _ in QUERIES:
        query = make_query(q)
        found = [hit["id"] for hit in searcher.search(query, limit=10)] if query is not None else []
        recalls.append(len(expected & set(found)) / len(expected))
        rank = next((i for i, rid in enumerate(found, 1) if rid in expected), None)
        rr.append(1 / rank if rank else 0)
        if recalls[-1] < 1:
            misses.append(q)
    return sum(recalls) / len(recalls), sum(rr) / len(rr), misses


def build(folder: Path, schema, with_morph: bool, copies: int = 1) -> float:
    """Index the quality records (`copies` times, under distinct ids, to time more text)."""
    ix = whoosh_index.create_in(str(folder), schema)
    start = time.perf_counter()
    with ix.writer() as writer:
        for k in range(copies):
            for rid, title, number, body in RECORDS:
                rid = rid if k == 0 else f"{rid}-{k}"
                doc = {"id": rid, "title": title, "numbers": f"{rid} {number}",
                       "exact": f"{rid.lower()},{number}", "body": body, "agency": "품질시"}
                if with_morph:
                    doc["morph"] = f"{title} {body}"
                writer.add_document(**doc)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain_dir, morph_dir = Path(tmp, "plain"), Path(tmp, "morph")
        plain_dir.mkdir()
        morph_dir.mkdir()
        before = rss_mb()
        build(plain_dir, make_schema(), False)
        with tempfile.TemporaryDirectory() as timing:
            t_plain = build(Path(timing), make_schema(), False, copies=30)
        from kiwipiepy import Kiwi

        kiwi = Kiwi()
        after_load = rss_mb()
        schema = make_schema()
        schema.add("morph", TEXT(analyzer=KiwiTokenizer(kiwi)))
        build(morph_dir, schema, True)
        with tempfile.TemporaryDirectory() as timing:
            t_morph = build(Path(timing), schema, True, copies=30)
        plain = whoosh_index.open_dir(str(plain_dir))
        morph = whoosh_index.open_dir(str(morph_dir))

        def with_morph(q):
            parsed = parse(morph.schema, q)
            tokens = [t.text for t in KiwiTokenizer(kiwi)(q.replace('"', ""))]
            extra = Q.And([Q.Term("morph", t) for t in tokens]) if tokens and "-" not in q and " OR " not in q else None
            return Q.Or([parsed, extra]) if parsed is not None and extra is not None else parsed

        with plain.searcher() as s1, morph.searcher() as s2:
            r1, m1, miss1 = evaluate(s1, lambda q: parse(plain.schema, q))
            r2, m2, miss2 = evaluate(s2, with_morph)
        print(f"quality set: {len(QUERIES)} queries over {len(RECORDS)} records")
        print(f"bigrams (phrase mode):   recall@10 {r1:.3f}  MRR {m1:.3f}  index x30 {t_plain:.2f} s  misses {miss1}")
        print(f"bigrams + kiwi (ORed):   recall@10 {r2:.3f}  MRR {m2:.3f}  index x30 {t_morph:.2f} s  misses {miss2}")
        print(f"kiwipiepy model load: +{after_load - before:.0f} MB resident; index time x{t_morph / t_plain:.1f}")


if __name__ == "__main__":
    main()
