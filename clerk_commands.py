"""The clerks' commands of interface.md: disclose (with --until), pending, approve, reject, withdraw,
restore, release-due, audit. Arguments in, review_services/services called, results printed."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

import review_services
from archive.accounts import NotPermitted
from archive.changes import Change, ChangeRefused, NeedsConfirmation
from archive.review import ReviewRefused
from archive.store import Store

REFUSED = (ChangeRefused, ReviewRefused, NotPermitted)


def _context():
    config = current_app.config
    return (Store(Path(config["DATA_DIR"])), current_app.extensions["search_engine"], Path(config["DATA_DIR"]),
            bool(config.get("FOUR_EYES")))


def _iso(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.UsageError(f"{option} takes a date, YYYY-MM-DD") from None


def _refused(exc: Exception) -> None:
    click.echo(f"refused: {exc}", err=True)
    for kind, masked in getattr(exc, "findings", []):
        click.echo(f"  {kind}: {masked}", err=True)
    sys.exit(1)


@click.command("disclose")
@click.argument("record_id")
@click.argument("n", type=int)
@click.option("--withhold", "action", flag_value="withhold", help="Withhold the attachment.")
@click.option("--release", "action", flag_value="release", help="Make the attachment public again.")
@click.option("--ground", "grounds", type=int, multiple=True, help="A ground number (repeat for more).")
@click.option("--until", default=None, help="With --withhold: the withhold ends on this date (YYYY-MM-DD).")
@click.option("--reason", required=True, help="Why: kept in the audit log.")
@click.option("--clerk", required=True, help="The clerk account making the change.")
@click.option("--confirm-personal-data", is_flag=True,
              help="Release even though personal data was found in the text.")
@with_appcontext
def disclose_command(record_id, n, action, grounds, until, reason, clerk, confirm_personal_data) -> None:
    """Withhold or release attachment N (1-based) of a record; the change is audited.

    Under ARCHIVE_FOUR_EYES=1 a release (and a withhold's end date) waits for a second clerk's approve."""
    if action is None:
        raise click.UsageError("say --withhold or --release")
    until = _iso(until, "--until")
    if until and action != "withhold":
        raise click.UsageError("--until goes with --withhold")
    store, engine, data_dir, four_eyes = _context()
    try:
        done = review_services.disclose(
            store, engine, data_dir,
            Change(record_id, n, action == "withhold", reason, clerk, list(grounds), confirm_personal_data),
            four_eyes=four_eyes, until=until)
    except (NeedsConfirmation, *REFUSED) as exc:
        _refused(exc)
    finally:
        store.close()
    if done.entry is not None:
        entry = done.entry
        click.echo(f"{record_id} attachment {n} ({entry.attachment_name}): "
                   f"{entry.old_level.value} -> {entry.new_level.value}"
                   + (f" on grounds {entry.grounds}" if entry.grounds else "")
                   + (f" until {until}" if until and done.pending is None else ""))
    if done.pending is not None:
        click.echo(f"pending change {done.pending.id}: {done.pending.as_json()['action']} of {record_id} "
                   f"attachment {n} waits for a second clerk (approve {done.pending.id} --clerk NAME)")


@click.command("pending")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@with_appcontext
def pending_command(as_json: bool) -> None:
    """Changes waiting for a second clerk."""
    store, *_ = _context()
    try:
        found = [p.as_json() for p in store.pending_changes()]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for p in found:
        click.echo(f"#{p['id']} {p['action']} {p['record']}"
                   + (f" attachment {p['attachment']}" if p["attachment"] else "")
                   + f" by {p['clerk']} at {p['requested_at']}: {p['reason']}")
    if not found:
        click.echo("no pending changes")


@click.command("approve")
@click.argument("change_id", type=int)
@click.option("--clerk", required=True, help="The second clerk (not the one who asked).")
@with_appcontext
def approve_command(change_id: int, clerk: str) -> None:
    """Approve a pending change: it is made now."""
    store, engine, data_dir, _ = _context()
    try:
        done = review_services.approve(store, engine, data_dir, change_id, clerk)
    except (NeedsConfirmation, *REFUSED) as exc:
        _refused(exc)
    finally:
        store.close()
    click.echo(f"approved change {change_id}: {done.as_json()['action']} of {done.record_id}")


@click.command("reject")
@click.argument("change_id", type=int)
@click.option("--clerk", required=True, help="The second clerk (not the one who asked).")
@click.option("--reason", required=True, help="Why: kept in the audit log.")
@with_appcontext
def reject_command(change_id: int, clerk: str, reason: str) -> None:
    """Reject a pending change: nothing is made public."""
    store, *_ = _context()
    try:
        review_services.reject(store, change_id, clerk, reason)
    except REFUSED as exc:
        _refused(exc)
    finally:
        store.close()
    click.echo(f"rejected change {change_id}")


@click.command("withdraw")
@click.argument("record_id", required=False)
@click.option("--run", "run_id", type=int, default=None, help="Every record this ingest run added or replaced.")
@click.option("--reason", required=True, help="Why: kept in the audit log (not shown to the public).")
@click.option("--clerk", required=True, help="The clerk account making the change.")
@with_appcontext
def withdraw_command(record_id: str | None, run_id: int | None, reason: str, clerk: str) -> None:
    """Take a record (or an ingest run's records) off every public path; its files stay for clerks."""
    if (record_id is None) == (run_id is None):
        raise click.UsageError("give RECORD_ID or --run RUN_ID")
    store, engine, data_dir, _ = _context()
    try:
        if run_id is not None:
            ids = review_services.withdraw_run(store, engine, data_dir, run_id, clerk, reason)
        else:
            review_services.withdraw(store, engine, data_dir, record_id, clerk, reason)
            ids = [record_id]
    except REFUSED as exc:
        _refused(exc)
    finally:
        store.close()
    click.echo(f"withdrawn: {', '.join(ids) if ids else 'nothing (withdrawn already)'}")


@click.command("restore")
@click.argument("record_id")
@click.option("--reason", required=True, help="Why: kept in the audit log.")
@click.option("--clerk", required=True, help="The clerk account making the change.")
@with_appcontext
def restore_command(record_id: str, reason: str, clerk: str) -> None:
    """Bring a withdrawn record back (under four eyes, once a second clerk approves)."""
    store, engine, data_dir, four_eyes = _context()
    try:
        pending = review_services.restore(store, engine, data_dir, record_id, clerk, reason, four_eyes=four_eyes)
    except REFUSED as exc:
        _refused(exc)
    finally:
        store.close()
    if pending is not None:
        click.echo(f"pending change {pending.id}: restore of {record_id} waits for a second clerk")
    else:
        click.echo(f"restored: {record_id}")


@click.command("release-due")
@click.option("--today", default=None, help="Release what is due on this date (YYYY-MM-DD; default: today).")
@with_appcontext
def release_due_command(today: str | None) -> None:
    """Release every withhold whose date has come (for cron or a systemd timer; audited as scheduled)."""
    today = _iso(today, "--today") or date.today().isoformat()
    store, engine, data_dir, _ = _context()
    try:
        lines = review_services.release_due(store, engine, data_dir, today)
    finally:
        store.close()
    for line in lines:
        click.echo(line)
    click.echo(f"release-due {today}: {sum('released (' in line for line in lines)} released")


@click.command("audit")
@click.option("--record", "record_id", default=None)
@click.option("--clerk", default=None)
@click.option("--since", default=None, help="Entries on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@with_appcontext
def audit_command(record_id: str | None, clerk: str | None, since: str | None, as_json: bool) -> None:
    """The audit log: every level change, request, decision and withdrawal, oldest first."""
    since = _iso(since, "--since")
    store, *_ = _context()
    try:
        rows = [e.as_json() for e in store.audit_rows(record_id=record_id, clerk=clerk, since=since)]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['at']} {r['clerk']} {r['action']} {r['record'] or '-'}"
                   + (f"/{r['attachment']}" if r["attachment"] else "")
                   + (f" {r['from']} -> {r['to']}" if r["from"] else "")
                   + (f" grounds {r['grounds']}" if r["grounds"] else "") + f": {r['reason']}")


def init_app(app: Flask) -> None:
    for command in (disclose_command, pending_command, approve_command, reject_command, withdraw_command,
                    restore_command, release_due_command, audit_command):
        app.cli.add_command(command)
