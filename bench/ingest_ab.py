"""Two trees' `flask ingest` of the same text records, run by turns in one session: a change's ratio.

    .venv/bin/python bench/ingest_ab.py --records 5000 --runs 3 OLD_TREE NEW_TREE

This VM's speed varies by half from one hour to the next (bench/search.py prints a fixed workload's
time), more than a change's effect: figures of two sessions do not compare, two trees run by turns
within minutes do. Make the old tree with `git archive <rev> | tar -x -C DIR`, link its `.venv` to
this one's and run `make catalogs` in it. Each run ingests the bench's corpus (bench/search.py's,
seed 13: one text attachment of 2-20 KB a record) into a store folder of its own, never one just
deleted (ext4 skips recently deleted inodes one by one: +4 s of system time at 5,000, measured).
Prints each run's wall and CPU seconds, then each tree's median and best records/s and their ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import SECRET, Corpus, calibration, record_json  # noqa: E402

from tools.docmaker import write_record  # noqa: E402


def one_run(tree: Path, batch: Path, store: Path) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed portal
    env.update(ARCHIVE_DATA_DIR=str(store), ARCHIVE_SEARCH_ENGINE="tantivy", ARCHIVE_SECRET_KEY=SECRET)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(tree / ".venv" / "bin" / "flask"), "--app", "app", "ingest", str(batch)],
                          cwd=tree, env=env, capture_output=True, text=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stdout[-500:] + done.stderr[-500:]
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("trees", nargs=2, type=lambda p: Path(p).resolve())
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ingest-ab-"))
    try:
        batch = tmp / "batch"
        for r in Corpus(args.records, seed=13).records():
            write_record(batch / r["id"], record_json(r), {"본문.txt": r["body"]})
        (tmp / "empty").mkdir()
        for i, tree in enumerate(args.trees):  # each tree's bytecode compiled once, as an installed portal's is
            one_run(tree, tmp / "empty", tmp / f"warm-{i}")
        print(f"machine speed: {calibration():.0f} ms for bench/search.py's fixed workload; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        runs: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in args.trees}
        for i in range(args.runs):
            for label, tree in zip("AB", args.trees, strict=True):
                wall, cpu = one_run(tree, batch, tmp / f"store-{label}{i}")
                runs[tree].append((wall, cpu))
                print(f"{label} ({tree}): {wall:.2f} s, {args.records / wall:.0f} records/s, CPU {cpu:.1f} s; "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        medians = {}
        for label, tree in zip("AB", args.trees, strict=True):
            walls, cpus = [w for w, _ in runs[tree]], [c for _, c in runs[tree]]
            medians[label] = statistics.median(walls)
            best = args.records / min(walls)
            print(f"{label}: median {args.records / medians[label]:.0f} records/s (best {best:.0f}), "
                  f"CPU median {statistics.median(cpus):.1f} s")
        print(f"B/A wall: {medians['B'] / medians['A']:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
