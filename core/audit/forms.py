"""The audit log's filters, read from the query string."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from core.audit.labels import ACTION_LABELS
from core.audit.models import AuditAction
from core.audit.queries import AuditFilters
from core.bounds import form_day


class AuditFilterForm(FlaskForm):
    """GET filters need no CSRF token; a bad value is said beside its field and that filter left out."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=200)])
    action = SelectField(_l("Action"), choices=[("", _l("Any action")),
                                                *((action.value, label) for action, label in ACTION_LABELS.items())],
                         default="")
    subject = SelectField(_l("Record"), choices=[], default="")
    reference = StringField(_l("Number, code or name"), validators=[Optional(), Length(max=200)])
    date_from = DateField(_l("From"), validators=[Optional(), form_day])
    date_to = DateField(_l("To"), validators=[Optional(), form_day])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("Must not be before the start of the period."))

    def filters(self) -> AuditFilters:
        def value(field):
            return (field.data or None) if not field.errors else None
        action = value(self.action)
        return AuditFilters(actor=value(self.actor), action=AuditAction(action) if action else None,
                            subject=value(self.subject), reference=value(self.reference),
                            date_from=value(self.date_from), date_to=value(self.date_to))
