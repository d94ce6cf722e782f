"""Logins under attack: settings that refuse to start, sessions that end, limits nobody can turn on a clerk."""

from __future__ import annotations

import pytest

from tests.conftest import make_app


def test_a_short_secret_key_stops_the_start(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        make_app(tmp_path / "a", SECRET_KEY="short-key")
    monkeypatch.setenv("ARCHIVE_SECRET_KEY", "k" * 31)
    from app import create_app

    with pytest.raises(RuntimeError, match="ARCHIVE_SECRET_KEY.*at least 32 characters"):
        create_app({"DATA_DIR": str(tmp_path / "b")})
    monkeypatch.setenv("ARCHIVE_SECRET_KEY", "k" * 32)
    assert create_app({"DATA_DIR": str(tmp_path / "c")}).config["SECRET_KEY"] == "k" * 32


def test_known_and_unknown_names_do_the_same_work_over_http(tmp_path, monkeypatch):
    from archive import accounts
    from archive.store import Store
    from tests.conftest import CLERK, PASSWORD, log_in

    app = make_app(tmp_path / "s")
    store = Store(tmp_path / "s")
    accounts.create_user(store, CLERK, accounts.Role.CLERK, PASSWORD)
    accounts.create_user(store, "lee", accounts.Role.CLERK, PASSWORD)
    accounts.disable_user(store, "lee")
    store.close()
    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))
    work = {}
    for name in (CLERK, "nobody", "lee"):
        before = len(checks)
        answer = log_in(app.test_client(), name=name, password="wrong password" if name == CLERK else PASSWORD)
        assert answer.status_code == 401 and "맞지 않습니다" in answer.get_data(as_text=True)
        work[name] = [h.split("$")[0] for h in checks[before:]]
    assert work[CLERK] == work["nobody"] == work["lee"] and len(work[CLERK]) == 1
