"""Login limits over HTTP: parallel guesses, addresses behind a proxy, and clerks nobody can lock out."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from archive import accounts
from archive.accounts import Role
from archive.store import Store
from tests.conftest import CLERK, PASSWORD, csrf_token, make_app

PROXY = "10.0.0.1"  # the reverse proxy in front, as the portal sees it


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Real werkzeug hashes with cheap parameters: these tests make hundreds of attempts."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "pbkdf2:sha256:1")
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


def clerk_store(data_dir: Path) -> None:
    store = Store(data_dir)
    accounts.create_user(store, CLERK, Role.CLERK, PASSWORD)
    store.close()


@pytest.fixture
def direct_app(tmp_path):
    """No proxy configured (the default): X-Forwarded-For is nobody's word."""
    app = make_app(tmp_path / "s")
    clerk_store(tmp_path / "s")
    return app


@pytest.fixture
def proxied_app(tmp_path):
    app = make_app(tmp_path / "s", TRUSTED_PROXIES="1")
    clerk_store(tmp_path / "s")
    return app


def client_at(app, address: str, forwarded: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


def log_in(client, name=CLERK, password=PASSWORD):
    token = csrf_token(client, "/clerk/login")
    return client.post("/clerk/login", data={"csrf_token": token, "name": name, "password": password})


def test_parallel_wrong_guesses_over_http_check_at_most_the_limit(direct_app, monkeypatch):
    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checks.append(p) or real(h, p))
    clients = [client_at(direct_app, "192.0.2.66") for _ in range(30)]
    tokens = [csrf_token(c, "/clerk/login") for c in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def guess(i):
        barrier.wait()
        password = PASSWORD if i == 29 else f"guess {i}"
        statuses.append(clients[i].post("/clerk/login", data={
            "csrf_token": tokens[i], "name": CLERK, "password": password}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # at most the limit of wrong guesses is ever checked (the right one, if it was checked, is no failure)
    assert len([p for p in checks if p != PASSWORD]) == accounts.PAIR.free
    assert sorted(set(statuses)) in ([401, 429], [302, 401, 429])
    assert statuses.count(429) == len(clients) - len(checks)


def test_random_names_behind_the_proxy_do_not_lock_out_a_clerk(proxied_app):
    attacker = client_at(proxied_app, PROXY, "203.0.113.9")
    answers = [log_in(attacker, name=f"random{i}", password="guess guess").status_code for i in range(22)]
    assert answers.count(401) == accounts.ADDRESS.free and answers[-1] == 429
    clerk = client_at(proxied_app, PROXY, "198.51.100.7")
    assert log_in(clerk).status_code == 302
    assert clerk.get("/clerk/").status_code == 200


def test_guessing_a_clerks_password_elsewhere_does_not_lock_the_clerk_out(proxied_app):
    for i in range(4):
        attacker = client_at(proxied_app, PROXY, f"203.0.113.{i}")
        answers = [log_in(attacker, password=f"guess {n}").status_code for n in range(accounts.PAIR.free + 1)]
        assert answers[-1] == 429
    assert log_in(client_at(proxied_app, PROXY, "198.51.100.7")).status_code == 302


def test_forged_forwarded_for_is_ignored_without_trusted_proxies(direct_app):
    # the attacker changes X-Forwarded-For on every try: it is still one address
    answers = []
    for i in range(accounts.ADDRESS.free + 1):
        client = client_at(direct_app, "203.0.113.9", f"198.51.100.{i}")
        answers.append(log_in(client, name=f"random{i}", password="guess guess").status_code)
    assert answers[-1] == 429
    response = log_in(client_at(direct_app, "203.0.113.9", "198.51.100.200"))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_a_trusted_proxy_believes_only_its_own_entry(proxied_app):
    # the client prepends its own X-Forwarded-For; the proxy appends the real address last
    answers = []
    for i in range(accounts.PAIR.free + 1):
        client = client_at(proxied_app, PROXY, f"198.51.100.{i}, 203.0.113.9")
        answers.append(log_in(client, password=f"guess {i}").status_code)
    assert answers[-1] == 429
    assert log_in(client_at(proxied_app, PROXY, "198.51.100.0, 203.0.113.10")).status_code == 302


def test_a_bad_trusted_proxies_setting_stops_the_start(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="ARCHIVE_TRUSTED_PROXIES"):
        make_app(tmp_path / "s", TRUSTED_PROXIES="yes")
    monkeypatch.setenv("ARCHIVE_TRUSTED_PROXIES", "2")
    from app import create_app

    assert create_app({"DATA_DIR": str(tmp_path / "t"), "SECRET_KEY": "k" * 40}).config["TRUSTED_PROXIES"] == 2


def test_a_browser_that_logged_in_before_is_not_slowed_by_a_shared_address(direct_app):
    # Everyone behind one office address (or a proxy not set as trusted): an attacker there
    # makes every login from that address wait, except from browsers the clerk has used.
    clerk = client_at(direct_app, "192.0.2.10")
    assert log_in(clerk).status_code == 302
    assert clerk.post("/clerk/logout", data={"csrf_token": csrf_token(clerk, "/clerk/")}).status_code == 302
    attacker = client_at(direct_app, "192.0.2.10")
    for i in range(accounts.PAIR.free + 1):
        log_in(attacker, password=f"guess {i}")
    for i in range(accounts.ADDRESS.free):
        log_in(attacker, name=f"random{i}", password="guess guess")
    assert log_in(attacker).status_code == 429  # right password, but an unknown browser: waits
    assert log_in(clerk).status_code == 302
    # the device cookie is bound to the account it logged in to, and cannot be forged
    other = client_at(direct_app, "192.0.2.10")
    other.set_cookie("yeollam_device", "forged", domain="localhost", path="/clerk")
    assert log_in(other).status_code == 429
