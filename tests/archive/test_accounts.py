import os
import subprocess
import sys

import pytest

from archive import accounts
from archive.accounts import AccountError, Role
from archive.store import Store
from tests.conftest import PROJECT
from tests.pg import ON_BOTH_STORES

pytestmark = ON_BOTH_STORES


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path)
    yield store
    store.close()


def test_create_and_authenticate(db):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    assert accounts.authenticate(db, "kim", "correct horse battery", "1.2.3.4").role is Role.CLERK
    assert accounts.authenticate(db, "kim", "wrong", "1.2.3.4") is None
    stored = db.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "correct horse" not in stored  # hashed, never kept as typed


def test_the_product_hashes_with_werkzeugs_full_scrypt_cost(tmp_path, store_kind):
    """The suite hashes its own accounts cheaply (tests/conftest.py); a real process must not."""
    code = ("import sys; from archive import accounts; from archive.store import Store;"
            "from archive.accounts import Role; s = Store(sys.argv[1]);"
            "accounts.create_user(s, 'kim', Role.CLERK, 'correct horse battery');"
            "print(s.db.execute('SELECT password_hash FROM users').fetchone()[0])")
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_DATABASE_URL"}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store")], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.startswith("scrypt:32768:8:1$"), out


def test_refusals(db):
    accounts.create_user(db, "kim", Role.ADMIN, "long enough password")
    with pytest.raises(AccountError, match="exists"):
        accounts.create_user(db, "kim", Role.CLERK, "another long password")
    with pytest.raises(AccountError, match="too short"):
        accounts.create_user(db, "lee", Role.CLERK, "short")
    with pytest.raises(AccountError, match="invalid name"):
        accounts.create_user(db, "a b/c", Role.CLERK, "long enough password")


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash check, as (hash, password): the work a login does, not its wall time."""
    checks = []
    real = accounts.check_password_hash

    def counting(pwhash, password):
        checks.append((pwhash, password))
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return checks


def test_unknown_names_cost_the_same_hash_check_as_known_ones(db, hash_checks):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    assert accounts.authenticate(db, "kim", "wrong guess", "1.2.3.4") is None
    known = len(hash_checks)
    assert accounts.authenticate(db, "nobody", "wrong guess", "1.2.3.5") is None
    assert known == 1 and len(hash_checks) - known == known
    # the unknown name was checked against a hash as costly as a real one (same method and parameters)
    method = lambda h: h.split("$")[0]  # noqa: E731
    assert method(hash_checks[1][0]) == method(hash_checks[0][0])


def test_a_disabled_account_cannot_log_in_and_costs_the_same_check(db, hash_checks):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    accounts.create_user(db, "lee", Role.CLERK, "correct horse battery")
    accounts.disable_user(db, "lee")
    assert accounts.authenticate(db, "lee", "correct horse battery", "1.2.3.4") is None
    assert accounts.authenticate(db, "kim", "wrong guess", "1.2.3.5") is None
    assert len(hash_checks) == 2
    with pytest.raises(AccountError, match="no such user"):
        accounts.disable_user(db, "nobody")


# -- limits --------------------------------------------------------------------------------
RIGHT = "correct horse battery"
T0 = 1_000_000.0


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Real werkzeug hashes with cheap parameters, for tests that make hundreds of attempts."""
    monkeypatch.setattr(accounts, "HASH_METHOD", "pbkdf2:sha256:1")
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def kim(db, cheap_hashes):
    accounts.create_user(db, "kim", Role.CLERK, RIGHT)
    return db


def fail(db, name, address, times=1, now=T0, **kw):
    results = [accounts.attempt_login(db, name, "wrong guess", address, now=now, **kw) for _ in range(times)]
    return results


def test_own_failures_back_off_exponentially_and_never_lock(kim):
    limit = accounts.PAIR
    assert all(r.wait == 0 and r.user is None for r in fail(kim, "kim", "1.1.1.1", limit.free))
    now, waits = T0, []
    for _ in range(12):
        refused = accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=now)
        assert refused.user is None and refused.wait > 0  # even the right password waits: unchecked
        waits.append(refused.wait)
        now += refused.wait
        assert fail(kim, "kim", "1.1.1.1", now=now)[0].wait == 0  # checked once the wait is over
    assert waits[:4] == [limit.base, 2 * limit.base, 4 * limit.base, 8 * limit.base]
    assert max(waits) == limit.cap == waits[-1]
    wait = accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=now).wait
    assert accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=now + wait).user.name == "kim"
    # the address's failures stay (someone else may share it): no fresh allowance after a success
    assert accounts.attempt_login(kim, "kim", "typo", "1.1.1.1", now=now + wait).wait == 0
    assert accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=now + wait).wait == limit.cap


