"""TOTP second factor (archive/totp.py): enrolment confirmed by a first code, codes spent once,
attempts limited like passwords (never a lock), on a real store."""

from __future__ import annotations

import pyotp
import pytest

from archive import accounts, totp
from archive.accounts import AccountError, Role
from archive.store import Store

T0 = 1_900_000_000.0  # a fixed clock, on a step boundary's far side: T0 // 30 is a whole step
ADDRESS = "192.0.2.10"


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "s")
    accounts.create_user(store, "kim", Role.CLERK, "correct horse battery")
    yield store
    store.close()


def enrolled(db, now=T0) -> str:
    enrolment = totp.enrolment(db, "kim")
    code = pyotp.TOTP(enrolment.secret).at(now)
    assert totp.confirm(db, "kim", code, enrolment.tag, ADDRESS, now=now).ok
    return enrolment.secret


def test_enrolment_is_enforced_only_once_a_first_code_confirms_it(db):
    assert totp.state(db, "kim") is totp.State.NONE
    enrolment = totp.enrolment(db, "kim")
    assert enrolment.uri.startswith("otpauth://totp/Yeollam:kim?") and f"secret={enrolment.secret}" in enrolment.uri
    assert len(enrolment.secret) == 32  # 160 bits
    assert totp.state(db, "kim") is totp.State.PENDING
    code = pyotp.TOTP(enrolment.secret).at(T0)
    wrong = "000000" if code != "000000" else "111111"
    assert not totp.confirm(db, "kim", wrong, enrolment.tag, ADDRESS, now=T0).ok
    assert totp.state(db, "kim") is totp.State.PENDING
    assert totp.confirm(db, "kim", code, enrolment.tag, ADDRESS, now=T0).ok
    assert totp.state(db, "kim") is totp.State.ACTIVE
    # the confirming code is spent: it does not log in a second time
    assert not totp.verify(db, "kim", code, ADDRESS, now=T0).ok
    with pytest.raises(AccountError):  # replacing a confirmed factor takes an admin's reset
        totp.enrolment(db, "kim")


def test_a_secret_shown_to_another_browser_is_replaced_not_reused(db):
    theirs = totp.enrolment(db, "kim")  # someone with the password began an enrolment
    again = totp.enrolment(db, "kim", theirs.tag)
    assert again.secret == theirs.secret  # the same browser reloading sees the same secret
    mine = totp.enrolment(db, "kim", tag=None)  # the clerk's own browser: a fresh secret
    assert mine.secret != theirs.secret
    # the first browser's secret no longer confirms anything
    assert not totp.confirm(db, "kim", pyotp.TOTP(theirs.secret).at(T0), theirs.tag, ADDRESS, now=T0).ok
    assert totp.confirm(db, "kim", pyotp.TOTP(mine.secret).at(T0), mine.tag, ADDRESS, now=T0).ok


def test_codes_are_single_use_and_an_older_code_of_the_window_is_refused(db):
    secret = enrolled(db, now=T0 - 120)
    code = pyotp.TOTP(secret).at(T0)
    assert totp.verify(db, "kim", code, ADDRESS, now=T0).ok
    assert not totp.verify(db, "kim", code, ADDRESS, now=T0 + 5).ok  # replayed within its window
    previous = pyotp.TOTP(secret).at(T0 - 30)
    assert previous != code
    assert not totp.verify(db, "kim", previous, ADDRESS, now=T0 + 5).ok  # older than the one spent
    assert totp.verify(db, "kim", pyotp.TOTP(secret).at(T0 + 30), ADDRESS, now=T0 + 30).ok  # the next one works


def test_a_clock_one_step_off_is_accepted_two_steps_not(db):
    secret = enrolled(db, now=T0 - 300)
    assert totp.verify(db, "kim", pyotp.TOTP(secret).at(T0 + 30), ADDRESS, now=T0).ok
    assert not totp.verify(db, "kim", pyotp.TOTP(secret).at(T0 + 120), ADDRESS, now=T0 + 1).ok
    for bad in ("", "12345", "1234567", "abcdef", "１２３４５６"):
        assert not totp.verify(db, "kim", bad, ADDRESS, now=T0 + 2).ok


def test_code_guessing_waits_like_passwords_and_never_locks(db):
    secret = enrolled(db, now=T0 - 300)
    right = pyotp.TOTP(secret)
    wrong = "000000" if right.at(T0) != "000000" else "111111"
    for _ in range(accounts.PAIR.free):
        assert totp.verify(db, "kim", wrong, ADDRESS, now=T0).wait == 0
    refused = totp.verify(db, "kim", right.at(T0), ADDRESS, now=T0)
    assert not refused.ok and refused.wait == accounts.PAIR.base  # refused unchecked, even the right code
    # a wait, not a lock: once it has passed, the right code gets in
    later = T0 + accounts.PAIR.base
    assert totp.verify(db, "kim", right.at(later), ADDRESS, now=later).ok
    # code failures are counted apart: the password still logs in from that address at once
    assert accounts.attempt_login(db, "kim", "correct horse battery", ADDRESS, now=later).user
    # and from an address that has not failed, the code is checked at once (no account-wide lock)
    other = T0 + 60
    db.forget_attempts(before=0)
    for _ in range(accounts.PAIR.free):
        totp.verify(db, "kim", wrong, "198.51.100.1", now=other)
    assert totp.verify(db, "kim", right.at(other + 30), "203.0.113.5", now=other + 30).ok


def test_reset_removes_the_factor_and_ends_sessions(db):
    enrolled(db)
    gen = db.account("kim").session_gen
    assert totp.reset(db, "kim")
    assert totp.state(db, "kim") is totp.State.NONE and db.account("kim").session_gen == gen + 1
    assert not totp.reset(db, "kim")


def test_the_qr_code_is_an_inline_svg_of_the_uri(db):
    svg = totp.enrolment(db, "kim").qr_svg()
    assert svg.startswith("<svg") and "<path" in svg and "style=" not in svg  # no inline style: the CSP holds
    assert len(svg) < 10_000


def test_two_requests_racing_with_one_code_get_in_once(db, tmp_path):
    import threading

    secret = enrolled(db, now=T0 - 120)
    code = pyotp.TOTP(secret).at(T0)
    barrier = threading.Barrier(4)
    results = []

    def attempt(address):
        store = Store(tmp_path / "s")  # each its own connection, as parallel workers have
        try:
            barrier.wait()
            results.append(totp.verify(store, "kim", code, address, now=T0).ok)
        finally:
            store.close()

    threads = [threading.Thread(target=attempt, args=(f"192.0.2.{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
