"""`users disable|enable|role|reset-password|2fa-reset`: the CLI twins of the admin's accounts page.

They call archive.account_admin as the workspace does, audited as the command line
(`cli:<os user>`: whoever may run these owns the store). Exit 0 done, 1 refused (with why).
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from archive import account_admin
from archive.account_admin import Admin
from archive.accounts import AccountError, Role
from archive.store import Store


def _run(action, done: str) -> None:
    store = Store(current_app.config["DATA_DIR"])
    try:
        changed = action(store, Admin.command_line())
    except AccountError as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    finally:
        store.close()
    click.echo(done if changed is not False else done + " (already so)")


@click.command("disable")
@click.argument("name")
@with_appcontext
def users_disable(name: str) -> None:
    """Refuse the account's logins from now on and end its open sessions."""
    _run(lambda store, by: account_admin.disable(store, by, name), f"disabled {name}; its sessions ended")


@click.command("enable")
@click.argument("name")
@with_appcontext
def users_enable(name: str) -> None:
    """Accept a disabled account's logins again (with the password it had)."""
    _run(lambda store, by: account_admin.enable(store, by, name), f"enabled {name}")


@click.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def users_role(name: str, role: str) -> None:
    """Make the account a clerk or an admin (an admin acts for all agencies; the last admin stays one)."""
    _run(lambda store, by: account_admin.set_role(store, by, name, Role(role)), f"{name} is {role}")


@click.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@with_appcontext
def users_reset_password(name: str, password_stdin: bool) -> None:
    """Give the account a new password; its sessions end."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    _run(lambda store, by: account_admin.reset_password(store, by, name, password),
         f"new password for {name}; its sessions ended")


@click.command("2fa-reset")
@click.argument("name")
@with_appcontext
def users_2fa_reset(name: str) -> None:
    """Remove the account's TOTP factor (a lost phone); it enrols again at its next login."""
    _run(lambda store, by: account_admin.reset_2fa(store, by, name), f"second factor of {name} removed")


def add_to(group: click.Group) -> None:
    for command in (users_disable, users_enable, users_role, users_reset_password, users_2fa_reset):
        group.add_command(command)