def test_refused_attempts_do_not_stretch_the_wait(kim):
    fail(kim, "kim", "1.1.1.1", accounts.PAIR.free)
    for _ in range(50):
        assert accounts.attempt_login(kim, "kim", "wrong", "1.1.1.1", now=T0 + 1).wait > 0
    assert accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=T0 + accounts.PAIR.base).user


def test_an_attack_from_elsewhere_does_not_keep_out_the_clerk_who_knows_the_password(kim):
    # many addresses, each guessing until it is made to wait
    for i in range(30):
        fail(kim, "kim", f"203.0.113.{i}", accounts.PAIR.free + 3)
    for i in range(accounts.ADDRESS.free + 5):
        fail(kim, f"random{i}", "198.51.100.1")
    assert accounts.attempt_login(kim, "kim", RIGHT, "192.0.2.7", now=T0).user.name == "kim"


def test_the_account_limit_slows_addresses_that_failed_for_it(kim):
    for i in range(accounts.ACCOUNT.free):  # one guess from each of many addresses is checked...
        assert fail(kim, "kim", f"203.0.113.{i}")[0].wait == 0
    # ...but a second guess from any of them waits for the account-wide back-off, at most its cap
    again = accounts.attempt_login(kim, "kim", RIGHT, "203.0.113.1", now=T0)
    assert again.user is None and 0 < again.wait <= accounts.ACCOUNT.cap
    for i in range(50, 80):
        fail(kim, "kim", f"203.0.113.{i}")
    again = accounts.attempt_login(kim, "kim", RIGHT, "203.0.113.1", now=T0)
    assert again.wait == accounts.ACCOUNT.cap
    assert accounts.attempt_login(kim, "kim", RIGHT, "203.0.113.1", now=T0 + again.wait).user


def test_an_address_spraying_names_is_slowed_alike_for_names_that_exist_and_not(kim):
    for i in range(accounts.ADDRESS.free):
        fail(kim, f"random{i}", "9.9.9.9")
    real, made_up = (accounts.attempt_login(kim, n, "guess", "9.9.9.9", now=T0 + 1) for n in ("kim", "nobody"))
    assert real == made_up == accounts.LoginResult(None, accounts.ADDRESS.base - 1)
    assert accounts.attempt_login(kim, "kim", RIGHT, "8.8.8.8", now=T0 + 1).user  # another address is free


def test_a_trusted_device_is_slowed_by_its_own_failures_only(kim):
    for address in ("10.0.0.1", "10.0.0.2"):  # everything from the clerk's office address is slowed
        fail(kim, "kim", address, 40)
    for i in range(40):
        fail(kim, f"random{i}", "10.0.0.1")
    assert accounts.attempt_login(kim, "kim", RIGHT, "10.0.0.1", now=T0).wait > 0
    assert accounts.attempt_login(kim, "kim", RIGHT, "10.0.0.1", device="d-1", now=T0).user
    fail(kim, "kim", "10.0.0.1", accounts.DEVICE.free, device="d-2")
    assert accounts.attempt_login(kim, "kim", RIGHT, "10.0.0.1", device="d-2", now=T0).wait == accounts.DEVICE.base
    assert accounts.attempt_login(kim, "kim", RIGHT, "10.0.0.1", device="d-1", now=T0).user
    # the device's own success clears its failures
    later = T0 + accounts.DEVICE.base
    assert accounts.attempt_login(kim, "kim", RIGHT, "10.0.0.1", device="d-2", now=later).user
    assert fail(kim, "kim", "10.0.0.1", accounts.DEVICE.free, device="d-2", now=later)[-1].wait == 0


def test_ipv6_addresses_are_limited_per_64(kim):
    for i in range(accounts.PAIR.free):
        fail(kim, "kim", f"2001:db8:1:2::{i + 1:x}")
    assert accounts.attempt_login(kim, "kim", RIGHT, "2001:db8:1:2:ffff::9", now=T0).wait > 0
    assert accounts.attempt_login(kim, "kim", RIGHT, "2001:db8:1:3::1", now=T0).user
    assert accounts.address_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_failures_are_forgotten_after_the_window(kim):
    fail(kim, "kim", "1.1.1.1", 40)
    for i in range(40):
        fail(kim, f"random{i}", "1.1.1.1")
    assert accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=T0 + 1).wait > 0
    later = T0 + accounts.WINDOW + 1
    assert accounts.attempt_login(kim, "kim", RIGHT, "1.1.1.1", now=later).user
    assert kim.db.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 0  # pruned


