"""Per-request access to the store and the index, closed at teardown."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app, g

from archive.store import Store


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def get_engine():
    """The process's search engine (ARCHIVE_SEARCH_ENGINE), made in create_app."""
    return current_app.extensions["search_engine"]


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(data_dir())
    return g.store


def _close(exc=None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)


MAX_INT_ARG = 10**9  # any page or count a reader may ask for; past it is past every last page


def int_arg(args, name: str, default: int, *, lo: int = 1, hi: int = MAX_INT_ARG) -> int:
    """Return a whole-number query argument, `default` when absent or empty.

    ASCII digits only (no sign, space, `_`, exponent or other scripts' digits): anything else
    answers 400. A value above `hi` (however long) is `hi`, so no caller meets an integer
    too large for SQLite; one below `lo` answers 400.
    """
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        abort(400, description=f"‘{name}’에는 {lo} 이상의 정수를 써야 합니다. "
                               f"The ‘{name}’ argument must be a whole number from {lo}.")
    value = int(raw) if len(raw) <= 18 else hi
    if value < lo:
        abort(400, description=f"‘{name}’에는 {lo} 이상의 정수를 써야 합니다. "
                               f"The ‘{name}’ argument must be a whole number from {lo}.")
    return min(value, hi)
