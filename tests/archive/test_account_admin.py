"""What an admin does to accounts (archive/account_admin.py), and its CLI twins (`users …`), audited."""

from __future__ import annotations

import pyotp
import pytest

from archive import account_admin, accounts, sessions, totp
from archive.account_admin import Admin
from archive.accounts import AccountError, NotPermitted, Role
from archive.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "s")
    accounts.create_user(store, "park", Role.ADMIN, PASSWORD)
    accounts.create_user(store, "kim", Role.CLERK, PASSWORD, ["서울특별시"])
    yield store
    store.close()


def audit(db) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.account) for e in reversed(db.account_audit())]


def test_each_action_is_done_and_audited_with_who_did_it(db):
    park = Admin.of(db, db.account("park"))
    account_admin.create(db, park, "lee", Role.CLERK, PASSWORD, ["부산광역시"])
    assert account_admin.disable(db, park, "lee")
    assert not account_admin.disable(db, park, "lee")  # disabled already: nothing to audit
    assert account_admin.enable(db, park, "lee")
    account_admin.reset_password(db, park, "lee", "a new long password")
    assert account_admin.set_role(db, park, "lee", Role.ADMIN)
    assert db.account("lee").agencies == ()  # an admin acts for all
    account_admin.set_agencies(db, park, "kim", ["경기도"])
    assert audit(db) == [("park", a, n) for a, n in [("create", "lee"), ("disable", "lee"), ("enable", "lee"),
                                                    ("reset-password", "lee"), ("role", "lee"), ("agencies", "kim")]]
    details = {e.action: e.detail for e in db.account_audit()}
    assert details["role"] == "clerk -> admin; 담당 기관 없앰 부산광역시"
    assert details["agencies"] == "서울특별시 -> 경기도"
    assert PASSWORD not in str(db.account_audit()) and "a new long password" not in str(db.account_audit())
    with pytest.raises(Exception, match="append-only"):
        db._run("DELETE FROM account_audit")


def test_an_admin_cannot_disable_themselves_nor_remove_the_last_admin(db):
    park = Admin.of(db, db.account("park"))
    with pytest.raises(AccountError, match="자기 계정"):
        account_admin.disable(db, park, "park")
    cli = Admin.command_line()
    with pytest.raises(AccountError, match="마지막 관리자"):
        account_admin.disable(db, cli, "park")
    with pytest.raises(AccountError, match="마지막 관리자"):
        account_admin.set_role(db, cli, "park", Role.CLERK)
    assert db.enabled_admins() == ["park"] and db.account_audit() == []
    # with a second admin, either may go
    account_admin.set_role(db, cli, "kim", Role.ADMIN)
    assert account_admin.set_role(db, cli, "park", Role.CLERK)
    with pytest.raises(AccountError, match="마지막 관리자"):
        account_admin.disable(db, cli, "kim")


def test_a_clerk_or_a_demoted_admin_acts_as_no_admin(db):
    with pytest.raises(NotPermitted):
        Admin.of(db, db.account("kim"))
    stale = db.account("park")  # a session's user, read before the role changed
    accounts.create_user(db, "choi", Role.ADMIN, PASSWORD)
    account_admin.set_role(db, Admin.command_line(), "park", Role.CLERK)
    with pytest.raises(NotPermitted):
        Admin.of(db, stale)


def test_disabling_ends_open_sessions_and_the_password_stops_working(db):
    token = sessions.begin(db, "kim", 1800, False)
    gen = db.account("kim").session_gen
    account_admin.disable(db, Admin.command_line(), "kim")
    assert sessions.touch(db, token, "kim", 1800) is None and db.session_count("kim") == 0
    assert db.account("kim").session_gen == gen + 1
    assert accounts.authenticate(db, "kim", PASSWORD, "192.0.2.1") is None
    account_admin.enable(db, Admin.command_line(), "kim")
    assert accounts.authenticate(db, "kim", PASSWORD, "192.0.2.1").name == "kim"


def test_2fa_reset_by_another_admin_or_the_command_line(db):
    enrolment = totp.enrolment(db, "park")
    assert totp.confirm(db, "park", pyotp.TOTP(enrolment.secret).now(), enrolment.tag, "192.0.2.1").ok
    park = Admin.of(db, db.account("park"))
    with pytest.raises(AccountError):
        account_admin.reset_2fa(db, park, "park")  # a stolen session must not drop the factor
    assert account_admin.reset_2fa(db, Admin.command_line(), "park")
    assert totp.state(db, "park") is totp.State.NONE
    assert audit(db)[-1][1:] == ("2fa-reset", "park") and audit(db)[-1][0].startswith("cli:")


def cli(runner, *args, input=None):
    return runner.invoke(args=["users", *args], input=input)


def test_the_cli_twins(app, runner):
    assert cli(runner, "create", "park", "--role", "admin", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    assert cli(runner, "create", "kim", "--role", "clerk", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    result = cli(runner, "disable", "kim")
    assert result.exit_code == 0 and "disabled kim" in result.output
    assert cli(runner, "enable", "kim").exit_code == 0
    result = cli(runner, "role", "kim", "admin")
    assert result.exit_code == 0 and "kim is admin" in result.output
    assert cli(runner, "role", "kim", "clerk").exit_code == 0
    result = cli(runner, "role", "park", "clerk")
    assert result.exit_code == 1 and "마지막 관리자" in result.output
    assert cli(runner, "disable", "park").exit_code == 1
    assert cli(runner, "disable", "nobody").exit_code == 1
    assert cli(runner, "reset-password", "kim", "--password-stdin", input="short\n").exit_code == 1
    result = cli(runner, "reset-password", "kim", "--password-stdin", input="a brand new password\n")
    assert result.exit_code == 0, result.output
    result = cli(runner, "2fa-reset", "kim")
    assert result.exit_code == 0 and "(already so)" in result.output
    store = Store(app.config["DATA_DIR"])
    try:
        assert accounts.authenticate(store, "kim", "a brand new password", "192.0.2.1")
        assert accounts.authenticate(store, "kim", PASSWORD, "192.0.2.2") is None
        actions = [e.action for e in reversed(store.account_audit())]
        assert actions == ["create", "create", "disable", "enable", "role", "role", "reset-password", "2fa-reset"]
        assert all(e.actor.startswith("cli:") for e in store.account_audit())
    finally:
        store.close()
