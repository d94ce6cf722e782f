"""Per-request access to the store and the index, closed at teardown."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from archive.store import Store


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


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
