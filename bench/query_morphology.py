"""kiwipiepy on queries only, against index.forms' particle table: stems found, time, memory.

    python3 -m venv /tmp/kiwi && /tmp/kiwi/bin/pip install kiwipiepy -r requirements.txt
    /tmp/kiwi/bin/python bench/query_morphology.py

kiwipiepy is not a dependency of the portal: this is how the table was chosen over it (issue 17).
Prints, for every word of the quality set's everyday queries that ends in a particle or ending by
kiwi's reading or the table's, both stems; the time kiwi takes per 10-word query; and the resident
memory a gunicorn worker would add by loading it (measured in a fresh child process).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.forms import stem  # noqa: E402
from tests.index.quality_data import EVERYDAY  # noqa: E402

TRAILING = ("J", "E", "XSV", "XSA", "VCP")  # particles, endings, 하다/되다 suffixes, the copula


def kiwi_stem(kiwi, word: str) -> str | None:
    tokens = kiwi.tokenize(word)
    cut = len(tokens)
    while cut > 1 and tokens[cut - 1].tag.startswith(TRAILING):
        cut -= 1
    return word[: tokens[cut].start] if cut < len(tokens) and tokens[cut].start > 0 else None


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory() -> str:
    code = ("import bench.query_morphology as b, time; a = b.rss_kb(); import flask, tantivy, whoosh; "
            "c = b.rss_kb(); from kiwipiepy import Kiwi; k = Kiwi(); k.tokenize('미세먼지를 줄이는 방안'); "
            "print(f'worker-like base {c // 1024} MB; kiwi adds {(b.rss_kb() - c) // 1024} MB')")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main() -> None:
    from kiwipiepy import Kiwi

    started = time.perf_counter()
    kiwi = Kiwi()
    load = time.perf_counter() - started
    words = sorted({w for _, q, _, _ in EVERYDAY for w in q.split() if ":" not in w})
    differ = same = 0
    for word in words:
        ours, theirs = stem(word), kiwi_stem(kiwi, word)
        if ours or theirs:
            same += ours == theirs
            differ += ours != theirs
            print(f"{word:<14} table {ours or '-':<12} kiwi {theirs or '-'}{'' if ours == theirs else '   <- differ'}")
    print(f"{same} words the same, {differ} differ")
    query = ("미세먼지를 줄이는 도서관에서 따릉이를 11,000원으로 "
             "부산시의 지원하는 사업을 어린이집에 위원회의")
    n = 200
    started = time.perf_counter()
    for _ in range(n):
        kiwi.tokenize(query)
    per = (time.perf_counter() - started) / n * 1000
    started = time.perf_counter()
    for _ in range(n):
        [stem(w) for w in query.split()]
    ours = (time.perf_counter() - started) / n * 1000
    print(f"kiwi: load {load:.2f} s, {per:.2f} ms per 10-word query; table: {ours:.3f} ms")
    print(memory())


if __name__ == "__main__":
    main()
