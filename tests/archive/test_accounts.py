
import pytest

from archive import accounts
from archive.accounts import AccountError, Role
from archive.store import Store


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path)
    yield store.db
    store.close()


def test_create_and_authenticate(db):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    assert accounts.authenticate(db, "kim", "correct horse battery", "1.2.3.4").role is Role.CLERK
    assert accounts.authenticate(db, "kim", "wrong", "1.2.3.4") is None
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "correct horse" not in stored  # hashed, never kept as typed


def test_refusals(db):
    accounts.create_user(db, "kim", Role.ADMIN, "long enough password")
    with pytest.raises(AccountError, match="exists"):
        accounts.create_user(db, "kim", Role.CLERK, "another long password")
    with pytest.raises(AccountError, match="too short"):
        accounts.create_user(db, "lee", Role.CLERK, "short")
    with pytest.raises(AccountError, match="invalid name"):
        accounts.create_user(db, "a b/c", Role.CLERK, "long enough password")


def test_throttled_per_account_then_per_address(db):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    for i in range(accounts.MAX_PER_ACCOUNT):
        assert accounts.authenticate(db, "kim", f"guess{i}", f"10.0.0.{i}") is None
    # even the right password is refused while the account is paused
    assert accounts.authenticate(db, "kim", "correct horse battery", "10.0.0.99") is None
    for i in range(accounts.MAX_PER_ADDRESS):
        accounts.authenticate(db, f"user{i}", "guess", "9.9.9.9")
    assert accounts.throttled(db, "someone-else", "9.9.9.9")
    assert not accounts.throttled(db, "someone-else", "8.8.8.8")


def test_failures_expire_after_the_window(db):
    accounts.create_user(db, "kim", Role.CLERK, "correct horse battery")
    for _ in range(accounts.MAX_PER_ACCOUNT):
        accounts.authenticate(db, "kim", "guess", "1.1.1.1")
    import time

    later = time.time() + accounts.WINDOW + 1
    assert not accounts.throttled(db, "kim", "2.2.2.2", now=later)


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
