"""Run one extraction in a child process with a time and memory budget.

A hostile file (a decompression bomb, a pathological PDF) must cost the portal one
refused file, never a hung ingest or an exhausted machine: the child gets an
address-space cap, and is killed when its time is up.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable

from .limits import EXTRACT_MEMORY, EXTRACT_SECONDS


def _mapped() -> int:
    """Bytes of address space this process has mapped now (VmSize); 0 where /proc cannot tell."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, func, args, memory) -> None:
    try:
        # the budget is on top of what the fork inherited: a worker that imported tantivy (which
        # reserves gigabytes of address space it never touches) must not fail every file
        cap = _mapped() + memory
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        conn.send(("ok", func(*args)))
    except MemoryError:
        conn.send(("limit", "too_large"))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def run_guarded(func: Callable, *args, seconds: float = EXTRACT_SECONDS, memory: int = EXTRACT_MEMORY):
    """Return ("ok", result) or ("limit", reason) or ("error", text)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, func, args, memory), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(seconds):
            try:
                return parent.recv()
            except EOFError:
                return ("limit", "too_large")  # killed for memory before it could answer
        return ("limit", "timeout")
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
