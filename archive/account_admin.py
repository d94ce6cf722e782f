"""What an admin does to accounts: create, disable, enable, reset a password, change a role, set
agencies, reset a second factor. The CLI (`users …`) and the workspace (/clerk/accounts) call
these same functions.

Each action is checked, done and audited in one store transaction (the account audit log,
append-only): who did it, to whom, what. Two rules keep the portal administrable, decided inside
that transaction so that two admins acting at once cannot both pass them:
- an admin cannot disable their own account (nor reset their own second factor from the web:
  a stolen session must not be able to drop the factor);
- the last enabled admin can be neither disabled nor made a clerk.
"""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass
from datetime import UTC, datetime

from . import accounts, totp
from .accounts import AccountError, NotPermitted, Role, User
from .messages import N_


class AccountAction(enum.Enum):
    CREATE = "create"
    DISABLE = "disable"
    ENABLE = "enable"
    RESET_PASSWORD = "reset-password"
    ROLE = "role"
    AGENCIES = "agencies"
    RESET_2FA = "2fa-reset"


@dataclass(frozen=True)
class Admin:
    """Who acts: a logged-in admin (`account`), or the command line (None: whoever owns the store)."""

    label: str  # as the audit log names it
    account: str | None = None

    @classmethod
    def command_line(cls) -> Admin:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            who = "?"
        return cls(f"cli:{who}")

    @classmethod
    def of(cls, store, user: User | None) -> Admin:
        """The logged-in admin, read again from the store: a session of an account demoted or
        disabled a moment ago acts as what the account is now."""
        current = store.account(user.name, enabled_only=True) if user else None
        if current is None or current.role is not Role.ADMIN:
            raise NotPermitted(N_("관리자만 계정을 관리합니다."))
        return cls(current.name, current.name)


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _audit(store, by: Admin, action: AccountAction, name: str, detail: str = "") -> None:
    store.append_account_audit(at=_now_iso(), actor=by.label, action=action.value, account=name, detail=detail)


def _existing(store, name: str) -> User:
    user = store.account(name)
    if user is None:
        raise AccountError(N_("계정이 없습니다: %(name)s"), name=repr(name))
    return user


def _keep_an_admin(store, name: str) -> None:
    """Refuse when `name` is the last enabled admin (called inside the action's transaction)."""
    if store.enabled_admins() == [name]:
        raise AccountError(N_("마지막 관리자는 사용 중지하거나 담당자로 바꿀 수 없습니다."), cli="both")


def create(store, by: Admin, name: str, role: Role, password: str, agencies=()) -> User:
    with store.transaction():
        user = accounts.create_user(store, name, role, password, agencies)
        _audit(store, by, AccountAction.CREATE, name,
               role.value + (f"; {', '.join(user.agencies)}" if user.agencies else ""))
    return user


def disable(store, by: Admin, name: str) -> bool:
    """Refuse the account's logins and end its open sessions; False when it was disabled already."""
    if by.account == name:
        raise AccountError(N_("자기 계정은 사용 중지할 수 없습니다."), cli="both")
    with store.transaction():
        _existing(store, name)
        _keep_an_admin(store, name)
        changed = store.disable_account(name, _now_iso())
        if changed:
            _audit(store, by, AccountAction.DISABLE, name)
    return changed


def enable(store, by: Admin, name: str) -> bool:
    with store.transaction():
        _existing(store, name)
        changed = store.enable_account(name)
        if changed:
            _audit(store, by, AccountAction.ENABLE, name)
    return changed


def reset_password(store, by: Admin, name: str, password: str) -> None:
    """A new password; the account's sessions end (the old password no longer logs in)."""
    with store.transaction():
        _existing(store, name)
        accounts.set_password(store, name, password)
        _audit(store, by, AccountAction.RESET_PASSWORD, name)


def set_role(store, by: Admin, name: str, role: Role) -> bool:
    """A new role, in effect from the account's next request (its sessions read the role each time)."""
    with store.transaction():
        user = _existing(store, name)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            _keep_an_admin(store, name)
        changed = store.set_role(name, role)
        if changed:
            dropped = f"; 담당 기관 없앰 {', '.join(user.agencies)}" if user.agencies and role is Role.ADMIN else ""
            _audit(store, by, AccountAction.ROLE, name, f"{user.role.value} -> {role.value}{dropped}")
    return changed


def set_agencies(store, by: Admin, name: str, agencies) -> tuple[str, ...]:
    """The agencies a clerk acts for (none: all): accounts.set_agencies, audited."""
    with store.transaction():
        before = _existing(store, name).agencies
        names = accounts.set_agencies(store, name, agencies)
        if names != before:
            _audit(store, by, AccountAction.AGENCIES, name,
                   f"{', '.join(before) or '전체'} -> {', '.join(names) or '전체'}")
    return names


def reset_2fa(store, by: Admin, name: str) -> bool:
    """Remove the account's second factor (a lost phone) and end its sessions; it enrols again."""
    if by.account == name:
        raise AccountError(N_("자기 계정의 2단계 인증은 다른 관리자나 명령줄(users 2fa-reset)로 초기화합니다."),
                           cli="both")
    with store.transaction():
        _existing(store, name)
        removed = totp.reset(store, name)
        _audit(store, by, AccountAction.RESET_2FA, name, "" if removed else "없었음 (none)")
    return removed
