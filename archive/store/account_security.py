"""TOTP factors, live sessions and the account audit log: their SQL (the rules are in archive/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TotpRow:
    secret: str
    confirmed_at: str | None
    last_step: int


@dataclass(frozen=True)
class SessionRow:
    name: str
    created_at: float
    last_seen: float
    second_factor: bool


@dataclass(frozen=True)
class AccountAuditRow:
    id: int
    at: str
    actor: str
    action: str
    account: str
    detail: str


class AccountSecurityMixin:
    # -- TOTP factors

    def totp(self, name: str) -> TotpRow | None:
        row = self._one("SELECT secret, confirmed_at, last_step FROM totp WHERE name = ?", (name,))
        return TotpRow(*row) if row else None

    def begin_totp(self, name: str, secret: str, at: str) -> bool:
        """A new unconfirmed secret for the account; False (nothing changed) when a factor is confirmed."""
        with self.transaction():
            return self.db.execute(
                "INSERT INTO totp (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                "SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0 "
                "WHERE totp.confirmed_at IS NULL", (name, secret, at)).rowcount > 0

    def confirm_totp(self, name: str, secret: str, step: int, at: str) -> bool:
        """Enforce the factor whose first code (of `step`) proved right; False when it was replaced meanwhile."""
        with self.transaction():
            return self.db.execute("UPDATE totp SET confirmed_at = ?, last_step = ? WHERE name = ? AND secret = ? "
                                   "AND confirmed_at IS NULL", (at, step, name, secret)).rowcount > 0

    def use_totp_step(self, name: str, step: int) -> bool:
        """Spend a code's time step: True only for a step newer than any spent (one statement: no race)."""
        with self.transaction():
            return self.db.execute("UPDATE totp SET last_step = ? WHERE name = ? AND confirmed_at IS NOT NULL "
                                   "AND last_step < ?", (step, name, step)).rowcount > 0

    def delete_totp(self, name: str) -> bool:
        with self.transaction():
            return self.db.execute("DELETE FROM totp WHERE name = ?", (name,)).rowcount > 0

    # -- sessions (by the SHA-256 of their token)

    def add_session(self, session_id: str, name: str, at: float, second_factor: bool) -> None:
        self._run("INSERT INTO sessions (id, name, created_at, last_seen, second_factor) VALUES (?, ?, ?, ?, ?)",
                  (session_id, name, at, at, int(second_factor)))

    def session(self, session_id: str) -> SessionRow | None:
        row = self._one("SELECT name, created_at, last_seen, second_factor FROM sessions WHERE id = ?", (session_id,))
        return SessionRow(row[0], row[1], row[2], bool(row[3])) if row else None

    def touch_session(self, session_id: str, at: float) -> None:
        # never moves back (SQLite's two-argument max() is not PostgreSQL's, hence the WHERE)
        self._run("UPDATE sessions SET last_seen = ? WHERE id = ? AND last_seen < ?", (at, session_id, at))

    def delete_sessions(self, *, session_id: str | None = None, name: str | None = None,
                        idle_before: float | None = None) -> None:
        """Forget one session, every session of an account, or those last seen before `idle_before`."""
        with self.transaction():
            if session_id is not None:
                self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if name is not None:
                self.db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            if idle_before is not None:
                self.db.execute("DELETE FROM sessions WHERE last_seen < ?", (idle_before,))

    def set_sessions_last_seen(self, name: str, at: float) -> None:
        """Every session of the account last seen at `at` (the tests move the clock with it)."""
        self._run("UPDATE sessions SET last_seen = ? WHERE name = ?", (at, name))

    def session_count(self, name: str) -> int:
        return self._one("SELECT count(*) FROM sessions WHERE name = ?", (name,))[0]

    # -- the account audit log (append-only by trigger)

    def append_account_audit(self, *, at: str, actor: str, action: str, account: str, detail: str = "") -> None:
        """Append one entry; inside an action's transaction it commits with the change it records."""
        self._run("INSERT INTO account_audit (at, actor, action, account, detail) VALUES (?, ?, ?, ?, ?)",
                  (at, actor, action, account, detail))

    def account_audit(self, limit: int = 50, account: str | None = None) -> list[AccountAuditRow]:
        where, args = ("WHERE account = ? ", (account,)) if account else ("", ())
        rows = self._all(f"SELECT id, at, actor, action, account, detail FROM account_audit {where}"
                         "ORDER BY id DESC LIMIT ?", (*args, limit))
        return [AccountAuditRow(*r) for r in rows]

    # -- admins' own rules

    def enabled_admins(self) -> list[str]:
        return [r[0] for r in self._all("SELECT name FROM users WHERE role = 'admin' AND disabled_at IS NULL "
                                        "ORDER BY name")]
