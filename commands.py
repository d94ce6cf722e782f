"""The `flask --app app ...` commands of interface.md: ingest, reindex, verify, worker, jobs."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import services
from archive import account_admin, accounts
from archive.account_admin import Admin
from archive.ingest import Status, reextract_stale
from archive.store import Store
from index import service as search


def _engine():
    return current_app.extensions["search_engine"]


def _store() -> Store:
    return Store(Path(current_app.config["DATA_DIR"]))


def _bar(folders: list[Path], label: str):
    # Click draws the bar only on a terminal; in a pipe or CI it prints the label alone.
    with click.progressbar(folders, label=f"{label} ({len(folders)})", file=sys.stderr,
                           show_pos=True) as bar:
        yield from bar


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--if-empty", is_flag=True, help="Ingest only when the store holds no record yet.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def ingest_command(paths: tuple[Path, ...], if_empty: bool, as_json: bool) -> None:
    """Ingest release batches (folders or .zip files)."""
    for path in paths:
        if not (path.is_dir() or path.is_file()):
            raise click.UsageError(f"cannot read {path}: no such folder or file")
    store = _store()
    try:
        if if_empty and store.count():
            click.echo(f"store holds {store.count()} records; nothing ingested")
            return
        report = services.ingest_batch(store, _engine(), Path(current_app.config["DATA_DIR"]), list(paths),
                                       "command line", each=_bar)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if report.unreadable:
        sys.exit(2)
    if report.count(Status.REJECTED):
        sys.exit(1)


def _print_report(report) -> None:
    for outcome in report.outcomes:
        click.echo(f"{outcome.status:<9} {outcome.record}")
        for problem in outcome.problems:
            click.echo(f"          {outcome.record}: {problem}")
        for note in outcome.notes:
            click.echo(f"          note: {note}")
    for message in report.unreadable:
        click.echo(f"unreadable {message}", err=True)
    summary = report.as_dict()
    click.echo(", ".join(f"{n} {status}" for status, n in summary["counts"].items()))
    if summary["held_for_review"]:
        click.echo(f"{summary['held_for_review']} file(s) held for review (재송부 검토 대기): "
                   "withheld until a clerk decides at /clerk/")


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the store into a fresh folder, then swap it in."""
    store = _store()
    try:
        ids = store.record_ids()
        with click.progressbar(length=len(ids), label="reindex", file=sys.stderr) as bar:
            n = search.rebuild(_engine(), store, progress=bar.update)
    finally:
        store.close()
    click.echo(f"indexed {n} records")


@click.command("reextract")
@with_appcontext
def reextract_command() -> None:
    """Read again the stored files an older version of the extractors read, then reindex them."""
    store = _store()
    try:
        touched = reextract_stale(store, each=_bar)
        search.catch_up(_engine(), store)
    finally:
        store.close()
    click.echo(f"re-read the files of {len(touched)} records")


@click.group("users")
def users_group() -> None:
    """Manage clerk and admin accounts."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in accounts.Role]), required=True)
@click.option("--agency", "agencies", multiple=True,
              help="An agency the clerk acts for (repeat for more); without it the clerk acts for all.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(name: str, role: str, agencies: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = _store()
    try:
        user = account_admin.create(store, Admin.command_line(), name, accounts.Role(role), password, agencies)
    except accounts.AccountError as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(f"created {role} {name}" + (f" for {', '.join(user.agencies)}" if user.agencies else ""))


@users_group.command("agencies")
@click.argument("name")
@click.option("--agency", "agencies", multiple=True, help="An agency the clerk acts for; none: all agencies.")
@with_appcontext
def users_agencies(name: str, agencies: tuple[str, ...]) -> None:
    """Set the agencies a clerk acts for (without --agency: all)."""
    store = _store()
    try:
        names = account_admin.set_agencies(store, Admin.command_line(), name, agencies)
    except accounts.AccountError as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(f"{name} acts for {', '.join(names) if names else 'all agencies (전체)'}")


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every stored file against its SHA-256 and the index against the store."""
    store = _store()
    found = []
    try:
        for sha in sorted(store.referenced_hashes()):
            if not store.blobs.exists(sha):
                found.append(f"missing file {sha}")
            elif not store.blobs.is_sound(sha):
                found.append(f"damaged file {sha}: its content no longer matches its SHA-256")
        found += search.problems(_engine(), store)
        lag = _index_lag(store, _engine())
    finally:
        store.close()
    for line in found:
        click.echo(line)
    if lag:
        click.echo(lag)
    if found:
        click.echo(f"{len(found)} problem(s)")
        sys.exit(1)
    click.echo("all sound")


