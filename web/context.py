"""Per-request access to the store and the index, closed at teardown."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.store import Store
from index.indexer import open_index


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(data_dir())
    return g.store


def get_index():
    if "index" not in g:
        g.index = open_index(data_dir())
    return g.index


def _close(exc=None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()
    ix = g.pop("index", None)
    if ix is not None:
        ix.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
