"""`flask --app app ocr` (interface.md): read the scans waiting for OCR, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import services
from archive.store import Store


def _bar(scans: list, label: str):
    # as ingest's: Click draws the bar only on a terminal; in a pipe or CI it prints the label alone
    with click.progressbar(scans, label=f"{label} ({len(scans)})", file=sys.stderr, show_pos=True) as bar:
        yield from bar


@click.command("ocr")
@with_appcontext
def ocr_command() -> None:
    """Read the scans waiting for OCR (image-only PDF pages, PNG, JPEG, TIFF); exit 1 if some file failed."""
    from archive import scans

    store = Store(Path(current_app.config["DATA_DIR"]))
    try:
        outcomes = services.read_scans(store, current_app.extensions["search_engine"], each=_bar,
                                       budget=scans.budget_from(current_app.config))
    except scans.Unavailable as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    failed = [o for o in outcomes if o.failed]
    for o in failed:
        click.echo(f"failed    {o.name} ({o.sha256[:12]}): {o.failed}", err=True)
    flagged = sum(o.personal_data for o in outcomes)
    click.echo(f"read {len(outcomes) - len(failed)} scan(s), {sum(o.pages for o in outcomes)} page(s); "
               f"{len(failed)} failed" + (f"; personal data found in {flagged} (see /clerk/)" if flagged else ""))
    if failed:
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(ocr_command)
