"""`flask --app app migrate-store --to URL` (interface.md): the embedded store into PostgreSQL, verified.

Exit 0: copied and every table's rows counted and hashed equal on both sides. Exit 1: refused
before copying (the target holds data, the schemas differ or are behind) or a table differs,
named. The work and its rules are archive/store/migrate.py; this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from archive.store import StoreTooNew


@click.command("migrate-store")
@click.option("--to", "url", required=True, metavar="URL", help="The empty PostgreSQL database (postgresql://...).")
@click.option("--verify-only", is_flag=True, help="Copy nothing: compare the embedded store with the database.")
@with_appcontext
def migrate_store_command(url: str, verify_only: bool) -> None:
    """Copy the embedded store into an empty PostgreSQL database and verify the copy."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise click.UsageError("--to takes a postgresql:// URL")
    from archive.store import migrate as moving  # its database driver: 0.15 s of every start, needed here only

    data_dir = Path(current_app.config["DATA_DIR"])
    try:
        moved = moving.move(data_dir, url, verify_only=verify_only)
    except (moving.MigrationError, StoreTooNew) as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    checks = moved.checks
    click.echo(f"{'table':<24}{'SQLite':>10}{'PostgreSQL':>12}  sha256")
    for c in checks:
        mark = "ok" if c.ok else "MISMATCH"
        click.echo(f"{c.table:<24}{c.source_rows:>10}{c.target_rows:>12}  {c.target_sha256[:16]}  {mark}")
    if not moved.ok:
        for c in (c for c in checks if not c.ok):
            click.echo(f"mismatch in table {c.table}: {c.source_rows} rows in SQLite, {c.target_rows} in "
                       f"PostgreSQL" + ("" if c.source_rows != c.target_rows else ", their contents differ"),
                       err=True)
        click.echo("do not point the nodes at this database", err=True)
        sys.exit(1)
    for table, reason in moving.SKIPPED.items():
        click.echo(f"not copied: {table} ({reason})")
    click.echo(f"not copied: the originals, which stay in {moved.blobs}; every node on the PostgreSQL "
               "store must point ARCHIVE_BLOB_DIR at that folder")
    total = sum(c.target_rows for c in checks)
    click.echo(f"{'verified' if verify_only else 'copied and verified'}: {len(checks)} tables, {total} rows, "
               "counts and contents equal")


def init_app(app: Flask) -> None:
    app.cli.add_command(migrate_store_command)
