"""The clerks' forms: Flask-WTF adds and checks a CSRF token on each."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from archive.disclosure import GROUNDS


def at_least_one(form, field) -> None:
    if not field.data:
        raise ValidationError("사유를 하나 이상 고르십시오. Choose at least one ground.")


class LoginForm(FlaskForm):
    name = StringField("아이디 Account", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("비밀번호 Password", validators=[DataRequired(), Length(max=200)])


class WithholdForm(FlaskForm):
    grounds = SelectMultipleField(
        "비공개 사유 Grounds",
        choices=[SelectChoice(str(n), f"제{n}호 {g.label_ko}") for n, g in GROUNDS.items()],
        # not DataRequired: its HTML `required` flag would make the browser demand every box
        validators=[at_least_one],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    reason = TextAreaField("이유 Reason", validators=[DataRequired("이유를 적으십시오. A reason is required."),
                                                     Length(max=2000)])


class ReleaseForm(FlaskForm):
    reason = TextAreaField("이유 Reason", validators=[DataRequired("이유를 적으십시오. A reason is required."),
                                                     Length(max=2000)])
    confirm_personal_data = BooleanField("개인정보를 확인했고 공개해도 됨 — I checked the personal data; release it")


class UploadForm(FlaskForm):
    batch = FileField("공개 묶음 (.zip) Release batch", validators=[
        FileRequired("파일을 고르십시오. Choose a file."), FileAllowed(["zip"], ".zip 파일만 받습니다.")])


class StartJobForm(FlaskForm):
    """A button that starts a background job (reindex): only the CSRF token."""
