"""Admins run accounts from the workspace: create, disable, enable, reset a password, change a
role, reset a second factor (agencies: clerk.set_agencies). Every form is POST with CSRF, every
action is archive.account_admin's (the same as the CLI's `users …`), audited there; a clerk gets 403.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from archive import account_admin, accounts
from archive.account_admin import AccountAction, Admin
from archive.accounts import AccountError, NotPermitted, Role

from . import errors
from .context import get_store
from .i18n import refusal_text

bp = Blueprint("admin_accounts", __name__, url_prefix="/clerk/accounts")

ROLES = [SelectChoice(r.value, r.value) for r in Role]


class CreateForm(FlaskForm):
    name = StringField(_l("아이디"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("역할"), choices=ROLES, default=Role.CLERK.value)
    agencies = TextAreaField(_l("담당 기관 (한 줄에 하나, 비우면 전체)"), validators=[Length(max=4000)])
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("새 비밀번호"), validators=[DataRequired(), Length(max=200)])


class RoleForm(FlaskForm):
    role = SelectField(_l("역할"), choices=ROLES)


class ActionForm(FlaskForm):
    """A button (disable, enable, 2FA reset): only the CSRF token."""


@bp.before_request
@login_required
def require_admin():
    """Admins only; a session of an account demoted a moment ago is refused too (read from the store)."""
    Admin.of(get_store(), current_user.user)


@bp.errorhandler(NotPermitted)
def not_permitted(exc: NotPermitted):
    return errors._answer(403, "Forbidden: admins only", refusal_text(exc))


def _label(action: AccountAction) -> str:
    return {AccountAction.CREATE: _("계정 만들기"), AccountAction.DISABLE: _("사용 중지"),
            AccountAction.ENABLE: _("다시 사용"), AccountAction.RESET_PASSWORD: _("비밀번호 재설정"),
            AccountAction.ROLE: _("역할 변경"), AccountAction.AGENCIES: _("담당 기관 변경"),
            AccountAction.RESET_2FA: _("2단계 인증 초기화")}[action]


def accounts_page(status: int = 200):
    """/clerk/accounts: every account with its forms, the account audit log, recent refusals."""
    from .clerk import AgenciesForm

    store = get_store()
    audit = [{"row": r, "label": _label(AccountAction(r.action))} for r in store.account_audit(30)]
    page = {"users": accounts.list_users(store), "audit": audit, "refusals": store.refusals(20),
            "me": current_user.name, "create": CreateForm(formdata=None), "agencies": AgenciesForm(formdata=None)}
    return render_template("clerk/accounts.html", page=page, users=page["users"], refusals=page["refusals"]), status


def _done(message: str):
    flash(message, "info")
    return redirect(url_for("auth.account_list"), 303)


def _run(form: FlaskForm, action):
    """Validate the form, run the action; a refused one shows the accounts page with why (409)."""
    if not form.validate():
        flash(_("양식을 읽을 수 없습니다. 빠진 칸을 채우십시오."), "error")
        return accounts_page(400)
    try:
        return _done(action())
    except AccountError as exc:
        flash(refusal_text(exc), "error")
        return accounts_page(409)


def _by() -> Admin:
    return Admin.of(get_store(), current_user.user)


@bp.post("/new")
def create():
    form = CreateForm()

    def action() -> str:
        user = account_admin.create(get_store(), _by(), form.name.data.strip(), Role(form.role.data),
                                    form.password.data, (form.agencies.data or "").splitlines())
        return _("%(name)s 계정을 만들었습니다.", name=user.name)

    return _run(form, action)


@bp.post("/<name>/disable")
def disable(name: str):
    def action() -> str:
        account_admin.disable(get_store(), _by(), name)
        return _("%(name)s 계정을 사용 중지했습니다. 열려 있던 세션도 끝났습니다.", name=name)

    return _run(ActionForm(), action)


@bp.post("/<name>/enable")
def enable(name: str):
    def action() -> str:
        account_admin.enable(get_store(), _by(), name)
        return _("%(name)s 계정을 다시 쓸 수 있게 했습니다.", name=name)

    return _run(ActionForm(), action)


@bp.post("/<name>/password")
def reset_password(name: str):
    form = PasswordForm()

    def action() -> str:
        account_admin.reset_password(get_store(), _by(), name, form.password.data)
        return _("%(name)s 계정의 비밀번호를 바꾸었습니다. 열려 있던 세션은 끝났습니다.", name=name)

    return _run(form, action)


@bp.post("/<name>/role")
def set_role(name: str):
    form = RoleForm()

    def action() -> str:
        account_admin.set_role(get_store(), _by(), name, Role(form.role.data))
        return _("%(name)s 계정의 역할: %(role)s", name=name, role=form.role.data)

    return _run(form, action)


@bp.post("/<name>/2fa-reset")
def reset_2fa(name: str):
    def action() -> str:
        account_admin.reset_2fa(get_store(), _by(), name)
        return _("%(name)s 계정의 2단계 인증을 초기화했습니다. 다음 로그인 때 다시 등록합니다.", name=name)

    return _run(ActionForm(), action)
