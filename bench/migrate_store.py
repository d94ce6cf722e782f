"""`flask migrate-store` on a big embedded store: wall time and peak memory of the real command.

    .venv/bin/python bench/migrate_store.py --records 10000 [--records 100000]

Fills an embedded store with N generated records (bench/search.py's corpus and fill: Store.save,
one text attachment of 2-20 KB each, its extracted text), starts a throwaway PostgreSQL 15 cluster
(tests/pg.py), and runs `flask --app app migrate-store --to URL` as a subprocess: its seconds, the
child's peak RSS (bounded memory means it stays flat as N grows), and the sizes of both stores.
Then `--verify-only` alone (the check's share). Prints the load (uptime) beside every figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _flask(data_dir: Path, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS of the child in MB, output) of one command."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir)}
    env.pop("ARCHIVE_DATABASE_URL", None)
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "app", *args], cwd=ROOT,
                                 env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child's so far
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if child.returncode:
        raise SystemExit(f"{' '.join(args)} exited {child.returncode}:\n{text}")
    return seconds, usage.ru_maxrss / 1024, text


def run(n: int, tmp: Path, cluster) -> None:
    from bench.search import Corpus, du, fill

    data_dir = tmp / f"store-{n}"
    start = time.perf_counter()
    fill(data_dir, tmp / f"fts-{n}.sqlite3", Corpus(n))
    print(f"{n} records: store filled in {time.perf_counter() - start:.0f} s, "
          f"archive.sqlite3 {du(data_dir / 'archive.sqlite3') / 1e6:.0f} MB | {_load()}", flush=True)
    cluster.admin(f"CREATE DATABASE m{n}")
    url = cluster.url(f"m{n}")
    seconds, peak, out = _flask(data_dir, "migrate-store", "--to", url)
    rows = out.strip().splitlines()[-1]
    print(f"  migrate-store: {seconds:.1f} s ({n / seconds:.0f} records/s), peak RSS {peak:.0f} MB; {rows} "
          f"| {_load()}", flush=True)
    seconds, peak, _ = _flask(data_dir, "migrate-store", "--to", url, "--verify-only")
    print(f"  --verify-only: {seconds:.1f} s, peak RSS {peak:.0f} MB | {_load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, action="append", help="store sizes (repeatable); default 10000")
    args = parser.parse_args()
    from tests.pg import BIN, Cluster

    if not (BIN / "initdb").exists():
        raise SystemExit("needs PostgreSQL 15 (apt-get install postgresql-15)")
    import shutil

    root = Path(tempfile.mkdtemp(prefix="yeollam-pg-bench-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root)
    try:
        with tempfile.TemporaryDirectory(prefix="yeollam-migrate-") as tmp:
            for n in args.records or [10000]:
                run(n, Path(tmp), cluster)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
