import re

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, PasswordField, SelectField, StringField, ValidationError
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
    service_account = BooleanField(_l("Service account: another system using the API, which never signs in"))
    password = PasswordField(_l("Password"))

    def validate_password(self, field) -> None:
        """A person needs a password; a service account gets none (it works only with tokens)."""
        if self.service_account.data:
            return
        if not field.data:
            raise ValidationError(_("This field is required."))
        if len(field.data) < 8:
            raise ValidationError(_("At least 8 characters."))


class CreateTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=120)])


def attach_service_errors(form: FlaskForm, error: DomainError, rows: list[int] | None = None,
                          renames: dict[str, str] | None = None, line_id_field: str | None = None,
                          repeat_above: bool = True) -> None:
    """Show a service's refusal on its form: the message above the form, each field's messages beside the field.

    Per-line messages (`lines.<n>.<field>`) land on the form row they came from: row `rows[n]` when the view passed
    only the filled rows to the service, or the row whose `line_id_field` holds `n` when the service names lines
    by id. `renames` maps the service's field names to the form's. Messages with no field to stand beside are
    listed above the form too, so nothing the service said is lost. With `repeat_above=False` the refusal's own
    message is left out when every message found its field: each problem is then said once, in one wording,
    beside what needs changing (the template points to them).
    """
    renames = renames or {}
    above_before, unplaced = len(form.form_errors), not error.fields
    for name, messages in error.fields.items():
        if name == "lines" and isinstance(messages, dict) and "lines" in form._fields:
            _attach_line_errors(form, messages, rows, renames, line_id_field)
            continue
        field = form._fields.get(renames.get(name, name))
        if field is not None and name != "lines":
            _add_errors(field, messages)
        elif list(messages) != [error.message]:
            form.form_errors.extend(messages)
        else:
            unplaced = True
    if repeat_above or unplaced or len(form.form_errors) > above_before:
        form.form_errors.insert(above_before, error.message)


def _add_errors(field, messages) -> None:
    """Add messages to a field, each once: the form may already have said the same."""
    field.errors = [*field.errors, *(message for message in messages if message not in field.errors)]


def _attach_line_errors(form: FlaskForm, by_line: dict, rows: list[int] | None, renames: dict[str, str],
                        line_id_field: str | None) -> None:
    entries = [entry.form for entry in form.lines]
    for key, line_fields in by_line.items():
        row = _line_row(entries, key, rows, line_id_field)
        if row is None:
            form.form_errors.extend(message for messages in line_fields.values() for message in messages)
            continue
        entry = entries[row]
        for name, messages in line_fields.items():
            field = entry._fields.get(renames.get(name, name))
            if field is not None:
                _add_errors(field, messages)
            else:
                form.form_errors.extend(_("Line %(number)s: %(message)s", number=row + 1, message=message)
                                        for message in messages)


def _line_row(entries: list, key, rows: list[int] | None, line_id_field: str | None) -> int | None:
    """The form row a service's line key points at, or None when no row matches."""
    if line_id_field is not None:
        return next((row for row, entry in enumerate(entries) if str(entry[line_id_field].data) == str(key)), None)
    index = int(key)
    row = rows[index] if rows is not None and 0 <= index < len(rows) else index
    return row if 0 <= row < len(entries) else None


