from flask_wtf import FlaskForm
from wtforms import FieldList, PasswordField, SelectField, StringField
from wtforms.utils import unset_value
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


class LineList(FieldList):
    """A FieldList that keeps the posted rows where they were, so a message lands on the row the user filled.

    WTForms 3.3 renumbers posted rows (0, 2 → 0, 1) and pads up to `min_entries` with rows that read the form
    data under their new index, so a posted row 2 would show, and be submitted, twice. Here a gap stays a
    blank row and the padding rows read nothing.
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        if extra_filters:
            raise TypeError("FieldList does not accept any filters.")
        self.last_index, self.entries = -1, []
        data = [] if data is unset_value or not data else list(data)
        self.object_data = data
        posted = sorted(set(self._extract_indices(self.name, formdata))) if formdata else []
        rows = min(max(posted, default=-1) + 1, self.max_entries or 10_000)
        for index in range(max(rows, len(data) if not posted else 0)):
            self._add_entry(formdata, data[index] if index < len(data) else unset_value, index=index)
        while len(self.entries) < self.min_entries:
            self._add_entry(None)
