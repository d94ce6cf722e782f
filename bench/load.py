"""Load on loopback: 2 gunicorn workers over the sample store; requests/s and p50/p99 per page.

    .venv/bin/python bench/load.py [--requests 2000] [--clients 8]

Bounded: a fixed number of requests per page kind, to 127.0.0.1 only, then it stops the
server it started. Also runs one ingest and a withhold/release while the search load goes on,
counting any 5xx (there should be none).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, (time.perf_counter() - start) * 1000


def hammer(urls: list[str], clients: int) -> tuple[float, list[float], int]:
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(fetch, urls))
    elapsed = time.perf_counter() - start
    return len(urls) / elapsed, sorted(ms for _, ms in results), sum(1 for s, _ in results if s >= 500)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yeollam-load-"))
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp / "store"), "ARCHIVE_SECRET_KEY": "load" * 10}
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "ingest", "data/sample-batch"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "users", "create", "load", "--role", "clerk", "--password-stdin"], cwd=ROOT, env=env,
                   input="load-test-password\n", text=True, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "app:create_app()"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        words = ["협치", "서울협치협의회", "미세먼지", "위원회 제도", "COVID-19", "급식", "수질", "민원", "예산",
                 "권고안"]
        cases = {
            "record page": [base + "/records/D0000032552803"] * args.requests,
            "record JSON": [base + "/api/records/D0000032552803"] * args.requests,
            "search (varied)": [f"{base}/search?q={urllib.parse.quote(words[i % len(words)])}&page={i % 3 + 1}"
                                for i in range(args.requests)],
        }
        print(f"gunicorn 2 workers, {args.clients} client threads, {args.requests} requests each, loopback")
        for name, urls in cases.items():
            rps, times, errors = hammer(urls, args.clients)
            print(f"{name:<16} {rps:7.0f} req/s  p50 {pct(times, 50):6.1f} ms  p99 {pct(times, 99):6.1f} ms  "
                  f"5xx {errors}")
        # the same search load while an ingest and disclosure changes run
        changes = threading.Thread(target=lambda: [
            subprocess.run([*flask, "ingest", "data/sample-batch"], cwd=ROOT, env=env, capture_output=True),
            *[subprocess.run([*flask, "disclose", "D0000032552803", "1", flag, *extra, "--reason", "load",
                              "--clerk", "load"], cwd=ROOT, env=env, capture_output=True)
              for flag, extra in [("--withhold", ["--ground", "6"]), ("--release", [])] * 3]])
        changes.start()
        rps, times, errors = hammer(cases["search (varied)"], args.clients)
        changes.join()
        print(f"{'search + changes':<16} {rps:7.0f} req/s  p50 {pct(times, 50):6.1f} ms  p99 {pct(times, 99):6.1f} ms  "
              f"5xx {errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