class LineList(FieldList):
    """A FieldList that keeps the posted rows where they were, so a message lands on the row the user filled.

    WTForms 3.3 renumbers posted rows (0, 2 → 0, 1) and pads up to `min_entries` with rows that read the form
    data under their new index, so a posted row 2 would show, and be submitted, twice. Here a gap stays a
    blank row. A new form shows `min_entries` empty rows; a posted one shows the rows that were posted, at least
    one (the user adds and removes them), never more than `max_entries`: `overflowing` says that more were sent.
    """

    TEMPLATE_INDEX = "__index__"  # the row a page copies to add a line in the browser

    def process(self, formdata, data=unset_value, extra_filters=None):
        if extra_filters:
            raise TypeError("FieldList does not accept any filters.")
        self.last_index, self.entries = -1, []
        data = [] if data is unset_value or not data else list(data)
        self.object_data = data
        posted = set(self._extract_indices(self.name, formdata)) if formdata else set()
        self.overflowing = bool(posted) and max(posted) >= self.limit
        rows = min(max(posted, default=-1) + 1, self.limit)
        for index in range(max(rows, len(data) if not posted else 0)):
            self._add_entry(formdata, data[index] if index < len(data) else unset_value, index=index)
        while len(self.entries) < (min(1, self.min_entries) if formdata else self.min_entries):
            self._add_entry(None)

    @property
    def limit(self) -> int:
        return self.max_entries or 400

    @property
    def full(self) -> bool:
        return len(self.entries) >= self.limit

    def blank_entry(self):
        """An empty row outside the list, numbered `TEMPLATE_INDEX`, for the page to copy."""
        options = dict(name=f"{self.name}{self._separator}{self.TEMPLATE_INDEX}",
                       id=f"{self.id}{self._separator}{self.TEMPLATE_INDEX}", _meta=self.meta,
                       translations=self._translations)
        entry = self.meta.bind_field(self._form, self.unbound_field, options)
        entry.process(None)
        return entry


def without_row(formdata, name: str, row: int) -> MultiDict:
    """The form data with one row of the list `name` taken out and the rows after it moved up."""
    pattern = re.compile(rf"^{re.escape(name)}-(\d+)-(.+)$")
    kept = MultiDict()
    for key, value in formdata.items(multi=True):
        match = pattern.match(key)
        if match is None:
            kept.add(key, value)
        elif int(match[1]) != row:
            index = int(match[1])
            kept.add(f"{name}-{index - 1 if index > row else index}-{match[2]}", value)
    return kept


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


# The buttons that change the lines, not the stock: "add_line", and "remove_line-<row>" on each line. They are
# <input type=submit> (the row in the name, the label in the value), so that the form's own <button> stays the one
# a script or a test means by "the submit button".
ADD_LINE, REMOVE_LINE = "add_line", "remove_line-"


class LinesForm(FlaskForm):
    """A form with `lines`: a LineList of LineForm entries, and buttons to add a line or remove one.

    Pressing one of those buttons sends the form back to be shown again with the change: what was typed is kept,
    nothing is checked and nothing is recorded (`validate_on_submit` is then False). With JavaScript the page
    makes the same change in place (core/static/lines.js), copying `line_template`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changing_lines = self._change_lines()
        self.line_template = self.lines.blank_entry()

    def _change_lines(self) -> bool:
        if not self.is_submitted():
            return False
        posted = request.form
        removed = next((key for key in posted if key.startswith(REMOVE_LINE)), None)
        if removed is not None:
            row = removed[len(REMOVE_LINE):]
            if row.isdigit():
                self.process(without_row(posted, self.lines.name, int(row)))
            return True
        if ADD_LINE in posted:
            if self.lines.full:
                self.form_errors.append(self.too_many_lines())
            else:
                self.lines.append_entry()
            return True
        return False

    def too_many_lines(self) -> str:
        return _("At most %(num)s lines on one document; record the rest on another.", num=self.lines.limit)

    def validate_on_submit(self, extra_validators=None) -> bool:
        return not self.changing_lines and super().validate_on_submit(extra_validators)

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
        if self.lines.overflowing:
            self.form_errors.append(self.too_many_lines())
        checked = [self.lines[row].form.check_needed() for row in rows]  # every line, not just to the first gap
        needed = all(checked)
        top_ok = not any(f.errors for f in self if not isinstance(f, FieldList))
        lines_ok = not any(f.errors for row in rows for f in self.lines[row].form)
        return needed and top_ok and lines_ok and not self.form_errors

    def has_errors(self) -> bool:
        """Whether any field, or any field of a line, has a message beside it."""
        return any(field.errors for field in self if not isinstance(field, FieldList)) or any(
            line_field.errors for entry in self.lines for line_field in entry.form)

    def set_line_defaults(self, **values) -> None:
        """Preset fields on the lines where the user has not sent them (a new form, a line just added)."""
        for entry in [*self.lines, self.line_template]:
            for name, value in values.items():
                if not entry.form[name].raw_data:
                    entry.form[name].data = value

    def set_line_choices(self, **choices_by_field) -> None:
        for entry in [*self.lines, self.line_template]:
            for name, options in choices_by_field.items():
                entry.form[name].choices = options
