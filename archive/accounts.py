"""Clerk and admin accounts: hashed passwords, roles as an enum, logins that resist guessing.

How logins are limited, in terms of what an attacker wants:

- *Guess one clerk's password.* Every attempt that gets its password checked is first written
  down as a failure, in the same write transaction (BEGIN IMMEDIATE) that decided it may be
  checked; it is cleared only once the password proved right. Parallel requests, threads,
  workers or processes therefore see each other's attempts: none is checked on a count that
  another one is about to raise.
- *Lock a clerk out* by failing on purpose. No limit is a hard lock: each is an exponential
  back-off (the wait doubles with each failure past a free allowance, up to a cap), and the
  limits are keyed so that an attacker's failures slow the attacker:
    * PAIR (account, address): failures for this account from this address;
    * ADDRESS: failures from this address for any name, real or not (one address spraying
      many names); the decision never looks at whether the name exists, so neither the
      answer nor its timing tells which names do;
    * ACCOUNT: failures for this account from everywhere. It binds only addresses that have
      themselves failed for this account: a clerk typing the right password from an address
      that has not failed for the account gets in while the account is attacked from
      elsewhere. An attacker with many addresses gets one guess per address per WINDOW, then
      the global back-off (capped at a few minutes, so a clerk who mistyped waits minutes,
      never hours);
    * DEVICE: a browser that has logged in to this account before presents a signed token
      (web.auth); its attempts are limited by its own failures only, so an attacker sharing
      the clerk's address (an office NAT, a reverse proxy not configured as trusted) cannot
      slow the clerk's own browser.
- *Learn which names exist.* A name with no account, and a disabled one, costs the same hash
  check against a dummy hash, and is counted and limited exactly like a real one.

Refused attempts (asked to wait) are not counted: waiting is the whole penalty, and a flood of
refused attempts cannot stretch a wait. A success is no failure, and clears a trusted device's
failures; an address's failures are never cleared by a success (whoever shares the address
would get a fresh allowance of guesses each time the clerk logs in): they age out (WINDOW).
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.security import check_password_hash, generate_password_hash

from .messages import N_, Refusal

# werkzeug's scrypt with its own default cost (about 0.1 s a hash here): a stolen users table
# costs an attacker that much per guess. The test suite lowers it for its own accounts
# (tests/conftest.py; tests/archive/test_accounts.py proves the product keeps this one).
HASH_METHOD = "scrypt:32768:8:1"

NAME_RE = re.compile(r"^[A-Za-z0-9가-힣._-]{2,64}$")
MIN_PASSWORD = 10
WINDOW = 24 * 3600  # seconds a failure is remembered


@dataclass(frozen=True)
class Limit:
    """`free` failures, then a wait of `base` seconds that doubles with each failure, up to `cap`."""

    free: int
    base: float
    cap: float

    def wait(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** min(failures - self.free, 32))


PAIR = Limit(free=5, base=30, cap=15 * 60)
ADDRESS = Limit(free=20, base=30, cap=15 * 60)
ACCOUNT = Limit(free=10, base=30, cap=5 * 60)
DEVICE = Limit(free=5, base=30, cap=15 * 60)


class Role(enum.Enum):
    CLERK = "clerk"
    ADMIN = "admin"


class Factor(enum.Enum):
    """What an attempt proves. Each is limited apart, by the same rules: a TOTP code is asked for only
    once the password proved right (archive/totp.py), so its failures must not slow password logins."""

    PASSWORD = "password"
    TOTP = "totp"


class AccountError(Refusal, ValueError):
    """A refused account operation, with a message for the person who asked (archive.messages)."""


class NotPermitted(Refusal, PermissionError):
    """An action on a record of an agency the clerk does not act for (issue 19); audited as a refusal."""

    cli = "both"


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    session_gen: int = 0
    agencies: tuple[str, ...] = ()  # the agencies a clerk acts for; () acts for all (admins always do)

    @property
    def scoped(self) -> bool:
        return self.role is Role.CLERK and bool(self.agencies)


@dataclass(frozen=True)
class LoginResult:
    """A logged-in user, or None; `wait` > 0 when the attempt was refused unchecked for that many seconds."""

    user: User | None
    wait: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """A limited check (`limited`): `ok` when it proved right; `wait` > 0 when refused unchecked."""

    ok: bool
    wait: float = 0.0


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("비밀번호가 너무 짧습니다: %(min)s자 이상이어야 합니다."), min=MIN_PASSWORD)


def _agencies(role: Role, agencies) -> tuple[str, ...]:
    names = tuple(sorted({a.strip() for a in agencies or () if a.strip()}))
    if names and role is Role.ADMIN:
        raise AccountError(N_("관리자는 모든 기관을 맡습니다: --agency는 담당자(clerk)에게만 줍니다."), cli="both")
    if bad := [a for a in names if len(a) > 100 or not a.isprintable()]:
        raise AccountError(N_("기관 이름이 올바르지 않습니다: %(name)s"), cli="both", name=repr(bad[0]))
    return names


def create_user(store, name: str, role: Role, password: str, agencies=()) -> User:
    """A new account; a clerk with `agencies` acts for those only, without them for all (as before)."""
    from .store.accounts import AccountExists

    if not NAME_RE.match(name):
        raise AccountError(N_("쓸 수 없는 이름입니다: %(name)s (영문자, 숫자, '.', '_', '-' 2~64자)"), name=repr(name))
    _check_password(password)
    names = _agencies(role, agencies)
    try:
        store.create_account(name, role, generate_password_hash(password, method=HASH_METHOD), _now_iso(), names)
    except AccountExists as exc:
        raise AccountError(N_("계정 %(name)s이 이미 있습니다."), name=repr(name)) from exc
    return User(name, role, agencies=names)


def set_agencies(store, name: str, agencies) -> tuple[str, ...]:
    """Give a clerk the agencies it acts for (none: all); the admin workspace calls it."""
    user = store.account(name)
    if user is None:
        raise AccountError(N_("계정이 없습니다: %(name)s"), name=repr(name))
    names = _agencies(user.role, agencies)
    store.set_account_agencies(name, list(names))
    return names


# -- acting for agencies (issue 19) -----------------------------------------------------------
#
# Every clerk action on a record goes through `authorize` (the service-level guard) and so
# through `may_act_for`, the one rule: withhold, release, the clerk's record page (withheld
# originals, their texts, personal-data findings, the audit trail), web uploads (per record),
# job pages. Actions still to come (approve, withdraw, restore, exports of withheld content)
# call `authorize(store, clerk, record.agency, "approve", record.id)` too.

def may_act_for(user: User | None, agency: str | None) -> bool:
    """Whether this account may act on records of `agency`: admins and unscoped clerks on all."""
    if user is None:
        return False
    return not user.scoped or (agency is not None and agency.strip() in user.agencies)


def refusal(user: User | None, agency: str | None) -> NotPermitted:
    if user is None:
        return NotPermitted(N_("담당자 계정이 없습니다."))
    return NotPermitted(N_("%(name)s 담당자는 '%(agency)s' 기관의 기록을 다룰 수 없습니다 (담당 기관: %(agencies)s)."),
                        name=user.name, agency=agency, agencies=", ".join(user.agencies))


def authorize(store, clerk: str | User, agency: str | None, action: str, record_id: str | None = None,
              message: str | None = None) -> User:
    """The guard: the enabled account, when it may act for `agency`; else NotPermitted, the refusal logged."""
    user = clerk if isinstance(clerk, User) else store.account(clerk, enabled_only=True)
    name = clerk.name if isinstance(clerk, User) else clerk
    if may_act_for(user, agency):
        return user
    refused = NotPermitted(message, cli="ko") if message else refusal(user, agency)
    # the log keeps the command line's wording (Korean, then English): one text for every reader of it
    store.log_refusal(at=_now_iso(), clerk=name, action=action, record_id=record_id, agency=agency, reason=str(refused))
    raise refused


def get_user(store, name: str, enabled_only: bool = False) -> User | None:
    return store.account(name, enabled_only)


def session_user(store, name: str, session_gen: int) -> User | None:
    """The user a session stands for, while that session has not been ended."""
    user = store.account(name, enabled_only=True)
    return user if user and user.session_gen == session_gen else None


def end_sessions(store, name: str) -> None:
    """End every session of this account (logout: a copied session cookie stops working too)."""
    store.end_sessions(name)


def set_password(store, name: str, password: str) -> None:
    """Give the account a new password and end its sessions."""
    _check_password(password)
    if not store.set_password_hash(name, generate_password_hash(password, method=HASH_METHOD)):
        raise AccountError(N_("계정이 없습니다: %(name)s"), name=repr(name))


def disable_user(store, name: str) -> None:
    """Refuse the account's logins from now on and end its sessions (the name stays in the audit log)."""
    if not store.disable_account(name, _now_iso()) and store.account(name) is None:
        raise AccountError(N_("계정이 없습니다: %(name)s"), name=repr(name))


