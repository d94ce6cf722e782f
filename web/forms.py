"""The clerks' forms: Flask-WTF adds and checks a CSRF token on each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from archive.disclosure import GROUNDS


def at_least_one(form, field) -> None:
    if not field.data:
        raise ValidationError(_l("사유를 하나 이상 고르십시오."))


class LoginForm(FlaskForm):
    # lazy: labels and messages are made once per class, read in the request's language
    name = StringField(_l("아이디"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(), Length(max=200)])


class WithholdForm(FlaskForm):
    grounds = SelectMultipleField(
        _l("비공개 사유"),
        choices=[SelectChoice(str(n), f"제{n}호 {g.label_ko}") for n, g in GROUNDS.items()],
        # not DataRequired: its HTML `required` flag would make the browser demand every box
        validators=[at_least_one],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    reason = TextAreaField(_l("이유"), validators=[DataRequired(_l("이유를 적으십시오.")), Length(max=2000)])
    until = DateField(_l("비공개 종료일 (선택)"), validators=[Optional()])  # issue 14: release-due releases it


class ReleaseForm(FlaskForm):
    reason = TextAreaField(_l("이유"), validators=[DataRequired(_l("이유를 적으십시오.")), Length(max=2000)])
    confirm_personal_data = BooleanField(_l("개인정보를 확인했고 공개해도 됨"))


class UploadForm(FlaskForm):
    batch = FileField(_l("공개 묶음 (.zip)"), validators=[
        FileRequired(_l("파일을 고르십시오.")), FileAllowed(["zip"], _l(".zip 파일만 받습니다."))])


class StartJobForm(FlaskForm):
    """A button that starts a background job (reindex): only the CSRF token."""
