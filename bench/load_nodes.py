"""Load on two portal nodes x two gunicorn workers over one PostgreSQL store (issue 15).

    .venv/bin/python bench/load_nodes.py [--requests 1000] [--clients 8] [--records 300] [--no-baseline]

A throwaway PostgreSQL 15 cluster in a temporary folder (tests/pg.py's, run as the postgres user
when root), one shared blob folder, two data folders (each node's own index), every server on
127.0.0.1; all of it stopped and removed at the end. While the search load runs on both nodes, node
A ingests a second batch and node B's clerk withholds and releases an attachment holding a canary
word, three times; right after each withhold returns and until its release begins, both nodes are
asked for the canary: any hit is a leak, printed loudly (exit 1). Then the one-node SQLite figures
of bench/load.py in the same run, for the ratios. Prints requests/s, p50 and p99 per page kind,
the 5xx (a 503 "catching up" counted apart) and the load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from load import BIN, fetch, free_port, pct  # noqa: E402  (bench/load.py: the one-node bench)

CANARY = "부하시험비밀낱말"
WORDS = ["협치", "미세먼지", "위원회 제도", "급식", "예산", "부하시험", "민원", "권고안"]


def synthetic(root: Path, n: int, start: int = 0, canary: bool = False) -> Path:
    from tests.builders import batch, record

    items = [(record(id=f"L-{i:05d}", title=f"부하시험 기록 {i} {WORDS[i % len(WORDS)]}", agency=f"부하{i % 5}구"),
              {"본문.txt": f"부하시험 본문 {i}번 {WORDS[(i * 7) % len(WORDS)]} 예산 협치 " * 20})
             for i in range(start, start + n)]
    if canary:
        items.append((record(id="L-CANARY", title="부하시험 비밀 시험 기록",
                             attachments=[{"file": "비밀.txt", "disclosure": "public"},
                                          {"file": "공개.txt", "disclosure": "public"}]),
                      {"비밀.txt": f"여기에만 {CANARY} 이 있습니다", "공개.txt": "늘 공개되는 부록"}))
    return batch(root, *items)


def serve(env: dict, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--timeout", "120", "--bind",
                               f"127.0.0.1:{port}", "app:create_app()"], cwd=ROOT,
                              env={**env, "ARCHIVE_DATA_DIR": str(data_dir)}, stderr=subprocess.DEVNULL)
    return server, f"http://127.0.0.1:{port}"


def total(base: str, q: str) -> int | None:
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote(q)}", timeout=30) as r:
            return json.loads(r.read())["total"]
    except OSError:
        return None


def wait_until(predicate, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit("timed out waiting for the nodes")


def hammer(urls: list[str], clients: int) -> tuple[float, list[float], int, int]:
    from concurrent.futures import ThreadPoolExecutor

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(fetch, urls))
    elapsed = time.perf_counter() - start
    times = sorted(ms for _, ms in results)
    return (len(urls) / elapsed, times, sum(1 for s, _ in results if s >= 500 and s != 503),
            sum(1 for s, _ in results if s == 503))


def line(name: str, rps: float, times: list[float], errors: int, busy: int) -> str:
    return (f"{name:<24} {rps:7.0f} req/s  p50 {pct(times, 50):6.1f} ms  p99 {pct(times, 99):6.1f} ms  "
            f"5xx {errors}  503 {busy}")


class Watch:
    """Asks both nodes for the canary while it is withheld; counts what it sees."""

    def __init__(self, bases: list[str]):
        self.bases, self.withheld, self.stop = bases, threading.Event(), threading.Event()
        self.asked, self.leaks = 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            if self.withheld.is_set():
                for base in self.bases:
                    found = total(base, CANARY)
                    if self.withheld.is_set():  # still withheld when the answer came
                        self.asked += 1
                        if found:
                            self.leaks.append((base, found))
            else:
                time.sleep(0.02)


def changes(flask: list[str], env_a: dict, env_b: dict, more: Path, watch: Watch, log: list[str]) -> None:
    ingest = subprocess.Popen([*flask, "ingest", str(more)], cwd=ROOT, env=env_a, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    for _ in range(3):
        done = subprocess.run([*flask, "disclose", "L-CANARY", "1", "--withhold", "--ground", "6", "--reason", "load",
                               "--clerk", "kim"], cwd=ROOT, env=env_b, capture_output=True, text=True)
        log.append(f"withhold on B: exit {done.returncode}")
        watch.withheld.set()  # in force on every node from here
        time.sleep(2.0)
        watch.withheld.clear()  # cleared before the release begins
        done = subprocess.run([*flask, "disclose", "L-CANARY", "1", "--release", "--reason", "load", "--clerk", "kim",
                               "--confirm-personal-data"], cwd=ROOT, env=env_b, capture_output=True, text=True)
        log.append(f"release on B: exit {done.returncode}")
    log.append(f"ingest on A: exit {ingest.wait()}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-node SQLite run")
    args = parser.parse_args()
    from tests.pg import BIN as PG_BIN
    from tests.pg import Cluster

    if not (PG_BIN / "initdb").exists():
        raise SystemExit("PostgreSQL 15 is not installed (apt-get install postgresql-15; `make test` does)")
    print(f"load at start: {os.getloadavg()[0]:.1f} (2 CPUs)")
    pg_root = Path(tempfile.mkdtemp(prefix="yeollam-load-pg-"))
    if os.geteuid() == 0:
        shutil.chown(pg_root, "postgres", "postgres")
    tmp = Path(tempfile.mkdtemp(prefix="yeollam-load-nodes-"))
    servers: list[subprocess.Popen] = []
    cluster = Cluster(pg_root)
    try:
        env = {**os.environ, "ARCHIVE_DATABASE_URL": cluster.new_database(), "ARCHIVE_BLOB_DIR": str(tmp / "blobs"),
               "ARCHIVE_SECRET_KEY": "load" * 10, "ARCHIVE_FOLLOW_SECONDS": "1"}
        env_a, env_b = {**env, "ARCHIVE_DATA_DIR": str(tmp / "a")}, {**env, "ARCHIVE_DATA_DIR": str(tmp / "b")}
        flask = [str(BIN / "flask"), "--app", "app"]
        first = synthetic(tmp / "batch1", args.records, canary=True)
        more = synthetic(tmp / "batch2", args.records, start=args.records)
        for step in (["ingest", "data/sample-batch"], ["ingest", str(first)]):
            subprocess.run([*flask, *step], cwd=ROOT, env=env_a, check=True, capture_output=True)
        subprocess.run([*flask, "users", "create", "kim", "--role", "clerk", "--password-stdin"], cwd=ROOT,
                       env=env_a, input="load-test-password\n", text=True, check=True, capture_output=True)
        (a, base_a), (b, base_b) = serve(env, tmp / "a"), serve(env, tmp / "b")
        servers += [a, b]
        wait_until(lambda: total(base_a, CANARY) == 1 and total(base_b, CANARY) == 1)
        bases = [base_a, base_b]
        n = args.requests
        cases = {
            "record page": [f"{bases[i % 2]}/records/L-{i % args.records:05d}" for i in range(n)],
            "record JSON": [f"{bases[i % 2]}/api/records/L-{i % args.records:05d}" for i in range(n)],
            "search (varied)": [f"{bases[i % 2]}/search?q={urllib.parse.quote(WORDS[i % len(WORDS)])}&page={i % 3 + 1}"
                                for i in range(n)],
        }
        print(f"two nodes x gunicorn 2 workers on PostgreSQL, {args.clients} client threads, {n} requests each "
              f"(alternating nodes), {args.records + 17} records")
        for name, urls in cases.items():
            print(line(name, *hammer(urls, args.clients)))
        watch, log = Watch(bases), []
        watcher = threading.Thread(target=watch.run, daemon=True)
        watcher.start()
        changer = threading.Thread(target=changes, args=(flask, env_a, env_b, more, watch, log))
        changer.start()
        busy = cases["search (varied)"] * 3
        print(line("search + ingest/withhold", *hammer(busy, args.clients)))
        changer.join()
        watch.stop.set()
        watcher.join(timeout=30)
        print("; ".join(log))
        expected = args.records * 2 + 1
        started = time.monotonic()
        wait_until(lambda: total(base_b, "부하시험") == expected)  # B follows A's second ingest
        print(f"node B found every record of A's second ingest {time.monotonic() - started:.1f} s after it ended")
        print(f"canary asked {watch.asked} times on both nodes while withheld: "
              + (f"LEAKED {len(watch.leaks)} times: {watch.leaks[:5]}" if watch.leaks else "never found"))
        print(f"load at end: {os.getloadavg()[0]:.1f}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
        cluster.stop()
        shutil.rmtree(pg_root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_baseline:
        print("\none node, SQLite (bench/load.py, same run):")
        subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--requests", str(args.requests),
                        "--clients", str(args.clients)], cwd=ROOT, check=False)
    return 1 if watch.leaks else 0


if __name__ == "__main__":
    sys.exit(main())
