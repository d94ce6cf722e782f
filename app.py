"""Yeollam (열람), the open records portal: the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

PROJECT_DIR = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the portal; `test_config` replaces the environment's settings in tests."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.from_mapping(
        DATA_DIR=os.environ.get("ARCHIVE_DATA_DIR", str(PROJECT_DIR / "var")),
        FONT_PATH=os.environ.get("ARCHIVE_FONT", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
        MAX_CONTENT_LENGTH=int(os.environ.get("ARCHIVE_UPLOAD_MAX", 512 * 1024 * 1024)),  # web ingest
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    import commands
    import web

    web.init_app(app)
    commands.init_app(app)
    _repair_index(app)
    return app


def _repair_index(app: Flask) -> None:
    """Index what a crash left unindexed (or indexed ahead of the store) before serving."""
    from archive.store import Store
    from index.indexer import catch_up

    store = Store(Path(app.config["DATA_DIR"]))
    try:
        catch_up(store, Path(app.config["DATA_DIR"]))
    finally:
        store.close()