def hammer(data_dir, threads, guess):
    """Run `guess(db, i)` in that many threads at once, each with its own connection."""
    import threading

    barrier = threading.Barrier(threads)
    errors = []

    def run(i):
        store = Store(data_dir)
        try:
            barrier.wait()
            guess(store, i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors


@pytest.mark.slow
def test_parallel_guesses_cannot_race_past_the_limit(tmp_path, hash_checks, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATABASE_POOL", "30")  # on PostgreSQL: 30 sessions at once, not the pool's 4 in turn
    store = Store(tmp_path)
    accounts.create_user(store, "kim", Role.CLERK, RIGHT)
    store.close()
    hammer(tmp_path, 30, lambda db, i: accounts.authenticate(db, "kim", f"guess{i}", "5.5.5.5"))
    assert len(hash_checks) == accounts.PAIR.free
    hash_checks.clear()
    hammer(tmp_path, 30, lambda db, i: accounts.authenticate(db, f"random{i}", "guess", "6.6.6.6"))
    assert len(hash_checks) == accounts.ADDRESS.free


GUESSER = """
import sys, threading, time
from archive import accounts
from archive.store import Store

checks = []
real = accounts.check_password_hash
accounts.check_password_hash = lambda h, p: checks.append(1) or real(h, p)
data_dir, start = sys.argv[1], float(sys.argv[2])
accounts._dummy_hash()

def guess(i):
    store = Store(data_dir)
    time.sleep(max(0.0, start - time.time()))
    accounts.authenticate(store, "kim", f"guess{i}", "5.5.5.5")
    store.close()

threads = [threading.Thread(target=guess, args=(i,)) for i in range(15)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(checks))
"""


@pytest.mark.slow
def test_two_processes_cannot_race_past_the_limit(tmp_path):
    import subprocess
    import sys
    import time
    from pathlib import Path

    store = Store(tmp_path)
    accounts.create_user(store, "kim", Role.CLERK, RIGHT)
    store.close()
    project = Path(__file__).resolve().parents[2]
    start = str(time.time() + 4)
    procs = [subprocess.Popen([sys.executable, "-c", GUESSER, str(tmp_path), start], cwd=project,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    checked = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(checked) == accounts.PAIR.free, checked


def test_sessions_end_at_logout_new_password_and_disabling(db):
    accounts.create_user(db, "kim", Role.CLERK, RIGHT)
    gen = accounts.authenticate(db, "kim", RIGHT, "1.1.1.1").session_gen
    assert accounts.session_user(db, "kim", gen).name == "kim"
    accounts.end_sessions(db, "kim")
    assert accounts.session_user(db, "kim", gen) is None
    gen = accounts.authenticate(db, "kim", RIGHT, "1.1.1.1").session_gen
    accounts.set_password(db, "kim", "a brand new password")
    assert accounts.session_user(db, "kim", gen) is None
    assert accounts.authenticate(db, "kim", RIGHT, "1.1.1.1") is None
    gen = accounts.authenticate(db, "kim", "a brand new password", "1.1.1.1").session_gen
    accounts.disable_user(db, "kim")
    assert accounts.session_user(db, "kim", gen) is None
    with pytest.raises(AccountError, match="too short"):
        accounts.set_password(db, "kim", "short")


def test_last_login_is_recorded(db):
    accounts.create_user(db, "kim", Role.CLERK, RIGHT)
    accounts.create_user(db, "lee", Role.ADMIN, RIGHT)
    accounts.authenticate(db, "kim", "wrong guess", "1.1.1.1")
    assert [u["last_login_at"] for u in accounts.list_users(db)] == [None, None]
    accounts.authenticate(db, "kim", RIGHT, "1.1.1.1")
    kim, lee = accounts.list_users(db)
    assert kim["last_login_at"].startswith("20") and lee["last_login_at"] is None and lee["role"] is Role.ADMIN


@pytest.mark.sqlite_only
def test_opening_a_store_of_the_first_release_migrates_it_once(tmp_path):
    """A store round one made (DDL on every connection, user_version 0) opens, and kim logs in."""
    import sqlite3

    from archive.store.migrations import MIGRATIONS, V1

    old = sqlite3.connect(tmp_path / "archive.sqlite3")
    old.executescript(V1 + "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT "
                      "NOT NULL, created_at TEXT NOT NULL); CREATE TABLE login_failures (key TEXT, at REAL);")
    old.execute("INSERT INTO users VALUES ('kim', 'clerk', ?, 'then')", (accounts.generate_password_hash(RIGHT),))
    old.commit()
    old.close()
    for _ in range(2):  # the second open finds nothing to do
        store = Store(tmp_path)
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert accounts.authenticate(store, "kim", RIGHT, "1.1.1.1").session_gen == 0
        assert not store.db.execute("SELECT name FROM sqlite_master WHERE name = 'login_failures'").fetchall()
        store.close()
