"""Screenshots of the portal for the README (make screenshots): home, search, record, statistics.

Ingests the sample batch into a throwaway store, serves it on a free loopback port and photographs
the pages in Chromium (Playwright, Debian's /usr/bin/chromium), so the pictures show the portal as
the code draws it today. A page that answers 404 (a feature not there yet) is skipped with a message.

    python tools/screenshots.py docs/screenshots [--lang ko|en]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
SEED = "D0000032552803"
# name, path, viewport: the desktop pages and one phone (results before the folded facets)
SHOTS = [
    ("home", "/", {"width": 1280, "height": 900}),
    ("search", "/search?q=서울협치협의회", {"width": 1280, "height": 900}),
    ("record", f"/records/{SEED}", {"width": 1280, "height": 1400}),
    ("statistics", "/statistics", {"width": 1280, "height": 1400}),
    ("search-phone", "/search?q=협치", {"width": 360, "height": 740}),
]


@contextmanager
def served(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def sample_app(store: Path):
    from app import create_app

    app = create_app({"DATA_DIR": str(store), "SECRET_KEY": "screenshots-only-" + "x" * 32})
    result = app.test_cli_runner().invoke(args=["ingest", str(ROOT / "data" / "sample-batch")])
    if result.exit_code != 0:
        raise SystemExit(f"ingest of the sample batch failed:\n{result.output}")
    return app


def shoot(base: str, out: Path, lang: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, path, viewport in SHOTS:
            context = browser.new_context(viewport=viewport, locale="ko-KR", device_scale_factor=1)
            page = context.new_page()
            response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
            if response is None or response.status == 404:
                print(f"skipped {name}: {path} answers 404 (not in this version)")
            else:
                target = out / f"{name}{'' if lang == 'ko' else '-' + lang}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(str(target))
                print(f"wrote {target} ({response.status})")
            context.close()
        browser.close()
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", choices=("ko", "en"), default="ko")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log in the output
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yeollam-shots-") as tmp:
        app = sample_app(Path(tmp) / "store")
        with served(app) as base:
            shoot(base, out, args.lang)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
