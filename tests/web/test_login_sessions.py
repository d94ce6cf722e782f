"""Sessions that end when the clerk says so, and the admin's accounts page."""

from __future__ import annotations

import pytest

from archive import accounts
from archive.accounts import Role
from archive.store import Store
from tests.conftest import CLERK, PASSWORD, csrf_token, log_in, make_app

ADMIN = "park"


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "s")
    store = Store(tmp_path / "s")
    accounts.create_user(store, CLERK, Role.CLERK, PASSWORD)
    accounts.create_user(store, ADMIN, Role.ADMIN, PASSWORD)
    store.close()
    return app


def session_cookie(client) -> str:
    return client.get_cookie("session", domain="localhost").value


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="localhost")
    return thief.get("/clerk/")


def test_a_session_cookie_copied_before_logout_opens_nothing_after(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    copied = session_cookie(client)
    assert replay(app, copied).status_code == 200  # the copy works while the session lives
    assert client.post("/clerk/logout", data={"csrf_token": csrf_token(client, "/clerk/")}).status_code == 302
    response = replay(app, copied)
    assert response.status_code == 302 and "/clerk/login" in response.headers["Location"]
    # logging in again makes a new session that works
    assert log_in(client).status_code == 302 and client.get("/clerk/").status_code == 200


def test_a_new_password_or_disabling_ends_sessions(app):
    client = app.test_client()
    log_in(client)
    store = Store(app.config["DATA_DIR"])
    accounts.set_password(store, CLERK, "another long password")
    assert client.get("/clerk/").status_code == 302
    log_in(client, password="another long password")
    assert client.get("/clerk/").status_code == 200
    accounts.disable_user(store, CLERK)
    store.close()
    assert client.get("/clerk/").status_code == 302
    assert log_in(client, password="another long password").status_code == 401


def test_a_session_from_before_this_release_must_log_in_again(app):
    # such sessions carry the bare name as the user id, with no generation to check
    from flask.sessions import SecureCookieSessionInterface

    client = app.test_client()
    log_in(client)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(session_cookie(client))
    assert data["_user_id"].startswith(CLERK + ":")
    assert replay(app, serializer.dumps(data)).status_code == 200
    assert replay(app, serializer.dumps({**data, "_user_id": CLERK})).status_code == 302


def test_accounts_page_is_for_admins_only(app):
    anonymous = app.test_client().get("/clerk/accounts")
    assert anonymous.status_code == 302 and "/clerk/login" in anonymous.headers["Location"]
    clerk = app.test_client()
    log_in(clerk)
    assert clerk.get("/clerk/accounts").status_code == 403
    admin = app.test_client()
    log_in(admin, name=ADMIN)
    response = admin.get("/clerk/accounts")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store, private"
    assert CLERK in page and ADMIN in page and "admin" in page and "clerk" in page
    store = Store(app.config["DATA_DIR"])
    last_logins = {u["name"]: u["last_login_at"] for u in accounts.list_users(store)}
    store.close()
    assert last_logins[ADMIN] in page and last_logins[CLERK] in page
    assert "scrypt" not in page and "pbkdf2" not in page  # no hash ever shown