def list_users(store) -> list[dict]:
    return [vars(a) for a in store.accounts()]


def address_key(address: str) -> str:
    """The unit an address is limited by: an IPv4 address, or an IPv6 /64 (one subscriber's
    prefix holds billions of addresses, each of which would otherwise be a fresh, clean one)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@functools.cache
def _dummy_hash() -> str:
    """A hash made like every real one, checked for names that have no (enabled) account.

    Without it a wrong name answered in a few milliseconds and a known one after a full hash
    check (130-160 ms): the time alone told which clerk names exist.
    """
    return generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)


def _wait(store, name: str, address: str, device: str | None, now: float, factor: Factor) -> float:
    """Seconds this attempt must still wait; 0 when it may be checked now."""
    since = now - WINDOW

    def remaining(limit: Limit, kind: str, *keys: str) -> float:
        count, last = store.login_failures(kind, since, *keys, factor=factor)
        return max(0.0, last + limit.wait(count) - now) if count >= limit.free else 0.0

    if device is not None:
        return remaining(DEVICE, "device", name, device)
    waits = [remaining(PAIR, "pair", name, address), remaining(ADDRESS, "address", address)]
    if store.login_failures("pair", since, name, address, factor=factor)[0]:
        # this address has failed for this account: the account-wide limit applies to it
        waits.append(remaining(ACCOUNT, "account", name))
    return max(waits)


def limited(store, factor: Factor, name: str, address: str, device: str | None, check: Callable[[], bool],
            now: float | None = None) -> Attempt:
    """Run `check` (a password's, a code's) within the limits above, as one step parallel attempts cannot race.

    `device` is a token the caller has verified was issued to this browser at a login to `name`.
    """
    address = address_key(address)
    with store.transaction():  # BEGIN IMMEDIATE: no other connection decides in between
        now = time.time() if now is None else now  # read under the lock: attempts are recorded in order
        wait = _wait(store, name, address, device, now, factor)
        if wait > 0:
            return Attempt(False, wait)
        # Counted as a failure until the check proves right.
        attempt = store.record_attempt(now, name, address, device, factor)
        store.forget_attempts(before=now - WINDOW)
    if not check():
        return Attempt(False)
    with store.transaction():
        store.forget_attempts(attempt=attempt)
        # A trusted browser that proved right is no longer slowed by its own earlier failures.
        # An address's failures stay until they age out: someone else may share the address, and
        # a clerk's login must not hand that someone a fresh allowance of guesses.
        if device is not None:
            store.forget_attempts(account=name, device=device, factor=factor)
    return Attempt(True)


def attempt_login(store, name: str, password: str, address: str, device: str | None = None,
                  now: float | None = None, note: bool = True) -> LoginResult:
    """Check a password within the limits. `note=False` when a second factor is still to come:
    the web notes the login (`note_login`) once the whole login is done."""

    def check() -> bool:
        stored_hash = store.password_hash(name)
        # One hash check whether or not the account exists: the same work, so the same time.
        good = check_password_hash(stored_hash or _dummy_hash(), password)
        return bool(stored_hash and good)

    result = limited(store, Factor.PASSWORD, name, address, device, check, now)
    if not result.ok:
        return LoginResult(None, result.wait)
    if note:
        note_login(store, name)
    return LoginResult(store.account(name))


def note_login(store, name: str) -> None:
    """A login completed (every factor it needs): the accounts page shows its time."""
    store.note_login(name, _now_iso())


def authenticate(store, name: str, password: str, address: str) -> User | None:
    """Return the user when the password is right and the attempt was within the limits."""
    return attempt_login(store, name, password, address).user
