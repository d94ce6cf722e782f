"""Accounts and login attempts: their SQL. The rules (limits, hashing) stay in archive.accounts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..accounts import Factor, Role, User
from .account_security import AccountSecurityMixin


class AccountExists(ValueError):
    """An account of that name exists already."""


@dataclass(frozen=True)
class AccountRow:
    name: str
    role: Role
    created_at: str
    last_login_at: str | None
    disabled_at: str | None
    agencies: tuple[str, ...] = ()  # a clerk's agencies; () acts for all
    second_factor: bool = False  # a confirmed TOTP factor


# which earlier attempts a login limit counts (see archive.accounts): the WHERE of each; every
# limit counts the attempts of one factor (a password, a TOTP code) only
_FAILURES = {
    "device": "account = ? AND device = ?",
    "pair": "account = ? AND address = ? AND device IS NULL",
    "address": "address = ? AND device IS NULL",
    "account": "account = ? AND device IS NULL",
}


class AccountsMixin(AccountSecurityMixin):
    def create_account(self, name: str, role: Role, password_hash: str, at: str,
                       agencies: tuple[str, ...] = ()) -> None:
        try:
            with self.transaction():
                self.db.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                                (name, role.value, password_hash, at))
                self.db.executemany("INSERT INTO user_agencies (name, agency) VALUES (?, ?)",
                                    [(name, a) for a in sorted(set(agencies))])
        except sqlite3.IntegrityError as exc:
            raise AccountExists(name) from exc

    def account(self, name: str, enabled_only: bool = False) -> User | None:
        sql = "SELECT name, role, session_gen FROM users WHERE name = ?"
        row = self._one(sql + (" AND disabled_at IS NULL" if enabled_only else ""), (name,))
        return User(row[0], Role(row[1]), row[2], self.account_agencies(name)) if row else None

    def account_agencies(self, name: str) -> tuple[str, ...]:
        return tuple(r[0] for r in self._all("SELECT agency FROM user_agencies WHERE name = ? ORDER BY agency",
                                             (name,)))

    def set_account_agencies(self, name: str, agencies: list[str]) -> bool:
        """Replace the account's agencies (empty: all); False when there is no such account."""
        with self.transaction():
            if self._one("SELECT 1 FROM users WHERE name = ?", (name,)) is None:
                return False
            self.db.execute("DELETE FROM user_agencies WHERE name = ?", (name,))
            self.db.executemany("INSERT INTO user_agencies (name, agency) VALUES (?, ?)",
                                [(name, a) for a in sorted(set(agencies))])
            return True

    def agencies_of(self, record_ids: list[str]) -> dict[str, str]:
        """Each stored record's agency (records not stored are left out)."""
        found: dict[str, str] = {}
        ids = sorted(set(record_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows = self._all(f"SELECT id, agency FROM records WHERE id IN ({','.join('?' * len(chunk))})",
                             tuple(chunk))
            found.update({r[0]: r[1] for r in rows})
        return found

    def log_refusal(self, *, at: str, clerk: str, action: str, record_id: str | None, agency: str | None,
                    reason: str) -> None:
        """Append one refused action (issue 19) to the append-only refusal log; committed at once."""
        self._run("INSERT INTO refusals (at, clerk, action, record_id, agency, reason) VALUES (?, ?, ?, ?, ?, ?)",
                  (at, clerk, action, record_id, agency, reason))

    def refusals(self, limit: int = 50, clerk: str | None = None) -> list[dict]:
        where, args = ("WHERE clerk = ? ", (clerk,)) if clerk else ("", ())
        rows = self._all(f"SELECT at, clerk, action, record_id, agency, reason FROM refusals {where}"
                         "ORDER BY id DESC LIMIT ?", (*args, limit))
        return [dict(zip(("at", "clerk", "action", "record_id", "agency", "reason"), r, strict=True)) for r in rows]

    def password_hash(self, name: str) -> str | None:
        """The hash of an enabled account's password; None for no account or a disabled one."""
        row = self._one("SELECT password_hash FROM users WHERE name = ? AND disabled_at IS NULL", (name,))
        return row[0] if row else None

    def accounts(self) -> list[AccountRow]:
        rows = self._all("SELECT name, role, created_at, last_login_at, disabled_at, "
                         "EXISTS (SELECT 1 FROM totp t WHERE t.name = users.name AND t.confirmed_at IS NOT NULL) "
                         "FROM users ORDER BY name")
        scopes: dict[str, list[str]] = {}
        for name, agency in self._all("SELECT name, agency FROM user_agencies ORDER BY name, agency"):
            scopes.setdefault(name, []).append(agency)
        return [AccountRow(r[0], Role(r[1]), r[2], r[3], r[4], tuple(scopes.get(r[0], ())), bool(r[5])) for r in rows]

    def end_sessions(self, name: str) -> None:
        """End every session of the account: its generation moves on and its live sessions are forgotten."""
        with self.transaction():
            self.db.execute("UPDATE users SET session_gen = session_gen + 1 WHERE name = ?", (name,))
            self.db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def set_password_hash(self, name: str, password_hash: str) -> bool:
        """A new password, which ends the account's sessions; False when there is no such account."""
        with self.transaction():
            found = self.db.execute("UPDATE users SET password_hash = ?, session_gen = session_gen + 1 "
                                    "WHERE name = ?", (password_hash, name)).rowcount > 0
            self.db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            return found

    def disable_account(self, name: str, at: str) -> bool:
        """Refuse the account's logins and end its sessions; False when it was not enabled."""
        with self.transaction():
            changed = self.db.execute("UPDATE users SET disabled_at = ?, session_gen = session_gen + 1 "
                                      "WHERE name = ? AND disabled_at IS NULL", (at, name)).rowcount > 0
            self.db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            return changed

    def enable_account(self, name: str) -> bool:
        """Accept the account's logins again (with the password it had); False when it was not disabled."""
        with self.transaction():
            return self.db.execute("UPDATE users SET disabled_at = NULL WHERE name = ? AND disabled_at IS NOT NULL",
                                   (name,)).rowcount > 0

    def set_role(self, name: str, role: Role) -> bool:
        """A new role; an admin acts for all agencies, so a promoted clerk's agencies go. False: no change."""
        with self.transaction():
            changed = self.db.execute("UPDATE users SET role = ? WHERE name = ? AND role != ?",
                                      (role.value, name, role.value)).rowcount > 0
            if changed and role is Role.ADMIN:
                self.db.execute("DELETE FROM user_agencies WHERE name = ?", (name,))
            return changed

    def note_login(self, name: str, at: str) -> None:
        self._run("UPDATE users SET last_login_at = ? WHERE name = ?", (at, name))

    # -- login attempts: call inside one transaction() so that deciding and counting are one step

    def login_failures(self, kind: str, since: float, *keys: str,
                       factor: Factor = Factor.PASSWORD) -> tuple[int, float]:
        """Count and latest time of the attempts a limit counts (kind: device, pair, address, account)."""
        count, last = self._one("SELECT count(*), max(at) FROM login_attempts WHERE at > ? AND factor = ? AND "
                                f"{_FAILURES[kind]}", (since, factor.value, *keys))
        return count, last or 0.0

    def record_attempt(self, at: float, account: str, address: str, device: str | None,
                       factor: Factor = Factor.PASSWORD) -> int:
        with self.transaction():
            return self.db.execute("INSERT INTO login_attempts (at, account, address, device, factor) "
                                   "VALUES (?, ?, ?, ?, ?)", (at, account, address, device, factor.value)).lastrowid

    def forget_attempts(self, *, before: float | None = None, attempt: int | None = None,
                        account: str | None = None, device: str | None = None,
                        factor: Factor = Factor.PASSWORD) -> None:
        """Forget attempts older than `before`, or one `attempt`, or all of one trusted device (of `factor`)."""
        if before is not None:
            self._run("DELETE FROM login_attempts WHERE at <= ?", (before,))
        if attempt is not None:
            self._run("DELETE FROM login_attempts WHERE id = ?", (attempt,))
        if account is not None and device is not None:
            self._run("DELETE FROM login_attempts WHERE account = ? AND device = ? AND factor = ?",
                      (account, device, factor.value))
