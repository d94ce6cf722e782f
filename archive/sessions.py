"""Logged-in sessions that end after inactivity, on the server.

A session cookie is signed, not secret from whoever holds it: one left in an office browser, or
copied from it, must stop working once nobody has used it for the idle time
(`ARCHIVE_SESSION_IDLE_MINUTES`, 30 by default). So each session is also a row in the store, named
by the SHA-256 of a random token the cookie carries; every request checks the row and moves its
last-seen time on; a row idle past the limit is deleted, and the cookie with it is worth nothing
(however long the cookie itself would have lived). Logout, a new password, disabling the account
and a reset of its second factor delete every row of the account (with its session generation,
archive.accounts).
"""

from __future__ import annotations

import hashlib
import secrets
import time

DEFAULT_IDLE_MINUTES = 30


def _id(token: str) -> str:
    # the store holds digests only: a read of the store gives no live session away
    return hashlib.sha256(token.encode()).hexdigest()


def begin(store, name: str, idle_seconds: float, second_factor: bool, now: float | None = None) -> str:
    """A new session for `name`; returns its token (for the signed session cookie)."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    store.delete_sessions(idle_before=now - idle_seconds)  # the abandoned ones
    store.add_session(_id(token), name, now, second_factor)
    return token


def touch(store, token: str | None, name: str, idle_seconds: float, now: float | None = None,
          activity: bool = True):
    """The session's row when it is `name`'s and still live (its last-seen time moved on), else None.

    A session idle past `idle_seconds` is ended here, on the server. `activity=False` (a page's own
    polling) checks the session without counting as use: an open job page must not keep it alive.
    """
    if not token:
        return None
    now = time.time() if now is None else now
    row = store.session(_id(token))
    if row is None or row.name != name:
        return None
    if now - row.last_seen > idle_seconds:
        store.delete_sessions(session_id=_id(token))
        return None
    # Written at most every tenth of the idle time (up to 15 s): a page's burst of requests costs
    # one write, and the last-seen time is never staler than that.
    if activity and now - row.last_seen > min(15.0, idle_seconds / 10):
        store.touch_session(_id(token), now)
    return row


def end(store, token: str | None) -> None:
    if token:
        store.delete_sessions(session_id=_id(token))

