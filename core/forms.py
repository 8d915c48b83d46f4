from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from core.errors import DomainError
from core.models import Role

ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.CLERK: "Depot clerk",
    Role.DISPATCHER: "Dispatcher",
    Role.FINANCE: "Finance",
}


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class CreateUserForm(FlaskForm):
    username = StringField("Username", validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="Letters, digits, dot, dash and underscore only."),
    ])
    display_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, message="At least 8 characters.")])


class CreateTokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=120)])


def attach_field_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal beside the fields it names, or above the form."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)
