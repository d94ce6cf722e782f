"""A TOTP second factor per account (RFC 6238: 30 s steps, 6 digits, SHA-1, as authenticator apps use).

What it stands against, and how:

- *A stolen or guessed password.* With a confirmed factor a login also needs the code of the
  authenticator; `ARCHIVE_REQUIRE_2FA=1` makes every account have one (the web sends an account
  without one to enrolment right after the password, and lets it do nothing else).
- *A code seen over a shoulder, in a proxy log or a screenshot.* Each code is spent once: the
  store keeps the newest time step accepted, and a code of that step or an earlier one is refused
  (one UPDATE decides, so two requests racing with the same code cannot both win).
- *Guessing codes* (one in a million per try). Attempts go through the same limits as passwords
  (`archive.accounts.limited`, factor TOTP, counted apart): back-offs, never a lock, keyed so that
  the one guessing waits. Only someone who has the password ever reaches this step, so no
  anonymous party can slow a clerk's second step at all.
- *An enrolment someone else prepared.* Enrolment shows a fresh secret, unconfirmed and not
  enforced until a first code proves the authenticator holds it; the web ties the secret to the
  browser that was shown it (`secret_tag`), so a secret someone else had shown to them earlier is
  replaced, never reused. Left open, knowingly: whoever knows the password can enrol first, before
  the clerk does (trust on first use); an admin's `users 2fa-reset NAME` undoes it.

The secret is kept in the store as it is (TOTP needs it to compute codes; it cannot be hashed):
a copy of the store gives away the factors, as it would the store's other contents.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp

from . import accounts
from .accounts import AccountError, Factor
from .messages import N_

ISSUER = "Yeollam"
STEP = 30  # seconds
DRIFT = 1  # steps either side accepted: a phone's clock a little off still works


class State(enum.Enum):
    NONE = "none"  # no factor: the password alone logs in (unless 2FA is required)
    PENDING = "pending"  # shown, not yet confirmed: not enforced
    ACTIVE = "active"  # confirmed: every login needs a code


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str  # otpauth:// for authenticator apps

    @property
    def tag(self) -> str:
        return secret_tag(self.secret)

    def qr_svg(self) -> str:
        """The URI as an inline SVG QR code (segno, pure Python: no image library)."""
        import segno

        return segno.make(self.uri, error="m").svg_inline(scale=4, border=4, light="#fff", title="QR")


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def secret_tag(secret: str) -> str:
    """A short digest naming a secret without showing it (kept in the enrolling browser's session)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def state(store, name: str) -> State:
    row = store.totp(name)
    if row is None:
        return State.NONE
    return State.ACTIVE if row.confirmed_at else State.PENDING


def enrolment(store, name: str, tag: str | None = None) -> Enrolment:
    """The secret to show: the pending one this browser was shown (`tag`), else a fresh one.

    Refused for an account whose factor is confirmed: replacing it takes an admin's reset, so a
    stolen session cannot swap in the thief's authenticator.
    """
    if store.account(name, enabled_only=True) is None:
        raise AccountError(N_("계정이 없습니다: %(name)s"), name=repr(name))
    row = store.totp(name)
    if row and row.confirmed_at:
        raise AccountError(N_("이미 2단계 인증을 쓰고 있습니다. 바꾸려면 관리자에게 초기화를 요청하십시오."), cli="ko")
    if row and tag and hmac.compare_digest(secret_tag(row.secret), tag):
        secret = row.secret
    else:
        secret = pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends
        if not store.begin_totp(name, secret, _now_iso()):
            raise AccountError(N_("이미 2단계 인증을 쓰고 있습니다."), cli="ko")
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER))


def _step_of(secret: str, code: str, now: float) -> int | None:
    """The time step `code` is the code of, within the drift; None when it is no current code."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    found = None
    for step in range(current - DRIFT, current + DRIFT + 1):  # every step compared: the same time for all
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def confirm(store, name: str, code: str, tag: str, address: str, device: str | None = None,
            now: float | None = None) -> accounts.Attempt:
    """Enforce the pending factor this browser was shown (`tag`) once its first code proves right."""
    clock = time.time() if now is None else now

    def check() -> bool:
        row = store.totp(name)
        if row is None or row.confirmed_at or not hmac.compare_digest(secret_tag(row.secret), tag):
            return False
        step = _step_of(row.secret, code, clock)
        return step is not None and store.confirm_totp(name, row.secret, step, _now_iso())

    return accounts.limited(store, Factor.TOTP, name, address, device, check, now)


def verify(store, name: str, code: str, address: str, device: str | None = None,
           now: float | None = None) -> accounts.Attempt:
    """A login's second step: the code of the account's confirmed factor, not spent before, within the limits."""
    clock = time.time() if now is None else now

    def check() -> bool:
        row = store.totp(name)
        if row is None or not row.confirmed_at:
            return False
        step = _step_of(row.secret, code, clock)
        # Spent here, in one UPDATE: a replayed code (or an older one of the window) is refused.
        return step is not None and store.use_totp_step(name, step)

    return accounts.limited(store, Factor.TOTP, name, address, device, check, now)


def reset(store, name: str) -> bool:
    """Remove the account's factor (an admin's reset: a lost phone); the account's sessions end."""
    removed = store.delete_totp(name)
    store.end_sessions(name)
    return removed
