"""Run one extraction in a child process with a time and memory budget.

A hostile file (a decompression bomb, a pathological PDF) must cost the portal one
refused file, never a hung ingest or an exhausted machine: the child gets an
address-space cap, and is killed when its time is up.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from collections.abc import Callable

from .limits import EXTRACT_MEMORY, EXTRACT_SECONDS


def _mapped() -> int:
    """Bytes of address space this process has mapped now (VmSize); 0 where /proc cannot tell."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this (forked) process when its parent dies (Linux; elsewhere nothing).

    A child whose parent was SIGKILLed would otherwise run its file to the end, unwatched: its
    time budget is kept by the parent.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the prctl took hold
        os._exit(1)


def _child(conn, func, args, memory, parent) -> None:
    die_with_parent(parent)
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
    proc = ctx.Process(target=_child, args=(child, func, args, memory, os.getpid()), daemon=True)
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