def _index_lag(store: Store, engine) -> str | None:
    """How far this node's index is behind the store: records not yet searchable, and for how long."""
    pending = search.behind(engine, store)
    if not pending:
        return None  # caught up; an index with no position at all is a problem `verify` names
    oldest = store.oldest_fed_since(search.position(engine))
    seconds = (datetime.now(UTC) - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0
    return (f"index lag: {len(pending)} record(s) stored but not yet searchable, the oldest stored "
            f"{max(0, seconds):.0f} s ago (the worker catches up; or run `flask --app app reindex`)")


@click.command("worker")
@click.option("--drain", is_flag=True, help="Run the queued jobs and the index catch-up, then stop.")
@with_appcontext
def worker_command(drain: bool) -> None:
    """Run background jobs (web uploads, reindex, index catch-up) until stopped (SIGTERM: after the job)."""
    import job_queue

    app = current_app._get_current_object()
    if drain:
        click.echo(f"ran {job_queue.drain(app)} job(s)")
        return
    job_queue.work(app)


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print the jobs as JSON.")
@click.option("--limit", default=20, show_default=True, help="How many recent jobs.")
@with_appcontext
def jobs_command(as_json: bool, limit: int) -> None:
    """Running and recent background jobs."""
    store = _store()
    try:
        rows = [job.as_dict() for job in store.recent_jobs(limit)]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        total = "?" if row["total"] is None else row["total"]
        click.echo(f"{row['id']:>5} {row['kind']:<9} {row['state']:<8} {row['done']}/{total}"
                   f" rejected {row['rejected']}  {row['started_at'] or '-'} .. {row['finished_at'] or '-'}"
                   f"  {row['who']}" + (f"  {row['message']}" if row["message"] else ""))


@click.command("export")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--q", "q", default="", help="Search words, as in /search (empty: every record).")
@click.option("--agency", default=None)
@click.option("--kind", default=None)
@click.option("--year", default=None)
@click.option("--from", "date_from", default=None, help="Produced on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Produced on or before (YYYY-MM-DD).")
@click.option("--portal-url", default=None,
              help="The portal's public URL for links (else ARCHIVE_PUBLIC_URL; SERVER_NAME, when set, wins).")
@with_appcontext
def export_command(out_dir, q, agency, kind, year, date_from, date_to, portal_url) -> None:
    """Write a BagIt bag of the matching records' public JSON and public originals to OUT_DIR."""
    from web import export

    args = {k: v for k, v in {"q": q, "agency": agency, "kind": kind, "year": year, "from": date_from,
                              "to": date_to}.items() if v}
    if out_dir.exists() or not out_dir.parent.is_dir():
        raise click.UsageError(f"{out_dir} exists, or its folder does not: name a new folder")
    for key in ("from", "to"):
        if key in args and not _is_date(args[key]):
            raise click.UsageError(f"--{key} takes a date as YYYY-MM-DD, not {args[key]!r}")
    server = current_app.config.get("SERVER_NAME")  # when set, Flask makes every link for it
    portal = (f"{current_app.config['PREFERRED_URL_SCHEME']}://{server}" if server else
              portal_url or os.environ.get("ARCHIVE_PUBLIC_URL") or "http://localhost:5000").rstrip("/")
    try:
        outcome, prepared = export.export_to_folder(out_dir, export.search_request(args), args, portal)
    except (export.QueryRefused, export.TooMany) as exc:
        raise click.UsageError(str(exc) if isinstance(exc, export.QueryRefused) else
                               f"more than {exc.limit} records match: narrow the search") from None
    if outcome is None:
        click.echo("nothing matched; no bag written", err=True)
        sys.exit(1)
    for problem in outcome.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(f"wrote {out_dir}: {outcome.records} records, {outcome.files} originals, {outcome.bytes} bytes"
               + (" (the search was cut short: some matches may be missing)" if prepared.partial else ""))


def _is_date(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def init_app(app: Flask) -> None:
    import clerk_commands  # disclose, pending, approve, reject, withdraw, restore, release-due, audit

    clerk_commands.init_app(app)
    import account_commands  # users disable, enable, role, reset-password, 2fa-reset

    account_commands.add_to(users_group)
    import ocr_commands  # ocr (issue 16)

    ocr_commands.init_app(app)
    __import__("store_commands").init_app(app)  # migrate-store (issue 15)
    for command in (ingest_command, reindex_command, reextract_command, verify_command,
                    users_group, worker_command, jobs_command, export_command):
        app.cli.add_command(command)
