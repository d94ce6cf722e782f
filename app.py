"""Yeollam (열람), the open records portal: the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_ENGINE = "tantivy"


def create_app(test_config: dict | None = None) -> Flask:
    """Create the portal; `test_config` replaces the environment's settings in tests."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.from_mapping(
        DATA_DIR=os.environ.get("ARCHIVE_DATA_DIR", str(PROJECT_DIR / "var")),
        FONT_PATH=os.environ.get("ARCHIVE_FONT", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
        # limits a deployment sets (docs/interface-additions.md, issue 18); whole numbers
        MAX_UPLOAD_MB=os.environ.get("ARCHIVE_MAX_UPLOAD_MB", "512"),  # one web upload
        MAX_BATCH_RECORDS=os.environ.get("ARCHIVE_MAX_BATCH_RECORDS", "20000"),  # records in one web batch
        MAX_JOBS=os.environ.get("ARCHIVE_MAX_JOBS", "4"),  # background jobs waiting or running at once
        JSON_AS_ASCII=False,
        TRUSTED_PROXIES=os.environ.get("ARCHIVE_TRUSTED_PROXIES", "0"),
        SEARCH_ENGINE=os.environ.get("ARCHIVE_SEARCH_ENGINE", DEFAULT_ENGINE),
        # seconds between this process's looks at the store's feed (web/follower.py); several nodes
        # share a PostgreSQL store, so it follows by default there; 0 turns it off
        FOLLOW_SECONDS=os.environ.get("ARCHIVE_FOLLOW_SECONDS", "2" if os.environ.get("ARCHIVE_DATABASE_URL") else "0"),
        FOUR_EYES=os.environ.get("ARCHIVE_FOUR_EYES", "").strip() == "1",  # a second clerk approves releases
    )
    if test_config:
        app.config.update(test_config)
    _trust_proxies(app)
    _limits(app)
    app.json.ensure_ascii = False
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    from index.engine import open_engine

    # one engine per process: it keeps its searchers open across requests
    app.extensions["search_engine"] = open_engine(app.config["SEARCH_ENGINE"], Path(app.config["DATA_DIR"]))

    import commands
    import web

    web.init_app(app)
    commands.init_app(app)
    _repair_index(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For only as far as the proxies we were told of.

    By default nobody's X-Forwarded-For is believed: anyone can send one, and login limits
    keyed on a forged address could be dodged (or turned on somebody else). With N trusted
    proxies the address is the N-th entry from the right, the one our own proxy appended.
    """
    value = str(app.config["TRUSTED_PROXIES"]).strip()
    if not value.isdigit():
        raise RuntimeError(f"ARCHIVE_TRUSTED_PROXIES must be a whole number of reverse proxies in front "
                           f"(0 trusts none), not {value!r}")
    app.config["TRUSTED_PROXIES"] = int(value)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)


def _limits(app: Flask) -> None:
    """The deployment's limits as whole numbers; anything else stops the start with the setting's name."""
    for key in ("MAX_UPLOAD_MB", "MAX_BATCH_RECORDS", "MAX_JOBS"):
        value = str(app.config[key]).strip()
        if not value.isdigit() or int(value) < 1:
            raise RuntimeError(f"ARCHIVE_{key} must be a whole number from 1, not {value!r}")
        app.config[key] = int(value)
    app.config.setdefault("MAX_CONTENT_LENGTH", None)
    if app.config["MAX_CONTENT_LENGTH"] is None:  # a test may set the bytes itself
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024


REPAIR_AT_START = 500  # records; more would outlast a web worker's boot timeout


def _repair_index(app: Flask) -> None:
    """Index what a crash left unindexed before serving, when that is quick.

    Safety does not depend on it: a withhold reaches the index before the store commits, so
    what is pending here can only be less public than the store allows, never more.
    """
    from archive.store import Store
    from index.service import behind, catch_up, needs_rebuild

    engine = app.extensions["search_engine"]
    store = Store(Path(app.config["DATA_DIR"]))
    try:
        pending = len(behind(engine, store) or [])
        whole = needs_rebuild(engine, store)
        if whole and store.count() > REPAIR_AT_START or pending > REPAIR_AT_START:
            app.logger.warning("the search index is behind the store (%d records): run "
                               "`flask --app app reindex`", pending or store.count())
        else:
            catch_up(engine, store)
    finally:
        store.close()
