from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, PasswordField, SelectField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Regexp

from core.errors import DomainError
from core.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.CLERK: _l("Depot clerk"),
    Role.DISPATCHER: _l("Dispatcher"),
    Role.FINANCE: _l("Finance"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("This field is required."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))])


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
    ])
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, message=_l("At least 8 characters."))])


class CreateTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=120)])


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


REQUIRED = _l("This field is required.")


def optional_int(value):
    """A select's value as an id, or None for the blank choice."""
    return int(value) if value not in (None, "", "None") else None


def entered(field) -> bool:
    if field.raw_data:
        return any(str(value).strip() for value in field.raw_data)
    return field.data not in (None, "", [])


class LineForm(FlaskForm):
    """One line of a multi-line form; blank when none of its `ENTERED` fields has anything in it."""

    class Meta:
        csrf = False

    ENTERED: tuple[str, ...] = ()
    NEEDED: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        return not any(entered(self[name]) for name in self.ENTERED)

    def check_needed(self) -> bool:
        missing = [self[name] for name in self.NEEDED if self[name].data in (None, "") and not self[name].errors]
        for field in missing:
            field.errors = [*field.errors, REQUIRED]
        return not missing


class LinesForm(FlaskForm):
    """A form with `lines`: a FieldList of LineForm entries."""

    def filled_rows(self) -> list[int]:
        return [row for row, entry in enumerate(self.lines) if not entry.form.is_blank()]

    def validate(self, extra_validators=None) -> bool:
        """Check the form and its filled lines; blank lines are ignored, errors and all."""
        super().validate(extra_validators)
        rows = self.filled_rows()
        for row, entry in enumerate(self.lines):
            if row not in rows:
                for line_field in entry.form:
                    line_field.errors = []
        checked = [self.lines[row].form.check_needed() for row in rows]  # every line, not just to the first gap
        needed = all(checked)
        top_ok = not any(f.errors for f in self if not isinstance(f, FieldList))
        lines_ok = not any(f.errors for row in rows for f in self.lines[row].form)
        return needed and top_ok and lines_ok and not self.form_errors

    def set_line_choices(self, **choices_by_field) -> None:
        for entry in self.lines:
            for name, options in choices_by_field.items():
                entry.form[name].choices = options
